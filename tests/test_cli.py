"""build.py's command line: -q/-v before or after the command, one-line errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import build


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


@pytest.mark.parametrize(("argv", "config"), [
    (["status"], "mirror.yml"),
    (["--config", "a.yml", "status"], "a.yml"),
    (["status", "--config", "b.yml"], "b.yml"),
    (["--config", "a.yml", "build", "--no-index", "--config", "b.yml"], "b.yml"),
    (["search", "masked", "--config", "c.yml"], "c.yml"),
])
def test_config_works_before_and_after_the_command(argv, config) -> None:
    assert build.make_parser().parse_args(argv).config.as_posix() == config


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


def test_a_search_word_that_begins_with_a_dash_is_a_query_word_not_an_option(shipped, run_cli) -> None:
    """lunr's -word excludes a word; argparse took `-language` for an unknown option ("the query is missing")."""
    def ids(*argv: str) -> list[str]:
        code, out, err = run_cli(*argv, config=shipped / "mirror.yml")
        assert code == 0, err
        return [line.split()[0] for line in out.splitlines()]

    quoted = ids("search", "+masked -language", "--limit", "3")
    assert quoted and ids("search", "+masked", "-language", "--limit", "3") == quoted
    assert ids("search", "--limit=3", "-q", "+masked", "-language") == quoted
    assert ids("search", "--limit", "3", "--", "+masked", "-language") == quoted
    code, _, err = run_cli("search", "-language", "--json", config=shipped / "mirror.yml")
    assert code == 0 and "unrecognized" not in err and "required" not in err
    assert ids("search", "--lim", "3", "-vq", "+masked", "-language") == quoted  # argparse's short forms too


def test_only_the_search_command_has_its_words_moved(shipped, run_cli, monkeypatch) -> None:
    """`search` as another command's value (a folder named search) is left alone: `build --output search --no-index`
    said "unrecognized arguments: -- --no-index"."""
    monkeypatch.chdir(shipped)
    code, out, err = run_cli("build", "--output", "search", "--no-index", config=shipped / "mirror.yml")
    assert code == 0, err
    assert (shipped / "search" / "index.html").is_file()


def test_snapshot_quiet_after_the_command_prints_only_the_summary(fake_hub, mirror, run_cli) -> None:
    code, out, err = run_cli("snapshot", "--since", "2025-03-14", "--until", "2025-03-14", config=mirror / "mirror.yml")
    assert code == 0 and err  # without -q: a line per day and query on stderr
    code, out, err = run_cli("snapshot", "--since", "2025-03-14", "--until", "2025-03-14", "-q",
                             config=mirror / "mirror.yml")
    assert code == 0 and out.startswith("snapshot: ")
    assert err == ""


def test_a_full_disk_is_one_line_and_exit_1(mirror, run_cli, monkeypatch):
    import errno

    from papermirror import files

    def full(*_args, dir, prefix, suffix, **_kwargs):  # noqa: A002 (mkstemp's own name)
        raise OSError(errno.ENOSPC, "No space left on device", str(Path(dir) / f"{prefix}x1y2z3{suffix}"))

    monkeypatch.setattr(files.tempfile, "mkstemp", full)
    code, _out, err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 1 and "Traceback" not in err
    # named by the file it was writing (the build's first: a cache), not by a temp file that never was
    line = err.strip().splitlines()[-1]
    assert re.fullmatch(rf"error: {re.escape(str(mirror))}/[^ ]+: No space left on device; .*", line), line
    assert ".tmp" not in line


@pytest.mark.parametrize(("where", "why"), [
    (".", "it holds mirror.yml and the archive"), ("content", "it is inside content/"),
    ("content/papers", "it is inside content/"), ("layouts/static", "it is inside layouts/"),
    ("..", "it holds the mirror's folder"), ("/", "it holds the mirror's folder"), ("mirror.yml", "it is a file"),
    (".cache", "it is the caches' folder .cache/"),  # the caches would be published, and mixed with the pages
])
def test_build_refuses_to_write_the_site_over_the_mirror_s_own_files(shipped, run_cli, where, why):
    """`--output .` once wrote the site among mirror.yml and content/, then advised deleting the folder; `--output /`
    was said to hold mirror.yml, and `--output mirror.yml` failed on writing mirror.yml/index.html."""
    def files() -> list[str]:  # but .cache/, where the build takes its lock
        return sorted(path.relative_to(shipped).as_posix() for path in shipped.rglob("*") if ".cache" not in path.parts)

    before = files()
    code, out, err = run_cli("build", "--no-index", "--output", str(shipped / where), config=shipped / "mirror.yml")
    assert code == 2 and "Traceback" not in err
    assert "not a folder to build the site into: " + why in err and "delete" not in err, err
    assert files() == before


