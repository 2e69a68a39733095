"""Plan the site: every output file, which template draws it, and what it shows.

Each page gets its typed context (`site.contexts`), worked out here: headings, pager and
previous/next links, counts; the templates only present them.

    index.html, page/N/index.html        home, the newest papers (HOME_PAGES pages), paginated
    papers/<id>/index.html               one paper (same path as on huggingface.co)
    archive/index.html                   every month with its count
    archive/YYYY-MM/index.html           one month: its days, each with its count and top papers
    archive/YYYY-MM-DD/index.html        one Daily Papers day
    keywords/index.html                  every keyword page with its count
    keywords/<slug>/[page/N/]index.html  one keyword: the newest papers, then pages numbered from the oldest
    organizations/..., top/index.html    organizations, feeds of keywords and organizations, most upvoted (`site.ways`)
    about/index.html                     the topic, the sources, the coverage, how to fork
    search/index.html, 404.html          search page (filled in by the index stage), not-found page
    trends/index.html                    charts of the archive month by month (`site.trends`)
    papers.json, papers/YYYY.json.gz     the papers as data: the years, and each year's papers without their texts
    feed.xml, sitemap.xml, sitemap-N.xml.gz, robots.txt, static/...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from papermirror.config import SiteConfig
from papermirror.site.about import AboutContext
from papermirror.site.archive import Archive, Keyword, newest_stored
from papermirror.site.contexts import (
    ArchiveIndexContext,
    DataIndexContext,
    DataYearContext,
    KeywordIndexContext,
    Link,
    Links,
    ListingContext,
    MonthContext,
    MonthDay,
    Page,
    Pager,
    PagerLink,
    PaperContext,
    PlainContext,
    RelatedPaper,
    SearchContext,
    SitemapContext,
    SitemapIndexContext,
    Sparkline,
    StaticContext,
    human_day,
    human_month,
    paper_page_path,
)
from papermirror.site.trends import keyword_sparklines, trends_context
from papermirror.site.ways import feed_path, plan_ways

SITEMAP_MAX_URLS = 50_000
"""The sitemap protocol's limit per file."""
MONTH_DAY_TOP = 2
"""A month page lists its days, each with its count and its most upvoted papers, this many (the day's page lists
them all): every paper on its month's page too cost 0.16 KB a paper and repeated the day pages."""
HOME_PAGES = 20
"""Home pages of the newest papers (1,000 at 50 a page). Older papers are listed by day and month in the
archive: home pages of the whole archive repeated every one of them (2,000 pages at 100,000 papers, all
redrawn by every snapshot, as each new paper shifts them)."""


# --- planning ---------------------------------------------------------------------------------------


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


def plan_pages(archive: Archive, site: SiteConfig, static_files: list[str], about: AboutContext,
               related: dict[str, tuple[str, ...]] | None = None) -> list[Page]:
    """Return every page of the site, in a stable order; `related`: each paper's related papers (`site.related`).

    The site's "updated" time (`about.updated`) is shown in the footer of the few pages that sum up the
    whole site (home page 1, archive and keyword indexes, about, search, 404), not on every page: it
    changes with every snapshot, and on every page it would redraw the whole site daily.
    """
    links, updated = Links(site.base_path), about.updated
    pages = plan_home(archive, site, links, updated)
    pages += plan_paper_pages(archive, related or {})
    pages += plan_archive_pages(archive, site, links, updated)
    pages += plan_keyword_pages(archive, site, links, updated)
    pages += [page for org in archive.organizations.values() for page in plan_group_pages(org, "organization", site, links.organization)]
    pages += plan_ways(archive, links, updated)
    pages += [
        Page("about/index.html", "about.html", about),
        Page("trends/index.html", "trends.html", trends_context(archive, links, updated)),
        Page("search/index.html", "search.html", SearchContext(updated, not archive.papers)),
        Page("404.html", "404.html", PlainContext(updated)),
        Page("feed.xml", "@atom", PlainContext(archive.updated), [paper.id for paper in newest_stored(archive.papers.values(), site.feed_size)]),
        Page("robots.txt", "@robots"),
    ]
    pages += plan_data(archive)
    pages += [Page(f"static/{name}", "@static", StaticContext(f"static/{name}")) for name in static_files]
    pages += plan_sitemaps(archive, pages)
    return pages


