"""TeX's text-mode commands outside math (`papermirror/site/textmode.py`): shown as they print, on every page that
shows a title, an abstract or a keyword; what is not understood stays as written; the stored text is not touched."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from samples import ATOM, make_paper, parse, write_archive

from papermirror.content.paperfile import read_paper
from papermirror.content.paper import paper_path
from papermirror.site.mathflat import flat_text
from papermirror.site.mathtext import render_inline, render_paragraphs
from papermirror.site.textmode import text_mode


@pytest.mark.parametrize("written, shown", [
    # the escaped specials (736 of the recorded stream's abstracts say "\%")
    ("a 32.2\\% gain, Q\\&A, SDXL\\_NCP\\_v0.1, item \\#3, \\{set\\}, 100\\,GB", "a 32.2% gain, Q&A, SDXL_NCP_v0.1, item #3, {set}, 100\u202fGB"),
    # accents on one letter, with or without braces, on a dotless i, and named ones
    ("Fr\\'echet, Fr\\'{e}chet, {\\'e}t\\'e, Schr\\\"odinger, \\\"Ust\\\"un, It\\^o, na\\\"{\\i}ve",
     "Fréchet, Fréchet, été, Schrödinger, Üstün, Itô, naïve"),
    ("\\c{c}a, \\c c, \\v{s}, \\H{o}, \\k{a}, \\r a, \\~n, \\`a, \\=o", "ça, ç, š, ő, ą, å, ñ, à, ō"),
    ("Stra\\ss e, \\o, \\AE{} on, \\l{}", "Straße, ø, Æ on, ł"),
    # an apostrophe typed with a backslash is no acute accent
    ("the query\\'s feature, we don\\'t", "the query’s feature, we don’t"),
    # font and box commands keep their argument, nested ones too; old-style switches in a group
    ("\\textbf{bold}, \\emph{\\textit{deep}}, \\textsc{AIEV-Instruct}, pass@\\textit{k}, {\\it vs.} and {\\em and}",
     "bold, deep, AIEV-Instruct, pass@k, vs. and and"),
    # links: the address, or the text of an \href
    ("at \\url{https://github.com/a/b_c} and \\href{https://x.org}{the site}", "at https://github.com/a/b_c and the site"),
    # words, logos and the usual macros of CVPR's template (one dot after "\etc.")
    ("\\LaTeX, \\TeX, \\ldots, \\eg, \\ie, \\etc. and \\etal. LLaMA\\nobreakdash-3", "LaTeX, TeX, …, e.g., i.e., etc. and et al. LLaMA-3"),
    ("``slightly better'' and ``a'' b", "“slightly better” and “a” b"),
    ("``over a\nline break''", "“over a\nline break”"),  # arXiv wraps its abstracts
    # a sign or a break ends at the space after it, as TeX reads it; a word keeps it, as authors mean it
    ("github.io/\\allowbreak MathSE.github.io/, \\textgreater 96\\%, 1\\textendash 2, \\textasciitilde 5",
     "github.io/MathSE.github.io/, >96%, 1–2, ~5"),
    ("na\\\"\\i ve, O\\'Brien", "naïve, O’Brien"),
    # what a command prints is not read again: TeX prints "C:\_x" and "\%" here
    ("C:\\textbackslash{}\\_x and \\textbackslash{}%", "C:\\_x and \\%"),
    ("E\\textsuperscript{2}R, x\\textsubscript{i}, a\\textsuperscript{th!}", "E²R, xᵢ, ath!"),
])
def test_known_commands_are_shown_as_they_print(written, shown):
    assert text_mode(written) == shown


@pytest.mark.parametrize("written", [
    "an author's own \\method, \\ours{} and \\GitChameleon{}",  # macros only the paper's preamble defines
    "C:\\Users\\me and \\u00e9",  # backslashes that are no TeX
    "~10% of the tokens, 54% of cases",  # a tilde for "about", a bare percent sign
    "\\textbf{a {b} c}", "\\textbf{unclosed", "``unclosed", "don''t",  # what cannot be read as a whole stays whole
    "a\\\\%b and x\\\\'e",  # a backslash escaped, then a sign: no command
    "C^2OT and x_1",  # scripts outside math are no scripts
    "the models\\' outputs",  # no letter after the accent: an apostrophe typed with a backslash
    "``one paragraph\n\nanother''",  # no quotation runs over a blank line
])
def test_what_is_not_understood_stays_as_written(written):
    assert text_mode(written) == written


def test_math_is_left_to_mathml_and_hostile_text_stays_escaped():
    html = render_inline("\\textbf{<script>alert(1)</script>} at 95\\% and $\\alpha\\%$ </a>")
    assert html.startswith("&lt;script&gt;alert(1)&lt;/script&gt; at 95% and <math>")
    assert "<script" not in html and html.endswith(" &lt;/a&gt;")
    assert flat_text("$x^2$ at 95\\% of Fr\\'echet") == "x² at 95% of Fréchet"
    assert render_paragraphs("One \\emph{a}\n\nTwo \\%") == "<p>One a</p>\n<p>Two %</p>"


def test_pages_feeds_and_keywords_show_what_tex_prints(mirror, run_cli):
    """The abstract, the title, the description, the feed, the keyword chips and the keyword page: "Fréchet" and
    "32.2%", never "Fr\\'echet" nor "32.2\\%"; two spellings that print alike are one keyword; the content file and the
    citation (BibTeX wants the TeX) keep what the hub sent."""
    first = make_paper("2601.00001", "\\textsc{Fid}-Net: Fr\\'echet distances at scale",
                       abstract="We cut FID by 32.2\\% with ``fewer'' steps \\eg on ImageNet.", ai_summary=None,
                       ai_keywords=("Fr\\'echet Inception Distance (FID)", "PixArt-$\\alpha$"))
    second = make_paper("2601.00002", "Another paper", abstract="Plain.", ai_summary=None,
                        ai_keywords=("Fréchet Inception Distance (FID)", "PixArt-$\\alpha$"))
    write_archive(mirror, [first, second])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    site = mirror / "site"
    page = (site / "papers/2601.00001/index.html").read_text(encoding="utf-8")
    assert "We cut FID by 32.2% with “fewer” steps e.g. on ImageNet." in page
    assert "<title>Fid-Net: Fréchet distances at scale · " in page and ">Fid-Net: Fréchet distances at scale</h1>" in page
    assert "\\%" not in page and page.count("Fr\\&#39;echet") == 1  # the citation_title alone
    metas = {a.get("name"): a.get("content") for tag, a in parse(site / "papers/2601.00001/index.html").attrs if tag == "meta"}
    assert metas["description"] == "We cut FID by 32.2% with “fewer” steps e.g. on ImageNet."
    assert metas["citation_title"] == "\\textsc{Fid}-Net: Fr\\'echet distances at scale"  # as arXiv gives it
    chips = re.findall(r'<li[^>]*><a href="[^"]*">([^<]*)</a></li>', page.split('id="keywords"')[1].split("</ul>")[0])
    assert chips == ["Fréchet Inception Distance (FID)", "PixArt-α"]
    keywords = sorted(p.parent.name for p in (site / "keywords").glob("*/index.html"))
    assert keywords == ["frechet-inception-distance", "pixart-alpha"], keywords  # as "PixArt-$\\alpha$" was slugged
    keyword_page = (site / "keywords/frechet-inception-distance/index.html").read_text(encoding="utf-8")
    assert "Keyword: Fréchet Inception Distance (FID)" in keyword_page and "2 papers" in keyword_page
    entry = next(e for e in ET.parse(site / "feed.xml").getroot().iter(f"{ATOM}entry")
                 if e.findtext(f"{ATOM}id", "").endswith("2601.00001/"))
    assert entry.findtext(f"{ATOM}title") == "Fid-Net: Fréchet distances at scale"
    assert entry.findtext(f"{ATOM}summary") == "We cut FID by 32.2% with “fewer” steps e.g. on ImageNet."
    assert {c.get("term") for c in entry.iter(f"{ATOM}category")} == {"Fréchet Inception Distance (FID)", "PixArt-α"}
    stored = read_paper(paper_path(mirror / "content", "2601.00001"))
    assert stored.abstract == first.abstract and stored.ai_keywords == first.ai_keywords


def test_keyword_addresses_stay_where_they_were(mirror, run_cli):
    """Keywords are grouped as they print, and addressed as before: "α-CLIP" at alpha-clip, as its TeX was, and plain
    "CLIP" keeps clip (a slug that dropped the α took clip, and moved CLIP to clip-e3a93fa8); a keyword that holds only
    quotes is printed too."""
    def paper(n: int, day: str, keywords: tuple[str, ...]):
        return make_paper(f"2601.0000{n}", f"Paper {n}", daily=(day,), published=day, ai_keywords=keywords, ai_summary=None)

    old = ("$\\alpha$-CLIP", "$\\tau$-bench", "``Did You Know'' entries")
    write_archive(mirror, [paper(1, "2025-01-02", old), paper(2, "2025-01-03", old),
                           paper(3, "2025-02-02", ("CLIP", "bench")), paper(4, "2025-02-03", ("CLIP", "bench"))])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    pages = {p.parent.name: p.read_text(encoding="utf-8") for p in (mirror / "site/keywords").glob("*/index.html")}
    assert sorted(pages) == ["alpha-clip", "bench", "clip", "did-you-know-entry", "tau-bench"]
    assert "Keyword: α-CLIP" in pages["alpha-clip"] and "Keyword: CLIP" in pages["clip"]
    assert "Keyword: τ-bench" in pages["tau-bench"] and "Keyword: “Did You Know” entries" in pages["did-you-know-entry"]


def test_the_terminal_search_finds_what_the_page_prints(mirror, run_cli):
    """The terminal search reads the printed text too (search/terms.py), as the browser's does: "frechet" and
    "Fréchet" find "Fr\\'echet"."""
    write_archive(mirror, [make_paper("2601.00001", "Fr\\'echet distances", abstract="About \\textbf{stitching}.",
                                      ai_summary=None), make_paper("2601.00002", "Other", abstract="Plain.", ai_summary=None)])
    for query in ("frechet", "Fréchet", "title:frechet", "stitching"):
        code, out, _ = run_cli("search", query, config=mirror / "mirror.yml")
        assert code == 0 and out.split()[0] == "2601.00001", (query, out)