def test_a_site_folder_that_links_to_nowhere_is_named(shipped, run_cli):
    """site/ as a link to a folder that is not there: the build said ".site.partial: Not a directory" (the
    user-mistakes review)."""
    (shipped / "site").symlink_to(shipped / "gone" / "site")
    code, _out, err = run_cli("build", "--no-index", config=shipped / "mirror.yml")
    assert code == 2 and "Traceback" not in err
    assert (f"error: {shipped / 'site'}: not a folder to build the site into: it is a link to {shipped / 'gone' / 'site'}"
            ", which is not there") in err, err


@pytest.mark.parametrize("where", [".git", "www", ".cache/sites"])
def test_build_refuses_a_folder_of_other_files(shipped, run_cli, where):
    """`--output .git`, `--output papermirror` (the package) or `--output .cache/sites` wrote the site among the
    files there, exit 0; a folder of one's own web site would have had its index.html overwritten."""
    run_cli("build", "--no-index", "--output", str(shipped / "elsewhere"), config=shipped / "mirror.yml")  # a manifest in .cache/sites
    folder = shipped / where
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text("mine", encoding="utf-8")
    before = sorted(path.name for path in folder.iterdir())
    code, _out, err = run_cli("build", "--no-index", "--output", str(folder), config=shipped / "mirror.yml")
    assert code == 2 and "Traceback" not in err
    assert f"{folder}: not a folder to build the site into: it holds files no build of this mirror wrote (" in err, err
    assert sorted(path.name for path in folder.iterdir()) == before and (folder / "index.html").read_text() == "mine"


def test_a_folder_a_build_wrote_is_built_into_again_even_after_a_stopped_build(mirror, run_cli, monkeypatch):
    """A new or empty folder is taken; so is one a build of this mirror wrote, even one it stopped in half-way
    (the manifest lists the pages before they are drawn). site/ is the mirror's own whatever it holds."""
    from papermirror.site import draw

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    folder = mirror / "elsewhere"
    folder.mkdir()
    monkeypatch.setattr(draw, "draw_and_write", stopped)
    (folder / "half-drawn.html").write_text("", encoding="utf-8")  # as a stopped build leaves one
    code, _out, err = run_cli("build", "--no-index", "--output", str(folder), config=mirror / "mirror.yml")
    assert code == 2 and "holds files no build of this mirror wrote (half-drawn.html; " in err, err
    (folder / "half-drawn.html").unlink()
    assert run_cli("build", "--no-index", "--output", str(folder), config=mirror / "mirror.yml")[0] == 130
    (folder / "half-drawn.html").write_text("", encoding="utf-8")
    monkeypatch.undo()
    assert run_cli("build", "--no-index", "--output", str(folder), config=mirror / "mirror.yml")[0] == 0
    (mirror / "site").mkdir()
    (mirror / "site" / "notes.txt").write_text("mine", encoding="utf-8")
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    # serve's preview is the mirror's own too, its record gone or not; another folder's record gone: say what to do
    shutil.rmtree(mirror / ".cache" / "sites")
    preview = mirror / ".cache" / "preview" / "site"
    preview.mkdir(parents=True)
    (preview / "index.html").write_text("an older preview", encoding="utf-8")
    assert run_cli("build", "--no-index", "--output", str(preview), config=mirror / "mirror.yml")[0] == 0
    code, _out, err = run_cli("build", "--no-index", "--output", str(folder), config=mirror / "mirror.yml")
    assert code == 2 and "if an earlier build wrote them and .cache/ was deleted since, delete the folder" in err, err


