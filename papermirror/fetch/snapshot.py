"""The snapshot stage: fetch the topic's listing, normalise it, fold it into content/.

Queries run first, then the Daily Papers days in parallel (a few at a time), then the details (linked
models, datasets, Spaces) of the papers new or listed again (fetch/details.py). Each day's papers are
written before the day goes into the ledger, so a run killed half-way loses nothing and the next
run fetches the unfinished days again.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sys
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field

from tqdm import tqdm

from papermirror.config import Config
from papermirror.content.coverage import record_last_run
from papermirror.content.ledger import LastRun, Ledger, read_ledger, write_ledger
from papermirror.content.paper import Paper, format_stamp
from papermirror.content.paperfile import brief, paper_to_text, read_papers, write_merged
from papermirror.errors import ContentError, FetchError
from papermirror.fetch.details import (
    DetailsSummary,
    fetch_details,
    fold_details,
    wanted_by_snapshot,
)
from papermirror.fetch.hub import Hub
from papermirror.fetch.inorder import fetch_in_order
from papermirror.fetch.merge import merge_paper
from papermirror.fetch.normalise import normalise_item
from papermirror.fetch.topic import Topic
from papermirror.files import remove_stale_temp_files

log = logging.getLogger(__name__)

DAY_WORKERS = 4
"""Days fetched at once; the hub's rate limiter keeps the total under HF's quota."""
MAX_FAILURES = 3
"""Stop asking for queries after this many failed in a row (each after every retry), and for days after this many
days in a row: the hub, or that endpoint, is probably down. Counted apart, and in a row, so that a search endpoint
that fails, or a few days the hub cannot serve, never keeps the other days (today's above all) from every run."""


@dataclass
class Summary:
    """What a snapshot did, for the closing line and the exit status."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    days: int = 0
    queries: int = 0
    skipped: int = 0
    listed: int = 0
    """Items the hub returned over the whole run, before filtering."""
    usable: int = 0
    """Papers of the run's listings that could be read (`listed` less the items skipped)."""
    days_usable: int = 0
    """Papers the Daily Papers days of the run listed that could be read (the queries' left out)."""
    days_unreadable: int = 0
    """Items the Daily Papers days of the run listed that could not be read."""
    failures: list[str] = field(default_factory=list)
    withheld: int = 0
    """Empty answers left out of the ledger because the run `looks_empty` (asked again by the next run)."""
    new_ids: list[str] = field(default_factory=list)
    archive_size: int = 0
    """Papers in the archive after the run."""
    details: DetailsSummary | None = None
    """The papers' details (linked models, datasets, Spaces) fetched after the listing; None: not asked."""

    def line(self) -> str:
        text = (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged; "
            f"{self.days} day{'' if self.days == 1 else 's'} and {self.queries} quer{'y' if self.queries == 1 else 'ies'} fetched"
        )
        text += f"; {len(self.failures)} failed" if self.failures else ""
        return text + (f"; details: {self.details.line()}" if self.details else "")

    def looks_empty(self) -> bool:
        """Tell whether the hub answered nothing at all where it should have: a sign it is broken.

        True when the run fetched three days or more (more than a weekend: Daily Papers lists papers every
        weekday) and none of them listed a paper, whatever the queries listed (an outage of the daily endpoint
        while search still answered was recorded as weeks of empty days); or when every query listed nothing
        too, for an archive that already has papers (a new archive's queries may well find nothing yet). Items
        that could not be read count as nothing: a hub answering `[{"error": ...}]` for every day is down too.
        """
        days_silent = self.days >= 3 and self.days_usable == 0  # whatever the queries list: they cannot stand in
        return days_silent or (self.usable == 0 and self.queries > 0 and self.archive_size > 0)

    def suspicion(self) -> str:
        """What a run that `looks_empty` saw, for the run's output and the record of its failures."""
        days_silent = self.days >= 3 and not self.days_usable
        silent = f"no paper on any of the {self.days} days asked" if days_silent else "no paper at all"
        unreadable = self.days_unreadable if days_silent else self.listed - self.usable
        if unreadable:
            silent += f", only {unreadable} item(s) it could not read"
        return (f"the hub listed {silent} (Daily Papers lists papers every weekday); none of the empty answers was "
                "recorded (papers the queries found are kept)")


def days_to_fetch(config: Config, ledger: Ledger, today: dt.date, since: dt.date | None, until: dt.date | None) -> list[str]:
    """Pick the days of this run, oldest first (so the newest listing's figures are folded in last).

    With --since/--until, every day in that range. Otherwise every day from listing.since to today
    that the ledger lacks or marks for a recheck, plus the last listing.refresh_days days (their
    figures still move).
    """
    if not config.listing.daily:
        return []
    forced = since is not None or until is not None
    first = since or config.listing.since
    last = min(until or today, today)
    refresh_from = today - dt.timedelta(days=config.listing.refresh_days - 1)
    days = []
    day = first
    while day <= last:
        iso = day.isoformat()
        if forced or iso not in ledger.days or day >= refresh_from or ledger.days[iso].get("recheck"):
            days.append(iso)
        day += dt.timedelta(days=1)
    return days


class Snapshot:
    """One run of the snapshot stage over an archive in memory."""

    def __init__(self, config: Config, hub: Hub, now: dt.datetime, dry_run: bool = False, allow_empty: bool = False) -> None:
        self.config, self.hub, self.dry_run, self.allow_empty = config, hub, dry_run, allow_empty
        self.now = now.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.content_dir = config.content_dir
        self.papers = read_papers(self.content_dir)
        self._found = dict(self.papers)
        """The archive as this run found it: a paper whose listings disagree within the run goes back to it."""
        if not dry_run and remove_stale_temp_files(self.content_dir):
            log.info("removed temp files left by an interrupted run")
        self.ledger = read_ledger(self.content_dir)
        self.ledger.note_rule(config.listing.rule_digest(), self.now)  # written with the run's first counts
        self.topic = Topic.from_listing(config.listing)
        self.summary = Summary()
        refresh_days = config.listing.refresh_days
        self.refresh_from = (now.astimezone(dt.timezone.utc).date() - dt.timedelta(days=refresh_days - 1)).isoformat()
        self.window_start = format_stamp(now - dt.timedelta(days=refresh_days))
        self._refetched: set[str] = set()  # papers listed on a day of the refresh window
        self._held: list[Callable[[], None]] = []
        """Ledger entries of empty answers, written at the end unless the whole run looks broken."""
        self._in_a_row = {"query": 0, "day": 0}
        """Failures in a row, of queries and of days (MAX_FAILURES)."""
        self._days_stopped = False
        """Whether MAX_FAILURES days failed in a row: no more days are asked, nor any details."""

    def run(self, days: list[str], progress: bool) -> Summary:
        """Fetch the queries, then the days; fold each result in as it arrives."""
        bar = tqdm(total=len(self.config.listing.queries) + len(days), unit="req", disable=not progress)
        try:
            for query in self.config.listing.queries:
                if self._in_a_row["query"] >= MAX_FAILURES:
                    log.error("%d queries failed in a row: the hub's search is probably down; the other queries are "
                              "left for the next run, the days are fetched", MAX_FAILURES)
                    break
                self._run_query(query)
                bar.update()
            self._run_days(days, bar)
        finally:
            bar.close()
        self.summary.archive_size = len(self.papers)
        self._run_details(progress)
        self.summary.updated = sum(self.papers[paper_id] is not found and self.papers[paper_id] != found
                                   for paper_id, found in self._found.items())
        self.summary.unchanged = len(self.papers) - self.summary.new - self.summary.updated
        self._write_held()
        return self.summary

    def _run_query(self, query: str) -> None:
        try:
            items = self.hub.search(query, self.config.listing.query_limit)
        except FetchError as exc:
            self._fail(f"query {query!r}: {exc}", "query")
            return
        papers = [normalise_item(item, query=query) for item in items]
        counts = self._take(f"query {query!r}", "query", papers, listing_filter=False)
        if counts is None:
            return
        listed, kept, skipped = counts
        self.summary.queries += 1
        self._record(lambda: self.ledger.record_query(query, listed, kept, self.now, skipped), empty=skipped == listed)

    def _run_days(self, days: list[str], bar: tqdm) -> None:
        """Fetch a few days at once, but fold them in the order given, so the result is deterministic."""
        def handle(day: str, future: Future) -> bool:
            self._finish_day(day, future)
            bar.update()
            if self._in_a_row["day"] >= MAX_FAILURES and not self._days_stopped:
                self._days_stopped = True  # said once; the days already asked for are still handed over
                log.error("%d days failed in a row: the hub is probably down; the other days are left for the next "
                          "run", MAX_FAILURES)
            return not self._days_stopped

        fetch_in_order(self.hub.fetch_day, days, DAY_WORKERS, handle)

    def _finish_day(self, day: str, future: Future) -> None:
        try:
            items = future.result()
        except FetchError as exc:
            self._fail(f"day {day}: {exc}", "day")
            return
        elsewhere = listed_elsewhere(items, day)
        if elsewhere:
            self._fail(f"day {day}: {elsewhere}", "day")
            return
        papers = [normalise_item(item, listed_on=day) for item in items]
        counts = self._take(f"day {day}", "day", papers, listing_filter=True)
        if counts is None:
            return
        listed, kept, skipped = counts
        if day >= self.refresh_from:
            self._refetched.update(paper.id for paper in papers if paper is not None and paper.id in self.papers)
        self.summary.days += 1
        self.summary.days_usable += listed - skipped
        self.summary.days_unreadable += skipped
        # An empty weekday is confirmed only by a second empty answer: one `[]` may be the hub's hiccup.
        recheck = not items and dt.date.fromisoformat(day).weekday() < 5 and not self.ledger.was_empty(day)
        # A listing with no paper it could read is held like an empty one: not recorded if the run looks broken.
        self._record(lambda: self.ledger.record_day(day, listed, kept, self.now, recheck, skipped), empty=skipped == listed)

    def _take(self, what: str, kind: str, papers: list[Paper | None], listing_filter: bool) -> tuple[int, int, int] | None:
        """Fold one listing's papers (as normalised: None for an unusable item) into the archive; return its counts
        (listed, kept, skipped), or None when none of UNREADABLE_MIN_ITEMS or more could be stored (a failed `kind`
        of listing, asked again by the next run)."""
        kept, skipped = self._fold(papers, listing_filter)
        listed = count_listed(papers)
        if len(papers) >= UNREADABLE_MIN_ITEMS and skipped == listed:
            self._fail(unreadable(what, len(papers)), kind)
            return None
        self._in_a_row[kind] = 0
        self.summary.listed += listed
        self.summary.usable += listed - skipped
        self._log(f"{what}: {listed} listed, {kept} kept" + (f", {skipped} skipped" if skipped else ""))
        return listed, kept, skipped

    def _run_details(self, progress: bool) -> None:
        """Fetch the details of new papers, of the refresh window's and of recent ones still without them
        (not in a dry run, nor in a run that looks broken: the hub down or listing nothing at all)."""
        # (a search endpoint down says nothing of the papers' own: only days failing in a row stop the details)
        if self.dry_run or self._days_stopped or (self.summary.looks_empty() and not self.allow_empty):
            return
        paper_ids = wanted_by_snapshot(self.papers, [*self.summary.new_ids, *self._refetched], self.window_start)
        self.summary.details = fetch_details(
            self.hub, paper_ids, lambda paper_id, answer: fold_details(self.papers, paper_id, answer, self.now, False, self._store),
            progress=progress)
        self.summary.details.missing = sum(paper.details_refreshed is None for paper in self.papers.values())

    def _record(self, update: Callable[[], None], empty: bool) -> None:
        """Put one answer's counts into the ledger now, or, for an answer with no paper that could be read (an empty
        one, most often), at the end of the run."""
        if self.dry_run:
            return
        if empty:
            self._held.append(update)
            return
        update()
        write_ledger(self.content_dir, self.ledger)

    def _write_held(self) -> None:
        """Write the empty answers' entries, unless the run listed nothing at all and looks broken."""
        if not self._held:
            return
        if self.summary.looks_empty() and not self.allow_empty:
            self.summary.withheld = len(self._held)
            return
        for update in self._held:
            update()
        write_ledger(self.content_dir, self.ledger)

    def _fold(self, fresh_papers: list[Paper | None], listing_filter: bool) -> tuple[int, int]:
        """Merge the papers of one listing into the archive and write what changed; count the papers kept and
        the items skipped (unusable, or a paper that cannot be stored: each named in the log).

        A paper may come twice in one run with different figures (a query's answer and a day's, or two
        pages of a day between which its upvotes moved). When the last one gives back what the file held
        when the run began, the file is put back as it was, `refreshed` included: a re-run changes no byte.
        """
        kept: set[str] = set()
        unstored: set[str] = set()  # papers that could not be stored (counted once, and not when stored after all)
        skipped = 0
        for fresh in fresh_papers:
            if fresh is None:
                skipped += 1
                self.summary.skipped += 1  # a paper that cannot be stored is counted by _store
                continue
            stored = self.papers.get(fresh.id)
            if stored is None and not self._belongs(fresh, listing_filter):
                continue
            merged = merge_paper(stored, fresh, self.now)
            found = self._found.get(fresh.id)
            if found is not None and merged is not found and same_but_stamps(merged, found):
                merged = found
            if merged is not stored:
                written = self._store(stored, merged, lambda current, fresh=fresh: merge_paper(current, fresh, self.now))
                if written is None:
                    unstored.add(fresh.id)
                    continue
                merged = written
            kept.add(fresh.id)
            if merged is not stored:
                self.papers[fresh.id] = merged
                if stored is None:
                    self.summary.new += 1
                    self.summary.new_ids.append(fresh.id)
        return len(kept), skipped + len(unstored - kept)

    def _store(self, stored: Paper | None, merged: Paper, remerge: Callable[[Paper], Paper]) -> Paper | None:
        """Write one paper onto its file as it is now (`write_merged`: an edit made during the run is kept; in a
        dry run, only serialise it); skip it with a warning if it cannot be stored, or if its file was changed
        during the run and no longer reads (then `stored` is returned, nothing written). Return what was written."""
        try:
            if self.dry_run:
                paper_to_text(merged)
                return merged
            return write_merged(self.content_dir, stored, merged, remerge)
        except (ValueError, UnicodeError) as exc:
            log.warning("skipped paper %s: it cannot be stored (%s)", merged.id, brief(exc, 160))
        except ContentError as exc:
            log.warning("left paper %s as it is: its file changed during the run and no longer reads (%s); "
                        "the next run tries again", merged.id, exc)
            return stored
        self.summary.skipped += 1
        return None

    def _belongs(self, paper: Paper, listing_filter: bool) -> bool:
        """Tell whether a paper not yet in the archive belongs to this topic."""
        return self.topic.keeps(paper) if listing_filter else not self.topic.excludes(paper)

    def _fail(self, message: str, kind: str) -> None:
        """Count a failed query or day (`kind`): it stays out of the ledger, so the next run asks again."""
        self.summary.failures.append(message)
        self._in_a_row[kind] += 1
        log.error("%s", message)

    def _log(self, message: str) -> None:
        if not sys.stderr.isatty():
            log.info("%s", message)
        else:
            log.debug("%s", message)


UNREADABLE_MIN_ITEMS = 3
"""A listing of this many items or more, none of them usable, fails (the hub's answers may have changed shape) and
stays out of the ledger. A shorter one (a quiet day's one odd paper) is recorded with its `skipped` count: else
it would fail every run for good."""


def count_listed(papers: list[Paper | None]) -> int:
    """How many papers a listing holds: its items as normalised (None: unusable), a paper listed twice in it (two
    versions of its id too) counted once: the ledger's `listed` beside `kept` and `skipped`, which count papers (a day
    listing one paper twice read as a paper the topic rule dropped)."""
    return papers.count(None) + len({paper.id for paper in papers if paper is not None})


def unreadable(listing: str, count: int) -> str:
    """The failure of a listing none of whose items could be stored: the hub's answers may have changed shape.
    It is not recorded in the ledger, so the next run asks again."""
    return (f"{listing}: none of the {count} item(s) listed could be stored (each named above); not recorded as "
            "fetched, so the next run asks again")


def listed_elsewhere(items: list[object], day: str) -> str | None:
    """Why a day's answer is another day's listing (a redirect, or a hub that ignores `date`), else None: most of
    its items (UNREADABLE_MIN_ITEMS or more say a day) say they were listed on another day. Filed under the day
    asked for and recorded as fetched, they would move papers to the wrong day and lose that day's own for good.
    (No recorded day has a single item listed on another day.)"""
    said = [listed_on(item) for item in items]
    dated = [found for found in said if found]
    others = Counter(found for found in dated if found != day)
    if len(dated) < UNREADABLE_MIN_ITEMS or sum(others.values()) * 2 <= len(dated):
        return None
    other, count = others.most_common(1)[0]
    return (f"the hub answered with another day's listing ({count} of the {len(items)} items say they were listed on "
            f"{other}); not recorded as fetched, so the next run asks again")


def listed_on(item: object) -> str | None:
    """The day a raw Daily Papers item says it was listed on (`paper.submittedOnDailyAt`), if it says one."""
    paper = item.get("paper") if isinstance(item, dict) else None
    value = paper.get("submittedOnDailyAt") if isinstance(paper, dict) else None
    return value[:10] if isinstance(value, str) and re.match(r"\d{4}-\d{2}-\d{2}", value) else None


def same_but_stamps(paper: Paper, other: Paper) -> bool:
    """Tell whether two records of a paper differ at most in when they were refreshed (and first seen)."""
    return paper.replace(refreshed=other.refreshed, first_seen=other.first_seen) == other


def run_snapshot(
    config: Config,
    hub: Hub,
    since: dt.date | None = None,
    until: dt.date | None = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
    progress: bool = False,
    allow_empty: bool = False,
) -> Summary:
    """Fetch the topic's queries and days and fold them into content/; return what changed.

    A run that listed nothing at all for a topic with papers (`Summary.looks_empty`) records none of its empty
    answers, unless `allow_empty`: it is recorded as a failure instead. What the run failed on (or that it failed
    on nothing) is kept for `status`, in .cache/ and, when it changes, in the ledger (`failing`).
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    snapshot = Snapshot(config, hub, now, dry_run=dry_run, allow_empty=allow_empty)
    days = days_to_fetch(config, snapshot.ledger, now.astimezone(dt.timezone.utc).date(), since, until)
    summary = snapshot.run(days, progress=progress)
    if not dry_run:
        # the days and queries not counted as fetched: those that failed, and the empty answers a run that looked
        # broken left out (said in one line)
        withheld = max(1, summary.withheld) if summary.looks_empty() and not allow_empty else 0
        run = LastRun.of(snapshot.now, summary.failures, withheld, summary.suspicion() if withheld else "")
        # for `status`: a quiet day's run changes no count in content/, nor does one the hub fails on the newest days
        record_last_run(config.cache_dir, run)
        if snapshot.ledger.note_run(run):
            write_ledger(config.content_dir, snapshot.ledger)
    return summary
