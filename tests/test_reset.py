"""reset: start a new topic from the shipped archive; never deletes without a confirmation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.fixture
def shipped(mirror: Path) -> Path:
    """A mirror folder holding a copy of the shipped archive (papers and ledger)."""
    shutil.rmtree(mirror / "content")
    shutil.copytree(ROOT / "content", mirror / "content")
    return mirror


def snapshot_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_reset_yes_empties_papers_and_ledger_then_snapshot_backfills(shipped, fake_hub, run_cli) -> None:
    papers = len(list((shipped / "content" / "papers").glob("*/*.md")))
    assert papers > 10
    code, out, _ = run_cli("reset", "--yes", config=shipped / "mirror.yml")
    assert code == 0
    assert f"deleted {papers} paper file(s) and the ledger" in out
    assert list((shipped / "content").rglob("*")) == [shipped / "content" / "papers"]
    assert (shipped / "mirror.yml").is_file()
    # The next snapshot starts the new topic from scratch.
    code, _, _ = run_cli("snapshot", "--since", "2024-05-27", "--until", "2024-05-27", config=shipped / "mirror.yml")
    assert code == 0
    assert (shipped / "content" / "ledger.yml").is_file()
    assert list((shipped / "content" / "papers").glob("*/*.md"))


def test_reset_without_terminal_or_yes_refuses_and_deletes_nothing(shipped, run_cli) -> None:
    before = snapshot_of(shipped)
    code, _, err = run_cli("reset", config=shipped / "mirror.yml")
    assert code == 2
    assert "no terminal to confirm on; nothing deleted. Pass --yes" in err
    assert snapshot_of(shipped) == before


def test_reset_of_an_empty_archive_does_nothing(mirror, run_cli) -> None:
    code, out, _ = run_cli("reset", config=mirror / "mirror.yml")
    assert code == 0 and "nothing to do" in out


def run_in_terminal(folder: Path, answer: str) -> tuple[int, str]:
    """Run `build.py reset` with a real pseudo-terminal on stdin and type `answer`."""
    import pty

    master, slave = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--config", str(folder / "mirror.yml"),
                                    "reset"], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        os.write(master, answer.encode() + b"\n")
        out, _ = process.communicate(timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    return process.returncode, out


def test_reset_at_a_terminal_asks_and_takes_only_yes(shipped) -> None:
    before = snapshot_of(shipped)
    code, out = run_in_terminal(shipped, "no")
    assert code == 0 and "Type 'yes' to go on" in out and "nothing deleted" in out
    assert snapshot_of(shipped) == before
    code, out = run_in_terminal(shipped, "yes")
    assert code == 0 and "deleted" in out
    assert not (shipped / "content" / "ledger.yml").exists()
    assert not list((shipped / "content" / "papers").rglob("*"))
