#!/usr/bin/env python3
"""Measure the render of a daily build against a full one, for this code and another copy of it.

    python benchmarks/bench_daily.py --sizes 1000 10000 --rounds 3
    python benchmarks/bench_daily.py --sizes 10000 --before /tmp/old-checkout   # the same runs, alternated

Per size: a synthetic mirror (benchmarks/synthetic.py, as bench_index.py makes it), one copy per code;
`build --no-index` from scratch (no site/, no .cache/: a full render), then per round a daily snapshot as
bench_index.py's (25 papers of the next day, 1% of the papers, all among the newest 2%, given new upvotes;
the same papers for every code) and `build --no-index` again. Each build runs in a fresh process with the
code under test first on sys.path; printed: wall and CPU time (user + system of the build and its
workers), the build's own report (pages drawn and written) and the load average. The codes are run one
after the other within each step, the order swapped every round. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from benchmarks.bench_index import add_day, make_archive  # noqa: E402
from benchmarks.synthetic import touch_papers  # noqa: E402


def build(code: Path, root: Path, index: bool = False) -> dict:
    """`build --no-index` (or `build`, with `index`) of `root` with the package of `code`, in a fresh process; its
    figures: wall and CPU time, pages drawn and written, indexes made and kept, the load average."""
    before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run([sys.executable, str(code / "build.py"), "--config", str(root / "mirror.yml"), "--quiet", "build",
                           *([] if index else ["--no-index"])], check=True, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(code)})
    wall, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    report = done.stdout + done.stderr
    drawn = re.search(r"(\d+) drawn, (\d+) written", report)
    indexes, kept = index_counts(report)
    return {"wall": wall, "cpu": cpu, "drawn": int(drawn[1]) if drawn else -1, "written": int(drawn[2]) if drawn else -1,
            "indexes": indexes, "kept": kept, "load": os.getloadavg()[0]}


def index_counts(report: str) -> tuple[int, int]:
    """The indexes a build's report says it made and kept: (0, 0) without an index line; a single index reports
    only "(unchanged)" when kept."""
    index_line = re.search(r"^index: .*$", report, re.M)
    if not index_line:
        return 0, 0
    split = re.search(r"\((\d+) indexes, (\d+) unchanged\)", index_line[0])
    if split:
        return int(split[1]), int(split[2])
    return 1, int("(unchanged)" in index_line[0])


def line(name: str, runs: list[dict]) -> str:
    med = {key: statistics.median(run[key] for run in runs) for key in ("wall", "cpu", "drawn", "written")}
    walls, loads = ", ".join(f"{run['wall']:.1f}" for run in runs), ", ".join(f"{run['load']:.1f}" for run in runs)
    return (f"{name}: {med['wall']:.1f} s wall [{walls}], {med['cpu']:.1f} s CPU, {med['drawn']:.0f} pages drawn, "
            f"{med['written']:.0f} written; loads {loads}")


def bench(size: int, codes: dict[str, Path], rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-daily-") as folder:
        first = Path(folder) / "mirror"
        papers = make_archive(first, size)
        roots = {name: Path(folder) / name for name in codes}
        for root in roots.values():
            shutil.copytree(first, root)
        names = list(codes)
        full = {name: [build(codes[name], roots[name])] for name in names}
        daily: dict[str, list[dict]] = {name: [] for name in names}
        for number in range(rounds):
            rng = random.Random(number)
            seed = rng.randint(0, 10**6)
            grown = list(papers)
            for root in roots.values():
                touch_papers(root / "content", papers[-len(papers) // 50 :], 0.5, seed=seed)
                grown = list(papers)
                add_day(root, grown, seed)
            papers = grown
            for name in names if number % 2 == 0 else reversed(names):
                daily[name].append(build(codes[name], roots[name]))
        for name in names:
            share = statistics.median(r["wall"] for r in daily[name]) / full[name][0]["wall"]
            print(f"{size} papers, {name}:\n  {line('full render', full[name])}\n  {line('daily render', daily[name])}\n"
                  f"  daily / full: {share:.0%} (wall)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout of papermirror to run alongside this one")
    args = parser.parse_args()
    codes = {"this code": REPO, **({"before": args.before.resolve()} if args.before else {})}
    for size in args.sizes:
        bench(size, codes, args.rounds)


if __name__ == "__main__":
    main()
