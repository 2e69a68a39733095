#!/usr/bin/env python3
"""Measure a full build (render + Pagefind index) of a big archive on this machine: time and memory.

    python benchmarks/bench_scale.py --sizes 50000 100000
    python benchmarks/bench_scale.py --sizes 50000 --keep /tmp/scale   # keep the mirror for later runs
    python benchmarks/bench_scale.py --sizes 100000 --keep /tmp/scale --full-only   # its full build only

Per size: generate a synthetic mirror (benchmarks/synthetic.py), then, each as `python build.py
build` in a fresh process (so the figures are those a user gets):
  1. full build, no site/ and no .cache/ (render + index);
  2. the daily case, three times in a row: 1% of the papers touched (new upvotes and refresh time),
     all of them among the newest 2% (a day's snapshot refreshes the figures of recent papers), build again
     (incremental render + index; above 20,000 papers only the changed years are re-indexed);
  3. the worst case: 1% of the papers touched at random across the whole archive (every year's
     index changes), --no-index unless --spread-index (the render part alone);
  4. no change, --no-index.
Memory is read three ways: the largest single process of the tree (maxrss from wait4: the build
process, a render worker or Pagefind); the whole tree's resident memory summed over every descendant,
sampled from /proc every 0.5 s, which counts a page shared by forked workers once in each of them (an
upper bound); and the whole tree's proportional set size (Pss of /proc/PID/smaps_rollup, a shared page
split between the processes sharing it), sampled alike: the memory the build as a whole takes from
the machine.
The render and index times are the ones `build` prints. Nothing is asserted.

    python benchmarks/bench_scale.py --sizes 100000 --keep /tmp/scale --search-only

measures search on a kept, built mirror instead: bench_search.py's first typed query in headless
Chromium (bytes fetched, keystroke to first result), which at this size merges one index per year.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.synthetic import make_mirror, touch_papers  # noqa: E402

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.5
DAILY_ROUNDS = 3
"""Daily builds in a row, each after a different 1% of the newest papers changed."""


@dataclass
class TreeRun:
    """One timed command and the memory of its process tree."""

    seconds: float
    max_process_mb: float
    """maxrss of the largest single process in the tree (wait4)."""
    tree_peak_mb: float
    """Largest sum of resident memory over the whole tree, sampled every 0.5 s."""
    tree_pss_mb: float
    """Largest sum of proportional set sizes over the whole tree, sampled every 0.5 s."""
    output: str


def descendants(root: int) -> list[int]:
    """Pids of `root` and every process below it (read from /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def tree_rss_bytes(root: int) -> int:
    total = 0
    for pid in descendants(root):
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
    return total


def tree_pss_bytes(root: int) -> int:
    """The tree's proportional set size: each page counted once, shared pages split among their processes."""
    total = 0
    for pid in descendants(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                total += next(int(line.split()[1]) for line in handle if line.startswith("Pss:")) * 1024
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    return total


def run_tree(args: list[str], cwd: Path) -> TreeRun:
    """Run a command, sampling its tree's total RSS; return time, memory and its output."""
    started = time.perf_counter()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(args, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    peak = pss_peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, pss_peak
        while not done.is_set():
            peak = max(peak, tree_rss_bytes(proc.pid))
            pss_peak = max(pss_peak, tree_pss_bytes(proc.pid))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    log.seek(0)
    output = log.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(args)} failed after {seconds:.0f}s:\n{output[-3000:]}")
    return TreeRun(seconds, usage.ru_maxrss / 1024, peak / 2**20, pss_peak / 2**20, output)


def build(root: Path, *extra: str) -> TreeRun:
    return run_tree([sys.executable, str(REPO / "build.py"), "--config", str(root / "mirror.yml"), "build", *extra], root)


def stage_seconds(output: str) -> str:
    """'render X s, index Y s' from build's summary lines."""
    parts = []
    for stage in ("build", "index"):
        match = re.search(rf"^{stage}: .*?([\d.]+)\s*s\b", output, re.MULTILINE)
        if match:
            parts.append(f"{'render' if stage == 'build' else 'index'} {float(match.group(1)):.1f} s")
    return ", ".join(parts)


def show(label: str, run: TreeRun) -> None:
    print(f"  {label:<26} {run.seconds:7.1f} s wall ({stage_seconds(run.output)}); largest process "
          f"{run.max_process_mb:6.0f} MiB; whole tree peak {run.tree_peak_mb:6.0f} MiB resident, "
          f"{run.tree_pss_mb:6.0f} MiB proportional; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    for line in run.output.splitlines():
        if line.startswith(("build:", "index:", "warning", "error")):
            print(f"      {line}")


def bench(size: int, keep: Path | None, spread_index: bool, full_only: bool = False) -> None:
    root = (keep / f"mirror-{size}") if keep else Path(tempfile.mkdtemp(prefix=f"scale-{size}-"))
    try:
        started = time.perf_counter()
        if (root / "content").is_dir():
            from benchmarks.synthetic import generate_papers
            papers = generate_papers(size)
            print(f"{size} papers (reusing {root}; load average {os.getloadavg()[0]:.2f})", flush=True)
        else:
            papers = make_mirror(root, size)
            print(f"{size} papers (generated in {time.perf_counter() - started:.0f} s; "
                  f"load average {os.getloadavg()[0]:.2f})", flush=True)
        shutil.rmtree(root / "site", ignore_errors=True)
        shutil.rmtree(root / ".cache", ignore_errors=True)
        show("full build + index", build(root))
        if full_only:
            return
        for round_ in range(DAILY_ROUNDS):
            touch_papers(root / "content", papers[-len(papers) // 50:], 0.5, seed=10 + round_)
            show(f"daily: newest 1%, + index (round {round_ + 1} of {DAILY_ROUNDS})", build(root))
        touch_papers(root / "content", papers, 0.01, seed=2)
        if spread_index:
            show("random 1%, + index", build(root))
        else:
            show("random 1%, --no-index", build(root, "--no-index"))
        show("no change, --no-index", build(root, "--no-index"))
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def measure_search(size: int, keep: Path) -> None:
    """First typed query on the kept site of `size` papers (see bench_search.py), served as built."""
    from urllib.parse import urlsplit

    sys.path.insert(0, str(REPO / "tests"))
    from browser import chromium

    from benchmarks.bench_search import (
        QUERIES,
        measure_shared_address,
        measure_typed_query,
        serve_gzip,
    )

    root = keep / f"mirror-{size}"
    prefix = urlsplit(re.search(r"base_url: (\S+)", (root / "mirror.yml").read_text()).group(1)).path
    print(f"{size} papers: search in Chromium (load average {os.getloadavg()[0]:.1f})", flush=True)
    with serve_gzip(root / "site", prefix) as url, chromium() as browser:
        for query in (QUERIES[0], QUERIES[2]):  # no needle paper in this archive (bench_search adds one)
            for _ in range(3):
                found = measure_typed_query(browser, url, query)
                shared = measure_shared_address(browser, url, query)
                print(f"  {query!r} ({found['status']}): page load {found['load_bytes'] / 1e3:.0f} KB "
                      f"({found['load_kinds']}); first query {found['query_bytes'] / 1e3:.0f} KB in "
                      f"{found['query_requests']} requests ({found['query_kinds']}); first result "
                      f"{found['first_ms']:.0f} ms after the last keystroke, all {found['typed_ms']:.0f} ms; "
                      f"shareable address: first result "
                      f"{shared['address_ms']:.0f} ms after navigation start, {shared['address_first_bytes'] / 1e3:.0f} KB "
                      f"before it, {shared['address_bytes'] / 1e3:.0f} KB in all "
                      f"(load {os.getloadavg()[0]:.1f})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 100_000])
    parser.add_argument("--spread-index", action="store_true", help="index after the random 1%% change too (slow)")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the mirrors under this folder")
    parser.add_argument("--full-only", action="store_true", help="the full build only (no daily or no-change builds)")
    parser.add_argument("--search-only", action="store_true", help="measure search on the kept, built mirrors")
    args = parser.parse_args()
    if args.search_only:
        for size in args.sizes:
            measure_search(size, args.keep)
        return
    print(f"{os.cpu_count()} cores, {os.sysconf('SC_PHYS_PAGES') * PAGE_SIZE / 2**30:.0f} GiB; "
          f"Python {sys.version.split()[0]}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    for size in args.sizes:
        bench(size, args.keep, args.spread_index, args.full_only)


if __name__ == "__main__":
    main()
