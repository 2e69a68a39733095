"""The merge rules: how a freshly fetched record folds into the one stored in content/ (a listing's
item: merge_paper; a paper's own object, its linked repos: merge_details)."""

from __future__ import annotations

from papermirror.content.paper import VOLATILE_FIELDS, LinkedRepo, LinkedTotals, Paper


def merge_paper(stored: Paper | None, fresh: Paper, now: str) -> Paper:
    """Fold a freshly fetched record into the stored one.

    - A new paper is stored as fetched, with first_seen = refreshed = now.
    - Title, authors, published and abstract are written once and then belong to the file, so a
      hand fix survives; notes are never touched.
    - Volatile fields take the fresh value when the hub sent one and keep the stored one when it
      did not (older API shapes lack fields); days and queries are unions.
    - `refreshed` moves to `now` only when a volatile field changed, so a re-run changes no byte.
    """
    if stored is None:
        return fresh.replace(first_seen=now, refreshed=now)
    changes: dict[str, object] = {}
    for name in VOLATILE_FIELDS:
        old, new = getattr(stored, name), getattr(fresh, name)
        if name in ("daily", "queries"):
            new = tuple(sorted(set(old) | set(new)))
        elif new is None or new == ():
            new = old
        if new != old:
            changes[name] = new
    if not stored.published and fresh.published:
        changes["published"] = fresh.published
    if not stored.authors and fresh.authors:
        changes["authors"] = fresh.authors
    if not stored.abstract and fresh.abstract:
        changes["abstract"] = fresh.abstract
    if not changes:
        return stored
    return stored.replace(**changes, refreshed=now, first_seen=stored.first_seen or now)


def merge_details(
    stored: Paper, linked: tuple[LinkedRepo, ...], totals: LinkedTotals, now: str, stamp: bool = False
) -> Paper:
    """Fold a paper's freshly fetched linked repos into the stored record (the listings never touch them).

    - The fresh repos and totals replace the stored ones; a paper whose details were not fetched keeps its own.
    - `details_refreshed` moves to `now` when they changed or were never stored, so a snapshot that finds
      nothing new changes no byte; with `stamp` (the details backfill) on every fetch, so that the backfill
      works through the archive oldest first.
    """
    unchanged = stored.linked == linked and stored.linked_totals == totals and stored.details_refreshed
    if unchanged and (not stamp or stored.details_refreshed == now):
        return stored
    return stored.replace(linked=linked, linked_totals=totals, details_refreshed=now)
