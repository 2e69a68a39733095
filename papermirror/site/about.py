"""What the about page and the "updated" footer show: the topic, the sources and the coverage.

The coverage figures are `status`'s own (`summarise_status`), taken as of the content's newest time
instead of the wall clock, so that two builds of the same content draw the same bytes.
"""

from __future__ import annotations

from papermirror.site.archive import Archive
from papermirror.config import ListingConfig
from papermirror.content.ledger import Ledger
from papermirror.content.coverage import newest_fetched, parse_utc, summarise_status


def site_updated(archive: Archive, ledger: Ledger) -> str | None:
    """The site's "updated" time: the newest ledger `fetched` or paper `refreshed`/`first_seen`."""
    stamps = [stamp for stamp in (archive.updated, newest_fetched(ledger)) if stamp]
    return max(stamps, key=parse_utc) if stamps else None


def about_context(listing: ListingConfig, ledger: Ledger, archive: Archive, updated: str | None) -> dict:
    """The about page's data (plain JSON, hashed for the incremental build): topic, coverage, updated."""
    status = summarise_status(listing, ledger, len(archive.papers), parse_utc(updated)) if updated else None
    topic = {
        "queries": list(listing.queries),
        "query_limit": listing.query_limit,
        "daily": listing.daily,
        "include": list(listing.include),
        "exclude": list(listing.exclude),
        "since": listing.since.isoformat(),
        "refresh_days": listing.refresh_days,
    }
    return {"updated": updated, "topic": topic, "status": status.to_json() if status else None}
