"""Text with TeX math flattened to Unicode, for where no markup can go: a search result's title.

A page draws a title's math as MathML (`mathtext`); text that cannot hold markup showed that MathML's letters run
together ("Scaling O(n2) Attention with ℒ1 Sparsity", an exponent read as a digit). Here the same MathML is read
back as Unicode: scripts as superscript and subscript characters where every character has one ("O(n²)", "ℒ₁",
"Wᵀ"), else written out ("x_(i,j)", "2^(d/k)"); a fraction as "a/b", a root as "√x", an accent as a combining
mark ("x̂"). Letters keep the styles latex2mathml gives them (ℝ, 𝐖). Math that cannot be converted stays TeX.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from papermirror.site.mathtext import drop_control, split_math, tex_to_mathml
from papermirror.site.textmode import SUBSCRIPTS, SUPERSCRIPTS, text_mode

ACCENTS = {"^": "\u0302", "ˆ": "\u0302", "~": "\u0303", "˜": "\u0303", "―": "\u0305", "¯": "\u0304",
           "‾": "\u0305", "→": "\u20d7", "˙": "\u0307", ".": "\u0307", "¨": "\u0308", "ˇ": "\u030c"}
"""The marks latex2mathml draws over a letter (`\\hat`, `\\tilde`, `\\bar`, `\\overline`, `\\vec`, `\\dot`,
`\\ddot`, `\\check`), as the combining characters that draw them over the letter before."""


def flat_text(text: str) -> str:
    """Return the text with each formula flattened to Unicode, `\\$` unescaped and TeX's text-mode commands as they
    print (`textmode`); a formula that cannot be converted stays as the page shows it, its TeX between its dollars."""
    out = []
    for kind, value in split_math(drop_control(text)):
        if kind == "text":
            out.append(text_mode(value))
            continue
        mathml = tex_to_mathml(value, display=kind == "display")
        delimiter = "$$" if kind == "display" else "$"
        try:  # a formula nested nearly as deep as tex_to_mathml allows may pass Python's limit here, deeper in a stack
            out.append(_flatten(ET.fromstring(mathml)) if mathml is not None else f"{delimiter}{value}{delimiter}")
        except RecursionError:
            out.append(f"{delimiter}{value}{delimiter}")
    return "".join(out)


def flat_line(text: str) -> str:
    """`flat_text` on one line, its runs of spaces and line breaks made one space: a description, a keyword."""
    return " ".join(flat_text(text).split())


def _flatten(element: ET.Element) -> str:
    """Return what one MathML element shows, as Unicode text."""
    tag, children = element.tag, list(element)
    if tag == "mphantom":
        return ""
    if tag == "mspace":
        return " "
    if tag in ("msup", "msub", "msubsup"):
        base, *scripts = (_flatten(child) for child in children)
        marks = ("_", "^") if tag == "msubsup" else ("^",) if tag == "msup" else ("_",)
        return base + "".join(_script(script, mark) for script, mark in zip(scripts, marks))
    if tag == "mfrac":
        over, under = (_grouped(_flatten(child)) for child in children)
        return f"{over}/{under}"
    if tag == "msqrt":
        return "√" + _grouped("".join(_flatten(child) for child in children))
    if tag == "mroot":
        radicand, index = (_flatten(child) for child in children)
        return _script(index, "^") + "√" + _grouped(radicand)
    if tag == "mover":
        base, over = (_flatten(child) for child in children)
        accent = ACCENTS.get(over.strip()) if len(base) == 1 else None
        return base + accent if accent else base + _script(over, "^")
    if tag == "munder":
        base, under = (_flatten(child) for child in children)
        return base + _script(under, "_")
    if tag == "munderover":
        base, under, over = (_flatten(child) for child in children)
        return base + _script(under, "_") + _script(over, "^")
    if tag == "mtr":
        return ", ".join(_flatten(child) for child in children)
    if tag == "mtable":
        return "; ".join(_flatten(child) for child in children)
    return (element.text or "").strip() + "".join(_flatten(child) + (child.tail or "").strip() for child in children)


def _script(text: str, mark: str) -> str:
    """A superscript (mark "^") or subscript ("_") as its own characters when each has one, else written out."""
    table = SUPERSCRIPTS if mark == "^" else SUBSCRIPTS
    if text and all(ord(char) in table for char in text):
        return text.translate(table)
    return mark + (_grouped(text) if text else "")


def _grouped(text: str) -> str:
    """Text as one operand: itself when it is one character or one number or word, else in parentheses."""
    if len(text) <= 1 or text.isalnum() or (text[0] == "(" and text[-1] == ")" and text.count("(") == 1):
        return text
    return f"({text})"
