"""content/ledger.yml: every Daily Papers day and query fetched, with counts.

A day enters the ledger only after its papers are written, so a day missing here was never fetched
(or its run was killed), and the next snapshot fetches it. A weekday the hub listed nothing for is
kept with `recheck: true` until a later run sees it empty again (a transient empty answer must not
lose a day for good).

`rule` records the topic rule the counts were made under (`ListingConfig.rule_digest`) and since when: after a
change of the rule, the days counted before it are told apart (`days_counted_before`), and each is counted
again, its `fetched` moved, the next time it is fetched.

`failing` records the last run when it could not fetch some days or queries (they stay out of days: and
queries:, and the next run asks again), and is gone once a run fetches all it asks: a run failing on the newest
days changes no count, and without it a clone of the repository (the published site, `status` on another
machine) could not tell such runs from no run at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from papermirror.content.paper import format_stamp, parse_day, parse_stamp
from papermirror.content.paperfile import (
    DUMPER,
    brief,
    decode_utf8,
    key_lines,
    load_yaml,
)
from papermirror.errors import ContentError
from papermirror.files import write_text_atomic

LEDGER_NAME = "ledger.yml"
FAILURES_KEPT = 5
"""The failures a run's record keeps word for word (each clipped to FAILURE_CHARS); the others are counted."""
FAILURE_CHARS = 300
COUNT_KEYS = ("listed", "kept")
OPTIONAL_COUNT_KEYS = ("skipped",)
"""Counts an entry holds only when not 0."""


@dataclass(frozen=True)
class LastRun:
    """A snapshot run: when it ran and what it failed on (the ledger's `failing`, and .cache/last-snapshot.json)."""

    ran: str
    """When it ran, UTC, YYYY-MM-DDTHH:MM:SSZ."""
    failed: int = 0
    """The days and queries it could not fetch."""
    failures: tuple[str, ...] = ()
    """The first FAILURES_KEPT of those, as the run said them ("day 2026-07-18: HTTP 500 ..."), and, after them, what
    a run that looked broken saw (one line for its `withheld` answers)."""
    withheld: int = 0
    """Of `failed`, the empty answers of a run that looked broken (the hub listing nothing), left out of the ledger."""

    @classmethod
    def of(cls, ran: str, failures: list[str], withheld: int = 0, suspicion: str = "") -> LastRun:
        """The record of a run that failed on `failures` (none: it fetched all it asked) and withheld `withheld` empty
        answers, which `suspicion` says why."""
        kept = [failure[:FAILURE_CHARS] for failure in failures[:FAILURES_KEPT]]
        return cls(ran, len(failures) + withheld, tuple(kept + ([suspicion[:FAILURE_CHARS]] if withheld else [])),
                   withheld)

    @property
    def unnamed(self) -> int:
        """The failures counted but not said (beyond FAILURES_KEPT)."""
        return self.failed - self.withheld - (len(self.failures) - bool(self.withheld))

    def to_data(self) -> dict:
        return {"ran": self.ran, "failed": self.failed, "failures": list(self.failures),
                **({"withheld": self.withheld} if self.withheld else {})}


def last_run_from(value: object) -> LastRun | None:
    """A LastRun from its `to_data()`, or None if `value` is not one."""
    if not isinstance(value, dict) or set(value) - {"withheld"} != {"ran", "failed", "failures"}:
        return None
    ran, failed, failures, withheld = parse_stamp(value["ran"]), value["failed"], value["failures"], value.get("withheld", 0)
    if (ran is None or type(failed) is not int or type(withheld) is not int or not isinstance(failures, list)
            or not all(isinstance(failure, str) for failure in failures) or not 0 <= withheld <= failed):
        return None
    run = LastRun(format_stamp(ran), failed, tuple(failures), withheld)
    return run if run.unnamed >= 0 and (not withheld or failures) else None


