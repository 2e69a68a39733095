"""How the index stage splits an archive's paper pages into Pagefind indexes (shards).

Pagefind holds a whole index in memory while it writes it (about 200 KB a paper page: 1.9 GB for
10,000 pages), and re-reads every page of an index whenever one of them changed. So no index of a
split archive holds more than `most` pages, and the split follows the calendar of arXiv ids, so that
a daily build, whose changes are among the newest papers, re-indexes one small index:

- an archive of at most `whole` pages is one index (pagefind.py's ONE_INDEX_UP_TO: every further
  index costs the search page another bundle to load and search);
- the newest month is an index of its own (the primary one, site/pagefind/ itself), and the newest
  quarter's earlier months another, keyed by the quarter (in a quarter's first month its one index is
  keyed so too, and keeps that key, and its bundle if none of its pages changed, when the next month
  starts); or each month of the newest quarter is an index if its earlier months hold more than `most`
  pages (a quarter's first month holding more is keyed by the month). A day's new papers are nearly
  all of the newest month (some of the month before, early in a month), so a daily build re-indexes
  half a month's papers on average, where the newest quarter held a month and a half's. The price:
  when the next quarter starts, the last one's months join an older block (its year, half or quarter)
  and are indexed again, where a quarter's index could be kept whole if its year was split into
  quarters;
- every older year is one index if it holds at most `most` pages, else one per half-year if both
  halves fit, else one per quarter (and one per month for a quarter that does not fit);
- consecutive small years are merged into one index while it stays within `most` // 2 pages (the
  headroom keeps the grouping when an old paper is added late), so a few papers scattered over many
  years do not each cost the search page another bundle;
- old-style ids (papers/hep-th/9901001/) count as one year before all others.

A plan depends only on how many pages each month holds, so an unchanged month keeps its index's
members, and an index none of whose pages changed keeps its bundle (see pagefind.py).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

PAPER_PAGES = "papers/**/index.html"
"""Every paper page of site/, as a Pagefind --glob (old-style ids are one folder deeper)."""
ALL = "all"
"""The key of the one index of a small archive."""
OLD_STYLE = "old"
"""The month key of old-style ids (hep-th/9901001), which sorts before every YYMM."""


@dataclass(frozen=True, slots=True)
class Shard:
    """One Pagefind index: the paper pages of some arXiv months."""

    key: str
    """'2026-q3' (a quarter), '2023' (a year), '2023-h2', '2023-01' (a month), '2019-2021' or 'old-2021'
    (years merged): also its key in the index record (pagefind.YEARS_FILE)."""
    bundle: str
    """Its folder below site/pagefind/: '' for the newest index's, else its key and a slash."""
    glob: str
    """The pages of site/ it indexes, as a Pagefind --glob."""
    pages: dict[Path, float]
    """Its paper pages and their modification times."""
    digest: str
    """A digest of its pages' paths: the same members, the same digest."""


def paper_pages(site_dir: Path) -> dict[Path, float]:
    """Every paper page of `site_dir` (papers/<id>/index.html, old-style ids one level deeper) and its
    modification time; one directory listing and one stat a page (a `**` glob takes 30 s at 100k)."""
    pages: dict[Path, float] = {}
    folders = [site_dir / "papers"]
    for _level in range(2):
        deeper = []
        for folder in folders:
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if not entry.is_dir(follow_symlinks=False):
                    continue
                page = Path(entry.path) / "index.html"
                try:
                    pages[page] = page.stat().st_mtime
                except FileNotFoundError:
                    deeper.append(Path(entry.path))  # hep-th/ holds hep-th/9901001/index.html
        folders = deeper
    return pages


def month_of(relative: Path) -> str:
    """'2401' for papers/2401.00001/index.html, OLD_STYLE for papers/hep-th/9901001/index.html."""
    month = relative.parts[1][:4]
    return month if month.isdigit() and relative.parts[1][4:5] == "." else OLD_STYLE


def plan_shards(site_dir: Path, most: int, whole: int | None = None) -> list[Shard]:
    """The indexes to build for the paper pages of `site_dir`, newest first (see the module docstring)."""
    months: dict[str, dict[Path, float]] = {}
    for page, mtime in paper_pages(site_dir).items():
        months.setdefault(month_of(page.relative_to(site_dir)), {})[page] = mtime
    shards = []
    counts = {month: len(pages) for month, pages in months.items()}
    for number, (key, group) in enumerate(group_months(counts, most, whole)):
        members = {page: mtime for month in group for page, mtime in months[month].items()}
        paths = "\n".join(sorted(page.relative_to(site_dir).as_posix() for page in members))
        glob = PAPER_PAGES if key == ALL else shard_glob(group, members, site_dir)
        shards.append(Shard(key=key, bundle="" if number == 0 else f"{key}/", glob=glob, pages=members,
                            digest=hashlib.sha256(paths.encode()).hexdigest()[:16]))
    return shards


