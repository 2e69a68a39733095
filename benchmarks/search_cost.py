#!/usr/bin/env python3
"""Where a split archive's search spends its time, on a built site (bench_size.py's or bench_scale.py's).

    python benchmarks/search_cost.py SITE --indexes "model" "masked autoencoder"
    python benchmarks/search_cost.py SITE --against /tmp/old-search-shards.js "the model" "masked autoencoder"

SITE is a built site/ folder; it is served on loopback under the path of its base_url (read from the
mirror.yml beside it, else /), gzipped as GitHub Pages serves it, and opened in headless Chromium.

--indexes: each index of the archive searched alone, one after the other, through the search page's own
workers (layouts/static/search-worker.js runs Pagefind's worker), twice: by the page's instance of the index
(Pagefind's "playground mode", which search-shards.js needs to rank as one index) and by a plain instance of
the same index. Per index: its pages, the results, and the milliseconds from asking to the answer on the
page's thread (the second of two rounds; the first loads the index chunks).

--against OLD: the typed query of bench_search.py (last keystroke -> first results, -> whole ranked list),
alternating the site's layouts copy of static/search-shards.js with OLD, `--runs` each, order swapped every
run; the site's own file is put back at the end. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from browser import chromium  # noqa: E402

from benchmarks.bench_search import serve_gzip, time_whole_query  # noqa: E402

CAPTURE_WORKERS = """window.__workers = [];
const Base = window.Worker;
window.Worker = class extends Base { constructor(...args) { super(...args); window.__workers.push(this); } };"""
"""Keeps the page's search workers, to ask their Pagefind instances ("shard0", "shard1"... in order) directly."""

ASK = """async ([query, rounds]) => {
    const shards = await (await fetch(document.getElementById("search").getAttribute("data-bundle-path") + "shards.json")).json();
    const bundle = document.getElementById("search").getAttribute("data-bundle-path");
    const workers = window.__workers;
    let next = 0;
    const ask = (worker, instanceId, method, args) => new Promise((resolve, reject) => {
        const id = "cost" + next++;
        const listen = (event) => {
            if (event.data.id !== id) return;
            worker.removeEventListener("message", listen);
            if (event.data.error) reject(new Error(event.data.error)); else resolve(event.data.result);
        };
        worker.addEventListener("message", listen);
        worker.postMessage({ id, instanceId, method, args });
    });
    const rows = [];
    for (const [index, shard] of shards.entries()) {
        const worker = workers[index % workers.length];
        const plain = "plain" + index;
        await ask(worker, plain, "init", [{ basePath: bundle + shard.bundle, language: document.documentElement.lang || "en", primary: true }]);
        const row = { bundle: shard.bundle || "(newest)", pages: shard.pages };
        for (const [name, instance] of [["playground", "shard" + index], ["plain", plain]]) {
            for (let round = 0; round < rounds; round++) {
                const started = performance.now();
                const answer = await ask(worker, instance, "search", [query, {}]);
                row[name] = Math.round(performance.now() - started);
                row.results = answer.results.length;
            }
        }
        rows.push(row);
    }
    return rows;
}"""


def site_prefix(site: Path) -> str:
    config = site.parent / "mirror.yml"
    found = re.search(r"base_url: *\S+?://[^/\s]+(/\S*)", config.read_text(encoding="utf-8")) if config.exists() else None
    return found[1] if found else "/"


def per_index(site: Path, queries: list[str]) -> None:
    with serve_gzip(site, site_prefix(site)) as url, chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        page.add_init_script(CAPTURE_WORKERS)
        page.goto(url + "search/")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => window.__workers.length > 0")
        page.wait_for_timeout(3000)  # the older indexes open a second after the page
        for query in queries:
            rows = page.evaluate(ASK, [query, 2])
            total = {name: sum(row[name] for row in rows) for name in ("playground", "plain")}
            results = sum(row["results"] for row in rows)
            print(f"{query!r}: {results:,} results in {len(rows)} indexes; one index after another: playground "
                  f"{total['playground']:,} ms, plain {total['plain']:,} ms ({total['playground'] / max(1, results) * 1000:.0f} "
                  f"and {total['plain'] / max(1, results) * 1000:.0f} us a result; load {os.getloadavg()[0]:.1f})", flush=True)
            for row in rows:
                print(f"  {row['bundle']:<12} {row['pages']:6,} pages {row['results']:6,} results  playground "
                      f"{row['playground']:5} ms  plain {row['plain']:5} ms", flush=True)
        context.close()


def against(site: Path, old: Path, queries: list[str], runs: int) -> None:
    target = site / "static" / "search-shards.js"
    with tempfile.TemporaryDirectory() as folder:
        mine = Path(folder) / "search-shards.js"
        shutil.copy(target, mine)
        variants = {"this": mine, "old": old}
        timings: dict[tuple[str, str], list[tuple[float, float]]] = {}
        try:
            with serve_gzip(site, site_prefix(site)) as url, chromium() as browser:
                for query in queries:
                    for run in range(runs):
                        for name in (["this", "old"] if run % 2 == 0 else ["old", "this"]):
                            shutil.copy(variants[name], target)
                            context = browser.new_context()
                            page = context.new_page()
                            page.goto(url + "search/")
                            page.wait_for_load_state("networkidle")
                            page.wait_for_timeout(2000)
                            whole, first = time_whole_query(page, query, 0)
                            context.close()
                            timings.setdefault((query, name), []).append((first, whole))
                            print(f"  {query!r} {name}: first results {first:.0f} ms, whole list {whole:.0f} ms "
                                  f"(load {os.getloadavg()[0]:.1f})", flush=True)
        finally:
            shutil.copy(mine, target)
        for (query, name), runs_ in timings.items():
            print(json.dumps({"query": query, "code": name, "first_ms": round(statistics.median(f for f, _ in runs_)),
                              "whole_ms": round(statistics.median(w for _, w in runs_)),
                              "whole_runs": [round(w) for _, w in runs_]}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="a built site/ folder")
    parser.add_argument("queries", nargs="+")
    parser.add_argument("--indexes", action="store_true", help="time each index alone")
    parser.add_argument("--against", type=Path, help="another search-shards.js to alternate with the site's")
    parser.add_argument("--runs", type=int, default=4)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}", flush=True)
    if args.indexes:
        per_index(args.site.resolve(), args.queries)
    if args.against:
        against(args.site.resolve(), args.against.resolve(), args.queries, args.runs)


if __name__ == "__main__":
    main()
