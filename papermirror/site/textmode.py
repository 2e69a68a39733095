"""TeX's text-mode markup outside the math of a title, an abstract or a keyword, shown as what it prints.

Abstracts come from arXiv as their authors typed them: of the recorded stream's 9,877 papers, 395 abstracts say
"32.2\\%" (736 times), 152 quote ``like this'', and others write "Fr\\'echet", "\\textbf{...}", "\\url{...}" or "\\eg".
A page showed those backslashes. Here a known, bounded set of them becomes the characters TeX would print: the
escaped specials, accents on one letter, the font and box commands (their argument kept), a URL's text, a few words,
signs and logos. Anything else, an author's own macro ("\\method") included, stays as it is: nothing is dropped that
is not understood. Math is not touched (mathtext splits it out first); the stored text neither: this is for what is
shown, and for what the searches read (search/terms.py).

Not a LaTeX reader: pylatexenc's latex2text drops the macros it does not know ("C:\\Users\\foo" became "C:") and
raised IndexError on an `\\href`; latexcodec reads a bare "%" as a comment and cut "54% of cases" to "54".
"""

from __future__ import annotations

import functools
import re
import unicodedata

SUPERSCRIPTS = str.maketrans(
    "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW⊤'′",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵀ′′",
)
SUBSCRIPTS = str.maketrans("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
"""The characters Unicode has for raised and lowered ones (`\\textsuperscript{2}`, and math's scripts: mathflat.py)."""
SPACE = {",": "\u202f", " ": " "}
"""`\\,` is a thin space ("100\\,GB", kept on one line), `\\ ` a space; every other escaped special (`\\%`, `\\&`, `\\_`,
`\\#`, `\\{`, `\\}`) prints itself. (`\\$` is split out with the math.)"""
ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
           "c": "\u0327", "v": "\u030c", "u": "\u0306", "H": "\u030b", "k": "\u0328", "r": "\u030a"}
"""TeX's accent commands, as the combining marks that draw them over (or under) the letter after."""
LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å", "l": "ł",
           "L": "Ł"}
"""The letters TeX names: `\\ss`, `\\o`, ... (`\\i` and `\\j`, the dotless letters an accent goes on, only under one:
`\\'{\\i}` is í)."""
WORDS = {"LaTeX": "LaTeX", "TeX": "TeX", "ldots": "…", "dots": "…", "textellipsis": "…", "eg": "e.g.", "ie": "i.e.",
         "etc": "etc.", "etal": "et al.", "vs": "vs."}
"""Commands that print a word: "\\eg", "\\ie", "\\etal" are the usual macros of CVPR's template, which keep the space
typed after them, as authors mean it."""
SIGNS = {"textendash": "–", "textemdash": "—", "textasciitilde": "~", "textbackslash": "\\", "textbar": "|",
         "textless": "<", "textgreater": ">", "allowbreak": "", "nobreakdash": ""}
"""Commands that print a sign, or allow a break, and end at the space after them, as TeX reads them:
"1\\textendash 2" is "1–2", "github.io/\\allowbreak MathSE" one address."""
ARGUMENT_KEPT = ("textbf", "textit", "textsl", "textsc", "texttt", "textrm", "textsf", "textup", "textmd", "textnormal",
                 "emph", "text", "mbox", "underline", "url", "textsuperscript", "textsubscript")
"""Commands that print their one argument (in a font, a box, as a link): the argument is shown, raised or lowered
for the last two where Unicode has the characters ("E\\textsuperscript{2}R" is "E²R")."""
SWITCHES = ("it", "em", "bf", "sc", "tt", "rm", "sf", "sl", "itshape", "bfseries", "scshape", "ttfamily", "upshape")
"""Font switches inside a group: `{\\it vs.}` prints "vs."."""
NESTING = 4
"""Arguments inside arguments undone, the innermost first (`\\textbf{\\emph{x}}`); deeper ones stay as written."""