def test_build_without_content_says_so_and_keeps_the_site(shipped, run_cli):
    assert run_cli("build", "--no-index", config=shipped / "mirror.yml")[0] == 0
    pages = sorted((shipped / "site").rglob("*.html"))
    shutil.rmtree(shipped / "content")
    code, _out, err = run_cli("build", "--no-index", config=shipped / "mirror.yml")
    assert code == 2 and f"{shipped / 'content'}: no such folder; run `python build.py snapshot` first" in err
    assert sorted((shipped / "site").rglob("*.html")) == pages


def test_a_site_folder_that_is_a_file_is_one_line(shipped, run_cli):
    (shipped / "site").write_text("not a folder", encoding="utf-8")
    code, _out, err = run_cli("build", "--no-index", config=shipped / "mirror.yml")
    assert code == 2 and "Traceback" not in err  # refused before anything is written, as any wrong --output
    assert err.strip().splitlines()[-1].startswith(f"error: {shipped / 'site'}: not a folder to build the site into")


def test_the_build_line_names_the_folder_it_built(mirror, run_cli, tmp_path):
    code, out, err = run_cli("build", "--no-index", "--output", str(tmp_path / "elsewhere"), config=mirror / "mirror.yml")
    assert code == 0, err
    assert f"; {tmp_path / 'elsewhere'}/ " in out and "MB, no papers yet" in out
    code, out, _err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 0 and "; site/ " in out
    # the index line too names the folder it indexed (it said site/pagefind/ whatever --output was)
    code, out, err = run_cli("build", "--output", str(tmp_path / "elsewhere"), config=mirror / "mirror.yml")
    assert code == 0, err
    assert f" in {tmp_path / 'elsewhere'}/pagefind/ " in out, out  # in full, as the build line (serve's preview
    code, out, err = run_cli("build", config=mirror / "mirror.yml")  # was "site/pagefind/", though in .cache/preview/)
    assert code == 0 and re.search(r"^index: .* in site/pagefind/ ", out, re.M), out


@pytest.mark.parametrize("jobs", ["0", "-3", "100000"])
def test_a_number_of_jobs_out_of_range_is_refused_before_anything_runs(mirror, run_cli, jobs):
    """--jobs 100000 forked processes for minutes, saying nothing; 0 or less has no meaning."""
    code, _out, err = run_cli("build", "--no-index", "--jobs", jobs, config=mirror / "mirror.yml")
    assert code == 2 and f"error: --jobs {jobs}: must be from 1 to " in err and "Traceback" not in err
    assert not (mirror / "site").exists()


def test_a_file_where_the_content_folder_goes_is_named_by_every_command(shipped, run_cli):
    """content/ as a file: build said "no such folder; run snapshot first", status "cannot read the ledger: Not a
    directory" (the user-mistakes review). A missing content/ is a new archive to status, as before."""
    shutil.rmtree(shipped / "content")
    assert run_cli("status", config=shipped / "mirror.yml")[0] != 2
    (shipped / "content").write_text("not a folder", encoding="utf-8")
    for command in (["build", "--no-index"], ["status"], ["search", "masked"], ["snapshot", "--dry-run"], ["details"],
                    ["reset", "--yes"]):  # snapshot said "cannot read the ledger", details and reset that all was done
        code, _out, err = run_cli(*command, config=shipped / "mirror.yml")
        assert code == 2 and f"error: {shipped / 'content'}: not a folder (the archive's folder goes there" in err, err


def test_a_file_where_the_papers_folder_goes_stops_every_command(shipped, run_cli):
    """content/papers as a file built a site of 0 papers, removing every page, and said it was done."""
    assert run_cli("build", "--no-index", config=shipped / "mirror.yml")[0] == 0
    pages = sorted((shipped / "site").rglob("*.html"))
    shutil.rmtree(shipped / "content/papers")
    (shipped / "content/papers").write_text("not a folder", encoding="utf-8")
    for command in (["build", "--no-index"], ["status"], ["search", "masked"]):
        code, _out, err = run_cli(*command, config=shipped / "mirror.yml")
        assert code == 2 and f"{shipped / 'content/papers'}: not a folder (it holds the paper files" in err, err
    assert sorted((shipped / "site").rglob("*.html")) == pages


