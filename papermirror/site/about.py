"""What the about page and the "updated" footer show: the topic, the sources and the coverage.

The coverage figures are `status`'s own (`summarise_status`), taken as of the content's newest time
instead of the wall clock, so that two builds of the same content draw the same bytes.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from papermirror.config import ListingConfig
from papermirror.content.coverage import (
    ArchiveStatus,
    newest_fetched,
    parse_utc,
    summarise_status,
)
from papermirror.content.ledger import LastRun, Ledger
from papermirror.fetch.topic import Topic
from papermirror.site.archive import Archive


@dataclass(frozen=True, slots=True)
class QueryFigures:
    """One search of the topic, with the ledger's figures for it."""

    query: str
    listed: int | None
    """Papers the hub returned the last time the counts changed (None: never fetched)."""
    kept: int | None
    """Papers of those stored for this topic."""
    last_changed: str | None
    """When the counts last changed, UTC, ISO 8601 (None: never fetched)."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """The figures of `python build.py status`, as of the content's newest time."""

    papers: int
    last_snapshot: str | None
    """The newest `fetched` of any day or query in the ledger (None: never)."""
    since: str
    today: str
    """The last day counted: the content's newest day."""
    days_expected: int
    """Days from `since` to `today`, both included (0 when the Daily Papers feed is not read)."""
    days_with_papers: int
    days_empty: int
    """Days fetched that listed no paper."""
    days_missing: int
    """Days never fetched."""
    missing_ranges: tuple[tuple[str, str], ...]
    """The never-fetched days as (first, last) ranges, oldest first."""
    old_queries: tuple[QueryFigures, ...]
    """Searches the ledger remembers but mirror.yml no longer asks."""


@dataclass(frozen=True, slots=True)
class AboutContext:
    """about.html: the topic (mirror.yml's listing), its coverage, and the site's updated time."""

    updated: str | None
    queries: tuple[QueryFigures, ...]
    """mirror.yml's searches, with their figures (all never fetched before the first snapshot)."""
    query_limit: int
    daily: bool
    """Whether the Daily Papers feed is read."""
    rule: str
    """The topic rule in words (`Topic.describe`): which Daily Papers papers are kept, which dropped."""
    stream_listed: int
    """Daily Papers items the ledger counts over every day fetched."""
    stream_kept: int
    """Of those, the papers the rule kept."""
    stream_skipped: int
    """Of those, the items that could not be stored: the rule neither kept nor dropped them."""
    rule_changed: bool
    """mirror.yml's rule is not the one the figures were counted under (changed since the last snapshot)."""
    rule_since: str | None
    """When the rule replaced another, if the ledger recorded it."""
    days_counted_before: int
    """Days counted under an earlier rule."""
    since: str
    refresh_days: int
    coverage: Coverage | None
    """None before the first snapshot."""
    repository: str | None = None
    """The GitHub repository the site is published from (`pages_repository`), for "Host a mirror of your own topic"."""
    failing: LastRun | None = None
    """The last snapshot, if it could not fetch some days or queries (the ledger's `failing`): why the newest days
    may be missing."""


def site_updated(archive: Archive, ledger: Ledger) -> str | None:
    """The site's "updated" time: the newest ledger `fetched` or paper `refreshed`/`first_seen`."""
    stamps = [stamp for stamp in (archive.updated, newest_fetched(ledger)) if stamp]
    return max(stamps, key=parse_utc) if stamps else None


def pages_repository(base_url: str) -> str | None:
    """The GitHub repository a GitHub Pages site is published from, read from its address: https://USER.github.io/REPO/
    is github.com/USER/REPO, https://USER.github.io/ is github.com/USER/USER.github.io; None for any other address
    (a custom domain, a preview on the loopback address)."""
    parts = urllib.parse.urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if not host.endswith(".github.io") or host.count(".") != 2:
        return None
    first = parts.path.strip("/").split("/")[0]
    return f"https://github.com/{host.removesuffix('.github.io')}/{first or host}"


def about_context(listing: ListingConfig, ledger: Ledger, archive: Archive, updated: str | None,
                  base_url: str = "") -> AboutContext:
    """The about page's data (small and plain, hashed for the incremental build): topic, coverage, updated."""
    status = summarise_status(listing, ledger, len(archive.papers), parse_utc(updated)) if updated else None
    if status:
        queries = tuple(QueryFigures(q.query, q.listed, q.kept, q.last_changed) for q in status.queries if q.in_config)
    else:
        queries = tuple(QueryFigures(query, None, None, None) for query in listing.queries)
    return AboutContext(
        updated=updated,
        queries=queries,
        query_limit=listing.query_limit,
        daily=listing.daily,
        rule=Topic.from_listing(listing).describe(daily=listing.daily),
        stream_listed=status.stream_listed if status else 0,
        stream_kept=status.stream_kept if status else 0,
        stream_skipped=status.stream_skipped if status else 0,
        rule_changed=status.rule_changed if status else False,
        rule_since=status.rule_since if status else None,
        days_counted_before=status.days_counted_before if status else 0,
        since=listing.since.isoformat(),
        refresh_days=listing.refresh_days,
        coverage=coverage_of(status) if status else None,
        repository=pages_repository(base_url),
        failing=ledger.failing,
    )


def coverage_of(status: ArchiveStatus) -> Coverage:
    """The about page's share of `status`: counts rather than the lists of days behind them."""
    return Coverage(
        papers=status.papers,
        last_snapshot=status.last_snapshot,
        since=status.since,
        today=status.today,
        days_expected=status.days_expected,
        days_with_papers=status.days_with_papers,
        days_empty=len(status.days_empty),
        days_missing=status.days_missing,
        missing_ranges=tuple(status.missing_ranges),
        old_queries=tuple(QueryFigures(q.query, q.listed, q.kept, q.last_changed) for q in status.queries if not q.in_config),
    )
