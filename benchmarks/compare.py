#!/usr/bin/env python3
"""Build the same archive with papermirror, Hugo and MkDocs, side by side.

    python benchmarks/compare.py                          # 1,000 and 10,000 synthetic papers, 3 runs each
    python benchmarks/compare.py --sizes 1000 --runs 5
    python benchmarks/compare.py --sizes real             # the real stream: every recorded day, real text
    python benchmarks/compare.py --sizes real --scenarios full daily --tools ours "ours + index" Hugo
    python benchmarks/compare.py --sizes real:1000 --scenarios full daily   # a topic mirror's 1,000 real papers

Per size: one archive (benchmarks/synthetic.py; for `real`, the 580 recorded Daily Papers days of
tests/data/daily_papers.jsonl.gz as a full mirror stores them, about 9.9k papers; for `real:N`, N of those
papers taken evenly over the whole stream, every k-th, as a topic mirror holds a few papers of each day over
two years rather than every paper of a few weeks) written three ways: our content/, a Hugo site and
an MkDocs site (benchmarks/peers.py, minimal themes showing the same fields on a paper page).
Four scenarios (`--scenarios`), runs alternating tool by tool (ours, ours + index, Hugo, MkDocs, ours, ...):
  full        papermirror with no site/ and no .cache/; Hugo and MkDocs as they always build;
  no change   the same again over an unchanged archive;
  1% changed  before each build, a new 1% of the papers get new upvotes (synthetic.touch_papers for
              ours; the same papers' pages rewritten for Hugo and MkDocs, which then re-render
              everything, as they do on every build);
  daily       before each build, a day's snapshot as bench_index.py's: 25 (synthetic) papers of a day
              after the newest, and 1% of the papers, all among the newest 2%, given new upvotes (their
              pages written for Hugo and MkDocs); each build adds a day of its own, so "ours + index"
              draws and indexes a day the "ours" build before it has not drawn.
"ours" is `build.py build --no-index` (the render, comparable to the peers, which build no search
index); "ours + index" is `build.py build` with Pagefind. Every build is a fresh process timed with
peers.timed: wall time and the maxrss of the largest process of its tree (wait4). Printed: median
wall time, pages/s (HTML files written by a full build / median time), median peak memory, and the
ratios papermirror/Hugo and papermirror/MkDocs (below 1: papermirror is faster). A tool whose run
takes longer than --cap seconds is not run again for that size and scenario. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.peers import (  # noqa: E402
    Run,
    build_hugo,
    build_mkdocs,
    timed,
    write_hugo_page,
    write_hugo_site,
    write_mkdocs_page,
    write_mkdocs_site,
)
from benchmarks.bench_size import make_real_mirror, read_stream  # noqa: E402
from benchmarks.synthetic import make_mirror, make_paper, touch_papers, write_papers  # noqa: E402

TOOLS = ("ours", "ours + index", "Hugo", "MkDocs")
SCENARIOS = ("full", "no change", "1% changed", "daily")
REAL = "real"
"""--sizes value for the real stream (every recorded day) instead of a synthetic archive; `real:N` for N of
its papers spread over all its days (`real_sample`)."""


def real_sample(papers: list, count: int) -> list:
    """`count` of `papers` (in the stream's order, oldest day first) taken evenly: every k-th, the newest kept."""
    if count >= len(papers):
        return papers
    return [papers[len(papers) - 1 - round(n * (len(papers) - 1) / max(1, count - 1))] for n in reversed(range(count))]


def build_ours(folder: Path, index: bool, fresh: bool) -> Run:
    if fresh:
        shutil.rmtree(folder / "site", ignore_errors=True)
        shutil.rmtree(folder / ".cache", ignore_errors=True)
    args = [sys.executable, str(REPO / "build.py"), "--config", str(folder / "mirror.yml"), "--quiet", "build"]
    return timed(args + ([] if index else ["--no-index"]), folder)


def html_files(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.html"))


class Bench:
    """One archive written three ways, and the runs measured on it."""

    def __init__(self, root: Path, size: int | str) -> None:
        self.ours, self.hugo, self.mkdocs = root / "ours", root / "hugo", root / "mkdocs"
        if isinstance(size, str):  # REAL or REAL:N
            stream = read_stream()
            self.papers = real_sample(stream, int(size.partition(":")[2])) if ":" in size else stream
            make_real_mirror(self.ours, self.papers)
        else:
            self.papers = make_mirror(self.ours, int(size))
        write_hugo_site(self.papers, self.hugo)
        write_mkdocs_site(self.papers, self.mkdocs)
        self.runs: dict[tuple[str, str], list[Run]] = {}
        self.pages: dict[str, int] = {}

    def build(self, tool: str, scenario: str) -> Run:
        fresh = scenario == "full"
        if tool == "ours":
            return build_ours(self.ours, index=False, fresh=fresh)
        if tool == "ours + index":
            return build_ours(self.ours, index=True, fresh=fresh)
        return build_hugo(self.hugo) if tool == "Hugo" else build_mkdocs(self.mkdocs)

    def change_one_percent(self, tool: str, seed: int) -> None:
        """Touch a new 1% of the papers in the copy `tool` builds from."""
        if tool.startswith("ours"):
            touch_papers(self.ours / "content", self.papers, 0.01, seed=seed)
            return
        scratch = self.ours.parent / "scratch"
        for paper in touch_papers(scratch, self.papers, 0.01, seed=seed):
            (write_hugo_page(paper, self.hugo) if tool == "Hugo" else write_mkdocs_page(paper, self.mkdocs))
        shutil.rmtree(scratch)

    def add_day(self, tool: str, seed: int) -> None:
        """A day's snapshot in the copy `tool` builds from: 25 papers of the next day, 1% of the newest 2% touched."""
        newest = sorted(self.papers, key=lambda paper: paper.day or "")[-len(self.papers) // 50 :]
        day = dt.date.fromisoformat(newest[-1].day) + dt.timedelta(days=1 + seed)
        rng = random.Random(seed)
        fresh = [make_paper(rng, 99_000 + seed * 100 + number, day) for number in range(25)]
        scratch = self.ours / "content" if tool.startswith("ours") else self.ours.parent / "scratch"
        changed = touch_papers(scratch, newest, 0.5, seed=seed) + fresh
        if tool.startswith("ours"):
            write_papers(scratch, fresh)
        else:
            for paper in changed:
                (write_hugo_page(paper, self.hugo) if tool == "Hugo" else write_mkdocs_page(paper, self.mkdocs))
            shutil.rmtree(scratch)

    def scenario(self, scenario: str, runs: int, cap: float, tools: tuple[str, ...]) -> None:
        capped: set[str] = set()
        for number in range(runs):
            for serial, tool in enumerate(tools):
                if tool in capped:
                    continue
                if scenario == "1% changed":
                    self.change_one_percent(tool, seed=100 + 10 * number + serial)
                if scenario == "daily":  # each build its own new day: none renders a day another already drew
                    self.add_day(tool, seed=number * len(tools) + serial)
                run = self.build(tool, scenario)
                self.runs.setdefault((tool, scenario), []).append(run)
                print(f"    {scenario:<10} {tool:<12} run {number + 1}: {run.seconds:7.2f} s  {run.peak_mb:6.0f} MiB  "
                      f"(load {os.getloadavg()[0]:.1f})", flush=True)
                if run.seconds > cap:
                    capped.add(tool)
                    print(f"    {tool} took over {cap:.0f} s: not run again for {scenario}", flush=True)
                if scenario == "full" and tool not in self.pages:
                    self.pages[tool] = self.count_pages(tool)

    def count_pages(self, tool: str) -> int:
        if tool.startswith("ours"):
            return html_files(self.ours / "site")
        return html_files((self.hugo if tool == "Hugo" else self.mkdocs) / "public")


def median(runs: list[Run]) -> tuple[float, float]:
    return statistics.median(r.seconds for r in runs), statistics.median(r.peak_mb for r in runs)


def size_arg(text: str) -> int | str:
    name, _, count = text.partition(":")
    if name == REAL and (not count or (count.isdigit() and int(count) > 1)):
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of papers nor {REAL!r} nor {REAL + ':N'!r}: {text!r}") from None


def print_table(size: str, bench: Bench) -> None:
    print(f"\n{size}: median of runs; ratio = papermirror / peer (below 1: papermirror faster or smaller)")
    print("| scenario | tool | runs | wall | pages/s | peak MiB | time ratio vs Hugo | vs MkDocs | memory vs Hugo | vs MkDocs |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for scenario in SCENARIOS:
        peers = {tool: median(bench.runs[(tool, scenario)]) for tool in ("Hugo", "MkDocs") if (tool, scenario) in bench.runs}
        for tool in TOOLS:
            runs = bench.runs.get((tool, scenario))
            if not runs:
                continue
            seconds, peak = median(runs)
            rate = f"{bench.pages.get(tool, 0) / seconds:,.0f}" if scenario == "full" else ""
            ratios = ["", "", "", ""]
            if tool.startswith("ours"):
                ratios = [f"{seconds / peers[p][0]:.2f}" if p in peers else "" for p in ("Hugo", "MkDocs")]
                ratios += [f"{peak / peers[p][1]:.2f}" if p in peers else "" for p in ("Hugo", "MkDocs")]
            print(f"| {scenario} | {tool} | {len(runs)} | {seconds:.2f} s | {rate} | {peak:.0f} | " + " | ".join(ratios) + " |")
    print("HTML files written by a full build: " + ", ".join(f"{tool} {count:,}" for tool, count in bench.pages.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=size_arg, nargs="+", default=[1000, 10_000],
                        help=f"numbers of synthetic papers, {REAL!r} for the recorded stream, {REAL + ':N'!r} for N of its papers "
                             "spread over all its days (default: 1000 10000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cap", type=float, default=600, help="seconds after which a tool is not run again (default: %(default)s)")
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=SCENARIOS, metavar="SCENARIO",
                        help=f"which of {', '.join(repr(s) for s in SCENARIOS)} to run, in that order (default: all)".replace("%", "%%"))
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS, metavar="TOOL",
                        help=f"which of {', '.join(repr(t) for t in TOOLS)} to run (default: all)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB; "
          f"Python {sys.version.split()[0]}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix=f"compare-{size}-") as tmp:
            started = time.perf_counter()
            bench = Bench(Path(tmp), size)
            name = f"{len(bench.papers):,} {'synthetic' if isinstance(size, int) else 'real'} papers"
            if isinstance(size, str) and ":" in size:
                days = sorted({paper.day for paper in bench.papers if paper.day})
                name += f" (spread over {len(days)} days, {days[0]} to {days[-1]})"
            print(f"\n{name} written three ways in {time.perf_counter() - started:.0f} s", flush=True)
            for scenario in (s for s in SCENARIOS if s in args.scenarios):
                bench.scenario(scenario, args.runs, args.cap, tuple(args.tools))
            print_table(name, bench)
            print(f"load average after {name}: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)


if __name__ == "__main__":
    main()
