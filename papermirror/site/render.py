"""The render stage: content/ -> site/.

    stamp the inputs (unchanged and site/ intact: stop here) -> read content (cached parse)
    -> arrange the archive -> find related papers -> plan pages -> hash each page's inputs
    -> draw the pages whose inputs changed (in parallel) -> write changed bytes -> drop stale pages

Everything is read and checked before the first byte is written, so a bad content file or a template
that does not compile stops the build with site/ untouched. (A template that fails while drawing, e.g.
on an undefined name, stops the build naming its file and line; each file is then either old or new.)
Which pages are drawn again is the build cache's answer (`site.buildcache`); drawing them, in
parallel, is `site.draw`'s job.

The report ends with the site's size and bytes per paper, read from the build cache's manifest and
Pagefind's years.json (no walk over site/), and a warning when the site is on course to pass GitHub
Pages' 1 GB within a year at the archive's recent growth (`SiteSize`).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from papermirror.config import Config, SiteConfig
from papermirror.content.cache import paper_stamps, read_papers_cached
from papermirror.content.ledger import read_ledger
from papermirror.errors import UserError
from papermirror.search.pagefind import BUNDLE_DIR, YEARS_FILE
from papermirror.site import about
from papermirror.site.archive import build_archive
from papermirror.site.buildcache import (
    BuildCache,
    build_cache_dir,
    fingerprint,
    input_stamp,
    page_digests,
    static_files,
)
from papermirror.site.draw import draw_site
from papermirror.site.output import check_output_path, remove_stale
from papermirror.site.pages import plan_pages

log = logging.getLogger(__name__)

PAGES_LIMIT = 1_000_000_000
"""GitHub Pages publishes a site of at most 1 GB."""
SEARCH_BYTES_PER_PAPER = 2_500
"""Pagefind's bundle per paper, counted when site/pagefind/ has not been built yet (measured by
benchmarks/bench_size.py: 2.0 KB a paper on the real 10k mirror, 2.5 KB on a synthetic 100k one)."""


@dataclass(frozen=True)
class SiteSize:
    """What site/ weighs, from the build's manifest and Pagefind's years.json: no walk over its files."""

    pages_bytes: int
    """The files the build wrote (every file of site/ but the search index)."""
    index_bytes: int
    """site/pagefind/, as last indexed, or estimated (`index_estimated`) when it was never built."""
    index_estimated: bool
    papers: int
    papers_a_year: int
    """Papers whose arXiv ids are of the newest 12 months: the archive's recent growth in a year."""

    @property
    def total(self) -> int:
        return self.pages_bytes + self.index_bytes

    @property
    def per_paper(self) -> float:
        return self.total / max(self.papers, 1)

    @property
    def in_a_year(self) -> float:
        """The site's size in a year, at today's bytes per paper and the last 12 months' growth."""
        return self.per_paper * (self.papers + self.papers_a_year)

    def line(self) -> str:
        index = f"estimated at {SEARCH_BYTES_PER_PAPER / 1000:.1f} KB a paper" if self.index_estimated else "as last indexed"
        return (f"site/ {self.total / 1e6:.1f} MB, {self.per_paper / 1000:.1f} KB a paper "
                f"(search index {self.index_bytes / 1e6:.1f} MB of it, {index})")

    def warning(self) -> str | None:
        """Say so when the site will outgrow GitHub Pages within a year at its recent growth."""
        if self.in_a_year <= PAGES_LIMIT:
            return None
        return (f"site/ will weigh about {self.in_a_year / 1e9:.2f} GB in a year, above GitHub Pages' 1 GB limit for a "
                f"published site: {self.per_paper / 1000:.1f} KB a paper now, times {self.papers:,} papers plus "
                f"{self.papers_a_year:,} more (as many as the arXiv ids of the newest 12 months). Trim the layouts "
                "(README: Scaling) or narrow the topic")


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    papers: int
    pages: int
    """Files the site consists of."""
    drawn: int
    """Pages whose inputs changed, drawn this run."""
    written: int
    """Files whose bytes changed on disk."""
    removed: int
    """Stale files deleted."""
    seconds: float
    size: SiteSize | None = None

    def line(self) -> str:
        return (f"{self.papers} papers, {self.pages} files: {self.drawn} drawn, {self.written} written, "
                f"{self.removed} removed in {self.seconds:.1f}s" + (f"; {self.size.line()}" if self.size else ""))


