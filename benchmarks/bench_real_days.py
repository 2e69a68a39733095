#!/usr/bin/env python3
"""Measure whole daily builds (render and search index) on real recorded days, for this code and another copy.

    python benchmarks/bench_real_days.py                                   # every paper of the stream, its last 4 days
    python benchmarks/bench_real_days.py --sample 1000 --days 6            # a topic mirror's 1,000 papers, last 6 days
    python benchmarks/bench_real_days.py --sample 1000 --before /tmp/old   # the same runs with another checkout, alternated

The archive is the recorded Daily Papers stream (tests/data/daily_papers.jsonl.gz, as bench_size.py reads it),
or `--sample N` of its papers taken evenly over all its days (compare.py's `real:N`: a topic mirror holds a
few papers of each day over two years). Its last `--days` days are held back; the rest is built in full
(`build`, render and Pagefind index, no site/ and no .cache/; `--fulls` times, the median taken: a full build
varies more than the daily ones), then the held-back days are added one by one,
each with a `build`, as the daily workflow does after a snapshot. Synthetic days (bench_index.py, compare.py)
add made-up papers whose keywords collide with real ones in ways real days do not; these are the real
papers of the real days. Per build, printed: wall time, the build's report (pages drawn, indexes re-indexed and
kept) and the load average; then the median daily build as a share of the full one. Each code gets its own
copy of the archive (with that code's layouts/); within each step the codes run one after the other, the order swapped every step.
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from benchmarks.bench_daily import build  # noqa: E402
from benchmarks.bench_size import make_real_mirror, read_stream  # noqa: E402
from benchmarks.compare import real_sample  # noqa: E402
from papermirror.content.paperfile import write_paper  # noqa: E402


def describe(run: dict) -> str:
    return (f"{run['wall']:6.1f} s, {run['drawn']:5} pages drawn, {run['indexes'] - run['kept']} of {run['indexes']} "
            f"indexes redone (load {run['load']:.1f})")


def walls(runs: list[dict]) -> str:
    return ", ".join(f"{run['wall']:.2f}" for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, help="papers taken evenly over the stream (default: every paper)")
    parser.add_argument("--days", type=int, default=4, help="newest days held back and added one by one (default: 4)")
    parser.add_argument("--before", type=Path, help="another checkout of papermirror to run alongside this one")
    parser.add_argument("--fulls", type=int, default=3, help="full builds of each code, their median taken (default: 3)")
    args = parser.parse_args()
    if args.fulls < 1 or args.days < 1:
        parser.error("--fulls and --days: at least 1")
    codes = {"this code": REPO, **({"before": args.before.resolve()} if args.before else {})}
    stream = read_stream()
    papers = real_sample(stream, args.sample) if args.sample else stream
    days = sorted({paper.day for paper in papers if paper.day})[-args.days:]
    print(f"{os.cpu_count()} cores; Python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.1f}; "
          f"{len(papers):,} real papers, the last {len(days)} days ({days[0]} to {days[-1]}) added one by one", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-real-days-") as folder:
        roots = {name: Path(folder) / name.replace(" ", "-") for name in codes}
        for name, root in roots.items():
            make_real_mirror(root, [paper for paper in papers if paper.day not in days])
            shutil.rmtree(root / "layouts")
            shutil.copytree(codes[name] / "layouts", root / "layouts")  # each code with its own templates
        fulls: dict[str, list[dict]] = {name: [] for name in codes}
        for step in range(args.fulls):  # a full build varies more than a daily one: the ratio takes their median
            for name in list(codes) if step % 2 == 0 else reversed(codes):
                for state in ("site", ".cache"):
                    shutil.rmtree(roots[name] / state, ignore_errors=True)
                fulls[name].append(build(codes[name], roots[name], index=True))
                print(f"  {'full build':<10} {name:<9} {describe(fulls[name][-1])}", flush=True)
        runs: dict[str, list[dict]] = {name: [] for name in codes}
        for step, day in enumerate(days):
            for paper in (paper for paper in papers if paper.day == day):
                for root in roots.values():
                    write_paper(root / "content", paper)
            for name in list(codes) if step % 2 == 0 else reversed(codes):
                runs[name].append(build(codes[name], roots[name], index=True))
                print(f"  {day:<10} {name:<9} {describe(runs[name][-1])}", flush=True)
        for name, done in runs.items():
            full, daily = (statistics.median(run["wall"] for run in each) for each in (fulls[name], done))
            print(f"{name}: full median {full:.2f} s [{walls(fulls[name])}]; daily median {daily:.2f} s [{walls(done)}] = "
                  f"{daily / full:.0%} of the full build", flush=True)


if __name__ == "__main__":
    main()
