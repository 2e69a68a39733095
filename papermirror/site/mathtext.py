"""Plain text with TeX math, as titles and abstracts come from the hub, turned into safe HTML.

The text is NOT Markdown: only `$...$` (and `$$...$$`) math, the escape `\\$` and the TeX text-mode commands
`textmode.text_mode` knows (`\\%`, `\\'e`, `\\textbf{...}`) mean anything; every other character, other backslashes
and `<`, `*`, `_` included, is shown as it is.

What counts as math follows pandoc's `tex_math_dollars` rule: an opening `$` must be followed by a
non-space, the closing `$` must follow a non-space and must not be followed by a digit, so
"Earn $1 Million" and "$200k" stay text. Math becomes MathML (latex2mathml) at build time; the
MathML is re-checked against an allowlist because latex2mathml passes `\\text{<b>}`, `\\href` and
`\\style` through: known elements and attributes only, no colour or size, lengths bounded, no control
character in its text (`\\unicode{x202E}`), and no formula wider or taller than a listing line can hold
(MOST_SHOWN_CHARS, MOST_ROWS, MOST_MATHML_BYTES). When conversion fails the TeX is shown as escaped text.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as ET

from markupsafe import Markup, escape

from papermirror.content.paper import BIDI_CONTROLS
from papermirror.site.textmode import text_mode

MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"
MATHML_ELEMENTS = frozenset(
    "math mrow mi mn mo ms mtext mspace msup msub msubsup mfrac msqrt mroot mover munder munderover "
    "mtable mtr mtd mlabeledtr mstyle mpadded menclose mphantom merror mmultiscripts mprescripts none".split()
)
MATHML_ATTRIBUTES = frozenset(
    "display mathvariant stretchy fence separator lspace rspace accent accentunder movablelimits "
    "columnalign columnspacing columnlines rowspacing rowlines rowalign frame framespacing width height "
    "depth linebreak minsize maxsize symmetric largeop form linethickness notation displaystyle "
    "scriptlevel voffset align".split()
)
"""Kept where their value is safe (`safe_attribute_value`). Left out: mathsize (`\\Huge` nested six times drew
a glyph 4,000 px high over a listing), mathcolor and mathbackground (`\\color{white}` hid a title's words)."""
ARITY = {"mfrac": 2, "mroot": 2, "msup": 2, "msub": 2, "msubsup": 3, "mover": 2, "munder": 2, "munderover": 3}
"""The children MathML requires of these elements; latex2mathml writes `\\frac{a}` as an mfrac of one child,
which draws half a fraction and is invalid HTML: shown as TeX instead."""
SAFE_ATTRIBUTE_VALUE = re.compile(r"[\w.\- %+]{0,40}")
_LENGTH = re.compile(r"([-+]?(?:\d+\.?\d*|\.\d+))(em|ex|mu|pt|px|pc|mm|cm|in|%)?")
EM = {"em": 1.0, "ex": 0.5, "mu": 1 / 18, "pt": 1 / 12, "px": 1 / 16, "pc": 1.0, "mm": 0.24, "cm": 2.4, "in": 6.0, "": 1.0}
"""About what each unit of a MathML length is in em, at a 16 px line (a bare number: a multiple of the normal
size); % is left out."""
LONGEST_EM = 4.0
"""The longest length one MathML attribute may give: about four letters (`\\qquad` is 2em). `\\kern900em`
pushed a listing line 14,000 px wide."""
SPACES_EM = 30.0
"""The most a formula's spaces, paddings and shifts may add up to, in em: nested or repeated, short spaces
(`\\kern4em` a hundred times) would do what one long one did; 30em leaves room for a display formula's arrows
(`\\xrightarrow` adds 2em) and quads."""
SPACE_ATTRIBUTES = ("width", "lspace", "rspace", "height", "depth", "voffset")
SHIFT_EM = 1.0
"""The farthest a formula may draw anything up or down from its line, in em: its shifts (`\\raise`, `\\lower`:
voffset) added up along each nesting. `\\raise{4em}{\\raise{4em}{RETRACTED}}` drew a title's words over the
heading above it; `\\xrightarrow` shifts its label 0.2em."""
NEGATIVE_SPACE_EM = 2.0
"""The most a formula's spaces back to the left (`\\!`, `\\kern-1em`, `\\negthickspace`) may add up to, in em:
each draws what follows over what came before."""
LAPPED_CHARS = 1
"""The most a box of no width, height or depth may show (`\\rlap`, `\\mathrlap`, `\\smash`, the slash of
`\\not`): one character in one token, as `\\not` needs; what it holds is drawn over its neighbours
(`\\mathrlap{OVERLAY}` over a listing line's upvotes; two letters a box, spaced inside the boxes, spelt
"RETRACTE" over them; `\\mathrlap{\\underline{\\hspace{4em}}}` drew a line). Phantoms show nothing."""
NAMED_SPACES_EM = {
    name: sign * eighteenths / 18
    for eighteenths, word in enumerate(("veryverythin", "verythin", "thin", "medium", "thick", "verythick",
                                        "veryverythick"), start=1)
    for sign, name in ((1, f"{word}mathspace"), (-1, f"negative{word}mathspace"))
}
"""MathML's named spaces (latex2mathml writes `\\!` as negativethinmathspace), in em."""
MOST_SHOWN_CHARS = 120
"""The most characters one formula may show: MathML never wraps, so a longer one (`a+a+...`, 900 characters of TeX in
a title) drew every listing line of its paper 13,000 px wide; it is shown as its TeX, which wraps."""
MOST_ROWS = 8
"""The most rows a formula's tables may have in all (`\\displaylines`, cases, matrices): 300 rows drew a title
4,800 px high."""
MOST_MATHML_BYTES = 8_000
"""The most bytes of MathML one formula may become: each `\\\\` is 37 bytes of <mspace>, so 20 KB of TeX in a title
made a page of 330 KB, and as much again on each listing of it."""
EXCERPT_CHARS = 280
_DOLLAR = re.compile(r"\\\$|\$")
_CONTROL = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI_CONTROLS}\ufdd0-\ufdef\ufffe\uffff]")
"""C0 and C1 control characters but tab, newline and carriage return: no page may carry them raw. And the
bidirectional controls (paper.BIDI_CONTROLS): an unclosed right-to-left override in a title reversed the rest
of its listing line (authors, upvotes, the next link). And the noncharacters HTML forbids (U+FFFE, U+FFFF,
U+FDD0-U+FDEF; XML cannot carry the first two either)."""


