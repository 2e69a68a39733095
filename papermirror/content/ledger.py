"""content/ledger.yml: every Daily Papers day and query fetched, with counts.

A day enters the ledger only after its papers are written, so a day missing here was never fetched
(or its run was killed), and the next snapshot fetches it. A weekday the hub listed nothing for is
kept with `recheck: true` until a later run sees it empty again (a transient empty answer must not
lose a day for good).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from papermirror.content.paperfile import DUMPER, LOADER
from papermirror.errors import ContentError
from papermirror.files import write_text_atomic

LEDGER_NAME = "ledger.yml"


@dataclass
class Ledger:
    """What has been fetched: each Daily Papers day and each query, with counts.

    `fetched` is when the entry last changed, so a run that finds nothing new writes no byte.
    """

    days: dict[str, dict] = field(default_factory=dict)
    queries: dict[str, dict] = field(default_factory=dict)

    def record_day(self, day: str, listed: int, kept: int, now: str, recheck: bool = False) -> None:
        """Record a day's counts; `recheck` marks an empty answer that the next run must ask again."""
        counts = {"listed": listed, "kept": kept, **({"recheck": True} if recheck else {})}
        self._record(self.days, day, counts, now)

    def record_query(self, query: str, listed: int, kept: int, now: str) -> None:
        self._record(self.queries, query, {"listed": listed, "kept": kept}, now)

    def was_empty(self, day: str) -> bool:
        """Tell whether the day is recorded with no paper listed (confirmed or still to recheck)."""
        entry = self.days.get(day)
        return entry is not None and entry.get("listed") == 0

    @staticmethod
    def _record(table: dict[str, dict], key: str, counts: dict, now: str) -> None:
        old = table.get(key)
        if old is not None and {k: v for k, v in old.items() if k != "fetched"} == counts:
            return
        table[key] = {**counts, "fetched": now}

    def to_text(self) -> str:
        header = (
            "# Written by `python build.py snapshot`: every Daily Papers day and query fetched.\n"
            "# listed = papers the hub returned, kept = papers stored for this topic,\n"
            "# fetched = when these counts were last seen to change. A day missing here was never fetched.\n"
            "# recheck = the hub listed nothing on this weekday once; the next run asks again to confirm it.\n"
        )
        meta = {"days": dict(sorted(self.days.items())), "queries": dict(sorted(self.queries.items()))}
        return header + yaml.dump(meta, Dumper=DUMPER, sort_keys=False, allow_unicode=True, width=1_000_000)


def read_ledger(content_dir: Path) -> Ledger:
    """Read content/ledger.yml (an empty ledger when there is none)."""
    path = content_dir / LEDGER_NAME
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER) or {}
    except FileNotFoundError:
        return Ledger()
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
        raise ContentError(f"{path}: cannot read the ledger: {exc}") from None
    if not isinstance(raw, dict) or not all(isinstance(raw.get(k, {}), dict) for k in ("days", "queries")):
        raise ContentError(f"{path}: the ledger must map days: and queries: to tables")
    days = {(k.isoformat() if isinstance(k, dt.date) else str(k)): v for k, v in raw.get("days", {}).items()}
    return Ledger(days=days, queries={str(k): v for k, v in raw.get("queries", {}).items()})


def write_ledger(content_dir: Path, ledger: Ledger) -> bool:
    """Write content/ledger.yml atomically if it changed."""
    return write_text_atomic(content_dir / LEDGER_NAME, ledger.to_text())
