#!/usr/bin/env python3
"""Measure the index stage (Pagefind) split into shards against one index: time, memory, search.

    python benchmarks/bench_index.py                       # 1,000 and 10,000 papers, 3 rounds
    python benchmarks/bench_index.py --sizes 10000 --bounds 4000 5000 --browser

Per size: a synthetic mirror (benchmarks/synthetic.py, plus bench_search's "needle" paper), rendered
once (`build --no-index`). Then, per round, for each way of indexing it, in alternating order (one
index: SHARD_ABOVE and ONE_INDEX_UP_TO set above the archive's size; split: SHARD_ABOVE as shipped,
or each of --bounds, and ONE_INDEX_UP_TO as shipped; left out when the archive is small enough to be
one index anyway):
  1. full: site/pagefind/ removed, the index stage alone;
  2. daily: a day's snapshot: 25 papers of a new day added, and 1% of the papers, all among the
     newest 2%, given new upvotes; the site rendered again (`build --no-index`: the new papers' pages,
     their day and the front pages of their keywords, and the older papers whose related papers now
     include a new one), then the index stage;
  3. random: 1% of the papers at random (every shard changes), rendered, indexed.
The index stage runs in a fresh process (papermirror.search.pagefind.index_site); its Pagefind runs
are that process's only children, so the peak memory printed is the largest Pagefind process
(maxrss, RUSAGE_CHILDREN). A build with the index is the render plus the index stage; the 1%-changed
build is printed as a share of the full one. Medians of the rounds; the load average beside each.
With --browser, after each full index of the first round: the search page in headless Chromium
(bench_search.py's measure_typed_query: bytes the page loads, bytes and time of the first query).
Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
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

from benchmarks.synthetic import make_mirror, make_paper, touch_papers, write_papers  # noqa: E402

ONE_INDEX = 10**9
"""SHARD_ABOVE for one index whatever the size."""
SUB_PATH = "/mirror/"


def index_in_child(root: Path, shard_above: int) -> None:
    """In a fresh process: index root/site with SHARD_ABOVE = shard_above (and, for one index, ONE_INDEX_UP_TO
    above any size; else as shipped); print a JSON line of figures."""
    from papermirror.config import load_config
    from papermirror.search import pagefind

    pagefind.SHARD_ABOVE = shard_above
    if shard_above == ONE_INDEX:
        pagefind.ONE_INDEX_UP_TO = ONE_INDEX
    config = load_config(root / "mirror.yml")
    report = pagefind.index_site(config, config.site_dir)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": report.seconds, "pages": report.pages, "indexes": report.indexes,
                      "reused": report.reused, "bytes": report.bytes, "pagefind_mib": children.ru_maxrss / 1024,
                      "pagefind_cpu": children.ru_utime + children.ru_stime}))


def index(root: Path, shard_above: int) -> dict:
    """Run the index stage in a fresh process; return its figures and the load average."""
    command = [sys.executable, __file__, "--one-index", str(root), "--shard-above", str(shard_above)]
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {**figures, "process_seconds": time.perf_counter() - started, "load": os.getloadavg()[0]}


def render(root: Path) -> float:
    """`build --no-index` in a fresh process; return its wall time."""
    started = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "build.py"), "--config", str(root / "mirror.yml"), "--quiet", "build",
                    "--no-index"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def make_archive(root: Path, size: int) -> list:
    """A synthetic mirror of `size` papers (the last one bench_search's needle), rendered; return its papers."""
    from benchmarks.bench_search import NEEDLE
    from papermirror.content.paperfile import write_paper

    papers = make_mirror(root, size - 1, base_url=f"http://127.0.0.1{SUB_PATH}")
    write_paper(root / "content", NEEDLE)
    return papers


def measure_browser(root: Path) -> list[str]:
    """Page load and first query, typed at once, in Chromium: medians of 3 per query of bench_search
    (a topical one, and the needle paper's title words)."""
    from browser import chromium

    from benchmarks.bench_search import QUERIES, measure_typed_query, serve_gzip

    lines = []
    with serve_gzip(root / "site", SUB_PATH) as url, chromium() as browser:
        for query in QUERIES[:2]:
            runs = [measure_typed_query(browser, url, query) for _ in range(3)]
            median = {key: statistics.median(run[key] for run in runs) for key in ("load_bytes", "query_bytes", "typed_ms")}
            lines.append(f"{query!r}: page load {median['load_bytes'] / 1e3:.0f} KB in {runs[0]['load_requests']} "
                         f"requests; first query {median['query_bytes'] / 1e3:.0f} KB in {runs[0]['query_requests']} "
                         f"requests, results {median['typed_ms']:.0f} ms after the last keystroke "
                         f"({runs[0]['status']}; load {os.getloadavg()[0]:.1f})")
    return lines


def add_day(root: Path, papers: list, seed: int) -> None:
    """Add 25 papers listed on the day after the newest paper's (as a daily snapshot does)."""
    rng = random.Random(seed)
    newest = max(dt.date.fromisoformat(paper.daily[0]) for paper in papers[-100:] if paper.daily)
    fresh = [make_paper(rng, 10_000 + len(papers) + number, newest + dt.timedelta(days=1)) for number in range(25)]
    write_papers(root / "content", fresh)
    papers += fresh


def one_round(root: Path, papers: list, bound: int, seed: int, browser: bool) -> dict:
    """Full, daily and random-1% index of `root` with SHARD_ABOVE = bound; return the figures."""
    shutil.rmtree(root / "site" / "pagefind", ignore_errors=True)
    figures = {"full": index(root, bound)}
    if browser:
        figures["browser"] = measure_browser(root)
    touch_papers(root / "content", papers[-len(papers) // 50:], 0.5, seed=seed)
    add_day(root, papers, seed)
    figures["daily_render"] = render(root)
    figures["daily"] = index(root, bound)
    touch_papers(root / "content", papers, 0.01, seed=seed + 1)
    figures["random_render"] = render(root)
    figures["random"] = index(root, bound)
    return figures


def describe(name: str, runs: list[dict], full_render: float) -> list[str]:
    """Lines of medians: full, daily and random builds with the index, and Pagefind's peak memory."""
    def med(step: str, key: str) -> float:
        return statistics.median(run[step][key] for run in runs)

    full = full_render + med("full", "seconds")
    lines = [f"  {name}: {runs[0]['full']['indexes']} indexes; full build {full:.1f} s (render {full_render:.1f} s + "
             f"index {med('full', 'seconds'):.1f} s, runs {', '.join(format(r['full']['seconds'], '.1f') for r in runs)}; "
             f"loads {', '.join(format(r['full']['load'], '.1f') for r in runs)}); Pagefind peak "
             f"{med('full', 'pagefind_mib'):.0f} MiB, CPU {med('full', 'pagefind_cpu'):.1f} s"]
    for step, label in (("daily", "daily (25 new papers, 1% of the newest touched)"), ("random", "random 1% touched")):
        render_seconds = statistics.median(run[f"{step}_render"] for run in runs)
        total = render_seconds + med(step, "seconds")
        lines.append(f"    {label}: {total:.1f} s = {100 * total / full:.0f}% of full (render {render_seconds:.1f} s + index "
                     f"{med(step, 'seconds'):.1f} s, runs {', '.join(format(r[step]['seconds'], '.1f') for r in runs)}; "
                     f"{statistics.median(r[step]['reused'] for r in runs):.0f} indexes unchanged; loads "
                     f"{', '.join(format(r[step]['load'], '.1f') for r in runs)}); Pagefind peak {med(step, 'pagefind_mib'):.0f} MiB")
    lines += [f"    browser: {line}" for run in runs for line in run.get("browser", [])]
    return lines


def bench(size: int, bounds: list[int], rounds: int, browser: bool) -> None:
    with tempfile.TemporaryDirectory(prefix=f"bench-index-{size}-") as tmp:
        root = Path(tmp)
        papers = make_archive(root, size)
        full_render = render(root)
        print(f"{size} papers (rendered in {full_render:.1f} s; load average {os.getloadavg()[0]:.2f})", flush=True)
        from papermirror.search.pagefind import ONE_INDEX_UP_TO
        ways = [("one index", ONE_INDEX)] + [(f"split, SHARD_ABOVE={bound}", bound) for bound in bounds
                                             if size > ONE_INDEX_UP_TO]  # else the split is one index too
        runs: dict[str, list[dict]] = {name: [] for name, _ in ways}
        for number in range(rounds):
            order = ways if number % 2 == 0 else ways[::-1]
            for name, bound in order:
                runs[name].append(one_round(root, papers, bound, seed=100 * number + len(runs[name]) * 7 + bound % 97,
                                            browser=browser and number == 0))
                done = runs[name][-1]
                print(f"  round {number + 1}, {name}: index full {done['full']['seconds']:.1f} s, daily "
                      f"{done['daily']['seconds']:.1f} s, random {done['random']['seconds']:.1f} s; Pagefind peak "
                      f"{done['full']['pagefind_mib']:.0f} MiB (load {os.getloadavg()[0]:.1f})", flush=True)
        for name, _ in ways:
            print("\n".join(describe(name, runs[name], full_render)), flush=True)


def main() -> None:
    from papermirror.search.pagefind import SHARD_ABOVE

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--bounds", type=int, nargs="+", default=[SHARD_ABOVE], help="SHARD_ABOVE values to compare")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--browser", action="store_true", help="measure the search page after each full index")
    parser.add_argument("--one-index", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--shard-above", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_index:
        index_in_child(args.one_index, args.shard_above)
        return
    print(f"{os.cpu_count()} cores; Python {sys.version.split()[0]}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    for size in args.sizes:
        bench(size, args.bounds, args.rounds, args.browser)


if __name__ == "__main__":
    main()
