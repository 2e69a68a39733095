"""A paper's details: the models, datasets and Spaces on huggingface.co that link it (`/api/papers/{id}`).

The listings do not carry them, so each paper's own object is fetched, through the same Hub (its retries
and rate limit), a few at a time, and each answer is folded in and written as it arrives, in the order
asked (so a killed run loses nothing and the result does not depend on which answer came first):

- a snapshot fetches them for every paper new to the archive, every paper listed on a day of the refresh
  window (the days fetched again), and every paper first seen in that window whose details are still
  missing: a 404 or a failure keeps the paper and is tried again by the next run;
- `build.py details` backfills an archive: papers without details first, then those measured longest
  ago, at most listing.details_budget requests a run (a run stopped by the budget, a failure or a kill
  is carried on by the next one).

A failing details request never fails the listing: after MAX_FAILURES failures the run stops asking.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field

from tqdm import tqdm

from papermirror.config import Config
from papermirror.content.paper import Paper, format_stamp
from papermirror.content.paperfile import brief, read_papers, write_merged
from papermirror.errors import ContentError, FetchError
from papermirror.fetch.hub import BudgetSpent, Hub, NotFound
from papermirror.fetch.inorder import fetch_in_order
from papermirror.fetch.merge import merge_details
from papermirror.fetch.normalise import normalise_details
from papermirror.files import remove_stale_temp_files

log = logging.getLogger(__name__)

DETAIL_WORKERS = 4
"""Paper objects fetched at once; the hub's rate limiter keeps the total under HF's quota."""
MAX_FAILURES = 3
"""Stop asking for details after this many papers failed every retry: the hub is probably down."""
MAX_UNUSABLE_IN_A_ROW = 10
"""Stop asking after this many answers in a row held no usable details: the hub's objects may have changed shape. One
paper's odd object is that paper's problem (counted as failed, tried again later), not the hub's."""

Fold = Callable[[str, dict], "bool | None"]
"""Fold one paper's answer into the archive: True if its details changed, False if not, None if unusable."""


@dataclass
class DetailsSummary:
    """What a run of details requests did."""

    asked: int = 0
    """Papers whose details the run meant to fetch."""
    fetched: int = 0
    """Papers whose object the hub sent."""
    changed: int = 0
    """Papers whose stored details changed (written)."""
    not_found: int = 0
    """Papers the hub answered 404 for (kept; tried again later)."""
    failed: list[str] = field(default_factory=list)
    """Papers that failed every retry or sent an unusable answer, with why."""
    stopped: str = ""
    """Why the run stopped before asking for every paper ('' when it did not)."""
    hub_failures: int = 0
    """Papers whose request failed every retry (MAX_FAILURES)."""
    unusable_in_a_row: int = 0
    """Answers in a row that held no usable details (MAX_UNUSABLE_IN_A_ROW)."""
    missing: int = 0
    """Papers of the archive still without details after the run."""

    def line(self) -> str:
        text = f"{self.fetched} of {self.asked} papers fetched, {self.changed} changed"
        text += f", {self.not_found} not found" if self.not_found else ""
        text += f", {len(self.failed)} failed" if self.failed else ""
        return text + (f"; stopped: {self.stopped}" if self.stopped else "")


def fetch_details(hub: Hub, paper_ids: list[str], fold: Fold, progress: bool = False) -> DetailsSummary:
    """Fetch the objects of `paper_ids` a few at a time and fold each in, in the order given."""
    summary = DetailsSummary(asked=len(paper_ids))
    bar = tqdm(total=len(paper_ids), unit="paper", desc="details", disable=not progress)

    def handle(paper_id: str, future: Future) -> bool:
        bar.update()
        return _finish(paper_id, future, fold, summary)

    with bar:
        fetch_in_order(hub.fetch_paper, paper_ids, DETAIL_WORKERS, handle, name="details")
    return summary


def _finish(paper_id: str, future: Future, fold: Fold, summary: DetailsSummary) -> bool:
    """Fold one answer in or count its failure; tell whether the run goes on."""
    try:
        answer = future.result()
    except BudgetSpent as exc:
        summary.stopped = f"the budget is spent ({exc}); the next run carries on"
        return False
    except NotFound:
        summary.not_found += 1
        log.info("paper %s: the hub has no object for it (404); kept, its details are tried again later", paper_id)
        return True
    except FetchError as exc:
        summary.hub_failures += 1
        _fail(summary, f"paper {paper_id}: {exc}")
        if summary.hub_failures >= MAX_FAILURES:
            summary.stopped = f"{MAX_FAILURES} papers failed (the hub is probably down); the next run tries again"
            return False
        return True
    summary.fetched += 1
    changed = fold(paper_id, answer)
    if changed is None:
        summary.unusable_in_a_row += 1
        _fail(summary, f"paper {paper_id}: the answer holds no usable details")
        if summary.unusable_in_a_row >= MAX_UNUSABLE_IN_A_ROW:
            summary.stopped = (f"{MAX_UNUSABLE_IN_A_ROW} answers in a row held no usable details (has the shape of "
                               "the hub's paper objects changed?); the next run tries again")
            return False
        return True
    summary.unusable_in_a_row = 0
    summary.changed += int(changed)
    return True


