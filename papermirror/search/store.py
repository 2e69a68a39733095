"""The index as bytes, and `SearchIndex`, which reads terms' postings from those bytes on demand.

The index holds what lunr.py's would (each term's `_index`, and the same field weights), as
postings: for each field and term, the papers that have the term there and its weight in those
papers' field vectors. Layout: an 8-byte header length, a pickled header (terms, offsets), then
for each field the paper numbers (uint32) and weights (float64) of every term in sorted order,
then each paper's (id, date, title), then the term lunr's pipeline made of each token.
"""

from __future__ import annotations

import pickle
import struct
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING, Protocol

from lunr import __VERSION__ as LUNR_VERSION
from lunr import get_default_builder
from lunr.pipeline import Pipeline

from papermirror.search.terms import FIELD_NAMES, count_terms, paper_document
from papermirror.search.weights import weigh_terms

if TYPE_CHECKING:
    from papermirror.content.paper import Paper


class Spans(Protocol):
    """Bytes read a span at a time: `bytes` itself, or the open cache file (search.cache.CacheFile)."""

    def __getitem__(self, span: slice) -> bytes: ...

    def __len__(self) -> int: ...

INDEX_FORMAT = 3
"""Bumped whenever the fields, boosts, weights or cache layout change, so old caches are rebuilt."""

Posting = tuple[tuple[array, array], ...]
"""For each field of FIELD_NAMES: the numbers of the papers that have the term there (ascending), and
the term's weight in each of those papers' field vectors."""


MAX_WEIGHT = 1e6
"""No term weighs this much in a field vector (lunr's tf-idf weights are a few units): a weight read as more, as NaN
or below 0 is a damaged cache."""


class DamagedIndex(Exception):
    """A part of a cached index, read while searching, does not read as what was written there."""


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """The index of every paper: terms, postings read on demand, and what a result line shows."""

    terms: list[str]
    """Every indexed term, sorted."""
    term_indexes: array
    """lunr's `_index` of each term in `terms` (the order it was first met while indexing)."""
    starts: array
    """For each field, for each term in the order of `terms` and one more: where the term's entries
    start in that field's postings (entries of the terms before it)."""
    body: bytes | Spans
    """From `body_start` on: for each field, the paper numbers (uint32) then the weights (float64) of
    every term in the order of `terms`; then each paper's (id, date, title)."""
    body_start: int
    field_offsets: tuple[tuple[int, int], ...]
    """For each field: where its paper numbers and its weights start, from `body_start`."""
    paper_spans: array
    """Where each paper's (id, date, title) starts, by paper number (the order papers were indexed)."""
    zero_vectors: frozenset[int]
    """paper number * len(FIELD_NAMES) + field number of the field vectors whose weights all round
    to 0 (lunr scores those 0); empty fields are left out, no query matches them."""
    pipeline: Pipeline = field(default_factory=lambda: get_default_builder().search_pipeline)
    """lunr's search pipeline (the stemmer), run on each query term."""

    def find(self, term: str) -> int | None:
        """Return the position of `term` in `terms`, or None when no paper has it."""
        position = bisect_left(self.terms, term)
        return position if position < len(self.terms) and self.terms[position] == term else None

    def posting(self, term: str) -> tuple[int, Posting]:
        """Return lunr's `_index` of an indexed term and the term's posting, read from `body`."""
        position, fields = self.find(term), []
        for field_number, (papers_at, weights_at) in enumerate(self.field_offsets):
            row = field_number * (len(self.terms) + 1) + position
            start, end = self.starts[row], self.starts[row + 1]
            papers, weights = array("I"), array("d")
            try:
                papers.frombytes(self.body[self.body_start + papers_at + 4 * start : self.body_start + papers_at + 4 * end])
                weights.frombytes(self.body[self.body_start + weights_at + 8 * start : self.body_start + weights_at + 8 * end])
            except ValueError as exc:  # a span cut short
                raise DamagedIndex(f"the posting of {term!r}: {exc}") from None
            # bytes changed on disk: a paper number past the last paper, or a weight no indexing writes
            if papers and max(papers) >= self.paper_count or not all(0 <= weight < MAX_WEIGHT for weight in weights):
                raise DamagedIndex(f"the posting of {term!r} holds a paper number or a weight no index has")
            fields.append((papers, weights))
        return self.term_indexes[position], tuple(fields)

    @property
    def paper_count(self) -> int:
        """How many papers the index holds."""
        return len(self.paper_spans) - 1

    def paper(self, number: int) -> tuple[str, str | None, str]:
        """Return the id, date and title of paper `number`, read from `body`."""
        try:
            start, end = self.paper_spans[number], self.paper_spans[number + 1]
            return pickle.loads(self.body[self.body_start + start : self.body_start + end])
        except Exception as exc:  # bytes changed on disk: pickle may raise nearly anything
            raise DamagedIndex(f"paper {number}: {type(exc).__name__}: {exc}") from None