@dataclass
class Ledger:
    """What has been fetched: each Daily Papers day and each query, with counts.

    `fetched` is when the entry last changed, so a run that finds nothing new writes no byte.
    """

    days: dict[str, dict] = field(default_factory=dict)
    queries: dict[str, dict] = field(default_factory=dict)
    rule: str | None = None
    """The digest of the topic rule of the last snapshot (None: a ledger written before rules were recorded)."""
    rule_since: str | None = None
    """When that rule replaced another (None: no change recorded)."""
    failing: LastRun | None = None
    """The last snapshot, if it could not fetch some days or queries (None: the last one fetched all it asked)."""

    def note_run(self, run: LastRun) -> bool:
        """Record the end of a snapshot: its failures, or none; tell whether that changed the ledger (a run that
        fetched all it asked, after runs that did too, changes nothing)."""
        failing = run if run.failed else None
        changed, self.failing = failing != self.failing, failing
        return changed

    def note_rule(self, digest: str, now: str) -> None:
        """Record the topic rule a snapshot counts under; a different one from the last run's takes effect `now`.
        A ledger without a rule (older, or new) takes it as the rule it always had."""
        if self.rule is not None and self.rule != digest:
            self.rule_since = now
        self.rule = digest

    def days_counted_before(self) -> int:
        """Days whose counts were last set before the current rule took effect (an earlier rule's figures)."""
        since = self.rule_since
        return sum(entry["fetched"] < since for entry in self.days.values()) if since else 0

    def record_day(self, day: str, listed: int, kept: int, now: str, recheck: bool = False, skipped: int = 0) -> None:
        """Record a day's counts; `recheck` marks an empty answer that the next run must ask again; `skipped`
        counts the listed items that could not be stored (written only when there are some)."""
        counts = {"listed": listed, "kept": kept, **({"skipped": skipped} if skipped else {}),
                  **({"recheck": True} if recheck else {})}
        self._record(self.days, day, counts, now)

    def record_query(self, query: str, listed: int, kept: int, now: str, skipped: int = 0) -> None:
        self._record(self.queries, query, {"listed": listed, "kept": kept, **({"skipped": skipped} if skipped else {})}, now)

    def was_empty(self, day: str) -> bool:
        """Tell whether the day is recorded with no paper listed (confirmed or still to recheck)."""
        entry = self.days.get(day)
        return entry is not None and entry.get("listed") == 0

    def _record(self, table: dict[str, dict], key: str, counts: dict, now: str) -> None:
        old = table.get(key)
        if (old is not None and {k: v for k, v in old.items() if k != "fetched"} == counts
                and not (self.rule_since and old["fetched"] < self.rule_since)):  # counted again under a new rule
            return
        table[key] = {**counts, "fetched": now}

    def to_text(self) -> str:
        header = (
            "# Written by `python build.py snapshot`: every Daily Papers day and query fetched.\n"
            "# listed = papers the hub returned, kept = papers stored for this topic,\n"
            "# skipped = items the hub returned that could not be stored (no id, a broken field: named in the run's log),\n"
            "# fetched = when these counts were last seen to change. A day missing here was never fetched.\n"
            "# recheck = the hub listed nothing on this weekday once; the next run asks again to confirm it.\n"
            "# rule = a digest of the topic rule these counts follow, and since when (a day fetched before was counted\n"
            "# under an earlier rule).\n"
            "# failing = the last run could not fetch some days or queries (the first few named; the next run asks\n"
            "# again); gone once a run fetches all it asks.\n"
        )
        rule = {"digest": self.rule, **({"since": self.rule_since} if self.rule_since else {})}
        meta = {**({"rule": rule} if self.rule else {}),
                **({"failing": self.failing.to_data()} if self.failing else {}),
                "days": dict(sorted(self.days.items())), "queries": dict(sorted(self.queries.items()))}
        return header + yaml.dump(meta, Dumper=DUMPER, sort_keys=False, allow_unicode=True, width=1_000_000)


def read_ledger(content_dir: Path) -> Ledger:
    """Read content/ledger.yml (an empty ledger when there is none); name the file and line of anything wrong."""
    path = content_dir / LEDGER_NAME
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Ledger()
    except OSError as exc:
        raise ContentError(f"{path}: cannot read the ledger: {exc}") from None
    raw, node = load_yaml(decode_utf8(data, path).removeprefix("\ufeff"), path, what="the ledger")
    if raw is None:
        return Ledger()
    if not isinstance(raw, dict):
        raise ContentError(f"{path}:{node.start_mark.line + 1}: the ledger must be a mapping of days: and queries:, "
                           f"not {type(raw).__name__}")
    lines = key_lines(node, 1)
    unknown = [key for key in raw if key not in ("rule", "failing", "days", "queries")]
    if unknown:
        raise ContentError(f"{path}:{lines.get(unknown[0], 1)}: unknown key(s): {_names(unknown)}")
    rule, rule_since = _check_rule(raw.get("rule"), f"{path}:{lines.get('rule', 1)}: rule")
    failing = last_run_from(raw["failing"]) if "failing" in raw else None
    if "failing" in raw and (failing is None or not failing.failed):
        value = raw["failing"]
        withheld = f" (withheld: {brief(value['withheld'])})" if isinstance(value, dict) and "withheld" in value else ""
        raise ContentError(f"{path}:{lines.get('failing', 1)}: failing: must be a table of ran (a time in the form "
                           "YYYY-MM-DDTHH:MM:SSZ), failed (a whole number above 0), failures (a list of texts: no more "
                           "than failed) and, for a run that withheld the empty answers of a hub listing nothing, "
                           "withheld (how many of failed; failures then ends with one line for them, so it holds no "
                           f"more than failed - withheld + 1), not {brief(value)}{withheld}")
    tables = {}
    for name in ("days", "queries"):
        table = raw.get(name) or {}
        if not isinstance(table, dict):
            raise ContentError(f"{path}:{lines.get(name, 1)}: {name}: must be a table, not {type(table).__name__}")
        tables[name] = _check_table(name, table, _child(node, name), path)
    return Ledger(days=tables["days"], queries=tables["queries"], rule=rule, rule_since=rule_since, failing=failing)


