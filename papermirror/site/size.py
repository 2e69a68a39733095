"""The site's size against GitHub Pages' limits, measured from the build's own records (no walk over site/).

The build's report ends with the site's size and bytes per paper, read from the build cache's manifest and
the index stage's record of its indexes (.cache/index/years-<site>.json), and a warning when the site is on course to pass GitHub Pages' 1 GB within a year at
the archive's recent growth (`SiteSize`). benchmarks/bench_size.py measures every file instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from papermirror.config import Config
from papermirror.search.pagefind import read_index_record

log = logging.getLogger(__name__)

PAGES_LIMIT = 1_000_000_000
"""GitHub Pages publishes a site of at most 1 GB (its docs). Counted as 10^9 bytes of site/, the stricter reading:
actions/deploy-pages warns past 2^30 bytes, and of the uploaded artifact, the zip of site/'s tar (a third of site/)."""
SEARCH_BYTES_PER_PAPER = 2_500
"""Pagefind's bundle per paper, counted when site/pagefind/ has not been built yet (measured by
benchmarks/bench_size.py: 2.0 KB a paper on the real 10k mirror, 2.5 KB on a synthetic 100k one)."""


@dataclass(frozen=True)
class SiteSize:
    """What site/ weighs, from the build's manifest and the index stage's record: no walk over its files."""

    pages_bytes: int
    """The files the build wrote (every file of site/ but the search index)."""
    index_bytes: int
    """site/pagefind/, as last indexed, or estimated (`index_estimated`) when it was never built."""
    index_estimated: bool
    papers: int
    papers_a_year: int
    """Papers whose arXiv ids are of the newest 12 months: the archive's recent growth in a year."""
    folder: str = "site/"
    """How the build's report names the folder: site/, or the folder given with --output (or serve's preview)."""

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
        if not self.papers:
            return f"{self.folder} {self.total / 1e6:.1f} MB, no papers yet (and no search index)"
        index = f"estimated at {SEARCH_BYTES_PER_PAPER / 1000:.1f} KB a paper" if self.index_estimated else "as last indexed"
        return (f"{self.folder} {self.total / 1e6:.1f} MB, {self.per_paper / 1000:.1f} KB a paper "
                f"(search index {self.index_bytes / 1e6:.1f} MB of it, {index})")

    def warning(self) -> str | None:
        """Say so when the site will outgrow GitHub Pages within a year at its recent growth."""
        if self.in_a_year <= PAGES_LIMIT:
            return None
        return (f"site/ will weigh about {self.in_a_year / 1e9:.2f} GB in a year, above GitHub Pages' 1 GB limit for a "
                f"published site: {self.per_paper / 1000:.1f} KB a paper now, times {self.papers:,} papers plus "
                f"{self.papers_a_year:,} more (as many as the arXiv ids of the newest 12 months). Trim the layouts "
                "(README: Scaling) or narrow the topic")


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


def measure_site(config: Config, site_dir: Path, written: dict[str, list], stamps: dict[str, object]) -> SiteSize:
    """The site's size from the build's manifest (`written`: path -> [digest, size]) and the index stage's record
    of the bundles in site/pagefind/ (pagefind.YEARS_FILE in .cache/), when it describes them."""
    if not stamps:  # an empty archive (a reset fork) has no index, whatever the last build's record says
        return SiteSize(sum(size for _digest, size in written.values()), 0, False, 0, 0, config.site_dir_name(site_dir))
    shards = read_index_record(config, site_dir)  # {} when there is no record of site/pagefind/'s bundles
    try:
        index_bytes = sum(int(shard.get("bytes") or 0) for shard in shards.values())
    except (ValueError, AttributeError, TypeError):
        shards = {}
    if not shards:
        index_bytes = len(stamps) * SEARCH_BYTES_PER_PAPER
    pages_bytes = sum(size for _digest, size in written.values())
    return SiteSize(pages_bytes, index_bytes, not shards, len(stamps), papers_a_year(stamps), config.site_dir_name(site_dir))


def report_size(config: Config, site_dir: Path, written: dict[str, list], stamps: dict[str, object]) -> SiteSize:
    """Measure site/ and warn when it is on course to outgrow GitHub Pages."""
    size = measure_site(config, site_dir, written, stamps)
    warning = size.warning()
    if warning:
        log.warning("%s", warning)
    return size
