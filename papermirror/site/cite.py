"""How a paper is cited: the Highwire `citation_*` meta tags, and the BibTeX entry a paper page's script draws
from them (layouts/static/paper.js; `bibtex_entry` is the reference it is tested against)."""

from __future__ import annotations

import re
import unicodedata

from latex2mathml import commands
from latex2mathml.symbols_parser import convert_symbol
from markupsafe import Markup, escape

from papermirror.content.paper import Paper
from papermirror.site.mathtext import drop_control, plain_text, split_math

_BIBTEX_SPECIAL = re.compile(r"[\\^~&%#_$]")
_BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}
_TEX_TOKEN = re.compile(r"\\[A-Za-z]+|\\.?|[{}%#&]", re.S)
MATH_COMMANDS = frozenset(
    {*commands.CONVERSION_MAP, *commands.LOCAL_FONTS, *commands.GLOBAL_FONTS, *commands.FUNCTIONS, *commands.LIMIT,
     *commands.MATH_NON_FONT_COMMANDS, r"\operatorname", r"\left", r"\right", r"\nolimits",
     # LaTeX's own operators and text symbols that latex2mathml leaves out
     r"\arg", r"\Pr", r"\det", r"\gcd", r"\liminf", r"\limsup", r"\textsc", r"\textsuperscript", r"\dag",
     r"\ddag", r"\P", r"\copyright"}
    - {r"\href", r"\verb", r"\begin", r"\end", r"\def", r"\DeclareMathOperator", r"\tag", r"\tag*"})
"""The commands a formula may keep in BibTeX (with the symbols, `\\alpha`, `\\leq`...): the math commands the
pages' MathML converter knows, but those that define, link or open an environment. Any other (`\\input`,
`\\write18`, `\\catcode`) is TeX a reader's LaTeX would run: such a formula is written as text."""


def short_authors(authors: tuple[str, ...], most: int = 3) -> str:
    """Return "A, B, C", or "A, B, C et al." when more than one name past `most` would be left out: "et al." stands for
    others, so one name more is written out ("A, B", not "A et al.", for a listing's two authors)."""
    if len(authors) <= most + 1:
        return ", ".join(authors)
    return ", ".join(authors[:most]) + " et al."


def bibtex_key(paper: Paper) -> str:
    """Return a key like qi2026humanoid: first author's last name, year, first title word."""
    def ascii_word(text: str) -> str:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
        return re.sub(r"[^a-z0-9]", "", folded)

    first_author = drop_control(paper.authors[0]).split() if paper.authors else []  # as the page's tags give it
    surname = ascii_word(first_author[-1]) if first_author else ""
    year = (paper.published or paper.day or "")[:4]
    words = [ascii_word(w) for w in plain_text(paper.title).split()]
    first_word = next((w for w in words if len(w) > 2), "")
    key = f"{surname}{year}{first_word}"
    return key or "arxiv" + re.sub(r"[^0-9a-z]", "", paper.id)


def bibtex_plain(text: str) -> str:
    """Text as BibTeX and LaTeX print it and nothing more: braces dropped (one could close the field), a
    backslash written as \\textbackslash{} (it would start a command: `\\input{/etc/passwd}`), & % # _ $ ^ ~
    escaped. layouts/static/paper.js's `plain` does the same."""
    return _BIBTEX_SPECIAL.sub(lambda found: _BIBTEX_ESCAPES.get(found[0], "\\" + found[0]),
                               text.replace("{", "").replace("}", ""))


def safe_math(tex: str) -> bool:
    """Tell whether a formula may stay TeX in a BibTeX field: its braces nest, as BibTeX counts them (every
    brace, escaped or not: none may close the field) and as TeX does; it has no comment, parameter or alignment
    character (%, #, &) unescaped and no ^^ (TeX reads ^^5c as a backslash); its commands are MATH_COMMANDS or
    symbols."""
    if "^^" in tex or not braces_nest(tex):
        return False
    depth = 0
    for token in _TEX_TOKEN.findall(tex):
        if token in "%#&" or token == "\\":  # "\\" alone: a backslash at the end, escaping the closing $
            return False
        depth += (token == "{") - (token == "}")
        if depth < 0 or (token[1:].isalpha() and token not in MATH_COMMANDS and convert_symbol(token) is None):
            return False
    return depth == 0


def braces_nest(text: str) -> bool:
    """Tell whether every brace of `text` closes one opened before it, as BibTeX reads a field: `\\}` too."""
    depth = 0
    for char in text:
        depth += (char == "{") - (char == "}")
        if depth < 0:
            return False
    return depth == 0


def bibtex_text(value: str) -> str:
    """Keep safe math as TeX (`safe_math`); write the rest as text (`bibtex_plain`: an unsafe formula without
    its dollars). Control characters, which no page may carry, are dropped."""
    out = []
    for kind, piece in split_math(drop_control(value)):
        out.append(f"${piece}$" if kind != "text" and safe_math(piece) else bibtex_plain(piece))
    return "".join(out)


