"""The index stage: site/ -> site/pagefind/, the browser's search index.

Runs the Pagefind binary bundled with the `pagefind[bin]` package over the files on disk (the
Python API's per-page calls index about 10 pages a second; the binary walks thousands). Pagefind
reads only the paper pages, and within them only the `data-pagefind-body` element, so listings and
navigation stay out of the index.

Pagefind holds one index in memory while it writes it (measured: 5.9 GB for 50,000 paper pages), so
an archive of more than SHARD_ABOVE papers gets one index per arXiv year: the newest year's bundle
is site/pagefind/ itself, each older year's is site/pagefind/<year>/, and site/pagefind/shards.json
lists the older ones for the search page, which merges them in the browser (Pagefind's
`mergeIndex`), so one search still covers the whole archive. A year none of whose pages changed
keeps its index from the previous build, so a daily build re-indexes the recent years only.

The bundle is written to a fresh folder beside site/pagefind and swapped in when Pagefind
succeeds, so a failed run leaves the previous index in place and no stale chunk survives.
Pagefind's output is not byte-for-byte deterministic; everything else in site/ is.
"""

from __future__ import annotations

import json
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
SHARD_ABOVE = 20_000
"""Above this many paper pages, index each arXiv year separately (see the module docstring)."""
SHARDS_FILE = "shards.json"
"""site/pagefind/shards.json: the bundles (relative to site/pagefind/) the search page merges in."""
UNUSED_FILES = re.compile(r"pagefind-(ui|component-ui|modular-ui|highlight)\.(js|css)")
"""Pagefind's ready-made interfaces, written into every bundle; the search page (layouts/static/search.js)
uses the JS API in pagefind.js instead, so these are removed from the bundle."""
YEARS_FILE = "years.json"
"""site/pagefind/years.json: per year, its bundle, pages and words, to reuse unchanged years' indexes."""


class PagefindError(UserError):
    """Pagefind could not index site/; the message says what failed."""

    exit_code = 1


@dataclass(frozen=True, slots=True)
class IndexReport:
    """What an indexing run did."""

    pages: int
    """Pages Pagefind indexed (paper pages)."""
    words: int
    """Distinct words in the index (summed over the indexes of a sharded archive)."""
    bytes: int
    """Size of site/pagefind/ on disk."""
    seconds: float
    indexes: int = 1
    """Pagefind indexes (one per arXiv year above SHARD_ABOVE papers)."""
    reused: int = 0
    """Indexes kept from the previous build (no page of their year changed)."""

    def line(self) -> str:
        shards = f" ({self.indexes} indexes, one per year, {self.reused} unchanged)" if self.indexes > 1 else ""
        return (f"{self.pages} pages, {self.words} words, {self.bytes / 1_000_000:.1f} MB "
                f"in site/{BUNDLE_DIR}/{shards} in {self.seconds:.1f}s")


def pagefind_command(site_dir: Path, output_dir: Path, glob: str = PAPER_PAGES) -> list[str]:
    """The command line that indexes the pages of `site_dir` matching `glob` into `output_dir`."""
    return [sys.executable, "-m", "pagefind", "--site", str(site_dir), "--output-path", str(output_dir),
            "--glob", glob]


def pages_by_year(site_dir: Path) -> dict[str, list[Path]]:
    """The paper pages of `site_dir` by arXiv year (two-digit id prefix), newest year first."""
    years: dict[str, list[Path]] = {}
    for path in site_dir.glob(PAPER_PAGES):
        years.setdefault(path.relative_to(site_dir).parts[1][:2], []).append(path)
    return dict(sorted(years.items(), reverse=True))


def shard_years(site_dir: Path) -> dict[str, list[Path]]:
    """The years to index one by one (see pages_by_year); {} when one index will do."""
    years = pages_by_year(site_dir)
    if sum(len(pages) for pages in years.values()) <= SHARD_ABOVE or not all(year.isdigit() for year in years):
        return {}
    return years


def reusable_shard(bundle: Path, old: dict, year: str, pages: list[Path]) -> Path | None:
    """The previous build's index of `year`, if no page of that year was added, removed or rewritten since."""
    kept = old.get(year)
    entry = bundle / kept["bundle"] / "pagefind-entry.json" if kept else None
    if not entry or not entry.is_file() or kept.get("pages") != len(pages):
        return None
    built = entry.stat().st_mtime
    return entry.parent if all(page.stat().st_mtime < built for page in pages) else None


def move_bundle(source: Path, target: Path) -> None:
    """Move one index's bundle from the previous build's folder into the new one: a rename per entry
    (a few, whatever the index's size), leaving out the other years' bundles nested in the newest one."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if not (entry.is_dir() and re.fullmatch(r"20\d\d", entry.name)):
            entry.rename(target / entry.name)


def run_pagefind_shards(site_dir: Path, fresh: Path) -> tuple[int, int, int, int]:
    """Index `site_dir` into `fresh`, one index per year when it is big; return pages, words, indexes, reused.

    A year whose pages did not change since the last build keeps its index: once every changed year
    is indexed, its bundle is moved (renamed) from the old site/pagefind/ into `fresh`. Until then the
    old folder is untouched, so a failed Pagefind run leaves it whole; a build killed while moving
    leaves some years without an index folder, and the next build indexes those years again.
    """
    years = shard_years(site_dir)
    if not years:
        pages, words = count_indexed(run_pagefind(pagefind_command(site_dir, fresh)))
        write_json(fresh, SHARDS_FILE, [])
        return pages, words, 1, 0
    bundle = site_dir / BUNDLE_DIR
    old = read_json(bundle / YEARS_FILE)
    manifest, kept = {}, []
    for year, year_pages in years.items():
        name = "" if year == next(iter(years)) else f"20{year}/"
        previous = reusable_shard(bundle, old, year, year_pages)
        if previous:
            kept.append((previous, fresh / name))
            words = old[year]["words"]
        else:
            log.info("index: papers of 20%s", year)
            _, words = count_indexed(run_pagefind(pagefind_command(site_dir, fresh / name, f"papers/{year}*/index.html")))
        manifest[year] = {"bundle": name, "pages": len(year_pages), "words": words}
    for previous, target in kept:
        move_bundle(previous, target)
    write_json(fresh, YEARS_FILE, manifest)
    write_json(fresh, SHARDS_FILE, [shard["bundle"] for shard in manifest.values() if shard["bundle"]])
    pages = sum(shard["pages"] for shard in manifest.values())
    return pages, sum(shard["words"] for shard in manifest.values()), len(manifest), len(kept)


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_json(folder: Path, name: str, data: object) -> None:
    if folder.is_dir():
        (folder / name).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


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
    pages, words, indexes, reused = run_pagefind_shards(site_dir, fresh)
    if not fresh.is_dir():
        raise PagefindError(f"Pagefind reported success but wrote no bundle to {fresh}")
    for path in fresh.rglob("pagefind-*"):
        if UNUSED_FILES.fullmatch(path.name):
            path.unlink()
    replace_folder(fresh, bundle)
    size = sum(path.stat().st_size for path in bundle.rglob("*") if path.is_file())
    return IndexReport(pages=pages, words=words, bytes=size, seconds=time.perf_counter() - started,
                       indexes=indexes, reused=reused)


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
