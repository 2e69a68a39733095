"""Start a new topic from the shipped archive: empty content/papers and the ledger.

This is the one command that deletes content, so it only runs after a confirmation: `--yes`, or
'yes' typed at a terminal. The ledger goes first, so a run killed half-way never leaves a ledger
that claims days whose papers are gone (the next snapshot would skip them).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

from papermirror.config import Config
from papermirror.content.ledger import LEDGER_NAME
from papermirror.files import list_paper_files


@dataclass(frozen=True)
class ResetPlan:
    """What a reset would delete."""

    papers: int
    """Paper files in content/papers."""
    ledger: bool
    """Whether content/ledger.yml exists."""

    @property
    def empty(self) -> bool:
        return not self.papers and not self.ledger


def plan_reset(config: Config) -> ResetPlan:
    """Count what `reset_archive` would delete, deleting nothing."""
    papers = len(list_paper_files(config.content_dir))
    return ResetPlan(papers=papers, ledger=(config.content_dir / LEDGER_NAME).exists())


def reset_archive(config: Config) -> ResetPlan:
    """Delete content/ledger.yml, then content/papers (moved aside first, then removed); return what went."""
    plan = plan_reset(config)
    (config.content_dir / LEDGER_NAME).unlink(missing_ok=True)
    papers_dir = config.content_dir / "papers"
    if papers_dir.exists():
        doomed = config.content_dir / f".papers-being-deleted-{os.getpid()}"
        papers_dir.rename(doomed)
        shutil.rmtree(doomed)
    papers_dir.mkdir(parents=True, exist_ok=True)
    return plan
