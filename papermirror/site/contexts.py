"""What the templates get: a `Page` per output file and a frozen, typed context per kind of page.

Contexts are small and plain (links, labels, counts; never a Paper: a page holds the ids of its
papers), so that the build cache hashes them cheaply (`Page.context_text`) and a worker process
receives them pickled. Headings, pager links and previous/next links are worked out in Python by
`site.pages`; the templates only present them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from papermirror.content.paper import is_valid_id
from papermirror.site.about import AboutContext

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def human_day(day: str | None) -> str:
    """'2025-03-14' -> '14 March 2025' (no locale: the output must not depend on the machine)."""
    if not day:
        return "undated"
    return f"{int(day[8:10])} {MONTHS[int(day[5:7]) - 1]} {day[:4]}"


def human_month(month: str) -> str:
    """'2025-03' -> 'March 2025'."""
    return f"{MONTHS[int(month[5:7]) - 1]} {month[:4]}"


@dataclass(frozen=True, slots=True)
class Link:
    """A link to another page of the site."""

    href: str
    """Its URL, an absolute path under the base path ("/repo/archive/2025-03/")."""
    label: str
    """Its text ("March 2025")."""
    count: int | None = None
    """The papers that page lists, where the link says so (a day, a month, a keyword)."""


@dataclass(frozen=True, slots=True)
class PagerLink:
    """One entry of a pager: a page number (a link, or the current page) or a gap."""

    label: str
    """The page number, or "…" for a gap."""
    href: str | None = None
    """None for the current page and for a gap."""
    current: bool = False
    ellipsis: bool = False


@dataclass(frozen=True, slots=True)
class Pager:
    """The pager of a listing of several pages: the first, the last, and two either side of the current."""

    links: tuple[PagerLink, ...]
    prev: str | None
    """The newer page (rel="prev"), None on page 1."""
    next: str | None
    """The older page (rel="next"), None on the last page."""


@dataclass(frozen=True, slots=True)
class ListingContext:
    """list.html: the home pages (newest first), one Daily Papers day, one keyword's or organization's pages."""

    kind: Literal["home", "day", "keyword", "organization"]
    """Which of its blocks the template shows."""
    heading: str
    title: str
    """The <title>, the site's title included."""
    total: int | None
    """Papers of the whole listing (all its pages); None on a keyword's or organization's older pages, which
    stay put as papers come (`pages.plan_group_pages`)."""
    lede: str = ""
    """The site's description, on home page 1 only."""
    pager: Pager | None = None
    """Home and keyword listings of more than one page."""
    prev: Link | None = None
    """A day's previous (older) day with papers."""
    next: Link | None = None
    """A day's next (newer) day with papers."""
    month: Link | None = None
    """A day's month."""
    updated: str | None = None
    """The site's updated time, on home page 1 only (on every page it would redraw them all daily)."""
    older: Link | None = None
    """Home pages: the archive, where the papers older than the home pages are (count: how many), if any."""
    sparkline: Sparkline | None = None
    """A keyword's papers per month, on its first page."""
    feed: str | None = None
    """A keyword's or an organization's Atom feed (`site.ways`), when it has one."""


@dataclass(frozen=True, slots=True)
class MonthDay:
    """One day of a month page: a link to the day's page (with its count) and the day's most upvoted papers."""

    link: Link
    top: tuple[str, ...]
    """The ids of its most upvoted papers (MONTH_DAY_TOP, pages.py), most upvoted first; none without upvotes."""


@dataclass(frozen=True, slots=True)
class MonthContext:
    """month.html: one month, its days with their counts and top papers, its neighbouring months."""

    heading: str
    title: str
    total: int
    days: tuple[MonthDay, ...]
    """Its days with papers, newest first (the day pages list every paper)."""
    prev: Link | None
    """The previous (older) month with papers."""
    next: Link | None
    """The next (newer) month with papers."""


@dataclass(frozen=True, slots=True)
class ArchiveIndexContext:
    """archive.html: every month with its count, by year, newest first."""

    years: tuple[tuple[str, tuple[Link, ...]], ...]
    """(year, its months), newest first."""
    total: int
    undated: int
    """Papers without any date (listed on the archive index itself: no day or month page has them)."""
    updated: str | None


@dataclass(frozen=True, slots=True)
class KeywordIndexContext:
    """keywords.html: every keyword that has a page, with its count."""

    keywords: tuple[Link, ...]
    single: int
    """Keywords of fewer than `min_papers` papers, without a page of their own."""
    min_papers: int
    """The fewest papers a keyword needs for a page (2, or more in a big archive: site/archive.py)."""
    updated: str | None


@dataclass(frozen=True, slots=True)
class PlainContext:
    """404.html, @atom: nothing to show but an updated time."""

    updated: str | None


@dataclass(frozen=True, slots=True)
class SearchContext:
    """search.html: the updated time, and whether the archive has a paper (an empty one has no index to load)."""

    updated: str | None
    empty: bool


