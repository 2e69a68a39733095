"""Text with TeX math: pandoc's dollar rule, MathML output, and what must stay text."""

from __future__ import annotations

import pytest
from markupsafe import escape

from papermirror.site.mathtext import (
    plain_text,
    render_excerpt,
    render_inline,
    render_paragraphs,
    split_math,
    tex_to_mathml,
)


def test_dollar_rule_follows_pandoc():
    assert split_math("mass $m^2$ here") == [("text", "mass "), ("math", "m^2"), ("text", " here")]
    assert split_math("Earn $1 Million from $200k") == [("text", "Earn $1 Million from $200k")]
    assert split_math("$ x$") == [("text", "$ x$")]  # opening $ followed by a space
    assert split_math("$x $") == [("text", "$x $")]  # closing $ preceded by a space
    assert split_math("cost $a$1") == [("text", "cost $a$1")]  # closing $ followed by a digit
    assert split_math("$5 and $10") == [("text", "$5 and $10")]
    assert split_math(r"\$OneMillion-Bench") == [("text", "$OneMillion-Bench")]
    assert split_math(r"$a\$b$") == [("math", r"a\$b")]
    assert split_math("$$E=mc^2$$") == [("display", "E=mc^2")]


def test_math_becomes_mathml_and_text_stays_text():
    html = render_inline(r"CoSTA$\ast$ with $m^2$ <script>alert(1)</script> </a> <think>")
    assert "<msup><mi>m</mi><mn>2</mn></msup>" in html
    assert html.count("<math>") == 2  # lean: no xmlns, no display="inline", no <mrow> around the whole formula
    assert "CoSTA<math><mo>*</mo></math>" in html and "xmlns" not in html and "<mrow>" not in html
    assert tex_to_mathml("E=mc^2", display=True).startswith('<math display="block"><mi>E</mi>')
    assert tex_to_mathml("10^{6}") == "<math><msup><mn>10</mn><mrow><mn>6</mn></mrow></msup></math>"  # inner rows stay
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;/a&gt; &lt;think&gt;" in html
    assert "<script" not in html


def test_unsafe_or_broken_tex_is_shown_as_escaped_text():
    assert render_inline(r"$x_{$ bad") == "$x_{$ bad"
    assert render_inline(r"$\text{<b>x</b>}$") == r"$\text{&lt;b&gt;x&lt;/b&gt;}$"
    linked = render_inline(r"$\href{javascript:alert(1)}{x}$ $\style{color:red}{y}$")
    assert "javascript" not in linked and "style=" not in linked and "href" not in linked


@pytest.mark.parametrize("tex", [r"\frac{a}", r"\binom{n}", r"\overset{a}", r"\underset{a}", r"\dfrac{1}"])
def test_a_command_missing_an_argument_is_shown_as_tex(tex):
    """latex2mathml made an mfrac (mover, munder) of one child: half a fraction, invalid in HTML."""
    assert render_inline(f"${tex}$ unbalanced") == f"${tex}$ unbalanced"


def test_whole_fractions_roots_and_scripts_stay_math():
    for tex in (r"\frac{a}{b}", r"\sqrt[3]{x}", r"x_a^b", r"\sum_{i=1}^{n}", r"\overset{a}{b}", r"\hat{x}", r"\lim_{x\to 0}"):
        assert str(render_inline(f"${tex}$")).startswith("<math>"), tex


def test_tex_cannot_resize_recolour_or_push_a_listing_line():
    huge = render_inline(r"Efficient $\Huge{\Huge{\Huge{X}}}$ and $\color{white}{hidden}$ $\colorbox{red}{y}$")
    assert "mathsize" not in huge and "mathcolor" not in huge and "mathbackground" not in huge
    assert "<mi>X</mi>" in huge and "<mi>h</mi>" in huge  # the text stays, drawn at the line's size and colour
    assert "900em" not in render_inline(r"$a\kern900em b$") and "-50em" not in render_inline(r"$a\hspace{-50em}b$")
    assert 'width="2em"' in render_inline(r"$a\qquad b$") and 'width="0.167em"' in render_inline(r"$a\,b$")
    assert 'minsize="2.470em"' in render_inline(r"$\Bigg( x \Bigg)$")  # big delimiters keep their size
    # short spaces repeated add up: past SPACES_EM the formula is shown as its TeX
    assert render_inline("$a" + r"\kern4em a" * 8 + "$") == "$a" + r"\kern4em a" * 8 + "$"
    assert "<mspace" in render_inline("$A" + r" \xrightarrow{f} B" * 6 + "$")  # a display formula's arrows stay


@pytest.mark.parametrize("tex", [
    r"\raise{4em}{\raise{4em}{\text{RETRACTED - see evil.example}}}",  # 8em up, 4em an attribute
    r"\lower{0.8em}{\lower{0.8em}{x}}",
    r"\mathrlap{\kern-4em\kern-4em\kern-4em\kern-4em\kern-4em\kern-4em\kern-4em\text{OVERLAY}}",
    r"\mathrlap{\text{OVERLAY}} 5",  # words in a box of no width: drawn over what follows
    r"\smash{\begin{matrix}a\\b\\c\\d\\e\\f\end{matrix}}",  # rows drawn over the lines above and below
    "a" + r"\!" * 13 + "b",  # named spaces count: 13 x -0.167em
    # two letters a box, spaced inside the boxes: "RETRACTE" over a line's upvotes (a review of the change)
    r"\mathrlap{\text{RE}}\mathrlap{\hspace{1.3em}\text{TR}}\mathrlap{\hspace{2.6em}\text{AC}}",
    r"\mathrlap{\hspace{1.3em}x}",
    r"\mathrlap{\underline{\hspace{4em}}}",  # a line and no character
    r"\mathrlap{\boxed{\phantom{WWWWWW}}}",
    r"\smash{\frac{a}{b}}",  # a fraction in a box of no height: over the lines above and below
    r"\mathrlap{\raise{0.9em}{x}}",  # a box inside a box of no width (it may shift what it holds)
    r"\kern-3em x",
])
def test_tex_cannot_draw_over_the_text_around_it(tex):
    """The security review's spoofs: a formula's words drawn over the day heading above a listing line, or over
    its upvotes. Such a formula is shown as its TeX."""
    assert render_inline(f"T ${tex}$") == f"T ${escape(tex)}$"


