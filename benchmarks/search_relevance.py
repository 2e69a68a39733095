#!/usr/bin/env python3
"""Judge the browser search's ranking: precision of its first results for queries a reader of the archive types.

    python benchmarks/search_relevance.py                        # builds the whole recorded stream (9,877 papers)
    python benchmarks/search_relevance.py --site /tmp/full/site  # a site of the stream built already (with its index)
    python benchmarks/search_relevance.py --show                 # also each result, judged or not, with its title

The archive is the recorded Daily Papers stream (tests/data/daily_papers.jsonl.gz, every paper, as
bench_size.py reads it), built with `build` (render and Pagefind index, split as the product splits it) and
served over loopback; each query is opened as the search page's shared address (search/?q=...) in headless
Chromium and its first --top results are read off the page, as a reader sees them: search.js and
search-shards.js included. Each result is looked up in the judgments (benchmarks/search_judgments.csv: query,
id, label; 1 = a reader who typed the query wants the paper). Printed per query: precision at 3 and at --top
over the judged results, and how many were not judged (a ranking change can bring papers nobody judged:
judge them, `--show` lists them, and add them to the file). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from math import isnan, nan
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from browser import chromium, serve  # noqa: E402

from benchmarks.bench_size import make_real_mirror  # noqa: E402

JUDGMENTS = Path(__file__).with_name("search_judgments.csv")
PREFIX = "/repo/"
"""Where the site is served: make_real_mirror's base_url is https://user.github.io/repo/."""


def read_judgments(path: Path) -> dict[str, dict[str, int]]:
    """{query: {paper id: label}}, the queries in the file's order (lines starting with # are comments)."""
    with path.open(encoding="utf-8") as lines:
        rows = csv.DictReader(line for line in lines if not line.startswith("#"))
        judged: dict[str, dict[str, int]] = {}
        for row in rows:
            judged.setdefault(row["query"], {})[row["id"]] = int(row["label"])
    return judged


def first_results(url: str, queries: list[str], top: int) -> dict[str, list[tuple[str, str]]]:
    """Each query's first `top` results as the search page shows them: (paper id, title)."""
    from playwright.sync_api import expect

    found = {}
    with chromium() as browser:
        for query in queries:
            context = browser.new_context()
            page = context.new_page()
            page.goto(url + "search/?q=" + urllib.parse.quote_plus(query))
            page.locator(".search-result-link").first.wait_for(timeout=60_000)
            expect(page.locator("#search-results")).not_to_have_attribute("aria-busy", "true", timeout=60_000)
            shown = page.locator(".search-result-link")
            while shown.count() < top and page.locator("#search-more").is_visible():  # the page shows 10 at a time
                before = shown.count()
                page.locator("#search-more").click()
                expect(shown).not_to_have_count(before, timeout=60_000)
            links = page.locator(".search-result-link").evaluate_all(
                "links => links.map(a => [a.getAttribute('href'), a.textContent.trim()])")
            found[query] = [(href.rstrip("/").rsplit("/", 1)[-1], title) for href, title in links[:top]]
            context.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, help="a built site of the whole recorded stream (default: build one)")
    parser.add_argument("--judgments", type=Path, default=JUDGMENTS, help=f"default: {JUDGMENTS.name}")
    parser.add_argument("--top", type=int, default=10, help="results judged per query (default: 10)")
    parser.add_argument("--show", action="store_true", help="print every result with its label and title")
    args = parser.parse_args()
    if args.top < 3:
        parser.error("--top: at least 3 (precision at 3 is printed too)")
    judged = read_judgments(args.judgments)
    with tempfile.TemporaryDirectory(prefix="search-relevance-") as folder:
        site = args.site
        if site is None:
            root = Path(folder) / "mirror"
            make_real_mirror(root)
            subprocess.run([sys.executable, str(REPO / "build.py"), "--config", str(root / "mirror.yml"), "--quiet",
                            "build"], check=True)
            site = root / "site"
        with serve(site, PREFIX) as url:
            found = first_results(url, list(judged), args.top)
    at_top, at_3, unjudged = [], [], 0
    print(f"{'query':<26} P@3   P@{args.top:<3} not judged")
    for query, results in found.items():
        labels = [judged[query].get(paper_id) for paper_id, _ in results]
        known = [label for label in labels if label is not None]
        missing = len(labels) - len(known)
        unjudged += missing
        p_top = sum(known) / len(known) if known else nan
        first = [label for label in labels[:3] if label is not None]
        p_3 = sum(first) / len(first) if first else nan
        at_top.append(p_top)
        at_3.append(p_3)
        print(f"{query:<26} {p_3:4.2f}  {p_top:4.2f}  {missing or ''}")
        if args.show:
            for (paper_id, title), label in zip(results, labels):
                print(f"    {'?' if label is None else label} {paper_id} {title[:100]}")
    both = [(p_3, p_top) for p_3, p_top in zip(at_3, at_top) if not isnan(p_3) and not isnan(p_top)]  # nan: none judged
    print(f"{'mean of ' + str(len(both)) + ' queries':<26} {statistics.mean([p for p, _ in both] or [nan]):4.2f}  "
          f"{statistics.mean([p for _, p in both] or [nan]):4.2f}  {unjudged or ''}")


if __name__ == "__main__":
    main()