def drop_control(text: str) -> str:
    """Drop the control characters HTML and XML cannot carry (a NUL, an ESC from a title), and the bidirectional
    controls that would let one field's text reorder the rest of a line."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def split_math(text: str) -> list[tuple[str, str]]:
    """Split text into ("text", s), ("math", tex) and ("display", tex) pieces; `\\$` becomes "$"."""
    if "$" not in text:
        return [("text", text)] if text else []
    pieces: list[tuple[str, str]] = []
    plain: list[str] = []
    i = 0
    while (found := _DOLLAR.search(text, i)) is not None:
        plain.append(text[i : found.start()])
        if found.group() == "\\$":
            plain.append("$")
            i = found.end()
            continue
        start = found.start()
        math = _match_display(text, start) if text.startswith("$$", start) else _match_inline(text, start)
        if math is None:
            plain.append("$")
            i = start + 1
            continue
        kind, tex, i = math
        if "".join(plain):
            pieces.append(("text", "".join(plain)))
        plain = []
        pieces.append((kind, tex))
    plain.append(text[i:])
    if "".join(plain):
        pieces.append(("text", "".join(plain)))
    return pieces


def _is_escaped(text: str, index: int) -> bool:
    """Tell whether text[index] follows an odd number of backslashes."""
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def _match_inline(text: str, start: int) -> tuple[str, str, int] | None:
    """Match `$tex$` at `start` by pandoc's rule; return ("math", tex, end) or None."""
    if start + 1 >= len(text) or text[start + 1].isspace():
        return None
    close = text.find("$", start + 1)
    while close != -1 and _is_escaped(text, close):
        close = text.find("$", close + 1)
    if close == -1 or _BLANK_LINE.search(text, start, close):
        return None  # no closing dollar, or math would span a paragraph break
    if text[close - 1].isspace() or text[close + 1 : close + 2].isdigit():
        return None
    return "math", text[start + 1 : close], close + 1


def _match_display(text: str, start: int) -> tuple[str, str, int] | None:
    """Match `$$tex$$` at `start`; return ("display", tex, end) or None."""
    end = text.find("$$", start + 2)
    if end == -1 or not text[start + 2 : end].strip() or "\n\n" in text[start:end]:
        return None
    return "display", text[start + 2 : end].strip(), end + 2


