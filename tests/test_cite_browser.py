"""A paper page's BibTeX, drawn in real Chromium by layouts/static/paper.js from the page's citation tags, is
the entry site/cite.py's `bibtex_entry` writes for the same paper, for titles and authors that are hard to
carry through HTML and BibTeX; the copy button copies it, the keyboard reaches it, and without JavaScript the
page links arXiv's own BibTeX instead."""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path

import pytest
from browser import chromium, serve
from samples import make_paper

from papermirror.content.paperfile import read_papers, write_paper
from papermirror.site.cite import bibtex_entry

ROOT = Path(__file__).resolve().parent.parent
SUB_PATH = "/mirror/"
MANY = tuple(f"Author{n} Ñoño-Žák{n}" for n in range(1, 41))
TRICKY = [
    make_paper("2502.12115", "Earn $1 Million & 50% of $m^2$ {braces} #1_a \\method <b>x</b> Über",
               authors=("Ada Lovelace", "Jürgen Müller", "Zoë O'Brien-Ñúñez <script>", "R&D_Team 100%")),
    make_paper("2502.00002", "A of to Ünïcödé nets: $\\mathcal{O}(n)$ attention for $x_{1}$ and $$E=mc^2$$",
               authors=MANY),
    make_paper("2502.00003", "Bad math $x_{$ and \\$OneMillion and a \\\\ backslash\tand   spaces",
               authors=("A $\\alpha$ Beta", "C {D} E"), published=None, daily=("2025-03-14",)),
    make_paper("2502.00004", "Ñu", authors=(), published=None, daily=()),
    make_paper("math.AG/0101001", "É", authors=("Élodie",), published="2001-01-04", daily=()),
    make_paper("2502.00006", "Nets\u2003for\u00a0Vision\ufeffand\x1bcontrol", authors=("Jean-Luc\u00a0Picard", " ")),
    make_paper("2502.00007", "Two\nlines", authors=("Mª José Ōtsuka",)),
    make_paper("2502.00008", "Carriage\rreturn\r\nand newline", authors=("X\rY Zed",)),  # HTML reads \r as \n
    # a name holding a semicolon: the page keeps a citation_author tag a name (the list form would split it)
    make_paper("2502.00009", "Semicolons", authors=("Smith; J.", "Ada  Lovelace ", "B;C")),
    # hub text that would close the field or run TeX: written as text, in the page's script as in cite.py
    make_paper("2502.00010", 'ViTs $}}}@preamble{"\\input{/etc/passwd}"}@misc{x,note={{$ \\write18{ls} ^~',
               authors=("Eve $}},note={{x$", "Mallory \\input{x}")),
    make_paper("2502.00011", "No math, TeX: \\input{/etc/passwd} ^ ~ and a last \\", authors=("Trent \\def\\x",)),
    # names BibTeX would split into several: braced, in the page's script as in cite.py
    make_paper("2502.00012", "Ands", authors=("Real Author and Fake Person and others", "AND", "others", "Ana Andersen", "Jane {and} Doe")),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[str, dict]:
    """The tricky papers built for, and served under, http://127.0.0.1:<port>/mirror/ (no search index)."""
    import build

    root = tmp_path_factory.mktemp("cite")
    (root / "mirror.yml").write_text("site:\n  title: Cite\n  base_url: https://example.org/\n", encoding="utf-8")
    for paper in TRICKY:
        write_paper(root / "content", paper)
    shutil.copytree(ROOT / "layouts", root / "layouts")
    assert build.main(["--config", str(root / "mirror.yml"), "--quiet", "build", "--no-index",
                       "--base-url", f"http://127.0.0.1{SUB_PATH}"]) == 0
    papers = read_papers(root / "content")  # what the build read: the entries are compared for these records
    assert set(papers) == {paper.id for paper in TRICKY}
    with serve(root / "site", SUB_PATH) as url:
        yield url, papers


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def open_paper(context, url: str, paper_id: str):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    assert page.goto(f"{url}papers/{paper_id}/").ok
    return page, errors


def test_the_drawn_bibtex_is_cite_py_entry(site, browser):
    url, papers = site
    context = browser.new_context()
    drawn = {}
    for paper_id in papers:
        page, errors = open_paper(context, url, paper_id)
        drawn[paper_id] = page.locator("#cite pre.bibtex code").text_content(timeout=5_000)
        assert errors == [], f"{paper_id}: the page raised {errors}"
    context.close()
    expected = {paper_id: bibtex_entry(paper) for paper_id, paper in papers.items()}
    assert drawn == expected
    assert "title={{$\\mathcal{O}(n)$" not in expected["2502.00002"]  # the test's papers do reach every branch:
    assert "$\\mathcal{O}(n)$" in expected["2502.00002"] and "author={A $\\alpha$ Beta and C D E}" in expected["2502.00003"]
    assert "year={2025}" in expected["2502.00003"] and expected["2502.00004"].startswith("@misc{arxiv250200004,")
    assert "year=" not in expected["2502.00004"] and expected["math.AG/0101001"].startswith("@misc{elodie2001,\n")
    assert expected["2502.00007"].startswith("@misc{otsuka2025two,\n") and "\\& 50\\% of $m^2$ braces \\#1\\_a" in expected["2502.12115"]
    assert "\\textbackslash{}input/etc/passwd \\textasciicircum{} \\textasciitilde{}" in expected["2502.00011"]
    assert "@preamble" in expected["2502.00010"] and "{x,note=" not in expected["2502.00010"]


def test_the_cite_section_carries_only_what_the_tags_cannot(site):
    url, _papers = site

    def section(paper_id: str) -> str:
        html = urllib.request.urlopen(f"{url}papers/{paper_id}/").read().decode("utf-8")
        return html[html.index('<section id="cite"'):html.index("</section>", html.index('<section id="cite"'))]

    assert section("2502.00006").startswith('<section id="cite"><h2>')  # no math, a date: nothing
    assert section("2502.12115").startswith('<section id="cite" data-title="Earn \\$1 Million \\&amp; 50')
    assert 'data-title="A of to' in section("2502.00002") and "data-author" not in section("2502.00002")
    assert 'data-author="A $\\alpha$ Beta and C D E"' in section("2502.00003") and 'data-year="2025"' in section("2502.00003")
    assert '<a href="https://arxiv.org/bibtex/math.AG/0101001">' in section("math.AG/0101001")
    assert 'data-title="Carriage&#13;return&#13;\nand newline" data-author="X&#13;Y Zed"' in section("2502.00008")
    assert "@misc" not in section("2502.12115")  # the entry itself is drawn in the browser only


def test_copy_button_and_keyboard(site, browser):
    url, papers = site
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page, errors = open_paper(context, url, "2502.12115")
    page.keyboard.press("Tab")
    for _ in range(60):  # tab through the page to the BibTeX, then to its button
        if page.evaluate("document.activeElement.matches('#cite pre.bibtex')"):
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.matches('#cite pre.bibtex')"), "the keyboard never reached the BibTeX"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Copy BibTeX"
    page.keyboard.press("Enter")
    page.locator("#cite [role=status]").filter(has_text="Copied").wait_for(timeout=5_000)
    assert page.evaluate("navigator.clipboard.readText()") == bibtex_entry(papers["2502.12115"])
    assert errors == []
    context.close()


def test_without_javascript_the_page_links_arxiv_bibtex(site, browser):
    url, _papers = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    assert page.goto(f"{url}papers/2502.12115/").ok
    assert page.locator("#cite pre").count() == 0
    link = page.locator("#cite a")
    assert link.get_attribute("href") == "https://arxiv.org/bibtex/2502.12115" and link.is_visible()
    context.close()


def test_lean_mathml_is_mathml_in_the_browser(site, browser):
    """A formula is written without xmlns, display="inline" or an outer <mrow> (mathtext.tex_to_mathml): HTML's
    parser still puts it, and what it holds, in MathML's namespace, laid out as math (a superscript above the line)."""
    url, _papers = site
    context = browser.new_context()
    page, errors = open_paper(context, url, "2502.00002")
    html = page.locator("h1").inner_html()
    assert "<math><mi" in html and "xmlns" not in html
    found = page.evaluate("""() => Array.from(document.querySelectorAll("h1 math, h1 math *"),
        (node) => node.namespaceURI === "http://www.w3.org/1998/Math/MathML")""")
    assert len(found) > 3 and all(found)
    boxes = page.evaluate("""() => [...document.querySelectorAll("h1 msub")].map((sub) => {
        const [base, script] = sub.children;
        return [base.getBoundingClientRect().bottom, script.getBoundingClientRect().bottom];
    })""")
    assert boxes and all(script > base for base, script in boxes)  # a subscript sits lower than its base
    assert errors == []
    context.close()