@pytest.mark.parametrize(("days", "message"), [
    (["--since", "2025-03-15", "--until", "2025-03-14"], "--since 2025-03-15 is after --until 2025-03-14"),
    (["--since", "9999-12-31"], "--since 9999-12-31 is after today ("),  # it fetched no day and said it was done
    # days of 1980 went into the ledger; an --until before listing.since fetched no day, silently (the review)
    (["--since", "1980-01-01", "--until", "1980-01-02"], "--since 1980-01-01 is before arXiv began (1991-01-01)"),
    (["--until", "1990-12-31"], "--until 1990-12-31 is before arXiv began (1991-01-01)"),
    (["--until", "2020-01-01"], "--until 2020-01-01 is before listing.since (2024-05-01): no day to fetch; give --since"),
])
def test_a_snapshot_of_no_day_is_refused_before_any_request(mirror, run_cli, fake_hub, days, message):
    code, _out, err = run_cli("snapshot", *days, config=mirror / "mirror.yml")
    assert code == 2 and f"error: {message}" in err and fake_hub.requests == []


def test_a_message_cannot_drive_the_terminal(mirror, run_cli):
    """Text from a content file reaches the error line (an unknown key is named): its escapes cleared the screen and
    set the window's title of whoever ran any command. They are written as escapes, which still name the key."""
    papers = mirror / "content" / "papers" / "2501"
    papers.mkdir(parents=True)
    key = "\\e]0;OWNED\\a\\e[2J\\u202eRED"  # YAML's escapes of ESC, BEL and a right-to-left override
    (papers / "2501.00009.md").write_text(f'---\nid: "2501.00009"\ntitle: x\n"{key}": 1\n---\n', encoding="utf-8")
    for command, exit_code in (("build", 2), ("status", 1)):  # status reports the file among its warnings
        code, out, err = run_cli(command, config=mirror / "mirror.yml")
        assert code == exit_code, (command, out, err)
        assert "\\x1b]0;OWNED\\x07\\x1b[2J\\u202eRED" in err, err  # named, as escapes
        assert not set(out + err) & {"\x1b", "\x07", "\u202e"}, err


def test_a_python_without_the_dependencies_is_told_to_activate_the_venv(tmp_path) -> None:
    """`python3 build.py build` in a new shell, the venv not active, printed a traceback ending in "No module named
    'pydantic'" (the fork review). -S leaves out site-packages, as a system Python without them would."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-S", str(Path(build.__file__)), "status"], capture_output=True, text=True,
                          cwd=tmp_path, check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "is not installed for" in done.stderr and ". .venv/bin/activate" in done.stderr


def test_a_warning_held_back_in_a_worker_process_is_counted_too(mirror):
    """Forked workers (here the ones reading 450 paper files) each had a copy of the limit and never said what they
    held back: with --jobs 2, 200 warnings shown and 250 gone without a word (the diff review). Each worker now says
    its own count when it ends, so every warning is shown or counted."""
    import subprocess
    import sys

    from archive import PAPERS, write_archive

    papers = tuple(PAPERS[0].replace(id=f"2501.{n:05d}", github_repo=None) for n in range(450))
    write_archive(mirror / "content", papers)
    for path in (mirror / "content" / "papers").rglob("*.md"):  # an earlier version kept such links
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("---\n", "---\ngithub_repo: https://github.com:0/x/y\n", 1), encoding="utf-8")
    done = subprocess.run([sys.executable, str(Path(build.__file__)), "--config", str(mirror / "mirror.yml"), "build",
                           "--no-index", "--jobs", "2"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    shown = [line for line in done.stderr.splitlines() if "github_repo: 'https://github.com:0/x/y'" in line]
    held = [int(found.replace(",", "")) for found in re.findall(r"warning: ([\d,]+) more warnings like \"…: …: …: …; left "
                                                                 r"out of the site", done.stderr)]
    assert held and len(shown) + sum(held) == 450, (len(shown), held)
    assert len(shown) <= 100 * 3  # this process and its two workers
