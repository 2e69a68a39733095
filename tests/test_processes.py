"""One run at a time per mirror, and children that die with their parent."""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from samples import make_paper

from papermirror.errors import UserError
from papermirror.processes import exclusive_run, forked_map

CHILD = """
import os, sys, time
sys.path.insert(0, {root!r})
from papermirror.processes import die_with_parent
pid = os.fork()
if pid == 0:
    die_with_parent()
    print(os.getpid(), flush=True)
    time.sleep(60)
    os._exit(0)
time.sleep(60)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_dies_when_its_parent_is_killed(tmp_path):
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parent = subprocess.Popen([sys.executable, "-c", CHILD.format(root=root)], stdout=subprocess.PIPE, text=True)
    grandchild = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=10)
    for _ in range(100):
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        os.kill(grandchild, signal.SIGKILL)
        pytest.fail("the worker outlived its killed parent")


def test_a_second_run_is_refused_and_the_lock_is_released(tmp_path):
    with exclusive_run(tmp_path, "build"):
        with pytest.raises(UserError, match=r"another `build.py build` is running .*\(pid \d+\)"):
            with exclusive_run(tmp_path, "build"):
                pass
        with exclusive_run(tmp_path, "snapshot"):  # another command has its own lock
            pass
    with exclusive_run(tmp_path, "build"):  # released when the first run ended
        pass


def test_a_build_while_another_runs_exits_2_and_writes_nothing(mirror, run_cli):
    with exclusive_run(mirror / ".cache", "build"):
        code, _out, err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 2 and "another `build.py build` is running" in err and "Traceback" not in err
    assert not (mirror / "site").exists()


def test_a_snapshot_reset_or_details_while_a_snapshot_runs_is_refused(mirror, run_cli, fake_hub):
    from samples import make_paper, write_archive

    write_archive(mirror, [make_paper("2503.00001", "Kept while the snapshot runs")])
    with exclusive_run(mirror / ".cache", "snapshot"):
        code, _out, err = run_cli("snapshot", "--since", "2025-03-14", "--until", "2025-03-14", config=mirror / "mirror.yml")
        assert code == 2 and "another `build.py snapshot` is running" in err
        code, _out, err = run_cli("reset", "--yes", config=mirror / "mirror.yml")
        assert code == 2 and "another `build.py snapshot` is running" in err
        # details rewrites paper files too: run beside a snapshot, it wrote its stale copies over the snapshot's
        code, _out, err = run_cli("details", "--budget", "5", config=mirror / "mirror.yml")
        assert code == 2 and "another `build.py snapshot` is running" in err
    assert fake_hub.requests == [] and (mirror / "content/papers/2503/2503.00001.md").is_file()
    # the run that holds the lock is named, whichever of the three it is
    with exclusive_run(mirror / ".cache", "snapshot", "details"):
        code, _out, err = run_cli("snapshot", "--since", "2025-03-14", "--until", "2025-03-14", config=mirror / "mirror.yml")
        assert code == 2 and re.search(r"another `build.py details` is running in .* \(pid \d+\)", err), err
    with exclusive_run(mirror / ".cache", "snapshot", "reset"):
        code, _out, err = run_cli("details", "--budget", "5", config=mirror / "mirror.yml")
        assert code == 2 and re.search(r"another `build.py reset` is running in .* \(pid \d+\)", err), err
    code, _out, err = run_cli("snapshot", "--since", "2025-03-14", "--until", "2025-03-14", config=mirror / "mirror.yml")
    assert code == 0, err


def _share_with_state(share: list[int], state: dict) -> list[tuple[int, int, int]]:
    return [(number, number * state["factor"], os.getpid()) for number in share]


def test_forked_map_keeps_the_order_of_the_shares_and_gives_each_worker_the_state():
    shares = [list(range(start, start + 3)) for start in range(0, 30, 3)]
    state = {"factor": 7}
    forked = forked_map(_share_with_state, shares, state, jobs=2)
    alone = forked_map(_share_with_state, shares, state, jobs=1)
    assert [[(n, m) for n, m, _pid in share] for share in forked] == [[(n, 7 * n) for n in share] for share in shares]
    assert [[(n, m) for n, m, _pid in share] for share in alone] == [[(n, m) for n, m, _pid in share] for share in forked]
    assert {pid for share in alone for *_, pid in share} == {os.getpid()}
    if "fork" in multiprocessing.get_all_start_methods():
        assert os.getpid() not in {pid for share in forked for *_, pid in share}


def _fail_on_three(share: list[int], _state: None) -> list[int]:
    if 3 in share:
        raise ValueError("share with 3")
    return share


def test_forked_map_raises_what_a_worker_raised():
    with pytest.raises(ValueError, match="share with 3"):
        forked_map(_fail_on_three, [[1], [2], [3], [4]], None, jobs=2)


def test_many_paper_files_parse_the_same_in_workers_as_in_one_process(tmp_path):
    from papermirror.content.cache import PARALLEL_MIN_FILES, parse_files
    from papermirror.content.paperfile import write_paper

    for number in range(PARALLEL_MIN_FILES + 10):
        write_paper(tmp_path / "content", make_paper(f"2501.{number:05d}", title=f"Paper {number}"))
    paths = sorted((tmp_path / "content" / "papers").rglob("*.md"))
    assert parse_files(paths, jobs=2) == parse_files(paths, jobs=1)


def test_a_lock_held_by_an_older_version_is_named_by_its_lock(tmp_path):
    """An older version wrote "pid N" alone into the lock: the message names the lock's command and that pid."""
    import fcntl

    with open(tmp_path / "snapshot.lock", "w", encoding="utf-8") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("pid 42\n")
        held.flush()
        with pytest.raises(UserError, match=r"another `build.py snapshot` is running in .* \(pid 42\)"):
            with exclusive_run(tmp_path, "snapshot", "details"):
                pass