_SPLITS_NAMES = re.compile(r"(?:^|\s)and(?:\s|$)|^\s*others\s*$", re.IGNORECASE)
"""What BibTeX reads in an author field as more than one name: the word "and", in any case, between names, and
"others" alone for "et al."."""


def bibtex_authors(authors: tuple[str, ...]) -> str:
    """The author field: the names joined by "and", each escaped (with its math kept). A name BibTeX would split
    as written ("A and B", "others"; "A {and} B" too, its braces dropped) is braced, one name: hub text cannot add
    authors."""
    joined = " and ".join(authors)  # one pass when no name holds math or the letters of a split (nearly always)
    if "$" not in joined and not any("and" in name.lower() or "others" in name.lower() for name in authors):
        return bibtex_text(joined)
    written = [bibtex_text(name) for name in authors]
    return " and ".join("{" + name + "}" if _SPLITS_NAMES.search(name) else name for name in written)


def bibtex_entry(paper: Paper) -> str:
    """Return a @misc BibTeX entry for the arXiv paper, ready to paste: a field a line, without indentation or
    a url field (the eprint and archivePrefix give the arXiv link). Paper pages draw it in the browser
    (layouts/static/paper.js, from the citation tags and `cite_attributes`); this is the reference."""
    fields = [("title", "{" + bibtex_text(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", bibtex_authors(paper.authors)))
    year = (paper.published or paper.day or "")[:4]
    if year:
        fields.append(("year", year))
    fields += [("eprint", paper.id), ("archivePrefix", "arXiv")]  # BibLaTeX and arXiv's styles link the eprint
    body = ",\n".join(f"{name}={{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(paper)},\n{body}\n}}"


AUTHORS_SEPARATOR = "; "
"""Between the names of the one `citation_authors` tag (Highwire's list form: Zotero splits it at semicolons)."""


def citation_authors(authors: tuple[str, ...]) -> list[tuple[str, str]]:
    """The authors as citation tags: one `citation_authors` tag, "A; B; C", which Zotero's reader of embedded
    metadata (and Highwire readers such as LOCKSS) split at the semicolons. A tag per author
    (`citation_author`, the form Google Scholar's guidelines show) spent 41 B of markup on each name: 0.4 KB a
    paper of the real stream (10 authors on average), 40 MB of GitHub Pages' 1 GB at 100,000 papers. A name
    that holds a semicolon itself would be split wrongly, so such a paper keeps a tag per author."""
    if not authors:
        return []
    if any(";" in author for author in authors):
        return [("citation_author", author) for author in authors]
    return [("citation_authors", AUTHORS_SEPARATOR.join(authors))]


def citation_meta(paper: Paper) -> list[tuple[str, str]]:
    """Return Highwire Press (name, content) pairs, as Google Scholar and Zotero read them."""
    meta = [("citation_title", plain_text(paper.title))]
    meta += citation_authors(paper.authors)
    if paper.published:
        meta.append(("citation_date", paper.published.replace("-", "/")))
        meta.append(("citation_publication_date", paper.published.replace("-", "/")))
    meta += [
        ("citation_pdf_url", paper.pdf_url),
        ("citation_arxiv_id", paper.id),
        ("citation_abstract_html_url", paper.arxiv_url),
    ]
    return meta


def as_read_by_browser(value: str) -> str:
    """A meta tag's content as a browser reads it back: a carriage return reads as a newline (HTML's rule for
    the characters of a page; `meta_tags` has dropped the control characters)."""
    return drop_control(value).replace("\r\n", "\n").replace("\r", "\n")


def cite_attributes(paper: Paper) -> Markup:
    """The data-* attributes of a paper page's Cite section: what layouts/static/paper.js cannot draw from the
    citation tags alone, so that it draws `bibtex_entry` exactly. Nearly always none: the title (`data-title`,
    the field as BibTeX has it) when it holds TeX math, which citation_title gives without its delimiters; the
    same for the authors (`data-author`); the year (`data-year`) when the paper has no publication date
    (its day gives the year then)."""
    fields = []
    title = bibtex_text(paper.title)
    if title != bibtex_plain(as_read_by_browser(plain_text(paper.title))):
        fields.append(("title", title))
    authors = bibtex_authors(paper.authors)
    if paper.authors and authors != bibtex_plain(" and ".join(as_read_by_browser(a) for a in paper.authors)):
        fields.append(("author", authors))
    if not paper.published and paper.day:
        fields.append(("year", paper.day[:4]))
    # a carriage return as a character reference: HTML would read a raw one as a newline
    return Markup("".join(f' data-{name}="{escape(value)}"'.replace("\r", "&#13;") for name, value in fields))
