#!/usr/bin/env python3
"""Measure what a built site weighs against GitHub Pages' limits: bytes, files, bytes per paper, artifact.

    python benchmarks/bench_size.py                          # the real 10k mirror, then a synthetic 100k one
    python benchmarks/bench_size.py --real                   # the real mirror only
    python benchmarks/bench_size.py --synthetic 30000        # one synthetic size only
    python benchmarks/bench_size.py --replicated 100000      # the real stream replicated to 100,000 papers only
    python benchmarks/bench_size.py --keep /tmp/size         # keep (and reuse) the mirrors and their sites
    python benchmarks/bench_size.py --site /tmp/size/real/site --papers 9877   # measure a built site only

The real mirror is every paper of tests/data/daily_papers.jsonl.gz (580 recorded Daily Papers days,
`include: []`: a full Daily Papers mirror), normalised with the real `normalise_item`, folded day by day
with `merge_paper` as a snapshot would, and written with `write_paper`. The replicated one is that stream
copied until it holds the papers asked for (`replicate_stream`: real text, author counts, keywords and
organizations; each older copy on days moved back by the stream's span, under fresh arXiv ids of its
shifted months). The synthetic one is benchmarks/synthetic.py's (20 authors a paper on average, twice the
real 10). Each is built with `python build.py build` in a fresh process (render and
Pagefind index; `--no-index` to skip the index), then measured: the apparent size and count of its
files, per top-level folder (and per paper), and the artifact GitHub's `actions/upload-pages-artifact`
makes of it (`tar --dereference --hard-dereference -cf`), raw and gzipped at level 6 as
`actions/upload-artifact` compresses it. GitHub Pages allows a published site of 1 GB and a deployment
of 10 minutes. Nothing is asserted (tests/test_size_budget.py holds the bytes per paper).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from fakehub import BUNDLE, load_bundle  # noqa: E402

from benchmarks.synthetic import make_mirror  # noqa: E402
from papermirror.content.paper import Paper  # noqa: E402

PAGES_LIMIT = 10**9
"""GitHub Pages: a published site of at most 1 GB."""
MIRROR_YML = "site:\n  title: {title}\n  base_url: https://user.github.io/repo/\nlisting:\n  include: []\n"


def read_stream(last_days: int | None = None, stream: Path = BUNDLE) -> list[Paper]:
    """Every paper of the recorded Daily Papers stream (or of its `last_days` days), read by tests/fakehub's
    `load_bundle` and folded day by day as a snapshot stores it (also used by tests/test_size_budget.py)."""
    from papermirror.fetch.merge import merge_paper
    from papermirror.fetch.normalise import normalise_item

    days = list(load_bundle(stream).items())
    papers: dict[str, Paper] = {}
    logging.disable(logging.WARNING)  # the stream's few unusable items are named by topic_eval.py
    try:
        for date, items in days[-last_days if last_days else 0 :]:
            for item in items:
                fresh = normalise_item(item, listed_on=date)
                if fresh is not None:
                    papers[fresh.id] = merge_paper(papers.get(fresh.id), fresh, f"{date}T08:00:00Z")
    finally:
        logging.disable(logging.NOTSET)
    return list(papers.values())


def make_real_mirror(root: Path, papers: list[Paper] | None = None) -> int:
    """Create root/mirror.yml, root/layouts (the repo's) and root/content with the real stream (or `papers`);
    return its papers."""
    from papermirror.content.paperfile import write_paper

    root.mkdir(parents=True, exist_ok=True)
    (root / "mirror.yml").write_text(MIRROR_YML.format(title="Daily Papers mirror"), encoding="utf-8")
    shutil.copytree(REPO / "layouts", root / "layouts", dirs_exist_ok=True)
    papers = read_stream() if papers is None else papers
    for paper in papers:
        write_paper(root / "content", paper)
    return len(papers)


FRESH_NUMBER = 90_000
"""The copies' ids are numbered from YYMM.90000 up in each month: above any real arXiv number of the stream."""


def shifted_copy(paper: Paper, days: int, new_id: str) -> Paper:
    """`paper` moved `days` earlier (every day and time it holds) under `new_id` (its thumbnail's URL too)."""
    def day(value: str) -> str:
        return (dt.date.fromisoformat(value) - dt.timedelta(days=days)).isoformat()

    def stamp(value: str | None) -> str | None:
        return value and day(value[:10]) + value[10:]

    return dataclasses.replace(
        paper, id=new_id, published=paper.published and day(paper.published), daily=tuple(map(day, paper.daily)),
        first_seen=stamp(paper.first_seen), refreshed=stamp(paper.refreshed), details_refreshed=stamp(paper.details_refreshed),
        thumbnail=paper.thumbnail and paper.thumbnail.replace(paper.id, new_id))


def replicate_stream(target: int, stream: list[Paper] | None = None) -> list[Paper]:
    """The recorded stream copied until it holds `target` papers: copy 0 is the stream itself; copy k is on
    days k spans of the stream earlier (a span: its first to its last Daily Papers day), each paper under a fresh
    arXiv id of its shifted month (YYMM.NNNNN from FRESH_NUMBER), so that the archive keeps the stream's papers a
    day, its text, author counts, keywords and organizations. The oldest copy keeps its newest papers only."""
    from papermirror.content.paper import is_valid_id

    stream = stream if stream is not None else read_stream()
    days = sorted({day for paper in stream for day in paper.daily} | {p.published for p in stream if p.published})
    span = (dt.date.fromisoformat(days[-1]) - dt.date.fromisoformat(days[0])).days + 1
    papers, numbers = list(stream), defaultdict(lambda: FRESH_NUMBER)
    newest_first = sorted(stream, key=lambda paper: (paper.day or "", paper.id), reverse=True)
    copy = 0
    while len(papers) < target:
        copy += 1
        for paper in newest_first[: target - len(papers)]:
            month = (dt.date.fromisoformat(paper.published or paper.day) - dt.timedelta(days=copy * span)).strftime("%y%m")
            new_id = f"{month}.{numbers[month]:05d}"
            numbers[month] += 1
            papers.append(shifted_copy(paper, copy * span, new_id))
    ids = [paper.id for paper in papers]
    assert len(set(ids)) == len(ids) and all(map(is_valid_id, ids)), "replicate_stream made an id twice, or a bad one"
    return papers


def build(root: Path, index: bool) -> tuple[float, str]:
    """Run `build.py build` on the mirror in a fresh process; return its wall time and output."""
    started = time.perf_counter()
    command = [sys.executable, str(REPO / "build.py"), "--config", str(root / "mirror.yml"), "build"]
    done = subprocess.run(command + ([] if index else ["--no-index"]), cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout + done.stderr


DATA = "papers*.json"
"""papers.json and papers/YYYY.json.gz, counted apart from the paper pages and the root files."""


def folder_sizes(site: Path) -> dict[str, list[int]]:
    """{top-level folder, "(root files)" or DATA: [bytes, files]} of every file below `site` (apparent sizes)."""
    sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for folder, _dirs, files in os.walk(site):
        rel = os.path.relpath(folder, site)
        top = "(root files)" if rel == "." else rel.split(os.sep)[0] + "/"
        for name in files:
            part = DATA if name.endswith((".json", ".json.gz")) and (top == "papers/" or name == "papers.json") else top
            sizes[part][0] += os.lstat(os.path.join(folder, name)).st_size
            sizes[part][1] += 1
    return dict(sizes)


def artifact_sizes(site: Path) -> tuple[int, int]:
    """(tar bytes, gzip -6 bytes) of the Pages artifact made of `site`, streamed, nothing kept."""
    tar = subprocess.Popen(["tar", "--dereference", "--hard-dereference", "-C", str(site), "-cf", "-", "."],
                           stdout=subprocess.PIPE)
    raw, packer, packed = 0, zlib.compressobj(6, zlib.DEFLATED, 31), 0
    while chunk := tar.stdout.read(1 << 20):
        raw += len(chunk)
        packed += len(packer.compress(chunk))
    packed += len(packer.flush())
    if tar.wait() != 0:
        raise SystemExit(f"tar of {site} failed")
    return raw, packed


def report(site: Path, papers: int) -> None:
    """Print the size of `site` by top-level folder, per paper, and of its artifact."""
    sizes = folder_sizes(site)
    total, files = sum(b for b, _ in sizes.values()), sum(n for _, n in sizes.values())
    print(f"  {'folder':<16} {'bytes':>14} {'files':>9} {'bytes/paper':>12}")
    for top, (size, count) in sorted(sizes.items(), key=lambda entry: -entry[1][0]):
        print(f"  {top:<16} {size:>14,} {count:>9,} {size / papers:>12,.0f}")
    print(f"  {'all':<16} {total:>14,} {files:>9,} {total / papers:>12,.0f}   "
          f"({total / 1e6:.1f} MB; at this rate 100,000 papers: {total / papers * 1e5 / 1e9:.2f} GB of Pages' 1 GB)")
    started = time.perf_counter()
    raw, packed = artifact_sizes(site)
    print(f"  artifact: tar {raw / 1e6:,.1f} MB, gzip -6 {packed / 1e6:,.1f} MB, {files:,} files "
          f"(tar and gzip took {time.perf_counter() - started:.0f} s here)", flush=True)


def bench(root: Path, label: str, make, index: bool) -> None:
    """Make the mirror unless it is there, build it from scratch, report its size."""
    started = time.perf_counter()
    papers = len(list((root / "content" / "papers").rglob("*.md"))) if (root / "content").is_dir() else make(root)
    print(f"{label}: {papers:,} papers (ready in {time.perf_counter() - started:.0f} s; "
          f"load average {os.getloadavg()[0]:.1f})", flush=True)
    for old in ("site", ".cache", "layouts"):
        shutil.rmtree(root / old, ignore_errors=True)
    shutil.copytree(REPO / "layouts", root / "layouts")  # this checkout's, also for a kept mirror
    seconds, output = build(root, index)
    print(f"  full build{'' if index else ' --no-index'}: {seconds:.0f} s wall (load average {os.getloadavg()[0]:.1f})")
    for line in output.splitlines():
        if line.startswith(("build:", "index:", "warning")):
            print(f"    {line}")
    report(root / "site", papers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--real", action="store_true", help="the real mirror only")
    parser.add_argument("--synthetic", type=int, nargs="*", help="synthetic sizes (default 100000)")
    parser.add_argument("--replicated", type=int, nargs="*", help="the real stream replicated to these sizes (default 100000)")
    parser.add_argument("--no-index", action="store_true", help="build without the Pagefind index")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the mirrors under this folder")
    parser.add_argument("--site", type=Path, help="only measure this built site (with --papers)")
    parser.add_argument("--papers", type=int, help="the papers of --site")
    args = parser.parse_args()
    if args.site:
        report(args.site, args.papers)
        return
    top = args.keep or Path(tempfile.mkdtemp(prefix="bench-size-"))
    print(f"{os.cpu_count()} cores; Python {sys.version.split()[0]}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    try:
        only = args.real or args.synthetic is not None or args.replicated is not None
        if args.real or not only:
            bench(top / "real", "real Daily Papers mirror", make_real_mirror, not args.no_index)
        for size in args.replicated if args.replicated is not None else [] if only else [100_000]:
            bench(top / f"replicated-{size}", "real stream replicated",
                  lambda root, n=size: make_real_mirror(root, replicate_stream(n)), not args.no_index)
        for size in args.synthetic if args.synthetic is not None else [] if only else [100_000]:
            bench(top / f"synthetic-{size}", "synthetic", lambda root, n=size: len(make_mirror(root, n)), not args.no_index)
    finally:
        if not args.keep:
            shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
