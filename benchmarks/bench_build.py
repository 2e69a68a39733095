#!/usr/bin/env python3
"""Measure `build` on synthetic archives: a full build, a no-change rebuild and an incremental rebuild.

    python benchmarks/bench_build.py                  # 1,000 and 10,000 papers
    python benchmarks/bench_build.py --sizes 50000    # a big one (takes a few minutes to generate)

Each build runs in a fresh Python process (as `python build.py build` would) so that its peak
memory can be read: the build process's own maxrss, and the largest of its worker processes.
Wall time is measured inside the build (`BuildReport.seconds`) and around the whole process; CPU
time (user + system, build process and its workers) is printed too, being less sensitive to other
load on a shared machine. The machine's load average is printed before each size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.synthetic import make_mirror, touch_papers  # noqa: E402


def run_one_build(root: Path, jobs: int | None) -> None:
    """In a child process: build once and print a JSON line of figures."""
    from papermirror.config import load_config
    from papermirror.site.render import build_site

    report = build_site(load_config(root / "mirror.yml"), jobs=jobs)
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    print(json.dumps({**report.__dict__, "own_kib": own.ru_maxrss, "workers_kib": workers.ru_maxrss, "cpu_seconds": cpu}))


def measure(root: Path, jobs: int | None) -> dict:
    command = [sys.executable, __file__, "--one-build", str(root)] + (["--jobs", str(jobs)] if jobs else [])
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_seconds"] = time.perf_counter() - started
    return figures


def describe(name: str, f: dict) -> str:
    rate = f["drawn"] / f["seconds"] if f["seconds"] else 0.0
    return (f"  {name:<11} {f['seconds']:6.2f} s build ({f['process_seconds']:5.2f} s process, {f['cpu_seconds']:5.1f} s CPU) "
            f"{f['drawn']:6d} drawn  {f['written']:6d} written  {rate:8.0f} pages/s  "
            f"peak {f['own_kib'] / 1024:6.0f} MiB main, {f['workers_kib'] / 1024:5.0f} MiB largest worker")


def bench(size: int, jobs: int | None, keep: bool) -> None:
    with tempfile.TemporaryDirectory(prefix=f"bench-{size}-") as tmp:
        root = Path(tmp)
        started = time.perf_counter()
        papers = make_mirror(root, size)
        load = os.getloadavg()[0]
        print(f"{size} papers (generated in {time.perf_counter() - started:.1f} s; load average {load:.2f}):")
        full = measure(root, jobs)
        print(describe("full build", full) + f"  [{full['pages']} files]")
        print(describe("no change", measure(root, jobs)))
        touch_papers(root / "content", papers, 0.01)
        print(describe("1% changed", measure(root, jobs)))
        print(describe("no change", measure(root, jobs)))
        if keep:
            input(f"site kept in {root}/site; press Enter to delete it ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--jobs", type=int, help="worker processes (default: one per core)")
    parser.add_argument("--keep", action="store_true", help="pause before deleting each synthetic site")
    parser.add_argument("--one-build", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_build:
        run_one_build(args.one_build, args.jobs)
        return
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    for size in args.sizes:
        bench(size, args.jobs, args.keep)


if __name__ == "__main__":
    main()
