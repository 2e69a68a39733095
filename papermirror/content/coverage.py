"""The archive's coverage, worked out from the ledger: days fetched, empty and never fetched, queries
(and, from the papers, how many still lack their details: linked models, datasets and Spaces).

`python build.py status` reports it against the wall clock; the about page against the content's
newest time, so that two builds of the same content draw the same page.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from papermirror.config import ListingConfig
from papermirror.content.ledger import LastRun, Ledger, last_run_from
from papermirror.files import write_text_atomic

STALE_AFTER = dt.timedelta(days=3)
"""An archive whose newest ledger entry is older than this looks stale."""
LAST_RUN_FILE = "last-snapshot.json"
"""In .cache/: when the last snapshot on this machine ran (its time, as the ledger stamps it) and what it failed on.
The ledger's counts move only when an answer changes: a mirror of queries alone (listing.daily off) records nothing
on a quiet day. Not in content/, so that such a run changes no byte there. (A run that fails is recorded in the
ledger too, `failing`, for every clone to see.)"""


def record_last_run(cache_dir: Path, run: LastRun) -> None:
    """Keep when this snapshot ran and what it failed on (LAST_RUN_FILE); a cache that cannot be written only loses
    that."""
    try:
        write_text_atomic(cache_dir / LAST_RUN_FILE, json.dumps(run.to_data()) + "\n")
    except OSError:
        pass


def read_last_run(cache_dir: Path) -> LastRun | None:
    """This machine's record of the last snapshot (LAST_RUN_FILE), or None."""
    try:
        record = json.loads((cache_dir / LAST_RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(record, dict):  # an earlier version wrote the time alone ({"ran": ...}): a run without failures
        record = {"failed": 0, "failures": [], **record}
    return last_run_from(record)


def latest_run(local: LastRun | None, ledger: Ledger) -> LastRun | None:
    """The last snapshot known: the newer of this machine's record and the ledger's `failing` (a run elsewhere, the
    publish workflow's, that failed on some days), or None. This machine's record of a failing run is passed over
    when the ledger, pulled since, says a later run fetched and failed on nothing (no `failing`, a newer `fetched`):
    else `status` said FAILING after that run had fetched what this one could not."""
    newest = newest_fetched(ledger)
    if (local and local.failed and not ledger.failing and newest
            and parse_utc(newest) > parse_utc(local.ran)):
        local = None
    known = [run for run in (local, ledger.failing) if run]
    return max(known, key=lambda run: parse_utc(run.ran)) if known else None


@dataclass(frozen=True)
class QueryStatus:
    """One query of mirror.yml or of the ledger."""

    query: str
    """The search text."""
    listed: int | None
    """Papers the hub returned the last time the counts changed (None: never fetched)."""
    kept: int | None
    """Papers of those stored for this topic."""
    last_changed: str | None
    """When the counts last changed (the ledger's `fetched`), UTC, ISO 8601."""
    in_config: bool
    """False for a query the ledger remembers but mirror.yml no longer asks."""


@dataclass(frozen=True)
class ArchiveStatus:
    """Everything `status` reports, computed once from content/ and mirror.yml."""

    papers: int
    """Paper files in content/papers."""
    last_snapshot: str | None
    """The newest `fetched` of any day or query in the ledger, or the last run this machine recorded (`last_run`)
    if later (None: never)."""
    stale: bool
    """True when last_snapshot is missing or older than STALE_AFTER; for a mirror of queries alone, only from
    `last_run` (its ledger moves only when an answer changes)."""
    since: str
    """listing.since: the first day the archive should hold."""
    today: str
    """The last day counted (UTC)."""
    days_expected: int
    """Days from `since` to `today`, both included (0 when listing.daily is off)."""
    days_with_papers: int
    """Days in that span the ledger holds with at least one listed paper."""
    days_empty: tuple[str, ...]
    """Days fetched that listed no paper: weekends, holidays, a quiet hub."""
    days_missing: int
    """Days in the span never fetched."""
    missing_ranges: tuple[tuple[str, str], ...]
    """The never-fetched days as (first, last) ranges, oldest first."""
    queries: tuple[QueryStatus, ...]
    """The queries of mirror.yml, then those only the ledger remembers."""
    stream_listed: int = 0
    """Daily Papers items listed on the days from listing.since the ledger holds: the stream the topic rule sifted."""
    stream_kept: int = 0
    """Of those, the papers the topic rule kept (the ledger's `kept`, summed)."""
    stream_skipped: int = 0
    """Of those, the items that could not be stored (the ledger's `skipped`): neither kept nor dropped by the rule."""
    details_missing: int | None = None
    """Papers whose details (linked models, datasets, Spaces) were never fetched (None: not counted)."""
    daily: bool = True
    """listing.daily: whether the Daily Papers days are fetched (else the queries alone)."""
    last_run: str | None = None
    """When the last snapshot known ran: this machine's (.cache/last-snapshot.json) or, if later, the ledger's
    `failing` (None: no record)."""
    last_run_failed: int = 0
    """The days and queries that last run could not fetch (they stay out of the ledger; the next run asks again)."""
    last_run_failures: tuple[str, ...] = ()
    """The first few of them, as the run said them."""
    last_run_unnamed: int = 0
    """Of them, those not said (beyond the first few)."""
    rule_changed: bool = False
    """mirror.yml's topic rule is not the one the last snapshot counted under: every count is an earlier rule's."""
    rule_since: str | None = None
    """When the rule the ledger records replaced another (None: no change recorded)."""
    days_counted_before: int = 0
    """Days whose counts were last set before that change: an earlier rule's (each is counted again when fetched)."""

    @property
    def fetch_details_command(self) -> str | None:
        """The command that fetches missing details, a budget at a time."""
        return "python build.py details" if self.details_missing else None

    @property
    def up_to_date(self) -> bool:
        """Fresh (a snapshot within STALE_AFTER), complete (every day since `since` fetched) and the last run on
        this machine failed nowhere."""
        return not self.stale and not self.days_missing and not self.last_run_failed

    @property
    def fetch_missing_command(self) -> str | None:
        """The command that fetches the missing days: every day the ledger lacks since listing.since."""
        return "python build.py snapshot" if self.days_missing else None

    def to_json(self) -> dict:
        data = asdict(self)
        data["up_to_date"] = self.up_to_date
        data["fetch_missing_command"] = self.fetch_missing_command
        data["fetch_details_command"] = self.fetch_details_command
        data["missing_ranges"] = [list(pair) for pair in self.missing_ranges]
        data["days_empty"] = list(self.days_empty)
        data["queries"] = [asdict(query) for query in self.queries]
        data["last_run_failures"] = list(self.last_run_failures)
        return data


def summarise_status(listing: ListingConfig, ledger: Ledger, papers: int, now: dt.datetime,
                     details_missing: int | None = None, last_run: LastRun | None = None) -> ArchiveStatus:
    """Work out the archive's health from the ledger and the paper count, as of `now`.

    `status` passes the wall clock and this machine's record of the last run (`read_last_run`); the site's
    about page passes the content's newest time and no record, so that two builds of the same content draw
    the same page. A mirror of queries alone (listing.daily off) is never called stale without that record:
    its ledger moves only when an answer changes, so an old stamp says nothing of when it last ran.
    """
    today = now.date()
    ran = last_run.ran if last_run else None
    last = max(filter(None, (newest_fetched(ledger), ran)), key=parse_utc, default=None)
    # (a ledger of queries alone tells no age of the last run: only a time in the future, a wrong clock, is stale)
    oldest = STALE_AFTER if listing.daily or ran else dt.timedelta.max
    stale = last is None or not dt.timedelta(days=-1) <= now - parse_utc(last) <= oldest  # a future time: a wrong clock
    span = list(days_between(listing.since, today)) if listing.daily else []
    with_papers = [day for day in span if day in ledger.days and ledger.days[day].get("listed", 0) > 0]
    empty = tuple(day for day in span if day in ledger.days and not ledger.days[day].get("listed", 0))
    missing = [day for day in span if day not in ledger.days]
    fetched = [day for day in span if day in ledger.days]  # "those days": a day before listing.since is not counted
    return ArchiveStatus(
        papers=papers,
        last_snapshot=last,
        stale=stale,
        since=listing.since.isoformat(),
        today=today.isoformat(),
        days_expected=len(span),
        days_with_papers=len(with_papers),
        days_empty=empty,
        days_missing=len(missing),
        missing_ranges=tuple(day_ranges(missing)),
        queries=tuple(query_statuses(listing, ledger)),
        stream_listed=sum(_whole(ledger.days[day], "listed") for day in fetched),
        stream_kept=sum(_whole(ledger.days[day], "kept") for day in fetched),
        stream_skipped=sum(_whole(ledger.days[day], "skipped") for day in fetched),
        details_missing=details_missing,
        daily=listing.daily,
        last_run=ran,
        last_run_failed=last_run.failed if last_run else 0,
        last_run_failures=last_run.failures if last_run else (),
        last_run_unnamed=last_run.unnamed if last_run else 0,
        rule_changed=ledger.rule is not None and ledger.rule != listing.rule_digest(),
        rule_since=ledger.rule_since,
        days_counted_before=ledger.days_counted_before(),
    )


def _whole(entry: object, key: str) -> int:
    value = entry.get(key) if isinstance(entry, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def newest_fetched(ledger: Ledger) -> str | None:
    """Return the newest `fetched` stamp of any day or query, or None for an empty ledger."""
    stamps = [str(entry["fetched"]) for table in (ledger.days, ledger.queries) for entry in table.values()
              if isinstance(entry, dict) and entry.get("fetched")]
    return max(stamps, key=parse_utc) if stamps else None


def parse_utc(stamp: str) -> dt.datetime:
    """Parse the ledger's '2026-11-30T18:25:27Z' (a naive stamp is taken as UTC)."""
    when = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


def days_between(first: dt.date, last: dt.date):
    """Yield every day from first to last, both included, as YYYY-MM-DD."""
    day = first
    while day <= last:
        yield day.isoformat()
        day += dt.timedelta(days=1)


def day_ranges(days: list[str]) -> list[tuple[str, str]]:
    """Fold sorted YYYY-MM-DD days into (first, last) runs of consecutive days."""
    ranges: list[tuple[str, str]] = []
    for day in days:
        if ranges and dt.date.fromisoformat(ranges[-1][1]) + dt.timedelta(days=1) == dt.date.fromisoformat(day):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def query_statuses(listing: ListingConfig, ledger: Ledger) -> list[QueryStatus]:
    """The configured queries in mirror.yml's order, then any the ledger remembers besides."""
    result = []
    for query in listing.queries:
        entry = ledger.queries.get(query) or {}
        result.append(QueryStatus(query, entry.get("listed"), entry.get("kept"), entry.get("fetched"), True))
    for query, entry in sorted(ledger.queries.items()):
        if query not in listing.queries:
            result.append(QueryStatus(query, entry.get("listed"), entry.get("kept"), entry.get("fetched"), False))
    return result
