"""The index stage: site/ -> site/pagefind/, the browser's search index.

Runs the Pagefind binary bundled with the `pagefind[bin]` package over the files on disk (the
Python API's per-page calls index about 10 pages a second; the binary walks thousands). Pagefind
reads only the paper pages, and within them only the `data-pagefind-body` element, so listings and
navigation stay out of the index.

Pagefind holds a whole index in memory while it writes it (about 200 KB a page: 1.9 GB for 10,000
paper pages) and reads every page of an index again when one of them changed. An archive of up to
ONE_INDEX_UP_TO pages (500) keeps one index; a bigger one is split into several (shards, see shards.py) of
at most SHARD_ABOVE pages, along the calendar of arXiv ids: the newest month is one index and the rest of
its quarter another, so that a daily build, whose changes are among the newest papers, re-indexes a
month's papers; each older year is one more, or its halves or quarters when it holds more than
SHARD_ABOVE pages, and small years are merged. The newest month's bundle is site/pagefind/ itself, the
others' are site/pagefind/2026-q3/, site/pagefind/2023/, site/pagefind/2023-h2/ and so on, and
site/pagefind/shards.json lists them (with their pages and words) for the search page, which searches
each and ranks the results as one index of the whole archive would (layouts/static/search-shards.js).
Shards are indexed one after another, so Pagefind's peak memory is that of the largest. An index whose pages are the same and read the same to Pagefind keeps its bundle from
the previous build (.cache/index/years-<site>.json records each index's pages, a digest of their paths,
words and bytes; .cache/index/pages-<site>.json what Pagefind read of each page; both kept out of site/
since the browser does not need them): a page rewritten for its related papers alone changes nothing.

The bundle is written to a fresh folder beside site/pagefind and swapped in when Pagefind
succeeds, so a failed run leaves the previous index in place and no stale chunk survives.
Pagefind's output is not byte-for-byte deterministic; everything else in site/ is.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import importlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from papermirror.config import Config
from papermirror.errors import PagefindError
from papermirror.files import code_digest, write_text_atomic
from papermirror.processes import dying_with_parent
from papermirror.search.indexed import page_digest
from papermirror.search.shards import PAPER_PAGES, Shard, plan_shards

log = logging.getLogger(__name__)

BUNDLE_DIR = "pagefind"
"""The folder below site/ the search page loads Pagefind from."""
TIMEOUT_SECONDS = 1800
SHARD_ABOVE = 4_800
"""The most paper pages one Pagefind index of a split archive holds: at about 200 KB a page, under
1 GB of Pagefind's memory. As high as that allows, since every further index costs the search page
an index chunk per query word (about 25 KB) more: at 10,000 papers 3 indexes, 160 KB for a first
query of two words against 61 KB for one index (benchmarks/README.md). See shards.py."""
ONE_INDEX_UP_TO = 500
"""Up to this many paper pages the archive keeps one index; above, it is split (shards.py), so that a
daily build re-indexes the newest month, not the archive. The search page ranks a split archive's
results as one index would (layouts/static/search-shards.js, tests/test_index_shards_browser.py); what a
split costs it is a request or two per index and query word, so an archive whose daily re-index takes a
second or two keeps one index (benchmarks/README.md)."""
SHARDS_FILE = "shards.json"
"""site/pagefind/shards.json: every index's bundle (relative to site/pagefind/, '' for the newest), pages and
words (the sum of its pages' lengths as Pagefind counts them): what the search page needs to rank the indexes'
results as one index of the archive would (layouts/static/search-shards.js); and its index ("index": the
hashes Pagefind names its files by, from its pagefind-entry.json), so that a search page opened before an
older index changed can tell from this one file (layouts/static/search.js)."""
UNUSED_FILES = re.compile(r"pagefind-(ui|component-ui|modular-ui|highlight)\.(js|css)")
"""Pagefind's ready-made interfaces, written into every bundle; the search page (layouts/static/search.js)
uses the JS API in pagefind.js instead, so these are removed from the bundle."""
PAGES_FILE = "index/pages-{site}.json"
"""In .cache/ ({site}: a digest of the path of site/, so that the preview of serve keeps its own), per
shard: a digest of what Pagefind read of each of its pages (indexed.py), and the newest page
modification time those digests cover ("checked"): only pages rewritten since are read again to decide
whether the index must be rebuilt. Written after the new bundles are in place: a record never describes
a bundle that is not there (a missing record only costs that index being rebuilt)."""
YEARS_FILE = "index/years-{site}.json"
"""In .cache/ ({site} as in PAGES_FILE): per shard, its bundle, pages, digest, words and bytes, to reuse unchanged
shards' indexes (and for the build's report of the site's size, site/size.py). Bookkeeping, so not in site/: it
was site/pagefind/years.json, deployed with the site; written with PAGES_FILE, after the new bundles are in place,
and read only when it agrees with site/pagefind/shards.json (`read_index_record`)."""


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
    """Pagefind indexes (shards, see shards.py)."""
    reused: int = 0
    """Indexes kept from the previous build (none of their pages changed)."""
    site: str = "site/"
    """The folder indexed, as the build's report names it (Config.site_dir_name: site/, or build --output's)."""

    def line(self) -> str:
        shards = (f" ({self.indexes} indexes, {self.reused} unchanged)" if self.indexes > 1
                  else " (unchanged)" if self.reused else "")
        return (f"{self.pages} pages, {self.words} words, {self.bytes / 1_000_000:.1f} MB "
                f"in {self.site}{BUNDLE_DIR}/{shards} in {self.seconds:.1f}s")


@functools.cache
def pagefind_start() -> tuple[str, ...]:
    """How Pagefind is started: its binary, found in the order `python -m pagefind` finds it (PAGEFIND_BINARY_PATH,
    then the binary of the pagefind[extended] or pagefind[bin] wheel), run directly; else `python -m pagefind`
    itself, which also looks on the PATH and otherwise fails with its own message. `python -m pagefind` starts an
    interpreter only to exec the binary: 0.09 s an index (a daily build of a small archive runs one). The package's
    own lookup, `pagefind.service.get_executable`, is not called: importing it (asyncio) costs as much again."""
    if os.environ.get("PAGEFIND_BINARY_PATH"):
        return (os.environ["PAGEFIND_BINARY_PATH"],)
    for wheel in ("pagefind_bin_extended", "pagefind_bin"):
        try:
            return (str(importlib.import_module(wheel).get_executable()),)
        except (ImportError, OSError):  # no such wheel, or one without a binary for this platform
            continue
    return (sys.executable, "-m", "pagefind")


def pagefind_command(site_dir: Path, output_dir: Path, glob: str = PAPER_PAGES) -> list[str]:
    """The command line that indexes the pages of `site_dir` matching `glob` into `output_dir`: paper
    pages only (with no data-pagefind-body anywhere, as in an empty archive, Pagefind would otherwise
    index every listing)."""
    return [*pagefind_start(), "--site", str(site_dir), "--output-path", str(output_dir), "--glob", glob]


def cache_file(config: Config, site_dir: Path, name: str) -> Path:
    """Where the index stage keeps its record `name` (PAGES_FILE or YEARS_FILE) of the index of `site_dir`."""
    site = hashlib.blake2b(str(site_dir.resolve()).encode("utf-8"), digest_size=6).hexdigest()
    return config.cache_dir / name.format(site=site)


def pagefind_version() -> str | None:
    """The version of the Pagefind that indexes ("1.5.2", from `pagefind --version`), or None if it does not say."""
    try:
        done = subprocess.run([*pagefind_start(), "--version"], capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"\d+\.\d+\.\d+\S*", done.stdout)
    return found[0] if done.returncode == 0 and found else None


def bundle_version(folder: Path) -> str | None:
    """The version of the Pagefind that wrote the bundle in `folder` (its pagefind-entry.json), if it says."""
    try:
        version = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError, AttributeError):
        return None
    return version if isinstance(version, str) else None


def reusable_shard(site_dir: Path, old: dict, shard: Shard, records: dict, version: str | None,
                   code: str) -> tuple[Path, dict] | None:
    """The previous build's bundle of `shard` and its pages' record (see PAGES_FILE), if it indexed
    the same pages, what Pagefind reads of each page rewritten since is unchanged, and the Pagefind
    that wrote it is `version`, the one indexing now: the search page runs every index with the newest
    bundle's Pagefind (layouts/static/search-worker.js), and a cached site/ may outlive an upgrade; and the code
    that indexed it is `code` (the package's digest: another code may index otherwise, its command line say)."""
    kept = old.get(shard.key)
    folder = site_dir / BUNDLE_DIR / kept["bundle"] if kept else None
    if (not folder or kept.get("digest") != shard.digest or version is None or bundle_version(folder) != version
            or kept.get("code") != code):
        return None
    entries = kept.get("entries")  # pagefind-entry.json and the rest: a build killed while moving them leaves some behind
    if not isinstance(entries, list) or not all(isinstance(name, str) and (folder / name).exists() for name in entries):
        return None
    record = records.get(shard.key) or {}
    digests, checked = record.get("pages", {}), record.get("checked")
    if not isinstance(digests, dict) or not isinstance(checked, (int, float)):
        return None
    for page, mtime in shard.pages.items():  # >=: a file system may keep whole seconds only
        if mtime >= checked and digests.get(page.relative_to(site_dir).as_posix()) != page_digest(page):
            return None
    return folder, {"checked": max(shard.pages.values(), default=0.0), "pages": digests}


def page_record(site_dir: Path, shard: Shard) -> dict:
    """What PAGES_FILE records of `shard`'s pages, read before Pagefind reads them."""
    return {"checked": max(shard.pages.values(), default=0.0),
            "pages": {page.relative_to(site_dir).as_posix(): page_digest(page) for page in shard.pages}}


def finish_bundle(folder: Path) -> int:
    """Check the bundle Pagefind just wrote in `folder` and remove its unused interface files (not
    the bundles nested in it); return the bundle's size in bytes.

    Pagefind exits 0 even when the disk filled up and it wrote empty files: an empty file or an
    unreadable entry file fails the run here, before the bundle replaces the working one.
    """
    sizes = []
    for entry in os.scandir(folder):
        if entry.is_file() and UNUSED_FILES.fullmatch(entry.name):
            os.unlink(entry.path)
        elif entry.is_file():
            sizes.append((entry.path, entry.stat().st_size))
        elif entry.name in ("index", "fragment", "filter"):
            for parent, _dirs, files in os.walk(entry.path):
                sizes += [(path, os.stat(path).st_size) for path in (os.path.join(parent, name) for name in files)]
    empty = [path for path, size in sizes if size == 0]
    if empty:
        raise PagefindError(f"Pagefind wrote {len(empty)} empty file(s), e.g. {empty[0]} (is the disk full?); "
                            "the previous search index is kept")
    try:
        json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PagefindError(f"{folder / 'pagefind-entry.json'}: not a Pagefind bundle ({exc}); "
                            "the previous search index is kept") from None
    return sum(size for _path, size in sizes)


def bundle_length(folder: Path) -> int:
    """The words of the pages of the bundle in `folder`, as Pagefind counts them (its fragments' word_count,
    whose mean is the average page length its scores use)."""
    total = 0
    for entry in os.scandir(folder / "fragment"):
        try:
            data = gzip.decompress(Path(entry.path).read_bytes())
            total += int(json.loads(data[data.index(b"{"):])["word_count"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise PagefindError(f"{entry.path}: not a Pagefind fragment ({exc}); the previous search index is kept") from None
    return total


def move_bundle(source: Path, target: Path, nested: set[str]) -> None:
    """Move one index's bundle from the previous build's folder into the new one: a rename per entry
    (a few, whatever the index's size), leaving out the `nested` folders (the other shards' bundles
    inside the newest one's) and the lists of shards (written afresh)."""
    try:
        target.mkdir(parents=True, exist_ok=True)
        for entry in source.iterdir():
            if entry.name not in nested and entry.name != SHARDS_FILE:
                entry.rename(target / entry.name)
    except OSError as exc:
        raise PagefindError(f"cannot move the unchanged index {source} into {target}: {exc}") from None


def run_pagefind_shards(site_dir: Path, fresh: Path, shards: list[Shard], old: dict, reusable: dict,
                        code: str) -> tuple[dict, int, dict]:
    """Index `site_dir` into `fresh`, one index per shard of `shards`, one after another; return the shards'
    record (YEARS_FILE; `old` is the previous build's), the indexes reused and the pages' records. `reusable`: each
    shard's `reusable_shard` answer, by key; `code`: the package's digest, recorded with each index.

    A shard whose pages are the same and read the same to Pagefind (see indexed.py) keeps its index:
    once every other shard is indexed, its bundle is moved (renamed) from the old site/pagefind/ into
    `fresh`. Until then the old folder is untouched, so a failed Pagefind run leaves it whole; a build
    killed while moving leaves some shards without an index folder, and the next build indexes those.
    """
    nested = {entry["bundle"].split("/")[0] for entry in old.values() if isinstance(entry, dict) and entry.get("bundle")}
    inside = {shard.bundle.split("/")[0] for shard in shards if shard.bundle}  # bundles nested in the newest one's
    manifest, kept, records = {}, [], {}
    for shard in shards:
        previous = reusable[shard.key]
        if previous:
            kept.append((previous[0], fresh / shard.bundle))
            records[shard.key] = previous[1]
            words, size = old[shard.key]["words"], old[shard.key].get("bytes") or finish_bundle(previous[0])
            length = old[shard.key].get("length") or bundle_length(previous[0])
            entries = old[shard.key]["entries"]
            hashes = old[shard.key].get("index") or index_hashes(previous[0])
        else:
            if len(shards) > 1:
                log.info("index: papers of %s (%d pages)", shard.key, len(shard.pages))
            records[shard.key] = page_record(site_dir, shard)
            _, words = count_indexed(run_pagefind(pagefind_command(site_dir, fresh / shard.bundle, shard.glob)))
            size = finish_bundle(fresh / shard.bundle)
            length = bundle_length(fresh / shard.bundle)
            entries = sorted(entry.name for entry in os.scandir(fresh / shard.bundle) if entry.name not in inside)
            hashes = index_hashes(fresh / shard.bundle)
        manifest[shard.key] = {"bundle": shard.bundle, "pages": len(shard.pages), "digest": shard.digest, "code": code,
                               "words": words, "bytes": size, "length": length, "entries": entries, "index": hashes}
    for previous, target in kept:
        move_bundle(previous, target, nested)
    write_json(fresh, SHARDS_FILE, shards_listing(manifest))
    return manifest, len(kept), records


def every_index_kept(shards: list[Shard], old: dict, reusable: dict) -> bool:
    """Whether the indexes in site/pagefind/ are `shards`' as they stand: the same shards, each reusable (`reusable`,
    by key) and where it was, so that run_pagefind_shards would move each into place again and write the same list."""
    return bool(old) and set(old) == {shard.key for shard in shards} and all(
        reusable[shard.key] and old[shard.key].get("bundle") == shard.bundle
        and all(isinstance(old[shard.key].get(key), int) for key in ("pages", "words", "bytes")) for shard in shards)


def write_records(records_file: Path, records: dict) -> None:
    """Keep the pages' records (PAGES_FILE); unchanged, the file is not written."""
    records_file.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(records_file, json.dumps(records, sort_keys=True, separators=(",", ":")) + "\n")


def shards_listing(record: dict) -> list[dict]:
    """SHARDS_FILE's list of the indexes of `record` (YEARS_FILE's form): what the search page reads."""
    return [{"bundle": entry["bundle"], "pages": entry["pages"], "words": entry["length"], "index": entry.get("index", "")}
            for entry in record.values()]


def index_hashes(bundle: Path) -> str:
    """The hashes a bundle's pagefind-entry.json names its index by ("en_90b0a4a159"; one a language), joined:
    they change whenever Pagefind writes the index anew ('' when the entry cannot be read)."""
    try:
        languages = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))["languages"]
        return " ".join(sorted(str(language["hash"]) for language in languages.values()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ""


def read_index_record(config: Config, site_dir: Path) -> dict:
    """The YEARS_FILE record of the indexes in site_dir/pagefind/, or {} when it does not describe them: a build
    killed between putting its bundles in place and writing their record leaves the previous record, whose
    bundles may have moved since (the bundles' own SHARDS_FILE tells)."""
    record = read_json(cache_file(config, site_dir, YEARS_FILE))
    try:
        listed = json.loads((site_dir / BUNDLE_DIR / SHARDS_FILE).read_text(encoding="utf-8"))
        bundle = itemgetter("bundle")  # the record's keys are stored sorted, not in the list's order
        return record if record and sorted(shards_listing(record), key=bundle) == sorted(listed, key=bundle) else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


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
    shards = plan_shards(site_dir, SHARD_ABOVE, ONE_INDEX_UP_TO)
    if not any(shard.pages for shard in shards):
        log.warning("index: %s holds no paper pages; search will find nothing until papers are added", site_dir)
        empty = json.dumps([], indent=1, sort_keys=True) + "\n"  # write_json's form of []
        if not (bundle.is_dir() and [entry.name for entry in os.scandir(bundle)] == [SHARDS_FILE]
                and (bundle / SHARDS_FILE).read_text(encoding="utf-8") == empty):
            shutil.rmtree(bundle, ignore_errors=True)
            bundle.mkdir()
            write_json(bundle, SHARDS_FILE, [])  # no index: the search page says the archive is empty, not that it failed
        cache_file(config, site_dir, YEARS_FILE).unlink(missing_ok=True)
        return IndexReport(pages=0, words=0, bytes=0, seconds=time.perf_counter() - started, site=config.site_dir_name(site_dir))
    fresh = site_dir / f".{BUNDLE_DIR}-new"
    if fresh.is_symlink() or fresh.is_file():  # in the way: the name is the index's working folder's, a folder
        fresh.unlink()
    shutil.rmtree(fresh, ignore_errors=True)  # what a killed build left (nothing to remove: nothing written)
    records_file, years_file = cache_file(config, site_dir, PAGES_FILE), cache_file(config, site_dir, YEARS_FILE)
    old, old_records = read_index_record(config, site_dir), read_json(records_file)
    version, code = pagefind_version() if old else None, code_digest()
    reusable = {shard.key: reusable_shard(site_dir, old, shard, old_records, version, code) for shard in shards}
    if every_index_kept(shards, old, reusable):  # site/ as it is (a build with no change writes nothing)
        write_records(records_file, {key: previous[1] for key, previous in reusable.items()})  # the pages read so far
        pages, words, size = (sum(old[shard.key][key] for shard in shards) for key in ("pages", "words", "bytes"))
        return IndexReport(pages=pages, words=words, bytes=size, seconds=time.perf_counter() - started,
                           indexes=len(shards), reused=len(shards), site=config.site_dir_name(site_dir))
    fresh.mkdir()  # Pagefind crashes with a Rust backtrace on a folder it cannot make: an OSError here names it
    fresh.rmdir()
    try:
        manifest, reused, records = run_pagefind_shards(site_dir, fresh, shards, old, reusable, code)
        if not fresh.is_dir():
            raise PagefindError(f"Pagefind reported success but wrote no bundle to {fresh}")
        replace_folder(fresh, bundle)
    except BaseException:  # a failed (or interrupted) index leaves no half-made bundle in site/, which is published
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    records_file.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(years_file, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    write_records(records_file, records)
    pages, words, size = (sum(shard[key] for shard in manifest.values()) for key in ("pages", "words", "bytes"))
    return IndexReport(pages=pages, words=words, bytes=size, seconds=time.perf_counter() - started,
                       indexes=len(manifest), reused=reused, site=config.site_dir_name(site_dir))


def run_pagefind(command: list[str]) -> str:
    """Run Pagefind; return its report, or raise naming what failed and what it said."""
    log.debug("index: %s", " ".join(command))
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False,
                              preexec_fn=dying_with_parent())  # a build killed with -9 takes Pagefind with it
    except subprocess.TimeoutExpired:
        raise PagefindError(f"Pagefind did not finish within {TIMEOUT_SECONDS}s: {' '.join(command)}") from None
    except OSError as exc:
        raise PagefindError(f"cannot run Pagefind ({exc}); install it with pip install 'pagefind[bin]'") from None
    said = (done.stderr + done.stdout).strip()
    if done.returncode != 0:
        # its progress (stdout) before its complaint (stderr), which a cut to the last lines kept out before
        complaint = [line for line in done.stderr.strip().splitlines()  # a crash's backtrace says nothing to a user
                     if not re.match(r"\s*(stack backtrace:|note: |\d+: |at \S+:\d+)", line)]
        last_lines = "\n".join([*done.stdout.strip().splitlines()[-5:], *complaint[-10:]])
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
