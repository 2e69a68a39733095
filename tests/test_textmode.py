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
    assert keywords == ["frechet-inception-distance", "pixart"], keywords
    keyword_page = (site / "keywords/frechet-inception-distance/index.html").read_text(encoding="utf-8")
    assert "Keyword: Fréchet Inception Distance (FID)" in keyword_page and "2 papers" in keyword_page
    entry = next(e for e in ET.parse(site / "feed.xml").getroot().iter(f"{ATOM}entry")
                 if e.findtext(f"{ATOM}id", "").endswith("2601.00001/"))
    assert entry.findtext(f"{ATOM}title") == "Fid-Net: Fréchet distances at scale"
    assert entry.findtext(f"{ATOM}summary") == "We cut FID by 32.2% with “fewer” steps e.g. on ImageNet."
    assert {c.get("term") for c in entry.iter(f"{ATOM}category")} == {"Fréchet Inception Distance (FID)", "PixArt-α"}
    stored = read_paper(paper_path(mirror / "content", "2601.00001"))
    assert stored.abstract == first.abstract and stored.ai_keywords == first.ai_keywords