def chronological(month: str) -> str:
    """A sort key of month keys that puts OLD_STYLE first."""
    return "" if month == OLD_STYLE else month


def quarter_of(month: str) -> str:
    """'2023-q1' for '2302'; OLD_STYLE for itself."""
    return month if month == OLD_STYLE else f"20{month[:2]}-q{(int(month[2:]) - 1) // 3 + 1}"


def group_months(counts: dict[str, int], most: int, whole: int | None = None) -> list[tuple[str, list[str]]]:
    """Each index's name and months, newest first: the newest month and the rest of its quarter, then the
    older years' blocks. Up to `whole` pages (default most // 2), one index."""
    if sum(counts.values()) <= (most // 2 if whole is None else whole):
        return [(ALL, sorted(counts, key=chronological))]
    newest = quarter_of(max(counts, key=chronological))
    blocks: list[tuple[str, list[str], bool]] = []  # (name, months, a whole year that may be merged)
    older = sorted((month for month in counts if quarter_of(month) != newest), key=chronological)
    for _year, months in groupby(older, key=lambda month: month[:2]):
        blocks += split_year(list(months), counts, most)
    first = sorted(month for month in counts if quarter_of(month) == newest)
    earlier = first[:-1]
    if not earlier:  # a quarter's first month: keyed as it will be when the next month starts (below), to keep its index
        newest_months = [(newest if counts[first[0]] <= most else month_key(first[0]), first)]
    elif sum(counts[month] for month in earlier) > most:  # the earlier months too big for one index: one a month
        newest_months = [(month_key(month), [month]) for month in reversed(first)]
    else:  # the newest month alone: a day's papers re-index it, not the quarter's earlier months too
        newest_months = [(month_key(first[-1]), first[-1:]), (newest, earlier)]
    return newest_months + list(reversed(merge_small_years(blocks, counts, most // 2)))


def month_key(month: str) -> str:
    """'2023-02' for '2302'; OLD_STYLE for itself."""
    return month if month == OLD_STYLE else f"20{month[:2]}-{month[2:]}"


def split_year(months: list[str], counts: dict[str, int], most: int) -> list[tuple[str, list[str], bool]]:
    """One year's months as named blocks of at most `most` pages: the year, its halves, its quarters,
    or (for a quarter too big) its months."""
    def size(block: list[str]) -> int:
        return sum(counts[month] for month in block)

    year = OLD_STYLE if months == [OLD_STYLE] else f"20{months[0][:2]}"
    if size(months) <= most or year == OLD_STYLE:
        return [(year, months, True)]
    halves = [list(group) for _half, group in groupby(months, key=lambda month: int(month[2:]) > 6)]
    if all(size(half) <= most for half in halves):
        return [(f"{year}-h{1 if int(half[0][2:]) <= 6 else 2}", half, False) for half in halves]
    blocks = []
    for quarter, group in groupby(months, key=quarter_of):
        group = list(group)
        blocks += [(quarter, group, False)] if size(group) <= most else [(month_key(m), [m], False) for m in group]
    return blocks


def merge_small_years(blocks: list[tuple[str, list[str], bool]], counts: dict[str, int],
                      most: int) -> list[tuple[str, list[str]]]:
    """Merge runs of whole-year blocks, oldest first, while a merged block holds at most `most` pages:
    '2019-2021' (or 'old-2021') for the years 2019 to 2021."""
    merged: list[tuple[str, list[str]]] = []
    run_open, run_pages = False, 0
    for name, months, whole_year in blocks:
        size = sum(counts[month] for month in months)
        if whole_year and run_open and run_pages + size <= most:
            first = merged[-1][0].split("-")[0]
            merged[-1] = (f"{first}-{name}", merged[-1][1] + months)
            run_pages += size
        else:
            merged.append((name, list(months)))
            run_open, run_pages = whole_year, size
    return merged


def shard_glob(months: list[str], pages: dict[Path, float], site_dir: Path) -> str:
    """A Pagefind --glob for the pages of `months` (old-style ids by their archive folders)."""
    patterns = [f"{month}*" for month in months if month != OLD_STYLE]
    if OLD_STYLE in months:
        patterns += sorted({f"{page.relative_to(site_dir).parts[1]}/*" for page in pages
                            if month_of(page.relative_to(site_dir)) == OLD_STYLE})
    return f"papers/{patterns[0]}/index.html" if len(patterns) == 1 else f"papers/{{{','.join(patterns)}}}/index.html"
