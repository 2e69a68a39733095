#!/usr/bin/env python3
"""Lighthouse on each kind of page of the shipped archive, served gzipped on loopback as GitHub Pages serves it.

    python benchmarks/lighthouse.py                      # every kind of page, Lighthouse's mobile preset
    python benchmarks/lighthouse.py --page home --page paper --runs 5

Builds content/ (the shipped archive) with the repo's layouts/ into a temp folder, serves it on 127.0.0.1
(text files gzipped, 404.html for a missing page, as GitHub Pages does), and runs Lighthouse 12 on each kind of
page: performance, accessibility, best practices and SEO. Prints the four scores per page, the load metrics and
the audits that cost a point when a score is under 100. Each page is measured --runs times (3) and the median
run by performance is printed, with every run's performance score: on a busy machine a page without any script
can still lose points to Total Blocking Time, its parsing and layout slowed by other processes (Lighthouse's
mobile preset multiplies the main thread's time by 4).

Lighthouse comes from npm, outside the repo (version 12 runs on Node 20; 13 needs Node 22):

    mkdir -p /tmp/lh && cd /tmp/lh && npm i -E lighthouse@12.2.3

and is found at --lighthouse (default: $LIGHTHOUSE, else /tmp/lh/node_modules/.bin/lighthouse, else `lighthouse`
on PATH). Chromium is Debian's /usr/bin/chromium (CHROME_PATH). Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from browser import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

from benchmarks.bench_search import GzipHandler  # noqa: E402

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = "--headless=new " + " ".join(CHROMIUM_ARGS)
NOT_MEASURED = {"404": "not measured: Lighthouse refuses a page served with status 404 (and 404.html says noindex on purpose)"}
PAPER = "2512.16922"
"""The paper page measured: one of the shipped archive's, with code, keywords, models and related papers."""


