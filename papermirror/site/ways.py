"""More ways into the archive: organization pages, the most upvoted papers of the newest week and month, and
an Atom feed per keyword and per organization, so that a reader can follow a sub-topic.

    organizations/index.html                  every organization that has a page, with its count
    organizations/<slug>/[page/N/]index.html  one organization's papers, newest first, paged as keywords are
    organizations/<slug>/feed.xml             the FEED_SIZE of its papers stored last, as Atom (`site.topicfeed`)
    keywords/<slug>/feed.xml                  the same for a keyword
    top/index.html                            the most upvoted papers of the newest 7 and 30 days

An organization's name comes from the hub: its slug keeps [a-z0-9-] only (`archive.assign_slugs`), so no name
can lead outside its folder. Nothing here reads the clock: "this week" is the 7 days up to the archive's
newest day, so the same content/ always gives the same pages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from papermirror.site.archive import ORGANIZATION_MIN_PAPERS, Archive, Keyword, newest_stored
from papermirror.site.contexts import Link, Links, Page

FEED_MIN_PAPERS = 10
"""A keyword or an organization gets a feed when it has at least this many papers: a sub-topic worth following.
Every feed costs: on the real 10k archive, feeds from 10 papers on (477 keywords, 57 organizations) weigh 0.17 KB
a paper; from 5 on (1,245 and 120) 0.37 KB, from 2 on (every keyword page) about 0.9 KB."""
FEED_SIZE = 10
"""Entries of a keyword's or an organization's feed: its newest papers."""
TOP_WINDOWS = (("week", "This week", 7), ("month", "This month", 30))
"""(anchor, heading, days) of each list of the top page: the days up to the archive's newest day, both included."""
TOP_SHOWN = 20
"""Papers each list of the top page shows at most."""


@dataclass(frozen=True, slots=True)
class OrganizationIndexContext:
    """organizations.html: every organization that has a page, with its count, most papers first."""

    organizations: tuple[Link, ...]
    single: int
    """Organizations of a single paper, without a page of their own."""
    min_papers: int
    feed_min_papers: int
    """Papers an organization needs for a feed (FEED_MIN_PAPERS)."""
    updated: str | None


@dataclass(frozen=True, slots=True)
class TopWindow:
    """One list of the top page: the most upvoted papers of the days from `first` to `last`."""

    id: str
    """Its anchor ("week")."""
    heading: str
    first: str
    last: str
    total: int
    """Papers of those days with at least one upvote."""
    offset: int
    """Where its papers start among the page's papers (the lists follow each other)."""
    shown: int


@dataclass(frozen=True, slots=True)
class TopContext:
    """top.html: the most upvoted papers of the archive's newest week and month."""

    newest: str | None
    """The archive's newest day, which the windows end on (None: no paper has a date)."""
    windows: tuple[TopWindow, ...]
    updated: str | None


@dataclass(frozen=True, slots=True)
class FeedContext:
    """@topic-atom: the feed of one keyword's or organization's newest papers."""

    title: str
    """What it follows ("Keyword: masked image modeling"), after the site's title."""
    page: str
    """The output path of the listing it follows ("keywords/<slug>/index.html")."""


def feed_path(folder: str, group: Keyword) -> str | None:
    """Where the feed of a keyword or an organization goes ("keywords/<slug>/feed.xml"), None when it has none."""
    return f"{folder}/{group.slug}/feed.xml" if len(group.paper_ids) >= FEED_MIN_PAPERS else None


def plan_ways(archive: Archive, links: Links, updated: str | None) -> list[Page]:
    """The index of organizations, the feeds of keywords and organizations, the top page (`site.pages` plans
    each organization's pages as it plans a keyword's)."""
    ranked = sorted(archive.organizations.values(), key=lambda org: -len(org.paper_ids))  # ties: by folded name
    listing = tuple(Link(links.organization(org.slug), org.name, len(org.paper_ids)) for org in ranked)
    context = OrganizationIndexContext(listing, archive.single_organizations, ORGANIZATION_MIN_PAPERS, FEED_MIN_PAPERS,
                                       updated)
    return ([Page("organizations/index.html", "organizations.html", context)] + plan_topic_feeds(archive)
            + [plan_top_page(archive, updated)])


def plan_topic_feeds(archive: Archive) -> list[Page]:
    """A feed of the FEED_SIZE papers stored last (archive.newest_stored) of each keyword and organization of
    FEED_MIN_PAPERS papers or more."""
    pages = []
    for folder, label, groups in (("keywords", "Keyword", archive.keywords), ("organizations", "Organization", archive.organizations)):
        for group in groups.values():
            path = feed_path(folder, group)
            if path:
                context = FeedContext(f"{label}: {group.name}", f"{folder}/{group.slug}/index.html")
                newest = newest_stored((archive.papers[paper_id] for paper_id in group.paper_ids), FEED_SIZE)
                pages.append(Page(path, "@topic-atom", context, [paper.id for paper in newest]))
    return pages


def days_before(day: str, days: int) -> str:
    """The first of `days` days ending on `day` ("2026-08-21", 7 -> "2026-08-15")."""
    return (dt.date.fromisoformat(day) - dt.timedelta(days=days - 1)).isoformat()


def plan_top_page(archive: Archive, updated: str | None) -> Page:
    """The most upvoted papers of the newest 7 and 30 days, counted back from the archive's newest day."""
    newest = next(reversed(archive.days), None)
    ids: list[str] = []
    windows = []
    for anchor, heading, days in TOP_WINDOWS:
        first = days_before(newest, days) if newest else ""
        upvoted = [archive.papers[paper_id] for day, day_ids in archive.days.items() if day >= first
                   for paper_id in day_ids if archive.papers[paper_id].upvotes]
        ranked = sorted(upvoted, key=lambda paper: (paper.upvotes, paper.day, paper.id), reverse=True)[:TOP_SHOWN]
        windows.append(TopWindow(anchor, heading, first, newest or "", len(upvoted), len(ids), len(ranked)))
        ids += [paper.id for paper in ranked]
    return Page("top/index.html", "top.html", TopContext(newest, tuple(windows) if newest else (), updated), tuple(ids))
