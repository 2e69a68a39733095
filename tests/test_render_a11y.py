"""axe-core on every kind of built page, in headless Chromium: light and dark theme, a laptop's and a phone's width."""

from __future__ import annotations

from pathlib import Path

from browser import chromium, serve

from papermirror.content.paper import Paper
from papermirror.content.paperfile import write_paper


PAGES = {"home": "", "page 2": "page/2/", "paper": "papers/2512.16922/", "paper with math": "papers/2503.01234/",
         "day": "archive/2025-03-26/", "month": "archive/2025-03/", "archive": "archive/", "keywords": "keywords/",
         "about": "about/", "trends": "trends/", "search": "search/?q=masked+image", "404": "404.html",
         "organizations": "organizations/", "top": "top/"}
"""Every kind of page (and a keyword's and an organization's page, found after the build): its path below the site."""
WIDTHS = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}


def build_shipped_with_hostile_paper(mirror: Path, run_cli) -> Path:
    """The shipped archive (`shipped` in conftest.py) plus a paper with markup and math in its texts, built for
    /mirror/; return site/."""
    write_paper(mirror / "content", Paper(
        id="2503.01234", title="<script>x</script> mass $m^2$ and $\\frac{a}{b}$", authors=("A. Author",),
        published="2025-03-13", abstract="Text with $\\alpha$ and </a>.", ai_keywords=("transformer",),
        notes="# Heading\n\nA [link](https://example.com).", upvotes=3, refreshed="2025-03-14T08:00:00Z"))
    assert run_cli("build", "--base-url", "http://127.0.0.1/mirror/", config=mirror / "mirror.yml")[0] == 0
    return mirror / "site"


def axe_violations(page, url: str, label: str) -> list[str]:
    """Open `url` (waiting for the search results on the search page) and return axe's violations, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    response = page.goto(url)
    assert response.ok, f"{label}: HTTP {response.status}"
    if "search/?q=" in url:
        page.locator(".search-result").first.wait_for()
        page.wait_for_function("!document.getElementById('search-results').hasAttribute('aria-busy')")
        # no fade left: the results are drawn at full strength the moment the search is done (style.css)
        assert page.evaluate("getComputedStyle(document.getElementById('search-results')).opacity") == "1", label
    return [f"{label}: {v['id']} ({v['impact']}) {[n['target'] for n in v['nodes']][:3]}"
            for v in Axe().run(page).response["violations"]]


def test_every_kind_of_page_has_no_axe_violations(shipped, run_cli):
    site = build_shipped_with_hostile_paper(shipped, run_cli)
    keyword = sorted(site.glob("keywords/*/index.html"))[0].parent.name
    organization = min(site.glob("organizations/*/index.html")).parent.name
    pages = PAGES | {"keyword": f"keywords/{keyword}/", "organization": f"organizations/{organization}/"}
    found = []
    with serve(site, "/mirror/") as base, chromium() as browser:
        for scheme in ("light", "dark"):
            for width, viewport in WIDTHS.items():
                context = browser.new_context(color_scheme=scheme, viewport=viewport)
                page = context.new_page()
                for kind, path in pages.items():
                    found += axe_violations(page, base + path, f"{kind} /{path} {scheme} {width}px")
                context.close()
    assert found == []


def test_on_a_phone_the_trend_charts_keep_readable_labels(shipped, run_cli):
    """Scaled to a 390 px screen, the charts' 11 px labels were drawn 5.5 px tall; they keep 9 px or more, and the
    chart scrolls sideways in its frame, which the keyboard can reach."""
    site = build_shipped_with_hostile_paper(shipped, run_cli)
    with serve(site, "/mirror/") as base, chromium() as browser:
        context = browser.new_context(viewport=WIDTHS["390"])
        page = context.new_page()
        try:
            page.goto(base + "trends/")
            frame = page.locator(".chart-frame").first
            scale = frame.locator("svg").evaluate("svg => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width")
            assert 11 * scale >= 9, scale
            assert frame.evaluate("f => f.scrollWidth > f.clientWidth") and frame.get_attribute("tabindex") == "0"
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # the page itself does not
        finally:
            context.close()


def test_a_title_with_math_is_named_by_its_text_and_a_printed_paper_keeps_every_author(shipped, run_cli):
    """Chromium's accessibility tree named the heading and every link of a title with math without its formulas
    ("mass and"), the tab showed raw TeX, and a printed paper page said "and 3 more" for the authors it left out (the
    accessibility review)."""
    from papermirror.content.paperfile import read_paper

    paper_file = next((shipped / "content" / "papers").glob("*/*.md"))
    many = read_paper(paper_file).replace(authors=tuple(f"Author {n}" for n in range(15)))
    write_paper(shipped / "content", many)
    site = build_shipped_with_hostile_paper(shipped, run_cli)
    with serve(site, "/mirror/") as base, chromium() as browser:
        context = browser.new_context()
        page = context.new_page()
        try:
            page.goto(base + "papers/2503.01234/")
            named = "<script>x</script> mass m² and a/b"
            assert page.get_by_role("heading", level=1).get_attribute("aria-label") == named
            assert page.get_by_role("heading", name=named, exact=True).count() == 1
            assert page.title().startswith(f"{named} · ")
            page.goto(base + "archive/2025-03-13/")
            assert page.get_by_role("link", name=named, exact=True).count() == 1
            page.goto(base + f"papers/{many.id}/")
            page.emulate_media(media="print")
            page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
            assert page.locator(".authors").inner_text().endswith("Author 13, Author 14")
            assert not page.locator("#cite button").is_visible() and not page.locator(".authors summary").is_visible()
            page.evaluate("window.dispatchEvent(new Event('afterprint'))")
            assert page.locator(".authors details").evaluate("details => !details.open")
        finally:
            context.close()
        context = browser.new_context(java_script_enabled=False)  # printed without paper.js: "and 5 more" stays
        page = context.new_page()
        try:
            page.goto(base + f"papers/{many.id}/")
            page.emulate_media(media="print")
            assert page.locator(".authors summary").is_visible(), "the authors it cannot print must still be told"
            assert page.locator(".authors").inner_text().endswith("and 5 more")
        finally:
            context.close()
    keywords = (site / "keywords" / "index.html").read_text(encoding="utf-8")
    assert '<span class="count">1 paper</span>' in keywords or '<span class="count">2 papers</span>' in keywords
