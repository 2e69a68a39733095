"""Start a new topic from the shipped archive: empty content/papers and the ledger.

This is the one command that deletes content, so it only runs after a confirmation: `--yes`, or
'yes' typed at a terminal. It deletes the paper files (content/papers/<YYMM>/<id>.md) and the leftovers of
writes that were cut short, nothing else: another file in content/papers stays, and is named. The ledger
goes first, so a run killed half-way never leaves a ledger that claims days whose papers are gone (the next
snapshot would skip them); such a run leaves some paper files, which the next reset deletes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from papermirror.config import Config
from papermirror.content.ledger import LEDGER_NAME
from papermirror.content.paper import is_paper_relpath
from papermirror.files import PAPERS_DIR, TEMP_GLOB, list_paper_files, remove_stale_temp_files


@dataclass(frozen=True)
class ResetPlan:
    """What a reset would delete, and what it would leave."""

    papers: int
    """Paper files in content/papers."""
    ledger: bool
    """Whether content/ledger.yml exists."""
    others: tuple[str, ...] = ()
    """Other files in content/papers (paths relative to content/), which stay."""

    @property
    def empty(self) -> bool:
        return not self.papers and not self.ledger


def other_files(content_dir: Path, papers: list[str]) -> tuple[str, ...]:
    """Files in content/papers other than `papers` and leftovers of cut-short writes, relative to content/."""
    known, others = set(papers), []
    for folder, _dirs, files in os.walk(content_dir / PAPERS_DIR):
        for name in files:
            rel = Path(folder, name).relative_to(content_dir).as_posix()
            if rel not in known and not fnmatch(name, TEMP_GLOB):
                others.append(rel)
    return tuple(sorted(others))


def paper_files(content_dir: Path) -> list[str]:
    """The files of content/papers that are papers' (a paper id's file in its month's folder), relative to content/:
    an owner's reading-list.md beside them is not one, and stays."""
    return [rel for rel in list_paper_files(content_dir) if is_paper_relpath(rel)]


def plan_reset(config: Config) -> ResetPlan:
    """Count what `reset_archive` would delete, deleting nothing."""
    papers = paper_files(config.content_dir)
    return ResetPlan(papers=len(papers), ledger=(config.content_dir / LEDGER_NAME).exists(),
                     others=other_files(config.content_dir, papers))


def reset_archive(config: Config) -> ResetPlan:
    """Delete content/ledger.yml, then every paper file, the temp files cut-short writes left in content/
    (files.remove_stale_temp_files), and the folders of content/papers that leaves empty; return what went
    (and what stayed)."""
    plan = plan_reset(config)
    (config.content_dir / LEDGER_NAME).unlink(missing_ok=True)
    papers_dir = config.content_dir / PAPERS_DIR
    for rel in paper_files(config.content_dir):
        (config.content_dir / rel).unlink(missing_ok=True)
    remove_stale_temp_files(config.content_dir)
    for folder, dirs, _files in os.walk(papers_dir, topdown=False):
        for name in dirs:
            try:
                Path(folder, name).rmdir()  # only when empty: another file keeps its folder
            except OSError:
                pass
    papers_dir.mkdir(parents=True, exist_ok=True)
    return plan
