"""Processes: one run at a time per mirror, child processes that die with their parent, work shared out among
forked workers (`forked_map`), and stopping a run on Ctrl-C or SIGTERM (`stop_on_signals`, `pause`).

A build forks workers and runs Pagefind; killed with `kill -9`, the parent cannot stop them, so each
child asks the kernel to kill it when its parent dies (Linux's PR_SET_PDEATHSIG; elsewhere nothing
changes). Two snapshots or two builds of one mirror at once would interleave their writes, so each
command takes an exclusive lock on a file in .cache/ that the kernel releases when the process ends,
however it ends.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from papermirror.errors import UserError

PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal this process gets when its parent dies."""


@functools.cache
def look_up_prctl() -> Callable[..., int] | None:
    """libc's prctl(2), looked up once (None off Linux, or without one: a child then outlives a killed parent, as it
    always did). A process that starts children between fork and exec (`dying_with_parent`) while it has threads, as
    serve does, looks it up before: the lookup runs a program (ldconfig), which a child forked beside other threads
    must not."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux only; a no-op elsewhere)."""
    prctl = look_up_prctl()
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def dying_with_parent() -> Callable[[], None]:
    """The `preexec_fn` of a child that must die with this process (`die_with_parent`), libc's prctl looked up here,
    before the fork, so that the child only calls it."""
    look_up_prctl()
    return die_with_parent


STOP = threading.Event()
"""Set once the run is asked to stop (Ctrl-C or SIGTERM, `stop_on_signals`): a thread that waits (for the rate
limit, before a retry) wakes at once and stops instead of holding the run up for minutes."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (a CI step's time limit, `kill`): stopped as Ctrl-C stops a run, so that what it keeps is kept."""


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While in it, Ctrl-C (SIGINT) and SIGTERM stop the run: in the main thread they raise KeyboardInterrupt
    (Terminated), and the other threads, which STOP wakes, stop too (`pause`). Without it, threads waiting for the
    rate limit held a Ctrl-C'd run for minutes, and SIGTERM ended the process at once: the hub's record of the
    requests sent (hub.WINDOW_FILE) was lost, and the next run overran the rate limit. `snapshot`, `details` and
    `serve` (which stops its build) run in it; a build does not (a killed build is redone from its manifest, and
    its forked workers would be waited for)."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread may set handlers
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        STOP.set()
        raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()

    # a signal ignored when the process started (a background job without job control) stays ignored
    previous = {signum: handler for signum in (signal.SIGINT, signal.SIGTERM)
                if (handler := signal.getsignal(signum)) is not signal.SIG_IGN}
    STOP.clear()
    for signum in previous:
        signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def pause(seconds: float) -> None:
    """Sleep `seconds` in any thread; raise KeyboardInterrupt at once if the run is, or gets, asked to stop."""
    if STOP.wait(seconds):
        raise KeyboardInterrupt()


_WORKER: dict = {}
"""What the forked workers share (inherited through fork, never pickled): the only state."""


def _start_worker(state: object) -> None:
    die_with_parent()
    _WORKER["state"] = state


def _run_share(function: Callable, share: object) -> object:
    return function(share, _WORKER["state"])


def forked_map(function: Callable, shares: list, state: object, jobs: int) -> list:
    """Return [function(share, state) for share in shares], the shares spread over `jobs` forked processes
    that inherit `state`; in this process when jobs is 1 or fork is missing."""
    if jobs <= 1 or len(shares) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(share, state) for share in shares]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                             initializer=_start_worker, initargs=(state,)) as pool:
        return list(pool.map(_run_share, [function] * len(shares), shares))


@contextmanager
def exclusive_run(cache_dir: Path, lock: str, command: str | None = None) -> Iterator[None]:
    """Hold .cache/<lock>.lock for the whole run of `command` (default: the lock's name); refuse at once when
    another run holds it, naming that run's command (details and reset take the snapshot's lock)."""
    import fcntl

    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{lock}.lock"
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            said = handle.read().strip()  # "details pid 42"; "pid 42" from an older version
            holder, _, pid = said.rpartition(" pid ") if " pid " in said else (lock, "", said.removeprefix("pid "))
            raise UserError(f"another `build.py {holder}` is running in {cache_dir.parent} (pid {pid or '?'}); "
                            f"wait for it to end (its lock: {path})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{command or lock} pid {os.getpid()}\n")
        handle.flush()
        yield
