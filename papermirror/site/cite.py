"""How a paper is cited: a BibTeX entry and the Highwire `citation_*` meta tags."""

from __future__ import annotations

import re
import unicodedata

from papermirror.content.paper import Paper
from papermirror.site.mathtext import plain_text, split_math

_BIBTEX_SPECIAL = re.compile(r"([&%#_$])")


def short_authors(authors: tuple[str, ...], most: int = 3) -> str:
    """Return "A, B, C" or "A, B, C et al." for more than `most` authors."""
    if len(authors) <= most:
        return ", ".join(authors)
    return ", ".join(authors[:most]) + " et al."


def bibtex_key(paper: Paper) -> str:
    """Return a key like qi2026humanoid: first author's last name, year, first title word."""
    def ascii_word(text: str) -> str:
        folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
        return re.sub(r"[^a-z0-9]", "", folded)

    surname = ascii_word(paper.authors[0].split()[-1]) if paper.authors and paper.authors[0].split() else ""
    year = (paper.published or paper.day or "")[:4]
    words = [ascii_word(w) for w in plain_text(paper.title).split()]
    first_word = next((w for w in words if len(w) > 2), "")
    key = f"{surname}{year}{first_word}"
    return key or "arxiv" + re.sub(r"[^0-9a-z]", "", paper.id)


def bibtex_text(value: str) -> str:
    """Keep math as TeX; escape the characters that break BibTeX/LaTeX in the text around it."""
    out = []
    for kind, piece in split_math(value):
        if kind == "text":
            out.append(_BIBTEX_SPECIAL.sub(r"\\\1", piece.replace("{", "").replace("}", "")))
        else:
            out.append(f"${piece}$" if piece.count("{") == piece.count("}") else piece.replace("{", "").replace("}", ""))
    return "".join(out)


def bibtex_entry(paper: Paper) -> str:
    """Return a @misc BibTeX entry for the arXiv paper, ready to paste: a field a line, without indentation or
    a url field (the eprint and archivePrefix give the arXiv link), as it is drawn on every paper page."""
    fields = [("title", "{" + bibtex_text(paper.title) + "}")]
    if paper.authors:
        authors = " and ".join(paper.authors)  # one pass when no name holds math (nearly always)
        fields.append(("author", bibtex_text(authors) if "$" not in authors else " and ".join(bibtex_text(a) for a in paper.authors)))
    year = (paper.published or paper.day or "")[:4]
    if year:
        fields.append(("year", year))
    fields += [("eprint", paper.id), ("archivePrefix", "arXiv")]  # BibLaTeX and arXiv's styles link the eprint
    body = ",\n".join(f"{name}={{{value}}}" for name, value in fields)
    return f"@misc{{{bibtex_key(paper)},\n{body}\n}}"


def citation_meta(paper: Paper) -> list[tuple[str, str]]:
    """Return Highwire Press (name, content) pairs, as Google Scholar and Zotero read them."""
    meta = [("citation_title", plain_text(paper.title))]
    meta += [("citation_author", author) for author in paper.authors]
    if paper.published:
        meta.append(("citation_date", paper.published.replace("-", "/")))
        meta.append(("citation_publication_date", paper.published.replace("-", "/")))
    meta += [
        ("citation_pdf_url", paper.pdf_url),
        ("citation_arxiv_id", paper.id),
        ("citation_abstract_html_url", paper.arxiv_url),
    ]
    return meta
