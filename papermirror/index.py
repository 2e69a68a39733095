"""The index stage: site/ -> site/pagefind/, the browser's search index.

Runs the Pagefind binary bundled with the `pagefind[bin]` package over the files on disk (the
Python API's per-page calls index about 10 pages a second; the binary walks thousands). Pagefind
reads only the paper pages, and within them only the `data-pagefind-body` element, so listings and
navigation stay out of the index.

The bundle is written to a fresh folder beside site/pagefind and swapped in when Pagefind
succeeds, so a failed run leaves the previous index in place and no stale chunk survives.
Pagefind's output is not byte-for-byte deterministic; everything else in site/ is.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from papermirror.config import Config
from papermirror.errors import UserError

log = logging.getLogger(__name__)

BUNDLE_DIR = "pagefind"
"""The folder below site/ the search page loads Pagefind from."""
PAPER_PAGES = "papers/**/index.html"
"""The pages Pagefind reads: paper pages only (with no data-pagefind-body anywhere, as in an empty
archive, Pagefind would otherwise index every listing)."""
TIMEOUT_SECONDS = 1800


class PagefindError(UserError):
    """Pagefind could not index site/; the message says what failed."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class IndexReport:
    """What an indexing run did."""

    pages: int
    """Pages Pagefind indexed (paper pages)."""
    words: int
    """Distinct words in the index."""
    bytes: int
    """Size of site/pagefind/ on disk."""
    seconds: float

    def line(self) -> str:
        return (f"{self.pages} pages, {self.words} words, {self.bytes / 1_000_000:.1f} MB "
                f"in site/{BUNDLE_DIR}/ in {self.seconds:.1f}s")


def pagefind_command(site_dir: Path, output_dir: Path) -> list[str]:
    """The command line that indexes `site_dir` into `output_dir`."""
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-path", str(output_dir),
            "--glob", PAPER_PAGES]


def index_site(config: Config, site_dir: Path) -> IndexReport:
    """Index the paper pages of `site_dir` with Pagefind into site_dir/pagefind/."""
    started = time.perf_counter()
    if not (site_dir / "index.html").is_file():
        raise PagefindError(f"{site_dir}: no built site to index; run `python build.py build` first")
    bundle = site_dir / BUNDLE_DIR
    if not any(site_dir.glob(PAPER_PAGES)):
        log.warning("index: %s holds no paper pages; search will find nothing until papers are added", site_dir)
        shutil.rmtree(bundle, ignore_errors=True)
        return IndexReport(pages=0, words=0, bytes=0, seconds=time.perf_counter() - started)
    fresh = site_dir / f".{BUNDLE_DIR}-new"
    shutil.rmtree(fresh, ignore_errors=True)
    output = run_pagefind(pagefind_command(site_dir, fresh))
    pages, words = count_indexed(output)
    if not fresh.is_dir():
        raise PagefindError(f"Pagefind reported success but wrote no bundle to {fresh}:\n{output[-2000:]}")
    replace_folder(fresh, bundle)
    size = sum(path.stat().st_size for path in bundle.rglob("*") if path.is_file())
    return IndexReport(pages=pages, words=words, bytes=size, seconds=time.perf_counter() - started)


def run_pagefind(command: list[str]) -> str:
    """Run Pagefind; return its report, or raise naming what failed and what it said."""
    log.debug("index: %s", " ".join(command))
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise PagefindError(f"Pagefind did not finish within {TIMEOUT_SECONDS}s: {' '.join(command)}") from None
    except OSError as exc:
        raise PagefindError(f"cannot run Pagefind ({exc}); install it with pip install 'pagefind[bin]'") from None
    said = (done.stderr + done.stdout).strip()
    if done.returncode != 0:
        last_lines = "\n".join(said.splitlines()[-15:])
        hint = " (is the pagefind[bin] package installed?)" if "No module named" in said or "binary" in said else ""
        raise PagefindError(f"Pagefind failed with exit code {done.returncode}{hint}:\n{last_lines}")
    for line in said.splitlines():
        if re.search(r"\b(error|warn(ing)?)\b", line, re.IGNORECASE):
            log.warning("pagefind: %s", line.strip())
    return said


def count_indexed(report: str) -> tuple[int, int]:
    """Read 'Indexed N pages' and 'Indexed N words' from Pagefind's summary."""
    pages = re.search(r"Indexed (\d+) pages?", report)
    words = re.search(r"Indexed (\d+) words?", report)
    return int(pages.group(1)) if pages else 0, int(words.group(1)) if words else 0


def replace_folder(fresh: Path, target: Path) -> None:
    """Put `fresh` where `target` is, removing the old one (two renames, then a delete)."""
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)
