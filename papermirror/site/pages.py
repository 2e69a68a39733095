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

from dataclasses import dataclass, field

from papermirror.site.archive import KEYWORD_MIN_PAPERS, Archive
from papermirror.config import SiteConfig
from papermirror.content.paper import is_valid_id

SITEMAP_MAX_URLS = 50_000
"""The sitemap protocol's limit per file; bigger sites get a sitemap index."""


@dataclass(frozen=True, slots=True)
class Page:
    """One output file of the site."""

    path: str
    """Where it goes below site/ (POSIX, relative, e.g. "papers/2405.14908/index.html")."""
    template: str
    """The layout that draws it ("paper.html"), or a built-in writer ("@atom", "@json", ...)."""
    context: dict = field(default_factory=dict)
    """Small plain data for the template: headings, pagination, neighbours (JSON-serialisable)."""
    paper_ids: tuple[str, ...] = ()
    """The papers it shows, in order; their records are part of its render inputs."""


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


def paper_page_path(paper_id: str) -> str:
    """Return papers/<id>/index.html; old-style ids keep their slash (papers/hep-th/9901001/)."""
    if not is_valid_id(paper_id):
        raise ValueError(f"not an arXiv id: {paper_id!r}")
    return f"papers/{paper_id}/index.html"


def chunked(ids: tuple[str, ...], size: int) -> list[tuple[str, ...]]:
    """Split ids into pages of `size` (at least one page, maybe empty)."""
    return [ids[i : i + size] for i in range(0, len(ids), size)] or [()]


def neighbours(keys: list[str], index: int) -> dict:
    """Return the previous (older) and next (newer) key around keys[index], or None."""
    return {"prev": keys[index - 1] if index > 0 else None, "next": keys[index + 1] if index + 1 < len(keys) else None}


def plan_pages(archive: Archive, site: SiteConfig, static_files: list[str], about: dict) -> list[Page]:
    """Return every page of the site, in a stable order.

    `about` is the about page's context; its "updated" time is shown in the footer of the few pages
    that sum up the whole site (home page 1, archive and keyword indexes, about, search, 404), not on
    every page: it changes with every snapshot, and on every page it would redraw the whole site daily.
    """
    updated = {"updated": about["updated"]}
    pages = plan_home(archive, site, about["updated"])
    pages += plan_paper_pages(archive)
    pages += plan_archive_pages(archive, updated)
    pages += plan_keyword_pages(archive, site, updated)
    pages += [
        Page("about/index.html", "about.html", about),
        Page("search/index.html", "search.html", updated),
        Page("404.html", "404.html", updated),
        Page("feed.xml", "@atom", {"updated": archive.updated}, archive.newest[: site.feed_size]),
        Page("papers.json", "@json", {"updated": archive.updated}, archive.newest),
        Page("robots.txt", "@robots"),
    ]
    pages += [Page(f"static/{name}", "@static", {"source": f"static/{name}"}) for name in static_files]
    pages += plan_sitemaps(archive, pages)
    return pages


def plan_home(archive: Archive, site: SiteConfig, updated: str | None) -> list[Page]:
    chunks = chunked(archive.newest, site.per_page)
    return [
        Page(
            "index.html" if number == 1 else f"page/{number}/index.html",
            "list.html",
            {"kind": "home", "first": "", "number": number, "pages": len(chunks), "total": len(archive.newest),
             "updated": updated if number == 1 else None},  # only page 1 says when; the others stay put
            ids,
        )
        for number, ids in enumerate(chunks, start=1)
    ]


def plan_paper_pages(archive: Archive) -> list[Page]:
    """One page per paper; everything it shows comes from the paper (and its keywords' pages)."""
    return [Page(paper_page_path(paper_id), "paper.html", {}, (paper_id,)) for paper_id in sorted(archive.papers)]


def plan_archive_pages(archive: Archive, updated: dict) -> list[Page]:
    pages = []
    day_keys, month_keys = list(archive.days), list(archive.months)
    for index, day in enumerate(day_keys):
        context = {"kind": "day", "day": day, "total": len(archive.days[day]), **neighbours(day_keys, index)}
        pages.append(Page(f"archive/{day}/index.html", "list.html", context, archive.days[day]))
    for index, month in enumerate(month_keys):
        days = [[day, len(ids)] for day, ids in archive.days.items() if day.startswith(month)]
        context = {"month": month, "days": days, "total": len(archive.months[month]), **neighbours(month_keys, index)}
        pages.append(Page(f"archive/{month}/index.html", "month.html", context, archive.months[month]))
    years: dict[str, list] = {}
    for month in reversed(month_keys):
        years.setdefault(month[:4], []).append([month, len(archive.months[month])])
    undated = len(archive.newest) - sum(len(ids) for ids in archive.months.values())
    context = {"years": list(years.items()), "total": len(archive.newest), "undated": undated, **updated}
    pages.append(Page("archive/index.html", "archive.html", context))
    return pages


def plan_keyword_pages(archive: Archive, site: SiteConfig, updated: dict) -> list[Page]:
    pages = []
    for keyword in archive.keywords.values():
        chunks = chunked(keyword.paper_ids, site.per_page)
        for number, ids in enumerate(chunks, start=1):
            path = f"keywords/{keyword.slug}/" + (f"page/{number}/" if number > 1 else "") + "index.html"
            context = {"kind": "keyword", "keyword": keyword.name, "first": f"keywords/{keyword.slug}/", "number": number,
                       "pages": len(chunks), "total": len(keyword.paper_ids)}
            pages.append(Page(path, "list.html", context, ids))
    listing = [[k.name, k.slug, len(k.paper_ids)] for k in archive.keywords.values()]
    context = {"keywords": listing, "single": archive.single_keywords, "min_papers": KEYWORD_MIN_PAPERS, **updated}
    pages.append(Page("keywords/index.html", "keywords.html", context))
    return pages


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
        entries.append([page.path, lastmod])
    entries.sort()
    if len(entries) <= SITEMAP_MAX_URLS:
        return [Page("sitemap.xml", "@sitemap", {"entries": entries})]
    parts = [entries[i : i + SITEMAP_MAX_URLS] for i in range(0, len(entries), SITEMAP_MAX_URLS)]
    names = [f"sitemaps/{n}.xml" for n in range(1, len(parts) + 1)]
    return [Page(name, "@sitemap", {"entries": part}) for name, part in zip(names, parts)] + [
        Page("sitemap.xml", "@sitemap-index", {"sitemaps": names})
    ]
