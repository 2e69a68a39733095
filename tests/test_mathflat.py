"""mathflat: a title's math as Unicode text, for a search result's title."""

import pytest

from papermirror.site.mathflat import flat_text


@pytest.mark.parametrize(("text", "flat"), [
    ("Scaling $O(n^2)$ Attention with $\\mathcal{L}_1$ Sparsity", "Scaling O(n²) Attention with ℒ₁ Sparsity"),
    ("$\\hat{x}_t$, $\\vec{v}$ and $\\overline{x}$", "x̂ₜ, v⃗ and x̅"),  # accents as combining marks
    ("$\\frac{1}{2}$ and $\\frac{a+b}{2}$", "1/2 and (a+b)/2"),
    ("$\\sqrt{d_k}$ and $\\sqrt[3]{x}$", "√dₖ and ³√x"),
    ("$\\mathbb{R}^{d\\times n}$ with $x_{i,j}^{(k)}$", "ℝ^(d×n) with x_(i,j)⁽ᵏ⁾"),  # no superscript × or comma
    ("$\\mathbf{W}^\\top$ at $10^{-3}$", "𝐖ᵀ at 10⁻³"),
    ("$\\sum_{i=1}^{n} x_i$", "∑ᵢ₌₁ⁿxᵢ"),
    ("$$E=mc^2$$ and $\\text{SOTA}$", "E=mc² and SOTA"),
    ("$\\begin{matrix}a&b\\\\c&d\\end{matrix}$ and $\\phantom{x}y$", "a, b; c, d and y"),
])
def test_math_is_flattened_to_unicode(text, flat):
    assert flat_text(text) == flat


@pytest.mark.parametrize(("text", "flat"), [
    ("Earn $1 Million, not $200k", "Earn $1 Million, not $200k"),  # no math: the text as it is
    ("Costs \\$5 a run", "Costs $5 a run"),  # an escaped dollar is a dollar
    ("bad $\\frac{a}$ TeX", "bad $\\frac{a}$ TeX"),  # unconvertible math stays as the page shows it
    ("$x$ \x1b[31mred\u202e", "x [31mred"),  # controls dropped, as on the page
    ("$\\text{<b>}$ and <i>", "$\\text{<b>}$ and <i>"),  # refused by the page too; escaped where written
])
def test_text_that_is_not_convertible_math_stays_as_the_page_shows_it(text, flat):
    assert flat_text(text) == flat


def test_a_formula_too_deep_to_flatten_here_stays_tex():
    """tex_to_mathml accepts (and caches) a formula nested nearly as deep as Python allows; flattened deeper in a
    stack it passed the limit, uncaught (the review)."""
    import sys

    from papermirror.site.mathtext import tex_to_mathml

    # the deepest formula converted at this depth (and cached)
    tex = next(t for n in range(300, 0, -5) if tex_to_mathml(t := "\\sqrt{" * n + "x" + "}" * n) is not None)
    assert flat_text(f"${tex}$").startswith("√")
    limit = sys.getrecursionlimit()

    def deeper(depth: int) -> str:
        return flat_text(f"${tex}$") if depth == 0 else deeper(depth - 1)

    sys.setrecursionlimit(limit - 200)  # as if called 200 frames deeper
    try:
        shown = deeper(0)
    finally:
        sys.setrecursionlimit(limit)
    assert shown == f"${tex}$"
