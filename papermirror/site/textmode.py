"""TeX's text-mode markup outside the math of a title, an abstract or a keyword, shown as what it prints.

Abstracts come from arXiv as their authors typed them: of the recorded stream's 9,877 papers, 736 abstracts say
"32.2\\%", 201 quote ``like this'', and others write "Fr\\'echet", "\\textbf{...}", "\\url{...}" or "\\eg". A page
showed those backslashes. Here a known, bounded set of them becomes the characters TeX would print: the escaped
specials, accents on one letter, the font and box commands (their argument kept), a URL's text, a few words and
logos. Anything else, an author's own macro ("\\method") included, stays as it is: nothing is dropped that is not
understood. Math is not touched (mathtext splits it out first); the stored text neither: this is for what is shown.

Not a LaTeX reader: pylatexenc's latex2text drops the macros it does not know ("C:\\Users\\foo" became "C:") and
raised IndexError on an `\\href`; latexcodec reads a bare "%" as a comment and cut "54% of cases" to "54".
"""

from __future__ import annotations

import functools
import re
import unicodedata

ESCAPED = {"%": "%", "&": "&", "_": "_", "#": "#", "{": "{", "}": "}", " ": " ", ",": "\u202f"}
"""`\\%` and the other specials a backslash makes literal; `\\ ` is a space, `\\,` a thin one ("100\\,GB", kept on one
line). (`\\$` is split out with the math.)"""
ACCENTS = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", ".": "\u0307",
           "c": "\u0327", "v": "\u030c", "u": "\u0306", "H": "\u030b", "k": "\u0328", "r": "\u030a"}
"""TeX's accent commands, as the combining marks that draw them over (or under) the letter after."""
LETTERS = {"ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "aa": "å", "AA": "Å", "l": "ł",
           "L": "Ł"}
"""The letters TeX names: `\\ss`, `\\o`, ... (and `\\i`, the dotless i an accent goes on: `\\'{\\i}` is í)."""
WORDS = {"LaTeX": "LaTeX", "TeX": "TeX", "ldots": "…", "dots": "…", "textellipsis": "…", "textendash": "–",
         "textemdash": "—", "eg": "e.g.", "ie": "i.e.", "etc": "etc.", "etal": "et al.", "vs": "vs.", "allowbreak": "",
         "nobreakdash": "", "textasciitilde": "~", "textbackslash": "\\", "textbar": "|", "textless": "<", "textgreater": ">"}
"""Commands that print a word or a sign; "\\eg", "\\ie", "\\etal" are the usual macros of CVPR's template."""
ARGUMENT_KEPT = ("textbf", "textit", "textsl", "textsc", "texttt", "textrm", "textsf", "textup", "textmd", "textnormal",
                 "emph", "text", "mbox", "underline", "url", "textsuperscript", "textsubscript")
"""Commands that print their one argument (in a font, a box, as a link): the argument is shown."""
SWITCHES = ("it", "em", "bf", "sc", "tt", "rm", "sf", "sl", "itshape", "bfseries", "scshape", "ttfamily", "upshape")
"""Font switches inside a group: `{\\it vs.}` prints "vs."."""

_SYMBOL_ACCENT, _NAMED_ACCENT, _LETTER = r"[`'^\"~=.]", r"[cvuHkr]", r"[A-Za-z]|\\[ij](?![A-Za-z])"
_ACCENT_GROUPED = re.compile(rf"\{{\\(?:({_SYMBOL_ACCENT})|({_NAMED_ACCENT})\s)\s*({_LETTER})\}}")
"""An accent in a group of its own: {\\'e}, {\\c c}."""
_ACCENT = re.compile(rf"(?<!\\)\\(?:({_SYMBOL_ACCENT})|({_NAMED_ACCENT})(?=[\s{{]))\s*(?:\{{({_LETTER})\}}|({_LETTER}))")
"""An accent on the letter after it, or on its argument: \\'e, \\'{e}, \\c{c}, \\c c, \\'{\\i}."""
_ARGUMENT = re.compile(r"(?<!\\)\\(" + "|".join(ARGUMENT_KEPT) + r")\s*\{([^{}]*)\}")
_HREF = re.compile(r"(?<!\\)\\href\s*\{([^{}]*)\}\s*\{([^{}]*)\}")
_SWITCH = re.compile(r"\{\\(?:" + "|".join(SWITCHES) + r")(?![A-Za-z])\s*([^{}]*)\}")
_NAMED_LETTER = re.compile(r"(?<!\\)\\(" + "|".join(sorted(LETTERS, key=len, reverse=True)) + r")(?![A-Za-z])(?:\{\}|\s(?=[a-z]))?")
"""A named letter, with the space TeX takes as the end of its name: "Stra\\ss e" is "Straße"."""
_NAMED_WORD = re.compile(r"(?<!\\)\\(" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")(?![A-Za-z])(?:\{\})?(\.?)")
"""A named word or sign; "\\etc." is one dot, as the template's macro adds its dot only before no other."""
_ESCAPED = re.compile(r"(?<!\\)\\([%&_#{} ,])")
_QUOTES = re.compile(r"``([^`'\n]*(?:'(?!')[^`'\n]*)*)''")
_APOSTROPHE = re.compile(r"(?<=[A-Za-z])\\'(?=(?:s|t|d|m|ll|re|ve)(?![A-Za-z]))")
"""`\\'` between a word and "s", "t", ... ("query\\'s", "don\\'t"): an apostrophe typed with a backslash, not ś."""


@functools.lru_cache(maxsize=8192)
def text_mode(text: str) -> str:
    """Return `text` (no math in it) with TeX's known text-mode commands as the characters they print."""
    if "``" in text:
        text = _QUOTES.sub("\u201c\\1\u201d", text)
    if "\\" not in text:
        return text
    text = _APOSTROPHE.sub("\u2019", text)
    text = _ACCENT.sub(_accented, _ACCENT_GROUPED.sub(_accented, text))
    for _ in range(4):  # nested: \textbf{\emph{x}}, the innermost first
        done = _HREF.sub(lambda found: found[2] or found[1], _ARGUMENT.sub(r"\2", _SWITCH.sub(r"\1", text)))
        if done == text:
            break
        text = done
    text = _NAMED_LETTER.sub(lambda found: LETTERS[found[1]], text)
    text = _NAMED_WORD.sub(lambda found: WORDS[found[1]] + ("" if WORDS[found[1]].endswith(".") else found[2]), text)
    return _ESCAPED.sub(lambda found: ESCAPED[found[1]], text)


def _accented(found: re.Match) -> str:
    """The accented letter, composed where Unicode has it (é), else the letter and a combining mark."""
    letter = found[3] or found[4]
    return unicodedata.normalize("NFC", letter[-1] + ACCENTS[found[1] or found[2]])