def plan_home(archive: Archive, site: SiteConfig, links: Links, updated: str | None) -> list[Page]:
    """The home pages: the newest HOME_PAGES pages of papers (each says where the older ones are); only page 1
    says when the site was updated (the others stay put)."""
    shown = archive.newest[: site.per_page * HOME_PAGES]
    chunks = chunked(shown, site.per_page)
    rest = len(archive.newest) - len(shown)
    older = Link(links.to("archive/index.html"), "the archive", rest) if rest else None
    pages = []
    for number, ids in enumerate(chunks, start=1):
        first = number == 1
        heading = site.title if first else f"Newest papers, page {number} of {len(chunks)}"
        title = f"{site.title}: newest papers" if first else f"{heading} · {site.title}"
        context = ListingContext("home", heading, title, len(archive.newest), lede=site.description if first else "",
                                 pager=make_pager(number, len(chunks), links.home), updated=updated if first else None,
                                 older=older)
        pages.append(Page("index.html" if first else f"page/{number}/index.html", "list.html", context, ids))
    return pages


def plan_paper_pages(archive: Archive, related: dict[str, tuple[str, ...]]) -> list[Page]:
    """One page per paper; it shows the paper (and its keywords' pages) and its related papers' titles and days."""
    def context(paper_id: str) -> PaperContext | None:
        papers = [archive.papers[other] for other in related.get(paper_id, ())]
        return PaperContext(tuple(RelatedPaper(p.id, p.title, p.day) for p in papers)) if papers else None
    return [Page(paper_page_path(paper_id), "paper.html", context(paper_id), (paper_id,)) for paper_id in sorted(archive.papers)]


def top_papers(archive: Archive, paper_ids: tuple[str, ...], most: int = MONTH_DAY_TOP) -> tuple[str, ...]:
    """The `most` most upvoted of `paper_ids` (ties in their order), leaving out papers without upvotes."""
    voted = [paper_id for paper_id in paper_ids if archive.papers[paper_id].upvotes is not None]
    return tuple(sorted(voted, key=lambda paper_id: -archive.papers[paper_id].upvotes)[:most])


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
        days = tuple(MonthDay(Link(links.day(day), human_day(day), len(ids)), top_papers(archive, ids))
                     for day, ids in reversed(archive.days.items()) if day.startswith(month))
        heading = human_month(month)
        context = MonthContext(heading, f"{heading} · {site.title}", len(archive.months[month]), days,
                               *neighbour_links(month_keys, index, links.month, human_month))
        shown = tuple(paper_id for day in days for paper_id in day.top)  # the context names them: a new top redraws
        pages.append(Page(f"archive/{month}/index.html", "month.html", context, shown))
    years: dict[str, list[Link]] = {}
    for month in reversed(month_keys):
        years.setdefault(month[:4], []).append(Link(links.month(month), human_month(month), len(archive.months[month])))
    undated = tuple(paper_id for paper_id in archive.newest if not archive.papers[paper_id].day)
    context = ArchiveIndexContext(tuple((year, tuple(months)) for year, months in years.items()),
                                  len(archive.newest), len(undated), updated)
    return pages + [Page("archive/index.html", "archive.html", context, undated)]


def plan_keyword_pages(archive: Archive, site: SiteConfig, links: Links, updated: str | None) -> list[Page]:
    """Each keyword's pages, and the keyword index."""
    pages, sparklines = [], keyword_sparklines(archive)
    for keyword in archive.keywords.values():
        pages += plan_group_pages(keyword, "keyword", site, links.keyword, sparklines.get(keyword.name))
    listing = tuple(Link(links.keyword(k.slug), k.name, len(k.paper_ids)) for k in archive.keywords.values())
    context = KeywordIndexContext(listing, archive.single_keywords, archive.keyword_min_papers, updated)
    return pages + [Page("keywords/index.html", "keywords.html", context)]


