"""reset: start a new topic from the shipped archive; never deletes without a confirmation."""

from __future__ import annotations

import builtins
import os
import shutil
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


def test_a_reset_fork_keeps_content_in_git_and_builds_an_empty_site(shipped, run_cli) -> None:
    """Git keeps no empty folder: content/README.md, which reset leaves, keeps content/ in a fork's clone, so the
    README's build and search work (an empty site, no results) until the first snapshot brings papers."""
    shutil.copy(ROOT / "content" / "README.md", shipped / "content" / "README.md")
    assert run_cli("reset", "--yes", config=shipped / "mirror.yml")[0] == 0
    assert [p.name for p in (shipped / "content").iterdir() if p.is_file()] == ["README.md"]
    shutil.rmtree(shipped / "content" / "papers")  # as a clone of the reset fork has it
    code, out, _ = run_cli("build", "--no-index", config=shipped / "mirror.yml")
    assert code == 0 and out.startswith("build: 0 papers, ") and (shipped / "site" / "index.html").is_file()
    code, out, err = run_cli("search", "masked image modeling", config=shipped / "mirror.yml")
    assert (code, out, err.splitlines()[-1]) == (0, "", "no results")


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


@pytest.mark.parametrize("key", [EOFError, KeyboardInterrupt])
def test_ctrl_d_or_ctrl_c_at_the_question_is_a_no(shipped, run_cli, monkeypatch, key) -> None:
    """Ctrl-D printed a traceback (EOFError from input); Ctrl-C said "every file written so far is complete; run
    again to carry on", which a question is not (the ops review)."""
    def press(prompt: str = "") -> str:
        raise key()

    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(builtins, "input", press)
    before = snapshot_of(shipped)
    code, out, err = run_cli("reset", config=shipped / "mirror.yml")
    assert code == 0 and "reset: nothing deleted" in out and err == "", err
    assert snapshot_of(shipped) == before


@pytest.mark.parametrize("answer", ["yes", " YES "])
def test_reset_answered_yes_deletes_the_papers_and_the_ledger(shipped, run_cli, answer_at_terminal, answer) -> None:
    answer_at_terminal(answer)
    code, out, _ = run_cli("reset", "-q", config=shipped / "mirror.yml")
    assert code == 0 and "reset: deleted" in out
    assert not (shipped / "content" / "ledger.yml").exists()
    assert not list((shipped / "content" / "papers").rglob("*.md"))


def test_reset_deletes_paper_files_only_and_names_the_files_it_keeps(shipped, run_cli) -> None:
    """A README or a folder of the owner's in content/papers is not a paper: it stays, and the reset says so;
    a temp file a cut-short write left behind goes with the papers."""
    papers_dir = shipped / "content" / "papers"
    (papers_dir / "README.md").write_text("what these files are\n", encoding="utf-8")
    (papers_dir / "2405" / "keep").mkdir(parents=True, exist_ok=True)
    (papers_dir / "2405" / "keep" / "a.txt").write_text("x\n", encoding="utf-8")
    # Markdown of the owner's among the papers (a reviewer's reading list was deleted as a paper file), and a
    # paper's file in another month's folder than its id's
    (papers_dir / "2405" / "my-reading-list.md").write_text("my list\n", encoding="utf-8")
    (papers_dir / "notes").mkdir()
    (papers_dir / "notes" / "todo.md").write_text("y\n", encoding="utf-8")
    (papers_dir / "2405" / "2501.00001.md").write_text("moved\n", encoding="utf-8")
    leftover = next(papers_dir.glob("*/*.md")).with_name(".2405.00001.md.k3j4.tmp")
    leftover.write_text("half a paper", encoding="utf-8")
    code, out, err = run_cli("reset", "--yes", config=shipped / "mirror.yml")
    assert code == 0, err
    kept = ["2405/2501.00001.md", "2405/keep/a.txt", "2405/my-reading-list.md", "README.md", "notes/todo.md"]
    assert (f"kept 5 file(s) in {shipped / 'content'} that are not paper files: "
            + ", ".join(f"papers/{rel}" for rel in kept)) in out
    left = sorted(path.relative_to(papers_dir).as_posix() for path in papers_dir.rglob("*") if path.is_file())
    assert left == kept
    assert not (shipped / "content" / "ledger.yml").exists()
    assert sorted(path.name for path in papers_dir.iterdir()) == ["2405", "README.md", "notes"]  # emptied months removed


def test_reset_without_a_ledger_does_not_say_it_deleted_one(shipped, run_cli) -> None:
    (shipped / "content" / "ledger.yml").unlink()
    code, out, err = run_cli("reset", "--yes", config=shipped / "mirror.yml")
    assert code == 0 and "reset: deleted" in out and "ledger" not in out, out


def test_reset_of_papers_kept_behind_a_symbolic_link_empties_its_target(shipped, run_cli, tmp_path) -> None:
    papers_dir = shipped / "content" / "papers"
    elsewhere = tmp_path / "papers-elsewhere"
    papers_dir.rename(elsewhere)
    papers_dir.symlink_to(elsewhere, target_is_directory=True)
    count = len(list(elsewhere.glob("*/*.md")))
    code, out, err = run_cli("reset", "--yes", config=shipped / "mirror.yml")
    assert code == 0, err
    assert f"deleted {count} paper file(s)" in out
    assert papers_dir.is_symlink() and elsewhere.is_dir() and not any(elsewhere.iterdir())