_COMMAND = r"(?<!\\)\\"  # a backslash that is not the second of "\\"
_LETTER = r"[A-Za-z]|\\[ij](?![A-Za-z])\s?"
_ACCENT_GROUPED = re.compile(rf"\{{\\(?:([`'^\"~=.])|([cvuHkr])\s)\s*({_LETTER})\}}")
"""An accent in a group of its own: {\\'e}, {\\c c}."""
_ACCENT = re.compile(rf"{_COMMAND}(?:([`'^\"~=.])|([cvuHkr])(?=[\s{{])\s*)(?:\{{({_LETTER})\}}|({_LETTER}))")
"""An accent on the letter right after it, or on its argument: \\'e, \\'{e}, \\c{c}, \\c c, \\'{\\i}, \\"\\i. ("models\\'
outputs" is left alone: no letter follows.)"""
_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\\'(?=[A-Z]|(?:s|t|d|m|ll|re|ve)(?![A-Za-z]))")
"""`\\'` between a word and "s", "t", ... or a capital ("query\\'s", "don\\'t", "O\\'Brien"): an apostrophe typed
with a backslash, not an accent."""
_ARGUMENT = re.compile(rf"{_COMMAND}({'|'.join(ARGUMENT_KEPT)})\s*\{{([^{{}}]*)\}}")
_HREF = re.compile(rf"{_COMMAND}href\s*\{{([^{{}}]*)\}}\s*\{{([^{{}}]*)\}}")
_SWITCH = re.compile(r"\{\\(?:" + "|".join(SWITCHES) + r")(?![A-Za-z])\s*([^{}]*)\}")
_NAMED_LETTER = re.compile(rf"{_COMMAND}({'|'.join(sorted(LETTERS, key=len, reverse=True))})(?![A-Za-z])(?:\{{\}}|\s(?=[a-z]))?")
"""A named letter, with the space TeX takes as the end of its name: "Stra\\ss e" is "Straße"."""
_ESCAPED = re.compile(rf"{_COMMAND}([%&_#{{}} ,])")
_SIGN = re.compile(rf"{_COMMAND}({'|'.join(sorted(SIGNS, key=len, reverse=True))})(?![A-Za-z])(?:\{{\}}|[ \t]+)?")
_WORD = re.compile(rf"{_COMMAND}({'|'.join(sorted(WORDS, key=len, reverse=True))})(?![A-Za-z])(?:\{{\}})?(\.?)")
"""A word; "\\etc." is one dot, as the template's macro adds its dot only before no other."""
_QUOTES = re.compile(r"``([^`']*(?:'(?!')[^`']*)*)''")
"""``a quotation'', over a line break too (arXiv wraps abstracts), not over a blank line (another paragraph)."""


@functools.lru_cache(maxsize=8192)
def text_mode(text: str) -> str:
    """Return `text` (no math in it) with TeX's known text-mode commands as the characters they print."""
    if "``" in text:
        text = _QUOTES.sub(_quoted, text)
    if "\\" not in text:
        return text
    text = _APOSTROPHE.sub("\u2019", text)
    text = _ACCENT.sub(_accented, _ACCENT_GROUPED.sub(_accented, text))
    for _ in range(NESTING):
        done = _HREF.sub(lambda found: found[2] or found[1], _ARGUMENT.sub(_argument, _SWITCH.sub(r"\1", text)))
        if done == text:
            break
        text = done
    text = _NAMED_LETTER.sub(lambda found: LETTERS[found[1]], text)
    text = _ESCAPED.sub(lambda found: SPACE.get(found[1], found[1]), text)
    text = _WORD.sub(lambda found: WORDS[found[1]] + ("" if WORDS[found[1]].endswith(".") else found[2]), text)
    # last: a sign it prints (\textbackslash) is not read again as the start of a command
    return _SIGN.sub(lambda found: SIGNS[found[1]], text)


def _quoted(found: re.Match) -> str:
    return found[0] if re.search(r"\n[ \t]*\n", found[1]) else f"\u201c{found[1]}\u201d"


def _accented(found: re.Match) -> str:
    """The accented letter, composed where Unicode has it (é), else the letter and a combining mark."""
    letter = (found[3] or found[4]).strip()
    return unicodedata.normalize("NFC", letter[-1] + ACCENTS[found[1] or found[2]])


def _argument(found: re.Match) -> str:
    command, argument = found[1], found[2]
    table = {"textsuperscript": SUPERSCRIPTS, "textsubscript": SUBSCRIPTS}.get(command)
    if table and argument and all(ord(char) in table for char in argument):
        return argument.translate(table)
    return argument