def _fail(summary: DetailsSummary, message: str) -> None:
    summary.failed.append(message)
    log.warning("details of %s; kept, tried again later", message)


Store = Callable[[Paper | None, Paper, Callable[[Paper], Paper]], "Paper | None"]
"""How a run writes a paper: (the paper as read when the run began, the merged paper, how to merge the fresh data
into the file as it is now) -> the paper written; the first one when its file was changed during the run and no
longer reads (nothing written: the next run tries again); None when it cannot be stored (`store_paper`)."""


def fold_details(papers: dict[str, Paper], paper_id: str, answer: dict, now: str, stamp: bool,
                 store: Store) -> bool | None:
    """Normalise one paper's object, merge it into `papers[paper_id]` and store what changed (see Fold)."""
    stored = papers[paper_id]
    details = normalise_details(answer, paper_id, stored.linked, stored.linked_totals)
    if details is None:
        return None
    merged = merge_details(stored, *details, now, stamp=stamp)
    if merged is stored:
        return False
    written = store(stored, merged, lambda current: merge_details(current, *details, now, stamp=stamp))
    if written is None:
        return None
    if written is stored:  # its file is being edited: left as it is
        return False
    papers[paper_id] = written
    # Written either way; "changed" only when the details did (the backfill's stamp moves on every fetch).
    return stored.details_refreshed is None or (written.linked, written.linked_totals) != (stored.linked, stored.linked_totals)


def wanted_by_snapshot(papers: dict[str, Paper], listed: Iterable[str], window_start: str) -> list[str]:
    """The papers a snapshot asks details for: `listed` (new, or on a day of the refresh window) and
    those first seen since `window_start` whose details are still missing (a failure is tried again)."""
    retry = (p.id for p in papers.values() if p.details_refreshed is None and (p.first_seen or "") >= window_start)
    return sorted({*listed, *retry} & papers.keys())


def pick_for_backfill(papers: dict[str, Paper], count: int, day: str) -> list[str]:
    """Up to `count` papers: those without details first, then those measured longest ago; ties by id.

    The papers without details come in an order of their own each `day` (a hash of day and id): a paper the
    hub has no object for (a 404 keeps it without details) would otherwise come first on every run, and more
    of them than a budget would hold every other paper back for good."""
    def key(paper: Paper) -> tuple[str, str, str]:
        if paper.details_refreshed is not None:
            return "1", paper.details_refreshed, paper.id
        return "0", hashlib.blake2b(f"{day} {paper.id}".encode(), digest_size=8).hexdigest(), paper.id

    return [paper.id for paper in sorted(papers.values(), key=key)[:count]]


def run_details_backfill(config: Config, hub: Hub, budget: int | None = None, now: dt.datetime | None = None,
                         progress: bool = False) -> DetailsSummary:
    """Fetch the details of the papers that lack them or were measured longest ago, within `budget`
    requests (default listing.details_budget); write each paper as its answer arrives."""
    budget = budget or config.listing.details_budget
    stamp = format_stamp(now or dt.datetime.now(dt.timezone.utc))
    papers = read_papers(config.content_dir)
    if remove_stale_temp_files(config.content_dir):
        log.info("removed temp files left by an interrupted run")

    def store(stored: Paper | None, merged: Paper, remerge: Callable[[Paper], Paper]) -> Paper | None:
        return store_paper(config, stored, merged, remerge)

    hub.max_requests = hub.requests + budget
    try:
        summary = fetch_details(hub, pick_for_backfill(papers, budget, stamp[:10]),
                                lambda paper_id, answer: fold_details(papers, paper_id, answer, stamp, True, store),
                                progress=progress)
    finally:
        hub.max_requests = None
    summary.missing = sum(paper.details_refreshed is None for paper in papers.values())
    return summary


def store_paper(config: Config, stored: Paper | None, merged: Paper, remerge: Callable[[Paper], Paper]) -> Paper | None:
    """Write one paper onto its file as it is now (`write_merged`: an edit made during the run is kept); skip it
    with a warning if it cannot be stored (None), or if its file was changed during the run and no longer reads
    (`stored`, nothing written)."""
    try:
        return write_merged(config.content_dir, stored, merged, remerge)
    except (ValueError, UnicodeError) as exc:
        log.warning("skipped the details of paper %s: it cannot be stored (%s)", merged.id, brief(exc, 160))
    except ContentError as exc:
        log.warning("left paper %s as it is: its file changed during the run and no longer reads (%s); "
                    "the next run tries again", merged.id, exc)
        return stored
    return None
