"""Plan the site: every output file, which template draws it, and what it shows.

A `Page` holds only small plain data plus the ids of the papers it shows, so that the page's
render inputs can be hashed cheaply (the incremental build) and sent to a worker process.

    index.html, page/N/index.html        home, newest first, paginated
    papers/<id>/index.html               one paper (same path as on huggingface.co)
    archive/index.html                   every month with its count
    archive/YYYY-MM/index.html           one month, papers grouped by day
    archive/YYYY-MM-DD/index.html        one Daily Papers day
    keywords/index.html                  every keyword page with its count
    keywords/<slug>/[page/N/]index.html  one keyword
    about/index.html                     the topic, the sources, the coverage, how to fork
    search/index.html, 404.html          search page (filled in by the index stage), not-found page
    feed.xml, papers.json, sitemap.xml, robots.txt, static/...
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Literal

from papermirror.config import SiteConfig
from papermirror.content.paper import is_valid_id
from papermirror.site.about import AboutContext
from papermirror.site.archive import KEYWORD_MIN_PAPERS, Archive

SITEMAP_MAX_URLS = 50_000
"""The sitemap protocol's limit per file; bigger sites get a sitemap index."""
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


# --- what the templates get (small, plain, picklable; hashed by the build cache) ----------------------


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
    """list.html: the home pages (newest first), one Daily Papers day, one keyword's pages."""

    kind: Literal["home", "day", "keyword"]
    """Which of its blocks the template shows."""
    heading: str
    title: str
    """The <title>, the site's title included."""
    total: int
    """Papers of the whole listing (all its pages)."""
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


@dataclass(frozen=True, slots=True)
class MonthContext:
    """month.html: one month, its days with their counts, its neighbouring months."""

    heading: str
    title: str
    total: int
    days: tuple[Link, ...]
    """Its days with papers, newest first."""
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
    """Papers without any date, listed only on the home pages."""
    updated: str | None


@dataclass(frozen=True, slots=True)
class KeywordIndexContext:
    """keywords.html: every keyword that has a page, with its count."""

    keywords: tuple[Link, ...]
    single: int
    """Keywords of a single paper, without a page of their own."""
    min_papers: int
    updated: str | None


@dataclass(frozen=True, slots=True)
class PlainContext:
    """search.html, 404.html, @atom, @json: nothing to show but an updated time."""

    updated: str | None


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


Context = (ListingContext | MonthContext | ArchiveIndexContext | KeywordIndexContext | AboutContext | PlainContext
           | SitemapContext | SitemapIndexContext | StaticContext)


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

    def context_json(self) -> str:
        """Return the context as stable JSON (its class, then its fields in order) for the build cache."""
        if self.context is None:
            return ""
        return type(self.context).__name__ + json.dumps(asdict(self.context), ensure_ascii=False, separators=(",", ":"))


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

    def keyword(self, slug: str, number: int = 1) -> str:
        return f"{self.base}keywords/{slug}/" + (f"page/{number}/" if number > 1 else "")

    def home(self, number: int = 1) -> str:
        return self.base + (f"page/{number}/" if number > 1 else "")


# --- planning ---------------------------------------------------------------------------------------


def paper_page_path(paper_id: str) -> str:
    """Return papers/<id>/index.html; old-style ids keep their slash (papers/hep-th/9901001/)."""
    if not is_valid_id(paper_id):
        raise ValueError(f"not an arXiv id: {paper_id!r}")
    return f"papers/{paper_id}/index.html"


def chunked(ids: tuple[str, ...], size: int) -> list[tuple[str, ...]]:
    """Split ids into pages of `size` (at least one page, maybe empty)."""
    return [ids[i : i + size] for i in range(0, len(ids), size)] or [()]


def make_pager(number: int, pages: int, href: Callable[[int], str]) -> Pager | None:
    """Return the pager of page `number` of `pages` (None for a single page); `href(n)` is page n's URL."""
    if pages <= 1:
        return None
    links = []
    for n in range(1, pages + 1):
        if n == 1 or n == pages or abs(n - number) <= 2:
            links.append(PagerLink(str(n), None if n == number else href(n), current=n == number))
        elif abs(n - number) == 3:
            links.append(PagerLink("…", ellipsis=True))
    return Pager(tuple(links), href(number - 1) if number > 1 else None, href(number + 1) if number < pages else None)


def neighbour_links(keys: list[str], index: int, href: Callable[[str], str],
                    label: Callable[[str], str]) -> tuple[Link | None, Link | None]:
    """Return links to the previous (older) and the next (newer) key around keys[index], or None."""
    older = keys[index - 1] if index > 0 else None
    newer = keys[index + 1] if index + 1 < len(keys) else None
    return (Link(href(older), label(older)) if older else None), (Link(href(newer), label(newer)) if newer else None)


def plan_pages(archive: Archive, site: SiteConfig, static_files: list[str], about: AboutContext) -> list[Page]:
    """Return every page of the site, in a stable order.

    The site's "updated" time (`about.updated`) is shown in the footer of the few pages that sum up the
    whole site (home page 1, archive and keyword indexes, about, search, 404), not on every page: it
    changes with every snapshot, and on every page it would redraw the whole site daily.
    """
    links, updated = Links(site.base_path), about.updated
    pages = plan_home(archive, site, links, updated)
    pages += plan_paper_pages(archive)
    pages += plan_archive_pages(archive, site, links, updated)
    pages += plan_keyword_pages(archive, site, links, updated)
    pages += [
        Page("about/index.html", "about.html", about),
        Page("search/index.html", "search.html", PlainContext(updated)),
        Page("404.html", "404.html", PlainContext(updated)),
        Page("feed.xml", "@atom", PlainContext(archive.updated), archive.newest[: site.feed_size]),
        Page("papers.json", "@json", PlainContext(archive.updated), archive.newest),
        Page("robots.txt", "@robots"),
    ]
    pages += [Page(f"static/{name}", "@static", StaticContext(f"static/{name}")) for name in static_files]
    pages += plan_sitemaps(archive, pages)
    return pages


