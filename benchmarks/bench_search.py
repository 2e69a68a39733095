#!/usr/bin/env python3
"""Measure search on synthetic archives: Pagefind in headless Chromium, and lunr.py in the terminal.

    python benchmarks/bench_search.py                     # 1,000 and 10,000 papers
    python benchmarks/bench_search.py --sizes 1000 --query "masked autoencoder"

For each size: generate a mirror (benchmarks/synthetic.py), render it (`build --no-index`), then
  - Pagefind: indexing time (the index stage alone) and the size of site/pagefind/ on disk;
  - the browser: serve site/ over loopback under /mirror/, open the search page in a fresh headless
    Chromium context (empty cache) and count the response bytes of everything the page loads, then
    (a) type the query and count the bytes fetched for it and the time from the keystroke to the
    first result on screen (the Default UI waits 300 ms after typing before it searches; that wait
    is included), and (b) open the shareable address /search/?q=... in a fresh context and time
    navigation start -> first result;
  - lunr.py: `build.py search` as a fresh process, cold (builds and caches the index) and warm.
Figures are printed; nothing is asserted. Chromium is Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from benchmarks.synthetic import make_mirror  # noqa: E402
from papermirror.content import write_paper  # noqa: E402
from papermirror.paper import Paper  # noqa: E402
from browser import chromium, serve  # noqa: E402
from papermirror.config import load_config  # noqa: E402
from papermirror.index import index_site  # noqa: E402
from papermirror.search import cache_path  # noqa: E402

SUB_PATH = "/mirror/"
NEEDLE = Paper(id="2301.99999", title="Zanzibarite Lattices for Sparse Attention", authors=("Ada Lovelace",),
               published="2023-01-05", daily=("2023-01-05",), upvotes=1,
               abstract="One paper in the synthetic archive with words no other paper uses: zanzibarite lattices.")
"""A paper whose title words appear nowhere else: the query people make when they look for one paper."""
QUERIES = ("masked autoencoder", "zanzibarite lattices")
"""A common-word query (the synthetic vocabulary has ~80 words, so 'masked' is on most papers) and a rare one."""
FIRST_RESULT = ".pagefind-ui__result-link"


def run(*args: str) -> float:
    """Run build.py in a fresh process; return its wall time."""
    started = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "build.py"), *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def folder_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def count_bytes(page) -> list[tuple[str, int]]:
    """Start recording (url, response body bytes) of every finished request of `page`."""
    seen: list[tuple[str, int]] = []
    page.on("requestfinished", lambda request: seen.append((request.url, request.sizes()["responseBodySize"])))
    return seen


def time_first_result(page, box_selector: str, result_selector: str, query: str, timeout_ms: int) -> float:
    """Type `query` into `box_selector`; return the milliseconds until `result_selector` first appears."""
    page.evaluate("""selector => { window.__firstResult = null;
        new MutationObserver(() => { if (window.__firstResult === null && document.querySelector(selector))
            window.__firstResult = performance.now(); }).observe(document.body, {childList: true, subtree: true}); }""",
                  result_selector)
    box = page.locator(box_selector)
    box.click()
    typed_at = page.evaluate("() => performance.now()")
    box.press_sequentially(query, delay=0)
    page.wait_for_function("() => window.__firstResult !== null", timeout=timeout_ms)
    return page.evaluate("() => window.__firstResult") - typed_at


def measure_typed_query(browser, url: str, query: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    seen = count_bytes(page)
    page.goto(url + "search/")
    page.wait_for_load_state("networkidle")
    load_bytes, load_requests = sum(size for _, size in seen), len(seen)
    seen.clear()
    first_result_ms = time_first_result(page, ".pagefind-ui__search-input", FIRST_RESULT, query, 60_000)
    page.wait_for_load_state("networkidle")
    query_bytes = sum(size for _, size in seen)
    kinds = {}
    for request_url, size in seen:
        kind = request_url.rsplit(".", 1)[-1].split("?")[0] if "." in request_url.rsplit("/", 1)[-1] else "other"
        kinds[kind] = kinds.get(kind, 0) + size
    context.close()
    return {"load_bytes": load_bytes, "load_requests": load_requests, "query_bytes": query_bytes,
            "query_requests": len(seen), "query_kinds": kinds, "typed_ms": first_result_ms}


def measure_shared_address(browser, url: str, query: str) -> dict:
    context = browser.new_context()
    page = context.new_page()
    seen = count_bytes(page)
    page.goto(url + "search/?q=" + query.replace(" ", "+"), wait_until="commit")
    page.wait_for_selector(FIRST_RESULT, timeout=60_000)
    ms = page.evaluate("() => performance.now()")  # since navigation start
    page.wait_for_load_state("networkidle")
    total = sum(size for _, size in seen)
    context.close()
    return {"address_ms": ms, "address_bytes": total}


def bench_size(count: int, queries: list[str], workdir: Path) -> None:
    folder = workdir / f"mirror-{count}"
    started = time.perf_counter()
    make_mirror(folder, count - 1, base_url=f"http://127.0.0.1{SUB_PATH}")
    write_paper(folder / "content", NEEDLE)
    config_file = folder / "mirror.yml"
    generate = time.perf_counter() - started
    render = run("--config", str(config_file), "--quiet", "build", "--no-index")
    config = load_config(config_file)
    report = index_site(config, config.site_dir)
    size, files = folder_bytes(config.site_dir / "pagefind")
    print(f"\n== {count} papers (generated in {generate:.1f}s, rendered in {render:.1f}s) ==")
    print(f"pagefind: indexed {report.pages} pages, {report.words} words in {report.seconds:.1f}s; "
          f"site/pagefind/ is {size / 1e6:.1f} MB in {files} files")

    with serve(config.site_dir, SUB_PATH) as url, chromium() as browser:
        for query in queries:
            typed = measure_typed_query(browser, url, query)
            shared = measure_shared_address(browser, url, query)
            kinds = ", ".join(f"{kind} {size / 1e3:.0f} KB" for kind, size in sorted(typed["query_kinds"].items()))
            print(f"browser: search page load {typed['load_bytes'] / 1e3:.0f} KB in {typed['load_requests']} requests")
            print(f"browser: first query {query!r}: {typed['query_bytes'] / 1e3:.0f} KB in {typed['query_requests']} "
                  f"requests ({kinds}); first result {typed['typed_ms']:.0f} ms after the first keystroke")
            print(f"browser: shareable address {query!r}, fresh cache: first result {shared['address_ms']:.0f} ms "
                  f"after navigation start, {shared['address_bytes'] / 1e3:.0f} KB in all")

    cold = run("--config", str(config_file), "--quiet", "search", "--limit", "5", queries[0])
    for query in queries:
        warm = min(run("--config", str(config_file), "--quiet", "search", "--limit", "5", query) for _ in range(3))
        print(f"lunr.py: {query!r} warm search {warm:.2f}s (whole process, best of 3)")
    print(f"lunr.py: cold search (builds the cache) {cold:.1f}s; cache {cache_path(config).stat().st_size / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--query", action="append", help=f"a query to time (default: {' and '.join(QUERIES)})")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, load average {' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="bench-search-") as workdir:
        for count in args.sizes:
            bench_size(count, args.query or list(QUERIES), Path(workdir))


if __name__ == "__main__":
    main()
