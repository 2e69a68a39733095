#!/usr/bin/env python3
"""Measure search on synthetic archives: Pagefind in headless Chromium, and lunr.py in the terminal.

    python benchmarks/bench_search.py                     # 1,000 and 10,000 papers
    python benchmarks/bench_search.py --sizes 1000 --query "masked autoencoder"

For each size: generate a mirror (benchmarks/synthetic.py), render it (`build --no-index`), then
  - Pagefind: indexing time (the index stage alone) and the size of site/pagefind/ on disk;
  - the browser: serve site/ over loopback under /mirror/, gzipping text files as GitHub Pages does,
    open the search page in a fresh headless Chromium context (empty cache) and count the bytes of
    everything the page loads (HTML, CSS, search.js, Pagefind's runtime, WASM and page metadata),
    then (a) type the query at once (Playwright's keystrokes) and count the bytes fetched for it and
    the time from the last keystroke to the results of the whole query on screen (the page waits
    120 ms after the last keystroke; that wait is included), (b) the same typed as a person would,
    150 ms a key (the bytes include the searches for the half-typed words), and (c) open the
    shareable address /search/?q=... in a fresh context and time navigation start -> first result.
    Medians of --runs runs;
  - lunr.py: `build.py search` as a fresh process, cold (builds and caches the index) and warm.
Figures are printed; nothing is asserted. Chromium is Debian's /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from browser import _SubPathHandler, chromium, serve  # noqa: E402

from benchmarks.synthetic import make_mirror  # noqa: E402
from papermirror.config import load_config  # noqa: E402
from papermirror.content.paper import Paper  # noqa: E402
from papermirror.content.paperfile import write_paper  # noqa: E402
from papermirror.search.pagefind import index_site  # noqa: E402
from papermirror.search.terminal import cache_path  # noqa: E402

SUB_PATH = "/mirror/"
NEEDLE = Paper(id="2301.99999", title="Zanzibarite Lattices for Sparse Attention", authors=("Ada Lovelace",),
               published="2023-01-05", daily=("2023-01-05",), upvotes=1,
               abstract="One paper in the synthetic archive with words no other paper uses: zanzibarite lattices.")
"""A paper whose title words appear nowhere else: the query people make when they look for one paper."""
QUERIES = ("masked autoencoder", "zanzibarite lattices", "the model")
"""A topical query (in the synthetic archive "masked" is on about 15% of papers), the query of someone
looking for one paper, and a worst case: "the" is on every paper and "model" is the prefix of words on
nearly every paper (the search page leaves "the" out; Pagefind's time grows with the matching pages)."""
FIRST_RESULT = ".search-result-link"
SEARCH_BOX = "#search-input"
HUMAN_DELAY_MS = 150
"""Milliseconds between keys for a person typing (about 80 words a minute)."""


def run(*args: str) -> float:
    """Run build.py in a fresh process; return its wall time."""
    started = time.perf_counter()
    subprocess.run([sys.executable, str(REPO / "build.py"), *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def folder_bytes(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def count_bytes(page) -> list[tuple[str, int]]:
    """Start recording (url, response body bytes as transferred) of every finished request of `page`."""
    seen: list[tuple[str, int]] = []
    page.on("requestfinished", lambda request: seen.append((request.url, request.sizes()["responseBodySize"])))
    return seen


def by_kind(seen: list[tuple[str, int]]) -> str:
    """'js 15 KB, pf_meta 116 KB, ...': the bytes of `seen` by file extension."""
    kinds: dict[str, int] = {}
    for url, size in seen:
        name = url.split("?")[0].rsplit("/", 1)[-1]
        kind = name.rsplit(".", 1)[-1] if "." in name else "html"
        kinds[kind] = kinds.get(kind, 0) + size
    return ", ".join(f"{kind} {size / 1e3:.0f} KB" for kind, size in sorted(kinds.items()))


class GzipHandler(_SubPathHandler):
    """Serve text files gzipped when the browser accepts it, as GitHub Pages does. (Pagefind's index,
    fragment, filter, metadata and WASM files are gzipped by Pagefind already and go out as they are.)"""

    TEXT = {".html", ".css", ".js", ".json", ".xml", ".txt"}

    def do_GET(self) -> None:
        path = Path(self.translate_path(self.path.split("?")[0]))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in self.TEXT or not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", ""):
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


def serve_gzip(site_dir: Path, prefix: str):
    """Serve `site_dir` under `prefix` on loopback with GzipHandler (a context manager yielding the URL)."""
    return serve(site_dir, prefix, GzipHandler)


def time_first_result(page, box_selector: str, result_selector: str, query: str, timeout_ms: int) -> float:
    """Type `query` into `box_selector`; return the milliseconds from the first keystroke until
    `result_selector` first appears."""
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


def time_whole_query(page, query: str, delay_ms: int) -> tuple[float, float]:
    """Type `query` into the search box, `delay_ms` between keys; return the milliseconds from the last
    keystroke until the results of the whole query are on screen (the status line names the query
    once its results are drawn), and until the first results are (an archive of several indexes shows
    the newest one's first matches while it searches the others)."""
    page.evaluate("""query => { window.__done = null; window.__lastKey = null; window.__first = null;
        document.getElementById("search-input").addEventListener("input", () => { window.__lastKey = performance.now(); });
        new MutationObserver(() => { const status = document.getElementById("search-status").textContent;
            if (window.__done === null && status.includes("\u201c" + query + "\u201d")) window.__done = performance.now(); })
        .observe(document.getElementById("search-status"), {childList: true, characterData: true, subtree: true});
        new MutationObserver(() => { if (window.__lastKey !== null && window.__first === null
            && document.querySelector("#search-results .search-result")) window.__first = performance.now(); })
        .observe(document.getElementById("search-results"), {childList: true}); }""", query)
    box = page.locator(SEARCH_BOX)
    box.click()
    box.press_sequentially(query, delay=delay_ms)
    page.wait_for_function("() => window.__done !== null", timeout=60_000)
    done, first = page.evaluate("() => [window.__done - window.__lastKey, (window.__first ?? window.__done) - window.__lastKey]")
    return done, first


def measure_typed_query(browser, url: str, query: str, delay_ms: int = 0) -> dict:
    """Open the search page (fresh context, empty cache), let it load, then type `query`."""
    context = browser.new_context()
    page = context.new_page()
    seen = count_bytes(page)
    page.goto(url + "search/")
    page.wait_for_load_state("networkidle")
    load = list(seen)
    seen.clear()
    typed_ms, first_ms = time_whole_query(page, query, delay_ms)
    page.wait_for_load_state("networkidle")
    query_seen = list(seen)
    status = page.locator("#search-status").inner_text()
    context.close()
    return {"load_bytes": sum(size for _, size in load), "load_requests": len(load), "load_kinds": by_kind(load),
            "query_bytes": sum(size for _, size in query_seen), "query_requests": len(query_seen),
            "query_kinds": by_kind(query_seen), "typed_ms": typed_ms, "first_ms": first_ms, "status": status}


def measure_shared_address(browser, url: str, query: str) -> dict:
    """Open /search/?q=... in a fresh context; time navigation start -> first result."""
    context = browser.new_context()
    page = context.new_page()
    seen = count_bytes(page)
    finished: list = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.add_init_script(f"""new MutationObserver(() => {{ if (!window.__drawn && document.querySelector({FIRST_RESULT!r}))
        window.__drawn = performance.now(); }}).observe(document, {{childList: true, subtree: true}});""")
    page.goto(url + "search/?q=" + query.replace(" ", "+"), wait_until="commit")
    page.wait_for_selector(FIRST_RESULT, timeout=60_000)
    ms = page.evaluate("() => window.__drawn || performance.now()")  # since navigation start
    drawn_at = page.evaluate("() => performance.timeOrigin") + ms  # epoch ms, as Playwright's request timing
    page.wait_for_load_state("networkidle")
    total = sum(size for _, size in seen)
    # the bytes of the responses (the page's and its workers') that ended before the first result was drawn
    before = sum(request.sizes()["responseBodySize"] for request in finished
                 if request.timing["startTime"] + request.timing["responseEnd"] <= drawn_at)
    context.close()
    return {"address_ms": ms, "address_bytes": total, "address_first_bytes": before}


def median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def bench_size(count: int, queries: list[str], workdir: Path, runs: int, lunr: bool = True) -> None:
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

    with serve_gzip(config.site_dir, SUB_PATH) as url, chromium() as browser:
        for query in queries:
            fast = [measure_typed_query(browser, url, query) for _ in range(runs)]
            human = [measure_typed_query(browser, url, query, HUMAN_DELAY_MS) for _ in range(runs)]
            shared = [measure_shared_address(browser, url, query) for _ in range(runs)]
            first = fast[0]
            print(f"browser: {query!r}: {first['status']}")
            print(f"browser: search page load {median(fast, 'load_bytes') / 1e3:.0f} KB in {first['load_requests']} requests "
                  f"({first['load_kinds']})")
            print(f"browser: first query {query!r} typed at once: {median(fast, 'query_bytes') / 1e3:.0f} KB in "
                  f"{first['query_requests']} requests ({first['query_kinds']}); results "
                  f"{median(fast, 'typed_ms'):.0f} ms after the last keystroke (runs: "
                  f"{', '.join(format(r['typed_ms'], '.0f') for r in fast)}), first results after "
                  f"{median(fast, 'first_ms'):.0f} ms")
            print(f"browser: first query {query!r} typed {HUMAN_DELAY_MS} ms a key: {median(human, 'query_bytes') / 1e3:.0f} KB "
                  f"({human[0]['query_kinds']}); results of the whole query {median(human, 'typed_ms'):.0f} ms after the "
                  f"last keystroke")
            print(f"browser: shareable address {query!r}, fresh cache: first result {median(shared, 'address_ms'):.0f} ms "
                  f"after navigation start, {median(shared, 'address_first_bytes') / 1e3:.0f} KB before it, "
                  f"{median(shared, 'address_bytes') / 1e3:.0f} KB in all")

    if not lunr:
        return
    cold = run("--config", str(config_file), "--quiet", "search", "--limit", "5", queries[0])
    for query in queries:
        warm = min(run("--config", str(config_file), "--quiet", "search", "--limit", "5", query) for _ in range(3))
        print(f"lunr.py: {query!r} warm search {warm:.2f}s (whole process, best of 3)")
    print(f"lunr.py: cold search (builds the cache) {cold:.1f}s; cache {cache_path(config).stat().st_size / 1e6:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--runs", type=int, default=3, help="browser runs per figure (medians are printed)")
    parser.add_argument("--no-lunr", action="store_true", help="measure the browser search only")
    parser.add_argument("--query", action="append", help=f"a query to time (default: {' and '.join(QUERIES)})")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, load average {' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="bench-search-") as workdir:
        for count in args.sizes:
            bench_size(count, args.query or list(QUERIES), Path(workdir), args.runs, lunr=not args.no_lunr)


if __name__ == "__main__":
    main()
