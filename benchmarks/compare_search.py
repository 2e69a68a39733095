#!/usr/bin/env python3
"""Search side by side: our Pagefind bundle vs a lunr.js index of the same papers, in headless Chromium.

    python benchmarks/compare_search.py                    # 1,000 and 10,000 papers, 3 runs each
    python benchmarks/compare_search.py --sizes 1000 --runs 5

Per size: the synthetic mirror of bench_search.py (n-1 papers plus one "needle" paper), rendered
and indexed by `build.py build`. Beside it, the way small mirrors search: lunr.js 2.3.9 (installed
with npm into a cache folder, as `npm install lunr`), a serialised index built with node over the
same papers (title, authors, abstract, AI keywords; ref = arXiv id) plus a store of titles and links,
and a tiny page site/lunr-search/ that loads lunr.min.js, fetches the index and store on the first
keystroke, loads the index and lists the results as you type (no debounce).

Both pages are served over loopback with text files gzipped, as GitHub Pages does (bench_search's
server), and opened in a fresh Chromium context (empty cache) per run; runs alternate Pagefind,
lunr.js, Pagefind, ... Measured: index bytes on disk (and gzipped, what GitHub Pages sends for
lunr's JSON; Pagefind's chunks are gzipped already); page-load bytes (our search page loads
Pagefind's runtime, WASM and page metadata as it opens); bytes fetched for the first query (from
the first keystroke until the network is idle); and time to results: for our page, from the last
keystroke to the results of the whole query (bench_search.time_whole_query; the page waits 120 ms
after typing before it searches, and that wait is included), for lunr's page, which searches on
every keystroke, from the first keystroke to the first result on screen (which favours lunr.js).
Medians of the runs; ratios are Pagefind / lunr.js.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from browser import chromium  # noqa: E402

from benchmarks.bench_search import (  # noqa: E402
    NEEDLE,
    QUERIES,
    SUB_PATH,
    count_bytes,
    folder_bytes,
    measure_typed_query,
    run,
    serve_gzip,
    time_first_result,
)
from benchmarks.synthetic import make_mirror  # noqa: E402
from papermirror.content.paperfile import write_paper  # noqa: E402

LUNR_VERSION = "2.3.9"
NPM_CACHE = Path(tempfile.gettempdir()) / "papermirror-bench-lunrjs"
LUNR_PAGE = "lunr-search"

BUILD_INDEX_JS = """\
const fs = require("fs");
const lunr = require("lunr");
const papers = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const started = Date.now();
const idx = lunr(function () {
  this.ref("id");
  this.field("title", { boost: 10 });
  this.field("authors");
  this.field("keywords", { boost: 5 });
  this.field("abstract");
  for (const p of papers) this.add(p);
});
fs.writeFileSync(process.argv[3] + "/index.json", JSON.stringify(idx));
const store = {};
for (const p of papers) store[p.id] = [p.title, p.url];
fs.writeFileSync(process.argv[3] + "/store.json", JSON.stringify(store));
console.log(Date.now() - started);
"""

LUNR_HTML = """\
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Search (lunr.js)</title>
<script src="lunr.min.js"></script></head><body>
<input id="q" type="search" placeholder="Search papers" autofocus><ol id="results"></ol>
<script>
var loading = null, store = null, idx = null;
function load() {
  if (!loading) loading = Promise.all([fetch("index.json").then(function (r) { return r.json(); }),
                                       fetch("store.json").then(function (r) { return r.json(); })])
    .then(function (both) { idx = lunr.Index.load(both[0]); store = both[1]; });
  return loading;
}
function show() {
  var q = document.getElementById("q").value.trim(), hits = [];
  if (q) { try { hits = idx.search(q).slice(0, 20); } catch (e) { hits = []; } }
  document.getElementById("results").innerHTML = hits.map(function (h) {
    var s = store[h.ref]; return '<li><a class="result-link" href="../' + s[1] + '">' + s[0] + "</a></li>"; }).join("");
}
document.getElementById("q").addEventListener("input", function () { load().then(show); });
</script></body></html>
"""


def install_lunr() -> Path:
    """lunr.js from the npm registry into a cache folder; return its package folder."""
    package = NPM_CACHE / "node_modules" / "lunr"
    if not (package / "lunr.min.js").is_file():
        NPM_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(NPM_CACHE),
                        f"lunr@{LUNR_VERSION}"], check=True)
    return package


def build_lunr_site(papers, site_dir: Path) -> dict:
    """Write site/lunr-search/ (page, lunr.min.js, index.json, store.json); return its figures."""
    package = install_lunr()
    out = site_dir / LUNR_PAGE
    out.mkdir(exist_ok=True)
    shutil.copy(package / "lunr.min.js", out)
    (out / "index.html").write_text(LUNR_HTML, encoding="utf-8")
    docs = [{"id": p.id, "title": p.title, "authors": " ".join(p.authors), "keywords": " ".join(p.ai_keywords),
             "abstract": p.abstract, "url": f"papers/{p.id}/"} for p in papers]
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "docs.json").write_text(json.dumps(docs), encoding="utf-8")
        (Path(tmp) / "build.js").write_text(BUILD_INDEX_JS, encoding="utf-8")
        started = time.perf_counter()
        done = subprocess.run(["node", str(Path(tmp) / "build.js"), str(Path(tmp) / "docs.json"), str(out)],
                              check=True, capture_output=True, text=True,
                              env={**os.environ, "NODE_PATH": str(NPM_CACHE / "node_modules")})
        seconds = time.perf_counter() - started
    files = [out / "index.json", out / "store.json"]
    return {"seconds": seconds, "index_ms": int(done.stdout.strip()), "bytes": sum(f.stat().st_size for f in files),
            "gzip_bytes": sum(len(gzip.compress(f.read_bytes(), 6)) for f in files)}


def measure_lunr_query(browser, url: str, query: str) -> dict:
    """As bench_search.measure_typed_query, on the lunr.js page."""
    context = browser.new_context()
    page = context.new_page()
    seen = count_bytes(page)
    page.goto(url + LUNR_PAGE + "/")
    page.wait_for_load_state("networkidle")
    load_bytes = sum(size for _, size in seen)
    seen.clear()
    first_result_ms = time_first_result(page, "#q", ".result-link", query, 120_000)
    page.wait_for_load_state("networkidle")
    query_bytes = sum(size for _, size in seen)
    context.close()
    return {"load_bytes": load_bytes, "query_bytes": query_bytes, "typed_ms": first_result_ms}


def bench_size(count: int, runs: int, workdir: Path) -> None:
    folder = workdir / f"mirror-{count}"
    papers = make_mirror(folder, count - 1, base_url=f"http://127.0.0.1{SUB_PATH}") + [NEEDLE]
    write_paper(folder / "content", NEEDLE)
    build_seconds = run("--config", str(folder / "mirror.yml"), "--quiet", "build")
    site = folder / "site"
    pagefind_bytes, pagefind_files = folder_bytes(site / "pagefind")
    lunr = build_lunr_site(papers, site)
    print(f"\n== {count:,} papers; load average {os.getloadavg()[0]:.1f} ==")
    print(f"Pagefind: build.py build (render + index) {build_seconds:.1f} s; site/pagefind/ {pagefind_bytes / 1e6:.1f} MB "
          f"in {pagefind_files} files")
    print(f"lunr.js: index built in {lunr['index_ms'] / 1000:.1f} s in node ({lunr['seconds']:.1f} s with start-up); "
          f"index.json + store.json {lunr['bytes'] / 1e6:.1f} MB, gzipped {lunr['gzip_bytes'] / 1e6:.1f} MB", flush=True)
    rows = []
    with serve_gzip(site, SUB_PATH) as url, chromium() as browser:
        for query in QUERIES:
            found: dict[str, list[dict]] = {"Pagefind": [], "lunr.js": []}
            for number in range(runs):
                found["Pagefind"].append(measure_typed_query(browser, url, query))
                found["lunr.js"].append(measure_lunr_query(browser, url, query))
                print(f"  {query!r} run {number + 1}: Pagefind {found['Pagefind'][-1]['typed_ms']:.0f} ms, "
                      f"lunr.js {found['lunr.js'][-1]['typed_ms']:.0f} ms (load {os.getloadavg()[0]:.1f})", flush=True)
            medians = {tool: {key: statistics.median(r[key] for r in results) for key in ("load_bytes", "query_bytes", "typed_ms")}
                       for tool, results in found.items()}
            rows.append((query, medians))
    print(f"\n{count:,} papers, medians of {runs} runs (ratio = Pagefind / lunr.js)")
    print("| | Pagefind | lunr.js | ratio |\n|---|---|---|---|")
    print(f"| index on disk | {pagefind_bytes / 1e6:.1f} MB ({pagefind_files} files) | {lunr['bytes'] / 1e6:.1f} MB "
          f"(gzipped {lunr['gzip_bytes'] / 1e6:.1f} MB) | {pagefind_bytes / lunr['bytes']:.2f} |")
    for number, (query, medians) in enumerate(rows):
        p, lj = medians["Pagefind"], medians["lunr.js"]
        print(f"| page load bytes (median, query {number + 1}) | {p['load_bytes'] / 1e3:.0f} KB | {lj['load_bytes'] / 1e3:.0f} KB | "
              f"{p['load_bytes'] / lj['load_bytes']:.2f} |")
        print(f"| first query {query!r}: bytes | {p['query_bytes'] / 1e3:.0f} KB | {lj['query_bytes'] / 1e3:.0f} KB | "
              f"{p['query_bytes'] / lj['query_bytes']:.2f} |")
        print(f"| first query {query!r}: keystroke to results | {p['typed_ms']:.0f} ms | {lj['typed_ms']:.0f} ms | "
              f"{p['typed_ms'] / lj['typed_ms']:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; Python {sys.version.split()[0]}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    with tempfile.TemporaryDirectory(prefix="compare-search-") as workdir:
        for count in args.sizes:
            bench_size(count, args.runs, Path(workdir))


if __name__ == "__main__":
    main()