@pytest.mark.parametrize("tex", [
    "a+" * 450 + "a",  # 901 characters in one line: MathML never wraps
    r"\displaylines{" + "a\\\\" * 300 + "}",  # 300 rows
    r"\begin{matrix}" + "a\\\\" * 9 + r"a\end{matrix}",  # 10 rows
    "x" + "\\\\" * 300 + "y",  # 37 bytes of MathML each \\, showing nothing more
])
def test_a_formula_too_long_or_tall_for_a_line_is_shown_as_its_tex(tex):
    """The security review: a long title formula drew each listing line of its paper 13,000 px wide (and 4,800 px
    high with 300 rows); its TeX wraps as text does."""
    assert render_inline(f"T ${tex}$") == f"T ${escape(tex)}$"


def test_formulas_of_a_long_line_stay_math():
    for tex in ("a+" * 55 + "a", r"\displaylines{" + "a\\\\" * 7 + "a}",
                r"P(\text{final output is incorrect}) \le (1 - p_{gen})^N + \lceil \log_2 N \rceil e^{-2 K (p - 1/2)^2}"):
        assert render_inline(f"${tex}$").startswith("<math>"), tex


def test_a_formula_that_shows_nothing_is_shown_as_its_tex():
    assert render_inline(r"$\phantom{x}$") == r"$\phantom{x}$" and render_inline(r"$\quad$") == r"$\quad$"


def test_small_shifts_laps_and_phantoms_stay_math():
    for tex in (r"a \not= b", r"\rlap{x}y", r"a\!\!b", r"\raise{0.5em}{x}", r"\vphantom{\frac{a}{b}}x",
                r"\hphantom{abc}x", r"\smash{x}", "A" + r" \xrightarrow{f} B" * 6):
        assert render_inline(f"${tex}$").startswith("<math>"), tex


def test_tex_cannot_put_control_characters_back():
    html = render_inline(r"Masked $\unicode{x202E}$ 1 upvote $\unicode{x9B}\unicode{x7F}\unicode{x85}x$ end")
    assert not any(char in html for char in "\u202e\x9b\x7f\x85"), repr(html)
    assert "<mi>x</mi>" in html


def test_abstract_is_plain_text_not_markdown():
    """Markdown means nothing; of TeX's text mode, what textmode.py knows prints ("\\%"), an author's macro stays."""
    html = render_paragraphs("a_1 * b_2 and \\method with 54.6\\% and *not em*\n\nsecond <subject, object, predicate>")
    assert html == (
        "<p>a_1 * b_2 and \\method with 54.6% and *not em*</p>\n"
        "<p>second &lt;subject, object, predicate&gt;</p>"
    )


def test_plain_text_drops_delimiters_only():
    assert plain_text(r"\$OneMillion: $m^2$ and $1 Million") == "$OneMillion: m^2 and $1 Million"


def test_excerpt_cuts_at_a_word_and_never_inside_math():
    text = "word " * 50 + "$a^2 + b^2$ end"
    excerpt = render_excerpt(text, limit=60)
    assert excerpt.endswith("…") and "<math" not in excerpt and len(excerpt) < 70
    whole = render_excerpt("short $x$ text", limit=60)
    assert "<math" in whole and not whole.endswith("…")


def test_deeply_nested_tex_is_shown_as_tex_not_a_crash():
    deep = "$" + "\\sqrt{" * 200 + "x" + "}" * 200 + "$"
    html = str(render_inline(f"Deep {deep} end"))
    assert html.startswith("Deep $\\sqrt{\\sqrt{") and html.endswith("$ end") and "<math" not in html


def test_a_paper_with_deep_tex_builds(mirror, run_cli):
    from samples import make_paper, write_archive

    deep = "$" + "\\sqrt{" * 200 + "$"
    write_archive(mirror, [make_paper("2503.00001", f"Deep {deep}", abstract=f"Also {deep} here.")])
    code, _out, err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 0, err
    assert "Deep $\\sqrt{\\sqrt{" in (mirror / "site/papers/2503.00001/index.html").read_text(encoding="utf-8")


def test_a_page_that_cannot_be_drawn_is_named_with_its_papers(mirror, run_cli, monkeypatch):
    from samples import make_paper, write_archive

    from papermirror.site import templates

    write_archive(mirror, [make_paper("2503.00001", "Fine")])

    def broken(self, page):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(templates.Renderer, "render", broken)
    code, _out, err = run_cli("build", "--no-index", "--jobs", "1", config=mirror / "mirror.yml")
    assert code == 2 and "Traceback" not in err
    assert "cannot draw it (RecursionError: maximum recursion depth exceeded)" in err
    assert "site/papers/2503.00001/index.html" in err or "its papers: 2503.00001" in err
