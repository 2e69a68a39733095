"""Tokenize and count the terms of every paper as lunr.py's Builder.add does.

Tokens are runs between lunr's separators, lowercased; each goes through lunr's own indexing
pipeline (trimmer, stop words, stemmer), run once per distinct token; a term's `_index` is the
order it was first met, paper by paper and field by field, as in lunr.

Fields (lunr's field syntax: `title:mamba`, `author:he`, `keyword:diffusion`):
  id, title, author, keyword, summary (HF's AI summary), abstract.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections import Counter
from dataclasses import dataclass
from itertools import repeat
from typing import TYPE_CHECKING

from lunr import get_default_builder
from lunr.pipeline import Pipeline
from lunr.token import Token
from lunr.tokenizer import SEPARATOR_CHARS

if TYPE_CHECKING:
    from papermirror.content.paper import Paper

FIELDS = (
    {"field_name": "id", "boost": 5},
    {"field_name": "title", "boost": 10},
    {"field_name": "author", "boost": 5},
    {"field_name": "keyword", "boost": 3},
    {"field_name": "summary", "boost": 2},
    {"field_name": "abstract"},
)
"""The indexed fields and their boosts, as lunr's `fields` argument takes them."""
FIELD_NAMES = tuple(spec["field_name"] for spec in FIELDS)


_ACCENTS = re.compile("[\u0300-\u036f]+")
"""Unicode's combining diacritical marks (those of Latin, Greek and Cyrillic letters)."""
_LETTERS = str.maketrans({"ß": "ss", "ẞ": "SS", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                          "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "Þ": "TH"})
"""Latin letters with a stroke or ligatures that Unicode does not decompose, as a name is written in ASCII: Nießner is
found as Niessner, Łukasz as Lukasz, Lyngsø as Lyngso."""


def folded(text: str) -> str:
    """Text as the terminal search indexes and queries it: its compatibility forms unfolded (NFKD: "ﬁ" is "fi", a
    full-width letter is the letter) and its accents dropped, then composed again (NFC), and the letters `_LETTERS`
    written as in ASCII. "Modèle", its decomposed form (as macOS writes it) and "modele" are one word, as they are
    to the browser's search (Pagefind, which leaves ß, ł and ø as they are); the marks of other scripts (Devanagari's
    vowel signs) stay."""
    if text.isascii():  # most of every abstract: nothing to fold
        return text
    return unicodedata.normalize("NFC", _ACCENTS.sub("", unicodedata.normalize("NFKD", text))).translate(_LETTERS)


def paper_document(paper: Paper) -> dict[str, str]:
    """Turn a paper into the flat document lunr indexes (`folded`), its text as pages print it (`printed_text`:
    "Fr\\'echet" is found as Fréchet and Frechet, as in the browser)."""
    from papermirror.site.mathtext import printed_text  # latex2mathml: not for a search that reads a kept index

    return {
        "id": paper.id,
        "title": folded(printed_text(paper.title)),
        "author": folded(" ".join(paper.authors)),
        "keyword": folded(" ".join(map(printed_text, paper.ai_keywords))),
        "summary": folded(printed_text(paper.ai_summary or "")),
        "abstract": folded(printed_text(paper.abstract)),
    }


class _TermIds(dict):
    """token -> lunr's `_index` of the term lunr's indexing pipeline makes of it (None: no term).

    The pipeline (trimmer, stop words, stemmer) runs once per distinct token, or not at all for the
    tokens in `known` (its terms at the last indexing). A term is numbered when first met, and tokens
    are met in the order lunr meets them, so the numbers are lunr's.
    """

    def __init__(self, pipeline: Pipeline, known: dict[str, str | None]) -> None:
        super().__init__({"": None})  # what two separators in a row leave: not a token
        self.pipeline, self.known, self.numbers, self.token_terms = pipeline, known, {}, {}

    def __missing__(self, token: str) -> int | None:
        term = self.token_terms[token] = self.known[token] if token in self.known else self.run_pipeline(token)
        number = self[token] = None if term is None else self.numbers.setdefault(term, len(self.numbers))
        return number

    def run_pipeline(self, token: str) -> str | None:
        terms = [str(term) for term in self.pipeline.run([Token(token)])]
        if len(terms) > 1:  # lunr's trimmer, stop word filter and stemmer each give one token or none
            raise ValueError(f"lunr's pipeline made {len(terms)} terms of {token!r}; the indexer expects one")
        return terms[0] if terms else None


@dataclass
class TermCounts:
    """Term frequencies of every field of every paper, as lunr's Builder.add gathers them."""

    term_ids: dict[str, int]
    """term -> lunr's `_index`."""
    token_terms: dict[str, str | None]
    """token -> the term lunr's pipeline makes of it, for every distinct token."""
    terms: tuple[array, ...]
    """For each field, paper by paper: the `_index` of each term the paper has there."""
    papers: tuple[array, ...]
    """For each field, alongside `terms`: the paper's number."""
    frequencies: tuple[array, ...]
    """For each field, alongside `terms`: how often the paper has the term there."""
    lengths: tuple[list[int], ...]
    """For each field, each paper's number of terms there (0 for an empty field)."""
    distinct: tuple[list[int], ...]
    """For each field, each paper's number of distinct terms there."""


def count_terms(documents: list[dict[str, str]], known: dict[str, str | None]) -> TermCounts:
    """Tokenize every field of every document as lunr does and count the terms.

    `known`: the term of each token at the last indexing (see cache.read_token_terms), to skip the stemmer.
    """
    ids = _TermIds(get_default_builder().pipeline, known)
    arrays = [tuple(array("I") for _ in FIELD_NAMES) for _ in range(3)]
    counts = TermCounts(ids.numbers, ids.token_terms, *arrays, tuple([] for _ in FIELD_NAMES), tuple([] for _ in FIELD_NAMES))
    for number, document in enumerate(documents):  # paper by paper, field by field: lunr's order
        for field_number, name in enumerate(FIELD_NAMES):
            frequencies = Counter(map(ids.__getitem__, _split(document[name].lower())))  # in order of first use
            frequencies.pop(None, None)
            counts.terms[field_number].extend(frequencies)
            counts.papers[field_number].extend(repeat(number, len(frequencies)))
            counts.frequencies[field_number].extend(frequencies.values())
            counts.lengths[field_number].append(frequencies.total())
            counts.distinct[field_number].append(len(frequencies))
    return counts


def _split(text: str) -> list[str]:
    """Split at lunr.tokenizer's separators (empty strings where two are next to each other)."""
    for separator in SEPARATOR_CHARS:
        if separator != " " and separator in text:
            text = text.replace(separator, " ")
    return text.split(" ")