def _check_rule(value: object, where: str) -> tuple[str | None, str | None]:
    """The ledger's `rule: {digest: ..., since: ...}` (since left out when no change was recorded)."""
    if value is None:
        return None, None
    if not isinstance(value, dict) or set(value) - {"digest", "since"} or "digest" not in value:
        raise ContentError(f"{where}: must be a table of digest (and since), not {brief(value)}")
    digest, since = value["digest"], value.get("since")
    if not isinstance(digest, str) or not re.fullmatch(r"[0-9a-f]{6,64}", digest):
        raise ContentError(f"{where}: digest: not a digest of the topic rule: {brief(digest)}")
    when = parse_stamp(since) if since is not None else None
    if since is not None and when is None:
        raise ContentError(f"{where}: since: not a time in the form YYYY-MM-DDTHH:MM:SSZ: {brief(since)}")
    return digest, format_stamp(when) if when else None


def _check_table(name: str, table: dict, node: yaml.Node | None, path: Path) -> dict[str, dict]:
    """Check every entry of days: or queries:; return them keyed by text."""
    lines, checked = key_lines(node, 1), {}
    for key, entry in table.items():
        text, line = str(key), lines.get(key, 1)
        if name == "days" and parse_day(text) is None:
            raise ContentError(f"{path}:{line}: days: {brief(text)} is not a day in the form YYYY-MM-DD")
        label = f"{name}: {text if name == 'days' else brief(text)}"
        if not isinstance(entry, dict):
            raise ContentError(f"{path}:{line}: {label}: must be a table of listed, kept, fetched, "
                               f"not {type(entry).__name__}")
        checked[text] = _check_entry(entry, key_lines(_child(node, key), 1), path, line, label)
    return checked


def _check_entry(entry: dict, lines: dict[object, int], path: Path, line: int, label: str) -> dict:
    """Check one day's or query's counts: listed, kept and skipped if any (whole numbers), fetched (a UTC time),
    recheck.

    `line` is the entry's line and `label` names it ('days: 2025-03-14'); a bad key gets its own line.
    """
    def where(key: object) -> str:
        return f"{path}:{lines.get(key, line)}: {label}"

    unknown = [key for key in entry if key not in (*COUNT_KEYS, *OPTIONAL_COUNT_KEYS, "fetched", "recheck")]
    if unknown:
        raise ContentError(f"{where(unknown[0])}: unknown key(s): {_names(unknown)}")
    for key in (*COUNT_KEYS, "fetched"):
        if key not in entry:
            raise ContentError(f"{where(key)}: {key}: missing")
    for key in (*COUNT_KEYS, *(key for key in OPTIONAL_COUNT_KEYS if key in entry)):
        if not isinstance(entry[key], int) or isinstance(entry[key], bool) or entry[key] < 0:
            raise ContentError(f"{where(key)}: {key}: must be a whole number of 0 or more, not {brief(entry[key])}")
    if entry["kept"] + entry.get("skipped", 0) > entry["listed"]:  # a snapshot never counts so: a hand edit
        counted = f"kept {entry['kept']} and skipped {entry['skipped']} add up to" if "skipped" in entry else \
            f"kept {entry['kept']} is"
        raise ContentError(f"{where('kept')}: {counted} more than listed {entry['listed']}: they count papers among those "
                           "listed (stored, and not storable)")
    when = parse_stamp(entry["fetched"])
    if when is None:
        raise ContentError(f"{where('fetched')}: fetched: not a time in the form YYYY-MM-DDTHH:MM:SSZ: "
                           f"{brief(entry['fetched'])}")
    if entry.get("recheck", True) is not True:
        raise ContentError(f"{where('recheck')}: recheck: must be true or left out, not {brief(entry['recheck'])}")
    return {**entry, "fetched": format_stamp(when)}


def _names(keys: list[object]) -> str:
    return ", ".join(key if isinstance(key, str) and len(key) <= 80 else brief(key) for key in keys)


def _child(node: yaml.Node | None, key: object) -> yaml.Node | None:
    """Return the value node of `key` in a mapping node (None when absent)."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(key):
                return value_node
    return None


def write_ledger(content_dir: Path, ledger: Ledger) -> bool:
    """Write content/ledger.yml atomically if it changed."""
    return write_text_atomic(content_dir / LEDGER_NAME, ledger.to_text())