def plan_home(archive: Archive, site: SiteConfig, links: Links, updated: str | None) -> list[Page]:
    """The home pages, newest first; only page 1 says when the site was updated (the others stay put)."""
    chunks = chunked(archive.newest, site.per_page)
    pages = []
    for number, ids in enumerate(chunks, start=1):
        first = number == 1
        heading = site.title if first else f"Newest papers, page {number} of {len(chunks)}"
        title = f"{site.title}: newest papers" if first else f"{heading} · {site.title}"
        context = ListingContext("home", heading, title, len(archive.newest), lede=site.description if first else "",
                                 pager=make_pager(number, len(chunks), links.home), updated=updated if first else None)
        pages.append(Page("index.html" if first else f"page/{number}/index.html", "list.html", context, ids))
    return pages


def plan_paper_pages(archive: Archive) -> list[Page]:
    """One page per paper; everything it shows comes from the paper (and its keywords' pages)."""
    return [Page(paper_page_path(paper_id), "paper.html", None, (paper_id,)) for paper_id in sorted(archive.papers)]


def plan_archive_pages(archive: Archive, site: SiteConfig, links: Links, updated: str | None) -> list[Page]:
    """The day pages, the month pages and the archive index."""
    pages = []
    day_keys, month_keys = list(archive.days), list(archive.months)
    for index, day in enumerate(day_keys):
        older, newer = neighbour_links(day_keys, index, links.day, human_day)
        heading = f"Papers of {human_day(day)}"
        context = ListingContext("day", heading, f"{heading} · {site.title}", len(archive.days[day]), prev=older,
                                 next=newer, month=Link(links.month(day[:7]), human_month(day[:7])))
        pages.append(Page(f"archive/{day}/index.html", "list.html", context, archive.days[day]))
    for index, month in enumerate(month_keys):
        days = tuple(Link(links.day(day), human_day(day), len(ids))
                     for day, ids in reversed(archive.days.items()) if day.startswith(month))
        heading = human_month(month)
        context = MonthContext(heading, f"{heading} · {site.title}", len(archive.months[month]), days,
                               *neighbour_links(month_keys, index, links.month, human_month))
        pages.append(Page(f"archive/{month}/index.html", "month.html", context, archive.months[month]))
    years: dict[str, list[Link]] = {}
    for month in reversed(month_keys):
        years.setdefault(month[:4], []).append(Link(links.month(month), human_month(month), len(archive.months[month])))
    undated = len(archive.newest) - sum(len(ids) for ids in archive.months.values())
    context = ArchiveIndexContext(tuple((year, tuple(months)) for year, months in years.items()),
                                  len(archive.newest), undated, updated)
    return pages + [Page("archive/index.html", "archive.html", context)]


def plan_keyword_pages(archive: Archive, site: SiteConfig, links: Links, updated: str | None) -> list[Page]:
    """Each keyword's pages, and the keyword index."""
    pages = []
    for keyword in archive.keywords.values():
        chunks = chunked(keyword.paper_ids, site.per_page)
        for number, ids in enumerate(chunks, start=1):
            heading = f"Keyword: {keyword.name}" + ("" if number == 1 else f", page {number} of {len(chunks)}")
            pager = make_pager(number, len(chunks), lambda n, slug=keyword.slug: links.keyword(slug, n))
            context = ListingContext("keyword", heading, f"{heading} · {site.title}", len(keyword.paper_ids), pager=pager)
            path = f"keywords/{keyword.slug}/" + (f"page/{number}/" if number > 1 else "") + "index.html"
            pages.append(Page(path, "list.html", context, ids))
    listing = tuple(Link(links.keyword(k.slug), k.name, len(k.paper_ids)) for k in archive.keywords.values())
    context = KeywordIndexContext(listing, archive.single_keywords, KEYWORD_MIN_PAPERS, updated)
    return pages + [Page("keywords/index.html", "keywords.html", context)]


def plan_sitemaps(archive: Archive, pages: list[Page]) -> list[Page]:
    """One sitemap.xml, or a sitemap index over sitemaps/N.xml when there are too many URLs."""
    entries = []
    for page in pages:
        if not page.path.endswith("index.html") or page.path == "search/index.html":
            continue
        lastmod = None
        if page.template == "paper.html":
            paper = archive.papers[page.paper_ids[0]]
            lastmod = (paper.refreshed or paper.first_seen or paper.day or "")[:10] or None
        entries.append((page.path, lastmod))
    entries.sort(key=lambda entry: entry[0])
    if len(entries) <= SITEMAP_MAX_URLS:
        return [Page("sitemap.xml", "@sitemap", SitemapContext(tuple(entries)))]
    parts = [tuple(entries[i : i + SITEMAP_MAX_URLS]) for i in range(0, len(entries), SITEMAP_MAX_URLS)]
    names = tuple(f"sitemaps/{n}.xml" for n in range(1, len(parts) + 1))
    return [Page(name, "@sitemap", SitemapContext(part)) for name, part in zip(names, parts)] + [
        Page("sitemap.xml", "@sitemap-index", SitemapIndexContext(names))
    ]