def encode_index(papers: dict[str, Paper], known: dict[str, str | None] | None = None) -> bytes:
    """Index every paper; return the index as bytes (what the cache holds after its listing of content/).

    `known`: the term of each token at the last indexing (cache.read_token_terms), to skip the stemmer.
    """
    counts = count_terms([paper_document(paper) for paper in papers.values()], known or {})
    terms = sorted(counts.term_ids)
    positions = [0] * len(terms)  # by `_index`: the term's place in `terms`
    for position, term in enumerate(terms):
        positions[counts.term_ids[term]] = position
    if papers:
        postings, starts, zero_vectors = weigh_terms(counts, positions)
    else:
        postings, starts, zero_vectors = [b""] * 2 * len(FIELD_NAMES), array("I", [0] * len(FIELD_NAMES)), frozenset()
    records = [pickle.dumps((paper.id, paper.day, paper.title), protocol=pickle.HIGHEST_PROTOCOL) for paper in papers.values()]
    token_terms = pickle.dumps(counts.token_terms, protocol=pickle.HIGHEST_PROTOCOL)
    offsets = array("Q", accumulate(map(len, postings + records + [token_terms]), initial=0))
    header = {
        "lunr": LUNR_VERSION,
        "fields": FIELD_NAMES,
        "terms": terms,
        "term_indexes": array("I", [counts.term_ids[term] for term in terms]),
        "starts": starts,
        "field_offsets": tuple(zip(offsets[0 : len(postings) : 2], offsets[1 : len(postings) : 2])),
        "paper_spans": offsets[len(postings) : -1],
        "token_terms": offsets[-2:],
        "zero_vectors": sorted(zero_vectors),
    }
    header_bytes = pickle.dumps(header, protocol=pickle.HIGHEST_PROTOCOL)
    return b"".join([struct.pack("<Q", len(header_bytes)), header_bytes, *postings, *records, token_terms])


def read_header(data: bytes | Spans, start: int) -> tuple[dict, int]:
    """Return the header of an index written by encode_index at `data[start:]`, and where its body starts."""
    (size,) = struct.unpack("<Q", data[start : start + 8])
    header = pickle.loads(data[start + 8 : start + 8 + size])
    if header["lunr"] != LUNR_VERSION or tuple(header["fields"]) != FIELD_NAMES:
        raise ValueError(f"made for lunr {header['lunr']} and fields {header['fields']}")
    return header, start + 8 + size


def decode_index(data: bytes | Spans, start: int = 0) -> SearchIndex:
    """Read an index written by encode_index from `data[start:]`; the postings stay where they are."""
    header, body_start = read_header(data, start)
    if len(data) != body_start + header["token_terms"][1]:
        raise ValueError(f"{len(data)} bytes, expected {body_start + header['token_terms'][1]}")
    return SearchIndex(
        terms=header["terms"],
        term_indexes=header["term_indexes"],
        starts=header["starts"],
        body=data,
        body_start=body_start,
        field_offsets=header["field_offsets"],
        paper_spans=header["paper_spans"],
        zero_vectors=frozenset(header["zero_vectors"]),
    )


def build_index(papers: dict[str, Paper]) -> SearchIndex:
    """Index every paper, in memory."""
    return decode_index(encode_index(papers))