@functools.lru_cache(maxsize=8192)
def tex_to_mathml(tex: str, display: bool = False) -> Markup | None:
    """Convert one formula to allowlisted MathML; None when it cannot be converted safely."""
    from latex2mathml.converter import convert as latex_to_mathml  # 15 ms to import: paid by a build with a formula

    try:
        raw = latex_to_mathml(tex, display="block" if display else "inline")
        root = ET.fromstring(raw)
    except Exception:  # latex2mathml raises many kinds of errors on bad TeX; all mean "show the TeX"
        return None
    try:  # deep nesting ($\\sqrt{ two hundred times) recurses past Python's limit: show the TeX
        # a formula that shows nothing (no text, or all of it in a phantom) is shown as its TeX: a title of
        # `$\\phantom{x}$` alone drew an empty heading and link; so is one too long or tall for a line
        if not _clean_mathml(root) or not 0 < _shown_chars(root) <= MOST_SHOWN_CHARS or spaces_em(root) > SPACES_EM \
                or draws_outside(root) or sum(element.tag in ("mtr", "mlabeledtr") for element in root.iter()) > MOST_ROWS:
            return None
        # What HTML needs of the element, no more (a formula is on a listing line for each of a paper's pages):
        # no xmlns (HTML's parser puts <math> in MathML's namespace), no display="inline" (the default), and
        # no <mrow> that wraps the whole formula (<math> is a row itself): 75 B a formula.
        if root.get("display") == "inline":
            del root.attrib["display"]
        if (len(root) == 1 and root[0].tag == "mrow" and not root[0].attrib
                and not (root.text or "").strip() and not (root[0].tail or "").strip()):
            row = root[0]
            root.remove(row)
            root.text = row.text
            root.extend(list(row))
        mathml = ET.tostring(root, encoding="unicode", short_empty_elements=False)
        return Markup(mathml) if len(mathml.encode()) <= MOST_MATHML_BYTES else None
    except RecursionError:
        return None


def _clean_mathml(element: ET.Element) -> bool:
    """Strip namespaces and unsafe attributes in place; False when a non-MathML element or one with the wrong
    number of children appears."""
    tag = element.tag.removeprefix(MATHML_NS)
    if tag not in MATHML_ELEMENTS or len(element) != ARITY.get(tag, len(element)):
        return False
    element.tag = tag
    for name in list(element.attrib):
        value = element.attrib[name]
        if (name not in MATHML_ATTRIBUTES or not safe_attribute_value(value)
                or (name == "scriptlevel" and value not in ("0", "1", "2"))):  # "-3" would enlarge, nested
            del element.attrib[name]
    # latex2mathml writes what `\\unicode{x202E}` names as a character: drop the controls no page may carry
    element.text = drop_control(element.text) if element.text else element.text
    element.tail = drop_control(element.tail) if element.tail else element.tail
    return all(_clean_mathml(child) for child in element)


def safe_attribute_value(value: str) -> bool:
    """Tell whether a MathML attribute's value is words ("bold", "center left") and lengths no longer than
    LONGEST ("0.167em", "-3mu", "100%"), nothing else: no URL, no colour, no size that covers a page."""
    if not SAFE_ATTRIBUTE_VALUE.fullmatch(value):
        return False
    for token in value.split():
        length = _LENGTH.fullmatch(token)
        if length is None:
            if not token.replace("-", "").isalpha():
                return False
        elif length_em(token) > LONGEST_EM or (length[2] == "%" and abs(float(length[1])) > 100):
            return False
    return True


def signed_em(token: str) -> float:
    """A MathML length in em, with its sign: a named space too; 0 for a percentage or another word."""
    if token in NAMED_SPACES_EM:
        return NAMED_SPACES_EM[token]
    length = _LENGTH.fullmatch(token)
    return float(length[1]) * EM[length[2] or ""] if length and length[2] != "%" else 0.0


def length_em(token: str) -> float:
    """The size of a MathML length in em, as a positive number (0 for a percentage or a word but a named space)."""
    return abs(signed_em(token))


def spaces_em(root: ET.Element) -> float:
    """What the spaces, paddings and shifts of a formula add up to, in em (SPACE_ATTRIBUTES)."""
    return sum(length_em(token) for element in root.iter() for name in SPACE_ATTRIBUTES
               for token in element.get(name, "").split())


def draws_outside(root: ET.Element) -> bool:
    """Tell whether a formula would draw over the text around it: shifted up or down past SHIFT_EM, spaces back
    past NEGATIVE_SPACE_EM, or more than LAPPED_CHARS characters (or a space, a line) in a box of no width, height
    or depth."""
    def shift(element: ET.Element, above: float) -> float:
        here = above + sum(length_em(token) for token in element.get("voffset", "").split())
        return max([here, *(shift(child, here) for child in element)])

    back = sum(max(0.0, -signed_em(token)) for element in root.iter() for name in ("width", "lspace")
               for token in element.get(name, "").split())
    lapped = any(_squeezed(element) and not _lap_shows_little(element) for element in root.iter())
    return lapped or back > NEGATIVE_SPACE_EM or shift(root, 0.0) > SHIFT_EM