class PagesHandler(GzipHandler):
    """GitHub Pages' manners: text files (SVG too) gzipped, and the site's 404.html, status 404, for a missing file."""

    TEXT = GzipHandler.TEXT | {".svg"}

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def build_shipped(root: Path, base_url: str) -> Path:
    """Build the shipped archive (content/, mirror.yml, layouts/ of the repo) in `root` for `base_url`; return site/."""
    import build

    for name in ("content", "layouts"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mirror.yml", root / "mirror.yml")
    code = build.main(["--config", str(root / "mirror.yml"), "--quiet", "build", "--base-url", base_url])
    if code != 0:
        raise SystemExit(f"the build of the shipped archive in {root} failed (exit {code})")
    return root / "site"


@contextmanager
def shipped_site() -> Iterator[tuple[str, Path]]:
    """Serve a fresh build of the shipped archive on loopback, gzipped; yield (its URL, its site/ folder)."""
    with tempfile.TemporaryDirectory(prefix="papermirror-lh-") as workdir:
        site = Path(workdir) / "site"
        with serve(site, "/", PagesHandler) as url:
            build_shipped(Path(workdir), url)
            yield url, site


def kinds_of_page(site: Path) -> dict[str, str]:
    """Each kind of page: its path below the site's root (the newest month and day, the biggest keyword)."""
    months = sorted(p.parent.name for p in site.glob("archive/????-??/index.html"))
    days = sorted(p.parent.name for p in site.glob("archive/????-??-??/index.html"))
    keywords = sorted(site.glob("keywords/*/index.html"), key=lambda p: (-p.stat().st_size, p.parent.name))
    return {
        "home": "", "page 2": "page/2/", "paper": f"papers/{PAPER}/", "day": f"archive/{days[-1]}/",
        "month": f"archive/{months[-1]}/", "archive": "archive/", "keyword": f"keywords/{keywords[0].parent.name}/",
        "keywords": "keywords/", "about": "about/", "trends": "trends/", "search": "search/?q=masked+image+modeling",
        "404": "no-such-page/",
    }


def lighthouse_command(explicit: str | None) -> str:
    """The Lighthouse executable: --lighthouse, $LIGHTHOUSE, /tmp/lh's npm install, or `lighthouse` on PATH."""
    for candidate in (explicit, os.environ.get("LIGHTHOUSE"), "/tmp/lh/node_modules/.bin/lighthouse", shutil.which("lighthouse")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise SystemExit("no Lighthouse: mkdir -p /tmp/lh && cd /tmp/lh && npm i -E lighthouse@12.2.3 (or pass --lighthouse)")


def run_lighthouse(command: str, url: str, out: Path) -> dict:
    """Run Lighthouse (mobile preset, the four categories) on `url`; return its JSON report."""
    env = os.environ | {"CHROME_PATH": str(CHROMIUM)}
    subprocess.run([command, url, "--quiet", "--output=json", f"--output-path={out}", f"--chrome-flags={CHROME_FLAGS}",
                    "--only-categories=" + ",".join(CATEGORIES)], check=True, env=env, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text(encoding="utf-8"))


def scores_of(report: dict) -> dict[str, int]:
    """The four scores of a report, 0-100 (a category Lighthouse could not score counts 0)."""
    return {name: round((report["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}


def metrics_of(report: dict) -> str:
    """The simulated page-load metrics behind the performance score: 'FCP 0.9 s, LCP 1.1 s, TBT 0 ms, CLS 0'."""
    names = {"FCP": "first-contentful-paint", "LCP": "largest-contentful-paint", "TBT": "total-blocking-time",
             "CLS": "cumulative-layout-shift"}
    return ", ".join(f"{short} {report['audits'][name].get('displayValue', '?')}" for short, name in names.items())


def failing_audits(report: dict, category: str) -> list[str]:
    """The audits of `category` that cost points: 'id (score): title, display value'."""
    found = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
            value = f", {audit['displayValue']}" if audit.get("displayValue") else ""
            found.append(f"{ref['id']} ({audit['score']:.2f}): {audit['title']}{value}")
    return found


def measure_page(command: str, url: str, runs: int, workdir: Path) -> tuple[dict[str, int], dict, list[int]]:
    """Run Lighthouse `runs` times on `url`; return the median run's scores (by performance, as Lighthouse advises
    for a noisy machine), its report, and every run's performance score."""
    reports = [run_lighthouse(command, url, workdir / f"report-{n}.json") for n in range(runs)]
    ranked = sorted(reports, key=lambda report: scores_of(report)["performance"])
    median = ranked[(runs - 1) // 2]
    return scores_of(median), median, [scores_of(report)["performance"] for report in reports]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--page", action="append", help="a kind of page (default: all): home, paper, month, ...")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page; the median run is printed")
    parser.add_argument("--lighthouse", help="the Lighthouse executable")
    args = parser.parse_args()
    command = lighthouse_command(args.lighthouse)
    version = subprocess.run([command, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Lighthouse {version}, mobile preset, {args.runs} run(s) a page, load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    below = 0
    with shipped_site() as (url, site), tempfile.TemporaryDirectory(prefix="papermirror-lh-reports-") as reports:
        print(f"{'page':<10} {'perf':>4} {'a11y':>4} {'best':>4} {'seo':>4}  path")
        for kind, path in kinds_of_page(site).items():
            if args.page and kind not in args.page:
                continue
            if kind in NOT_MEASURED:
                print(f"{kind:<10} {NOT_MEASURED[kind]}")
                continue
            scores, report, performance = measure_page(command, url + path, args.runs, Path(reports))
            every_run = f"; performance of each run: {', '.join(map(str, performance))}" if args.runs > 1 else ""
            print(f"{kind:<10} " + " ".join(f"{scores[c]:>4}" for c in CATEGORIES) + f"  /{path} ({metrics_of(report)}"
                  f"{every_run})", flush=True)
            for category in CATEGORIES:
                for line in failing_audits(report, category) if scores[category] < 100 else []:
                    print(f"{'':<10}   {category}: {line}")
            below += any(score < 100 for score in scores.values())
    print(f"{below} page(s) below 100 in some category" if below else "every page: 100 in all four categories")
    return 0


if __name__ == "__main__":
    sys.exit(main())
