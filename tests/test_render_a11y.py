"""axe-core on the built pages, in headless Chromium, in the light and the dark theme."""

from __future__ import annotations

import shutil
from pathlib import Path

from browser import chromium, serve

from papermirror.content.paper import Paper
from papermirror.content.paperfile import write_paper

ROOT = Path(__file__).resolve().parent.parent

PAGES = ["", "papers/2512.16922/", "papers/2503.01234/", "archive/", "archive/2025-03/", "archive/2025-03-14/",
         "keywords/", "search/", "404.html", "page/2/", "trends/"]


def test_pages_have_no_axe_violations(mirror, run_cli):
    from axe_playwright_python.sync_playwright import Axe

    shutil.rmtree(mirror / "content")
    shutil.copytree(ROOT / "content", mirror / "content")
    write_paper(mirror / "content", Paper(
        id="2503.01234", title="<script>x</script> mass $m^2$ and $\\frac{a}{b}$", authors=("A. Author",),
        published="2025-03-13", abstract="Text with $\\alpha$ and </a>.", ai_keywords=("transformer",),
        notes="# Heading\n\nA [link](https://example.com).", upvotes=3, refreshed="2025-03-14T08:00:00Z"))
    assert run_cli("build", "--base-url", "http://127.0.0.1/mirror/", config=mirror / "mirror.yml")[0] == 0
    keyword_pages = sorted((mirror / "site/keywords").glob("*/index.html"))
    pages = PAGES + [f"keywords/{keyword_pages[0].parent.name}/"]
    found = []
    with serve(mirror / "site", "/mirror/") as base, chromium() as browser:
        for scheme in ("light", "dark"):
            context = browser.new_context(color_scheme=scheme)
            page = context.new_page()
            for path in pages:
                page.goto(base + path)
                for violation in Axe().run(page).response["violations"]:
                    found.append(f"{scheme} /{path}: {violation['id']} {violation['nodes'][0]['target']}")
            context.close()
    assert found == []
