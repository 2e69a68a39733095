"""reset: start a new topic from the shipped archive; never deletes without a confirmation."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.fixture
def answer_at_terminal(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], list[str]]:
    """In-process stand-in for a terminal: stdin is a tty and `input` answers the given text; returns the
    prompts shown (the real pseudo-terminal is run_in_terminal's)."""

    def answer_with(answer: str) -> list[str]:
        prompts: list[str] = []
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
        monkeypatch.setattr(builtins, "input", lambda prompt="": prompts.append(prompt) or answer)
        return prompts

    return answer_with


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


@pytest.mark.parametrize("answer", ["n", "no", "", "  ", "y", "YES please"])
def test_reset_answered_anything_but_yes_deletes_nothing_and_exits_0(shipped, run_cli, answer_at_terminal, answer) -> None:
    prompts = answer_at_terminal(answer)
    before = snapshot_of(shipped)
    code, out, err = run_cli("reset", config=shipped / "mirror.yml")
    assert code == 0, err
    assert "reset: nothing deleted" in out and err == ""
    assert len(prompts) == 1 and "Type 'yes' to go on" in prompts[0]
    assert snapshot_of(shipped) == before


@pytest.mark.parametrize("answer", ["yes", " YES "])
def test_reset_answered_yes_deletes_the_papers_and_the_ledger(shipped, run_cli, answer_at_terminal, answer) -> None:
    answer_at_terminal(answer)
    code, out, _ = run_cli("reset", "-q", config=shipped / "mirror.yml")
    assert code == 0 and "reset: deleted" in out
    assert not (shipped / "content" / "ledger.yml").exists()
    assert not list((shipped / "content" / "papers").rglob("*.md"))