@dataclass(frozen=True, slots=True)
class DataIndexContext:
    """@json-index (papers.json): the archive's papers by year, each year in papers/YYYY.json.gz."""

    updated: str | None
    years: tuple[tuple[str, int], ...]
    """(year, its papers), newest first; "undated" last when some papers have no date."""


@dataclass(frozen=True, slots=True)
class DataYearContext:
    """@json (papers/YYYY.json.gz): one year's papers."""

    year: str
    updated: str | None
    """The newest time among its own papers, so that a year whose papers did not change keeps its bytes."""


@dataclass(frozen=True, slots=True)
class SitemapContext:
    """@sitemap: (output path, last modified day or None), in path order."""

    entries: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True)
class SitemapIndexContext:
    """@sitemap-index: the sitemap files it lists."""

    sitemaps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class StaticContext:
    """@static: the file below layouts/ copied as it is."""

    source: str


@dataclass(frozen=True, slots=True)
class RelatedPaper:
    """A related paper, as a paper's page lists it (`site.related` finds them)."""

    id: str
    title: str
    day: str | None


@dataclass(frozen=True, slots=True)
class PaperContext:
    """paper.html: what a paper's page shows besides the paper (None when there is nothing)."""

    related: tuple[RelatedPaper, ...]
    """The most related papers of the archive, most related first."""


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart of the trends page and the table of its figures (`site.trends`)."""

    id: str
    """Its anchor and the prefix of its SVG ids."""
    heading: str
    lede: str
    """What it shows, in a sentence."""
    svg: str
    """The chart, drawn and escaped by `site.charts`; empty when there are too few papers (`note` says why)."""
    note: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    links: tuple[str | None, ...] = ()
    """A link for the first cell of each row (a keyword's page), when it has one."""


@dataclass(frozen=True, slots=True)
class TrendsContext:
    """trends.html: charts of the whole archive, month by month."""

    total: int
    first: str | None
    """The first and the last month ("May 2024"), None when no paper has a date."""
    last: str | None
    charts: tuple[Chart, ...]
    updated: str | None


@dataclass(frozen=True, slots=True)
class Sparkline:
    """A keyword's papers per month, from its first month to the archive's last (`site.trends`)."""

    svg: str
    first: str
    last: str
    months: tuple[tuple[str, int], ...]
    """(month, papers) for each month with papers, oldest first."""


Context = (ListingContext | MonthContext | ArchiveIndexContext | KeywordIndexContext | AboutContext | PlainContext
           | DataIndexContext | DataYearContext | SitemapContext | SitemapIndexContext | StaticContext
           | PaperContext | TrendsContext)


@dataclass(frozen=True, slots=True)
class Page:
    """One output file of the site."""

    path: str
    """Where it goes below site/ (POSIX, relative, e.g. "papers/2405.14908/index.html")."""
    template: str
    """The layout that draws it ("paper.html"), or a built-in writer ("@atom", "@json", ...)."""
    context: Context | None = None
    """What the template shows besides the papers: headings, links, counts (None: the papers only)."""
    paper_ids: tuple[str, ...] = ()
    """The papers it shows, in order; their records are part of its render inputs."""

    def context_text(self) -> str:
        """Return the context as stable text for the build cache: the dataclass repr (its class, then its fields
        in order, nested contexts alike; only str, numbers, None, tuples and dataclasses in them), five times
        quicker than JSON of `dataclasses.asdict` (2 s of a daily build at 10,000 papers)."""
        return "" if self.context is None else repr(self.context)


@dataclass(frozen=True, slots=True)
class Links:
    """Site-internal URLs, all absolute paths under the site's base path ("/repo/...")."""

    base: str
    """The base path, '/' at a domain root, '/repo/' under a sub-path."""

    def to(self, path: str) -> str:
        """URL of an output path: "archive/index.html" -> "/repo/archive/"."""
        return self.base + path.removesuffix("index.html")

    def paper(self, paper_id: str) -> str:
        return self.to(paper_page_path(paper_id))

    def day(self, day: str) -> str:
        return f"{self.base}archive/{day}/"

    def month(self, month: str) -> str:
        return f"{self.base}archive/{month}/"

    def keyword(self, slug: str, number: int | None = None) -> str:
        """A keyword's front page (newest papers), or its page `number`, counted from the oldest."""
        return f"{self.base}keywords/{slug}/" + (f"page/{number}/" if number else "")

    def organization(self, slug: str, number: int | None = None) -> str:
        """An organization's front page (newest papers), or its page `number`, counted from the oldest."""
        return f"{self.base}organizations/{slug}/" + (f"page/{number}/" if number else "")

    def home(self, number: int = 1) -> str:
        return self.base + (f"page/{number}/" if number > 1 else "")


def paper_page_path(paper_id: str) -> str:
    """Return papers/<id>/index.html; old-style ids keep their slash (papers/hep-th/9901001/)."""
    if not is_valid_id(paper_id):
        raise ValueError(f"not an arXiv id: {paper_id!r}")
    return f"papers/{paper_id}/index.html"
