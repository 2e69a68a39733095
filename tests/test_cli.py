"""build.py's command line: -q/-v before or after the command, and reset taking "no" for an answer."""

from __future__ import annotations

import builtins
import shutil
import sys
from pathlib import Path

import pytest
from conftest import ROOT

import build


@pytest.fixture
def shipped(mirror: Path) -> Path:
    """A mirror folder holding a copy of the shipped archive (papers and ledger)."""
    shutil.rmtree(mirror / "content")
    shutil.copytree(ROOT / "content", mirror / "content")
    return mirror


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("argv", "quiet", "verbose"), [
    (["build"], False, False),
    (["-q", "build"], True, False),
    (["build", "-q"], True, False),
    (["build", "--quiet", "--no-index"], True, False),
    (["-v", "snapshot"], False, True),
    (["snapshot", "-v"], False, True),
    (["snapshot", "--since", "2025-03-14", "--verbose"], False, True),
    (["-q", "status", "-v"], True, True),
    (["search", "masked", "-q"], True, False),
    (["reset", "-q"], True, False),
    (["serve", "-v"], False, True),
])
def test_quiet_and_verbose_work_before_and_after_every_command(argv, quiet, verbose) -> None:
    args = build.make_parser().parse_args(argv)
    assert (args.quiet, args.verbose) == (quiet, verbose)


@pytest.mark.parametrize("flags", [["-v"], ["--verbose"]])
@pytest.mark.parametrize("before", [True, False])
def test_build_verbose_before_or_after_the_command_says_more(shipped, run_cli, flags, before) -> None:
    argv = [*flags, "build", "--no-index", "--jobs", "1"] if before else ["build", "--no-index", "--jobs", "1", *flags]
    code, out, err = run_cli(*argv, config=shipped / "mirror.yml")
    assert code == 0 and out.startswith("build: ")
    assert "to draw" in err  # a debug line


def test_build_without_verbose_keeps_debug_lines_back(shipped, run_cli) -> None:
    code, out, err = run_cli("build", "--no-index", "--jobs", "1", config=shipped / "mirror.yml")
    assert code == 0 and out.startswith("build: ")
    assert "to draw" not in err


@pytest.mark.parametrize(("argv", "says_indexing"), [
    (["search", "masked"], True),
    (["search", "masked", "-q"], False),
    (["search", "-q", "masked"], False),
    (["-q", "search", "masked"], False),
])
def test_search_quiet_before_or_after_the_command_keeps_progress_back(shipped, run_cli, argv, says_indexing) -> None:
    code, out, err = run_cli(*argv, config=shipped / "mirror.yml")
    assert code == 0 and out  # results still print
    assert ("search: indexing" in err) is says_indexing


def test_snapshot_quiet_after_the_command_prints_only_the_summary(fake_hub, mirror, run_cli) -> None:
    code, out, err = run_cli("snapshot", "--since", "2025-03-14", "--until", "2025-03-14", config=mirror / "mirror.yml")
    assert code == 0 and err  # without -q: a line per day and query on stderr
    code, out, err = run_cli("snapshot", "--since", "2025-03-14", "--until", "2025-03-14", "-q",
                             config=mirror / "mirror.yml")
    assert code == 0 and out.startswith("snapshot: ")
    assert err == ""


@pytest.mark.parametrize("answer", ["n", "no", "", "  ", "y", "YES please"])
def test_reset_answered_anything_but_yes_deletes_nothing_and_exits_0(shipped, run_cli, monkeypatch, answer) -> None:
    prompts: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(builtins, "input", lambda prompt="": prompts.append(prompt) or answer)
    before = tree(shipped)
    code, out, err = run_cli("reset", config=shipped / "mirror.yml")
    assert code == 0, err
    assert "reset: nothing deleted" in out and err == ""
    assert len(prompts) == 1 and "Type 'yes' to go on" in prompts[0]
    assert tree(shipped) == before


@pytest.mark.parametrize("answer", ["yes", " YES "])
def test_reset_answered_yes_deletes_the_papers_and_the_ledger(shipped, run_cli, monkeypatch, answer) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(builtins, "input", lambda prompt="": answer)
    code, out, _ = run_cli("reset", "-q", config=shipped / "mirror.yml")
    assert code == 0 and "reset: deleted" in out
    assert not (shipped / "content" / "ledger.yml").exists()
    assert not list((shipped / "content" / "papers").rglob("*.md"))


def test_a_full_disk_is_one_line_and_exit_1(mirror, run_cli, monkeypatch):
    import errno

    from papermirror import files

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(mirror / "site" / "index.html"))

    monkeypatch.setattr(files.tempfile, "mkstemp", full)
    code, _out, err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 1 and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(f"error: {mirror / 'site' / 'index.html'}: No space left on device;")