def chunked_from_oldest(ids: tuple[str, ...], size: int) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Split newest-first ids into the front page and the older pages numbered from the oldest: page 1
    holds the `size` oldest, page 2 the next `size`, ...; the front page the rest (`size` to 2 * `size` - 1,
    or all of them when fewer). A new paper at the top changes the front page only, until the front holds
    2 * `size` and its oldest `size` become the next numbered page."""
    older = max(len(ids) // size - 1, 0)
    front = len(ids) - older * size
    return ids[:front], [ids[len(ids) - number * size : len(ids) - (number - 1) * size] for number in range(1, older + 1)]


def make_oldest_first_pager(number: int | None, older: int, href: Callable[[int | None], str]) -> Pager | None:
    """Return the pager of page `number` (None: the front page, newest) of a listing whose `older` pages are
    numbered from the oldest (`href(n)`: page n's URL, `href(None)` the front page's): the front page, the
    pages two either side, page 1. A page's pager does not depend on how many pages there are once it is
    3 pages below the front, so it stays put as papers come."""
    if not older:
        return None
    current = older + 1 if number is None else number
    top, bottom = min(older, current + 2), max(current - 2, 1)
    links = [PagerLink("Newest", None if number is None else href(None), current=number is None)]
    links += [PagerLink("…", ellipsis=True)] * (top < older)
    links += [PagerLink(str(n), None if n == number else href(n), current=n == number) for n in range(top, bottom - 1, -1)]
    links += [PagerLink("…", ellipsis=True)] * (bottom > 2) + [PagerLink("1", href(1))] * (bottom > 1)
    newer = None if number is None else href(None) if number == older else href(number + 1)
    return Pager(tuple(links), newer, href(current - 1) if current > 1 else None)


def plan_group_pages(group: Keyword, kind: Literal["keyword", "organization"], site: SiteConfig,
                     href: Callable[..., str], sparkline: Sparkline | None = None) -> list[Page]:
    """The pages of one keyword or organization (`kind`): its papers, newest first, on a front page and on
    site.per_page-paper pages numbered from the oldest (`chunked_from_oldest`), so that a day's new papers
    redraw the front page and not every page; on each a link to its feed when it has one. Only the front
    page says how many papers there are. `href(slug, n)` is the URL of page n - 1 (n = 1: the front page)."""
    folder, feed = f"{kind}s", feed_path(f"{kind}s", group)
    front, older = chunked_from_oldest(group.paper_ids, site.per_page)
    pages = []
    for number, ids in [(None, front), *enumerate(older, start=1)]:
        heading = f"{kind.capitalize()}: {group.name}" + ("" if number is None else f", page {number}")
        pager = make_oldest_first_pager(number, len(older), lambda n, slug=group.slug: href(slug, n))
        context = ListingContext(kind, heading, f"{heading} · {site.title}", len(group.paper_ids) if number is None else None,
                                 pager=pager, sparkline=sparkline if number is None else None,
                                 feed=href(group.slug) + "feed.xml" if feed else None)
        path = f"{folder}/{group.slug}/" + (f"page/{number}/" if number else "") + "index.html"
        pages.append(Page(path, "list.html", context, ids))
    return pages


def plan_data(archive: Archive) -> list[Page]:
    """papers.json, the index, and papers/YYYY.json.gz, each year's papers (by the day they are filed under)
    newest first, gzipped (a sixth of the bytes): a daily snapshot changes the newest year's file, not one file
    of the whole archive."""
    years: dict[str, list[str]] = {}
    for paper_id in archive.newest:
        day = archive.papers[paper_id].day
        years.setdefault(day[:4] if day else "undated", []).append(paper_id)
    order = sorted((year for year in years if year != "undated"), reverse=True) + (["undated"] if "undated" in years else [])
    pages = [Page("papers.json", "@json-index", DataIndexContext(archive.updated, tuple((year, len(years[year])) for year in order)))]
    for year in order:
        papers = [archive.papers[paper_id] for paper_id in years[year]]
        newest = max(paper.refreshed or paper.first_seen or "" for paper in papers) or None
        pages.append(Page(f"papers/{year}.json.gz", "@json", DataYearContext(year, newest), tuple(years[year])))
    return pages


def plan_sitemaps(archive: Archive, pages: list[Page]) -> list[Page]:
    """sitemap.xml, a sitemap index, over sitemap-N.xml.gz: the URLs, SITEMAP_MAX_URLS a file, gzipped as the
    protocol allows (a tenth of the bytes: 1.1 MB of sitemap at 10,000 papers is 0.1 MB), beside the index at
    the top of the site (a sitemap may only list URLs at or below its own folder)."""
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
    parts = [tuple(entries[i : i + SITEMAP_MAX_URLS]) for i in range(0, len(entries), SITEMAP_MAX_URLS)] or [()]
    names = tuple(f"sitemap-{n}.xml.gz" for n in range(1, len(parts) + 1))
    return [Page(name, "@sitemap", SitemapContext(part)) for name, part in zip(names, parts)] + [
        Page("sitemap.xml", "@sitemap-index", SitemapIndexContext(names))
    ]