def papers_a_year(stamps: dict[str, object]) -> int:
    """Papers whose arXiv id is of the newest 12 months of ids (content/papers/<YYMM>/ folders; an old-style
    id's YYMM reads 19YY from 91 on): the archive's recent growth in a year, read without parsing a file."""
    months: dict[int, int] = {}
    for rel in stamps:
        yymm = rel.split("/")[1]
        if yymm.isdigit() and len(yymm) == 4:
            year = int(yymm[:2]) + (1900 if int(yymm[:2]) >= 91 else 2000)
            key = year * 12 + int(yymm[2:]) - 1
            months[key] = months.get(key, 0) + 1
    newest = max(months, default=0)
    return sum(count for month, count in months.items() if month > newest - 12)


def measure_site(site_dir: Path, written: dict[str, list], stamps: dict[str, object]) -> SiteSize:
    """The site's size from the build's manifest (`written`: path -> [digest, size]) and site/pagefind/years.json."""
    try:
        shards = json.loads((site_dir / BUNDLE_DIR / YEARS_FILE).read_text(encoding="utf-8"))
        index_bytes = sum(int(shard.get("bytes") or 0) for shard in shards.values())
        estimated = False
    except (OSError, ValueError, AttributeError, TypeError):
        index_bytes, estimated = len(stamps) * SEARCH_BYTES_PER_PAPER, True
    pages_bytes = sum(size for _digest, size in written.values())
    return SiteSize(pages_bytes, index_bytes, estimated, len(stamps), papers_a_year(stamps))


def report_size(site_dir: Path, cache: BuildCache, stamps: dict[str, object]) -> SiteSize:
    """Measure site/ and warn when it is on course to outgrow GitHub Pages."""
    size = measure_site(site_dir, cache.pages, stamps)
    warning = size.warning()
    if warning:
        log.warning("%s", warning)
    return size


def site_settings(config: Config, base_url: str | None) -> SiteConfig:
    """Return mirror.yml's site settings, with --base-url (checked the same way) in place of base_url."""
    if base_url is None:
        return config.site
    try:
        return SiteConfig.model_validate({**config.site.model_dump(), "base_url": base_url})
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise UserError(f"--base-url {base_url!r}: {message}") from None


def build_site(config: Config, base_url: str | None = None, jobs: int | None = None,
               site_dir: Path | None = None) -> BuildReport:
    """Render content/ into site/ (or `site_dir`), drawing only the pages whose inputs changed."""
    started = time.perf_counter()
    jobs = jobs or os.cpu_count() or 1
    site = site_settings(config, base_url)
    layouts_dir, site_dir = config.layouts_dir, site_dir or config.site_dir

    stamps = paper_stamps(config.content_dir)
    salt = fingerprint(layouts_dir, site)
    inputs = input_stamp(config, stamps, salt)
    cache = BuildCache.load(build_cache_dir(config, site_dir), site_dir)
    if cache.is_unchanged(inputs):
        log.debug("build: no input changed since the last build and site/ is intact")
        return BuildReport(papers=len(stamps), pages=len(cache.pages), drawn=0, written=0, removed=0,
                           seconds=time.perf_counter() - started, size=report_size(site_dir, cache, stamps))

    content = read_papers_cached(config.content_dir, config.cache_dir, jobs, stamps)
    papers = content.papers
    archive = build_archive(papers, config.content_dir)
    ledger = read_ledger(config.content_dir)
    updated = about.site_updated(archive, ledger)
    from papermirror.site.related import related_papers  # noqa: I001 (numpy, scipy: only when drawing)

    related = related_papers(papers, cache_dir=config.cache_dir, jobs=jobs)
    pages = plan_pages(archive, site, static_files(layouts_dir), about.about_context(config.listing, ledger, archive, updated),
                       related)
    for page in pages:
        check_output_path(page.path)  # refuse any path leaving site/ before writing anything

    digests = page_digests(pages, archive, content.digests, salt)
    todo = [page for page in pages if not cache.is_current(page.path, digests[page.path])]
    log.debug("build: %d pages, %d to draw", len(pages), len(todo))
    results = draw_site(todo, pages, layouts_dir, archive, site, config.cache_dir, site_dir, jobs) if todo else []
    stale = cache.save(digests, {path: size for path, size, _written in results}, inputs)
    removed = remove_stale(site_dir, stale)
    return BuildReport(
        papers=len(papers),
        pages=len(pages),
        drawn=len(results),
        written=sum(written for _path, _size, written in results),
        removed=removed,
        seconds=time.perf_counter() - started,
        size=report_size(site_dir, cache, stamps),
    )
