"""Report the archive's health: papers, the last snapshot, days fetched, empty and never fetched, queries,
and the papers whose details (linked models, datasets, Spaces) are still missing.

`python build.py status` exits 1 when the archive looks stale (no snapshot in the last
STALE_AFTER), so a scheduled job or a cron mail can alert on it.
"""

from __future__ import annotations

import datetime as dt
import logging

from papermirror.config import Config
from papermirror.content.cache import read_papers_cached
from papermirror.content.coverage import (
    STALE_AFTER,
    ArchiveStatus,
    latest_run,
    parse_utc,
    read_last_run,
    summarise_status,
)
from papermirror.content.ledger import read_ledger
from papermirror.errors import ContentError
from papermirror.files import list_paper_files

log = logging.getLogger(__name__)

MAX_RANGES_SHOWN = 12
"""Missing-day ranges printed in the text report; --json lists them all."""


def collect_status(config: Config, now: dt.datetime | None = None) -> ArchiveStatus:
    """Read content/ (the ledger and the paper file names) and work out the archive's health."""
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    papers = len(list_paper_files(config.content_dir))
    ledger = read_ledger(config.content_dir)
    last_run = latest_run(read_last_run(config.cache_dir), ledger)  # or a failing run elsewhere, committed
    return summarise_status(config.listing, ledger, papers, now, count_details_missing(config), last_run=last_run)


def count_details_missing(config: Config) -> int | None:
    """Count the papers whose details were never fetched (None, with a warning, if a paper file cannot be read)."""
    try:
        papers = read_papers_cached(config.content_dir, config.cache_dir).papers
    except ContentError as exc:
        log.warning("details not counted: %s", exc)
        return None
    return sum(paper.details_refreshed is None for paper in papers.values())


def format_status(status: ArchiveStatus, now: dt.datetime | None = None) -> str:
    """Render the report for a terminal, one fact a line."""
    now = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    lines = [f"papers:        {status.papers} in content/papers"]
    if status.last_snapshot:
        age = (now - parse_utc(status.last_snapshot)).days
        when = (f"{age} day{'s' if age != 1 else ''} ago" if age >= 0 else
                "in the future: the clock of this machine, or of the one that fetched it, is wrong")
        if status.daily or status.last_run:
            lines.append(f"last snapshot: {status.last_snapshot} ({when})")
        else:  # the ledger of a mirror of queries alone moves only when an answer changes
            lines.append(f"last change:   {status.last_snapshot} ({when}); when the last snapshot ran is not known here "
                         "(a mirror without Daily Papers days records a run in its ledger only when an answer "
                         "changes, and this machine ran none)")
    else:
        lines.append("last snapshot: never (the ledger is empty)")
    if status.days_expected:
        weekend = sum(dt.date.fromisoformat(day).weekday() >= 5 for day in status.days_empty)
        lines += [
            f"days:          {status.since} to {status.today}: {status.days_expected} days",
            f"  fetched:     {status.days_with_papers} with papers, {len(status.days_empty)} empty "
            f"(listed nothing; {weekend} of them weekends)",
            f"  never fetched: {status.days_missing} in {len(status.missing_ranges)} range(s)",
        ]
        for first, last in status.missing_ranges[:MAX_RANGES_SHOWN]:
            lines.append(f"    {first}" + (f" .. {last}" if last != first else ""))
        if len(status.missing_ranges) > MAX_RANGES_SHOWN:
            lines.append(f"    ... and {len(status.missing_ranges) - MAX_RANGES_SHOWN} more ranges (--json lists all)")
    elif status.since > status.today:  # ISO days
        lines.append(f"days:          listing.since ({status.since}) is after today ({status.today}): no days are expected yet")
    else:
        lines.append("days:          listing.daily is off: no Daily Papers days are expected")
    if status.stream_listed:
        dropped = status.stream_listed - status.stream_kept - status.stream_skipped
        lines.append(f"topic rule:    kept {status.stream_kept} of the {status.stream_listed} listings of those days "
                     f"(passed by the rule, or stored already: from a query, or kept by an earlier rule), dropped {dropped}" + (f"; {status.stream_skipped} unusable item(s) skipped (the snapshot's "
                                             "log names each)" if status.stream_skipped else ""))
    label = " " * 15 if status.stream_listed else "topic rule:    "
    if status.rule_changed:
        lines.append(f"{label}mirror.yml's topic rule changed since the last snapshot: these are an earlier rule's "
                     "counts; the next snapshot applies the new rule to the papers it finds (those stored stay)")
    elif status.days_counted_before:
        lines.append(f"{label}{status.days_counted_before} of those days were counted under an earlier rule (it "
                     f"changed {status.rule_since}); `python build.py snapshot --since {status.since}` counts them again")
    if status.details_missing is not None:
        fetch = f"; `{status.fetch_details_command}` fetches them, a budget at a time" if status.details_missing else ""
        lines.append(f"details:       {status.details_missing} of {status.papers} papers without linked models, "
                     f"datasets and Spaces{fetch}")
    if status.last_run_failed:
        lines.append(f"last run:      {status.last_run} failed on {status.last_run_failed} day(s) or query(ies) (not "
                     "counted as fetched: the next snapshot asks again):")
        lines += [f"    {failure}" for failure in status.last_run_failures]
        if status.last_run_unnamed:
            lines.append(f"    ... and {status.last_run_unnamed} more (the run's output names each)")
    lines.append(f"queries:       {len(status.queries)}")
    for query in status.queries:
        where = "" if query.in_config else " (no longer in mirror.yml)"
        if query.last_changed:
            lines.append(f"  {query.query!r}{where}: {query.listed} listed, {query.kept} kept; "
                         f"last changed {query.last_changed}")
        else:
            lines.append(f"  {query.query!r}{where}: never fetched")
    lines.append(verdict(status))
    return "\n".join(lines)


def verdict(status: ArchiveStatus) -> str:
    """The last line: stale, incomplete (with the command that fetches what is missing), or up to date."""
    if status.stale:
        return (f"STALE: no snapshot in the last {STALE_AFTER.days} days; run `python build.py snapshot` "
                "or check the publish workflow's runs")
    if status.last_run_failed:  # runs happen, and fail: a hub failing on some days, or on every request
        return (f"FAILING: the last snapshot ({status.last_run}) could not fetch {status.last_run_failed} day(s) or "
                "query(ies) (above); `python build.py snapshot` asks again" +
                (f"; {status.days_missing} day(s) since listing.since never fetched" if status.days_missing else ""))
    if status.days_missing:
        first, last = status.missing_ranges[0][0], status.missing_ranges[-1][1]
        days = "1 day" if status.days_missing == 1 else f"{status.days_missing} days"
        return (f"INCOMPLETE: {days} since listing.since ({status.since}) never fetched, from {first} to {last}; "
                f"`{status.fetch_missing_command}` fetches every missing day")
    if status.daily and status.since > status.today:  # ISO days
        return (f"WAITING: listing.since ({status.since}) is after today ({status.today}): no Daily Papers day is "
                "fetched before then; if that is a typo, correct it in mirror.yml")
    if not status.daily:
        never = [query.query for query in status.queries if query.in_config and not query.last_changed]
        if never:
            return (f"INCOMPLETE: {len(never)} of mirror.yml's queries never fetched ({', '.join(map(repr, never))}); "
                    "`python build.py snapshot` fetches them")
        return "ok: every query of mirror.yml fetched" + ("" if status.last_run else
                                                          " (when they last were is not known here: see above)")
    return "ok: the archive is up to date: recent days fetched and every day since listing.since"