def _squeezed(element: ET.Element) -> bool:
    """Tell whether an element is a box of no width (or less), or of no height or depth (`\\smash`); a small
    negative height goes with a shift (`\\xrightarrow`'s label, `\\lower`), which SHIFT_EM bounds."""
    width, height, depth = (element.get(name) for name in ("width", "height", "depth"))
    return element.tag == "mpadded" and ((width is not None and signed_em(width.strip()) <= 0)
                                         or any(side is not None and signed_em(side.strip()) == 0
                                                for side in (height, depth)))


_TOKENS = frozenset(("mi", "mo", "mn", "mtext"))


def _lap_shows_little(box: ET.Element) -> bool:
    """Tell whether a box of no size holds LAPPED_CHARS characters at most (`_shown_chars`), in tokens inside rows,
    and phantoms: no space, line, fraction, enclosure or box (it could shift what it holds), which would draw
    beyond it too."""
    def plain(element: ET.Element) -> bool:
        if element.tag == "mphantom":
            return True
        if element.tag in _TOKENS:
            return not len(element)
        return (element.tag == "mrow" or element is box) and all(plain(child) for child in element)

    return plain(box) and _shown_chars(box) <= LAPPED_CHARS


def _shown_chars(element: ET.Element) -> int:
    """How many characters an element shows (none in a phantom)."""
    if element.tag == "mphantom":
        return 0
    return len("".join((element.text or "").split())) + sum(
        _shown_chars(child) + len("".join((child.tail or "").split())) for child in element)


def render_pieces(pieces: list[tuple[str, str]]) -> Markup:
    """Render split pieces: text escaped, math as MathML (or its escaped TeX if conversion fails)."""
    out: list[str] = []
    for kind, value in pieces:
        if kind == "text":
            out.append(escape(text_mode(value)))
            continue
        mathml = tex_to_mathml(value, display=kind == "display")
        delimiter = "$$" if kind == "display" else "$"
        out.append(mathml if mathml is not None else escape(f"{delimiter}{value}{delimiter}"))
    return Markup("".join(out))


@functools.lru_cache(maxsize=4096)
def render_inline(text: str) -> Markup:
    """Render one line of text with math (a title, a summary) to safe HTML."""
    return render_pieces(split_math(drop_control(text)))


def render_paragraphs(text: str) -> Markup:
    """Render an abstract: paragraphs split on blank lines, each a <p> of text with math."""
    paragraphs = [p.strip() for p in re.split(r"\n[ \t]*\n", text) if p.strip()]
    return Markup("\n").join(Markup("<p>%s</p>") % render_inline(p) for p in paragraphs)


def plain_text(text: str) -> str:
    """Return the text with math delimiters removed and `\\$` unescaped, the TeX kept: for citation tags and BibTeX (as
    arXiv gives them); what people read is mathflat.flat_text's (formulas as Unicode, text-mode commands printed)."""
    return "".join(value for _kind, value in split_math(drop_control(text)))


def printed_text(text: str) -> str:
    """The text as a page prints it outside its math (TeX's text-mode commands as `textmode` shows them: "Fr\\'echet"
    is "Fréchet"), its math as written between its dollars: what the terminal search indexes, so that it finds what
    the page shows, as the browser's search does."""
    if "\\" not in text and "``" not in text:
        return text
    delimiters = {"text": "", "math": "$", "display": "$$"}
    return "".join(text_mode(value) if kind == "text" else f"{delimiters[kind]}{value}{delimiters[kind]}"
                   for kind, value in split_math(text))


def render_excerpt(text: str, limit: int = EXCERPT_CHARS) -> Markup:
    """Render the first `limit` characters of text, cut at a word and never inside a formula."""
    first_paragraph = re.split(r"\n[ \t]*\n", drop_control(text).strip(), maxsplit=1)[0]
    pieces, used, cut = [], 0, False
    for kind, value in split_math(first_paragraph):
        if used + len(value) <= limit:
            pieces.append((kind, value))
            used += len(value)
            continue
        cut = True
        if kind == "text":
            room = value[: limit - used]
            room = room[: room.rfind(" ")] if " " in room else ""
            if room.strip():
                pieces.append((kind, room.rstrip(" ,;:")))
        break
    cut = cut or first_paragraph != text.strip()
    return render_pieces(pieces) + (Markup(" …") if cut else Markup(""))
