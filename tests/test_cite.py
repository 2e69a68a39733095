"""How a paper is cited: BibTeX that compiles, Highwire tags that Scholar and Zotero read."""

from __future__ import annotations

from samples import make_paper

from papermirror.site.cite import bibtex_entry, bibtex_key, citation_authors, citation_meta, short_authors


def test_bibtex_escapes_text_and_keeps_math():
    paper = make_paper("2502.12115", "Earn $1 Million & 50% of $m^2$ {braces} #1_a", authors=("Ada Lovelace", "Jürgen Müller"))
    entry = bibtex_entry(paper)
    assert entry.startswith("@misc{lovelace2025earn,\n")
    assert "\ntitle={{Earn \\$1 Million \\& 50\\% of $m^2$ braces \\#1\\_a}},\n" in entry
    assert "\nauthor={Ada Lovelace and Jürgen Müller},\n" in entry
    assert entry.endswith("\neprint={2502.12115},\narchivePrefix={arXiv}\n}") and "url" not in entry


def test_bibtex_key_falls_back_to_the_id():
    assert bibtex_key(make_paper("2502.12115", "Ñu", authors=(), published=None, daily=())) == "arxiv250212115"
    assert bibtex_key(make_paper("hep-th/9901001", "A Theory of Strings", authors=("Ed Witten",), published="1999-01-04")) == "witten1999theory"


def test_citation_meta_and_short_authors():
    paper = make_paper("2503.00001", "Mass $m^2$", authors=("A", "B", "C", "D"), published="2025-03-13")
    meta = citation_meta(paper)
    assert meta[0] == ("citation_title", "Mass m^2")
    assert [(k, v) for k, v in meta if k.startswith("citation_author")] == [("citation_authors", "A; B; C; D")]
    assert ("citation_publication_date", "2025/03/13") in meta and ("citation_arxiv_id", "2503.00001") in meta
    assert short_authors(("A", "B", "C", "D")) == "A, B, C et al." and short_authors(("A", "B")) == "A, B"


def test_citation_authors_one_tag_unless_a_name_holds_a_semicolon():
    assert citation_authors(("Ada Lovelace", "Jürgen Müller")) == [("citation_authors", "Ada Lovelace; Jürgen Müller")]
    assert citation_authors(("Solo",)) == [("citation_authors", "Solo")]
    assert citation_authors(()) == []
    # "A; B" as one name would read as two authors from the list form: such a paper keeps a tag per name
    odd = ("Smith; J.", "Ada Lovelace")
    assert citation_authors(odd) == [("citation_author", "Smith; J."), ("citation_author", "Ada Lovelace")]
    assert citation_meta(make_paper("2503.00002", "T", authors=odd))[1:3] == citation_authors(odd)
