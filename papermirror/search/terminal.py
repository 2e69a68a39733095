"""Search the archive from the terminal, with lunr.py's query language and ranking.

lunr.py's own Builder takes about 10 ms a paper and its `Index.search` about a second for a common
word over 10,000 papers, so this module does their work in tighter loops (numpy for the weights,
when the index is rebuilt) and keeps lunr.py for everything that defines the results: its
tokenizer's separators, its pipelines (trimmer, stop words, stemmer), its query parser, its
TokenSet automata for wildcards and edit distances, its Vector for the query. The index holds what
lunr's would (each term's `_index`, and the same BM25-like field weights, rounded to 3 places), as
postings: for each field and term, the papers that have the term there and its weight in those
papers' field vectors. A query is then scored with lunr's formula (the query vector's dot product
with each matching field vector, over the query vector's magnitude, summed over fields) in the
order lunr adds things up, so scores and ranking are bit-for-bit those of `lunr.Index.search`
(tests/test_search.py checks that against lunr.py itself).

The index is cached in `.cache/search/index.bin`, after a line naming the format and the listing of
content/ it was built from (every paper file's name, size and mtime). A search lists content/ again
and, when the listings match, reads the file's table of terms and then the postings of only
the terms its query touches; any change in content/ rebuilds it.

Fields (lunr's field syntax: `title:mamba`, `author:he`, `keyword:diffusion`):
  id, title, author, keyword, summary (HF's AI summary), abstract.
"""

from __future__ import annotations

import logging
import math
import os
import pickle
import re
import struct
import sys
from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from operator import itemgetter, mul
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from lunr import __VERSION__ as LUNR_VERSION
from lunr import get_default_builder
from lunr.exceptions import BaseLunrException, QueryParseError
from lunr.pipeline import Pipeline
from lunr.query import Clause, Query, QueryPresence
from lunr.query_parser import QueryParser
from lunr.token import Token
from lunr.token_set import TokenSet
from lunr.tokenizer import SEPARATOR_CHARS
from lunr.utils import CompleteSet
from lunr.vector import Vector

from papermirror.errors import SearchError, UserError
from papermirror.files import list_paper_files

if TYPE_CHECKING:
    from papermirror.config import Config
    from papermirror.content.paper import Paper

log = logging.getLogger(__name__)

INDEX_FORMAT = 3
"""Bumped whenever the fields, boosts, weights or cache layout change, so old caches are rebuilt."""
FIELDS = (
    {"field_name": "id", "boost": 5},
    {"field_name": "title", "boost": 10},
    {"field_name": "author", "boost": 5},
    {"field_name": "keyword", "boost": 3},
    {"field_name": "summary", "boost": 2},
    {"field_name": "abstract"},
)
FIELD_NAMES = tuple(spec["field_name"] for spec in FIELDS)
QUERY_HELP = "see `python build.py search --help` for the query syntax"
CACHE_MAGIC = b"papermirror-search-index"
CACHE_PREFIX = b"%s %d lunr-%s %s " % (CACHE_MAGIC, INDEX_FORMAT, LUNR_VERSION.encode(), sys.byteorder.encode())
"""The cache's first line: this, then the length of the listing of content/ that follows it."""
OLD_CACHE_NAMES = ("lunr-index.txt",)
"""Caches of earlier versions in .cache/search/, deleted when the index is rebuilt."""




@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked result of a terminal search."""

    id: str
    """arXiv id of the paper."""
    date: str | None
    """The day the paper is filed under (its first Daily Papers day, else its arXiv day)."""
    title: str
    """The paper's title, as stored."""
    score: float
    """lunr's relevance score, higher is better."""

    def as_json(self) -> str:
        """The hit as one line of JSON, for scripts."""
        import json  # only for --json

        record = {"id": self.id, "date": self.date, "title": self.title, "score": round(self.score, 4)}
        return json.dumps(record, ensure_ascii=False)

    def as_line(self) -> str:
        """The hit as one line for people: id, date, title, score."""
        return f"{self.id:<12} {self.date or '----------'}  {self.title}  ({self.score:.3f})"


Posting = tuple[tuple[array, array], ...]
"""For each field of FIELD_NAMES: the numbers of the papers that have the term there (ascending), and
the term's weight in each of those papers' field vectors."""


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
    body: bytes | _CacheFile
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
            papers.frombytes(self.body[self.body_start + papers_at + 4 * start : self.body_start + papers_at + 4 * end])
            weights.frombytes(self.body[self.body_start + weights_at + 8 * start : self.body_start + weights_at + 8 * end])
            fields.append((papers, weights))
        return self.term_indexes[position], tuple(fields)

    def expand(self, clause: Clause) -> list[str]:
        """Return the indexed terms a clause's term matches, listed as lunr's TokenSet intersection lists them.

        A plain word is one lookup. For wildcards and edit distances, lunr intersects the query's
        automaton with one of every indexed term; that automaton takes a second to build for 10,000
        papers. A regular expression for the query's automaton finds the matching terms first, and
        lunr's intersection over an automaton of those alone lists the same words in the same order
        (the words and the order come from walking the matching paths, which are all still there).
        """
        query_set = TokenSet.from_clause(clause)
        word = _plain_word(query_set)
        if word is not None:
            return [word] if self.find(word) is not None else []
        try:
            pattern = re.compile(_automaton_regex(query_set), re.DOTALL)
        except (RecursionError, re.error):  # not a shape lunr makes today: let lunr look at every term
            candidates = self.terms
        else:
            candidates = [term for term in self.terms if pattern.fullmatch(term)]
        return TokenSet.from_list(candidates).intersect(query_set).to_list()

    @property
    def paper_count(self) -> int:
        """How many papers the index holds."""
        return len(self.paper_spans) - 1

    def paper(self, number: int) -> tuple[str, str | None, str]:
        """Return the id, date and title of paper `number`, read from `body`."""
        start, end = self.paper_spans[number], self.paper_spans[number + 1]
        return pickle.loads(self.body[self.body_start + start : self.body_start + end])

    def hit(self, number: int, score: float) -> Hit:
        """The result line of paper `number`."""
        pid, date, title = self.paper(number)
        return Hit(id=pid, date=date, title=title, score=score)


def _plain_word(token_set: TokenSet) -> str | None:
    """Return the word a TokenSet spells if it is one plain chain of characters, else None."""
    chars, node = [], token_set
    while node.edges:
        if node.final or len(node.edges) != 1:
            return None
        ((char, node),) = node.edges.items()
        if char == "*":
            return None
        chars.append(char)
    return "".join(chars) if node.final else None


def _automaton_regex(node: TokenSet, path: frozenset[int] = frozenset()) -> str:
    """A regular expression for the words a query TokenSet accepts ('*' edges take any character).

    lunr builds trees, with one kind of loop: a '*' edge from a node to itself (`from_string`).
    """
    if node.id in path:
        raise RecursionError("a loop other than a '*' self-edge")
    path = path | {node.id}
    branches = [""] if node.final else []
    for char, child in node.edges.items():
        if child is not node:
            branches.append(("." if char == "*" else re.escape(char)) + _automaton_regex(child, path))
    loop = ".*" if node.edges.get("*") is node else ""
    return loop + ("(?:" + "|".join(branches) + ")" if branches else "(?!)")


# --- build --------------------------------------------------------------------------------------
# What lunr's Builder computes, with the same arithmetic: tokens are runs between lunr's separators,
# lowercased; each goes through lunr's own pipeline (run once per distinct token); a term's `_index`
# is the order it was first met; a field vector's weight for a term is lunr's BM25 variant times the
# field's boost, rounded to 3 places.


def paper_document(paper: Paper) -> dict[str, str]:
    """Turn a paper into the flat document lunr indexes."""
    return {
        "id": paper.id,
        "title": paper.title,
        "author": " ".join(paper.authors),
        "keyword": " ".join(paper.ai_keywords),
        "summary": paper.ai_summary or "",
        "abstract": paper.abstract,
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
class _Counts:
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
    """For each field, each paper's number of terms there."""
    distinct: tuple[list[int], ...]
    """For each field, each paper's number of distinct terms there."""


def count_terms(documents: list[dict[str, str]], known: dict[str, str | None]) -> _Counts:
    """Tokenize every field of every document as lunr does and count the terms."""
    ids = _TermIds(get_default_builder().pipeline, known)
    arrays = [tuple(array("I") for _ in FIELD_NAMES) for _ in range(3)]
    counts = _Counts(ids.numbers, ids.token_terms, *arrays, tuple([] for _ in FIELD_NAMES), tuple([] for _ in FIELD_NAMES))
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


def weigh_terms(counts: _Counts, positions: list[int]) -> tuple[list[bytes], array, frozenset[int]]:
    """Weigh every (paper, field, term) and lay the postings out by field, terms in `positions` order.

    Return for each field its paper numbers and its weights (bytes), the `starts` of SearchIndex,
    and the field vectors whose weights are all 0. The arithmetic is lunr.Builder's and lunr.idf's,
    operation for operation (numpy's float64 arithmetic is IEEE's, as Python's; idf and rounding
    are Python's own).
    """
    import numpy as np  # only when indexing: a warm search does not pay for importing it

    builder = get_default_builder()
    k1, b = builder._k1, builder._b  # lunr's defaults (1.2, 0.75); no public accessor
    paper_count, term_count = len(counts.lengths[0]), len(positions)
    columns = [tuple(np.frombuffer(values, dtype=np.uint32) for values in field) for field in zip(counts.terms, counts.papers, counts.frequencies)]
    with_term = sum(np.bincount(terms, minlength=term_count) for terms, _, _ in columns)
    idfs = np.array([math.log(1 + abs((paper_count - w + 0.5) / (w + 0.5))) for w in with_term.tolist()])
    ranks = np.array(positions, dtype=np.int64)
    parts, starts, zeros = [], array("I"), Counter()
    for field_number, ((terms, papers, frequencies), lengths) in enumerate(zip(columns, counts.lengths)):
        average = sum(lengths) / paper_count
        norm = {length: k1 * (1 - b + b * (length / average)) for length in set(lengths)}
        norms = np.array([norm[length] for length in lengths])  # by paper
        tf = frequencies.astype(np.float64)
        weights = _round3(idfs[terms] * ((k1 + 1) * tf) / (norms[papers] + tf) * FIELDS[field_number].get("boost", 1))
        if not weights.all():  # rare: a word on nearly every paper, in a long field
            zeros.update((papers[weights == 0].astype(np.int64) * len(FIELD_NAMES) + field_number).tolist())
        order = np.argsort(ranks[terms], kind="stable")  # by term, and papers in order within a term
        parts += [papers[order].tobytes(), weights[order].tobytes()]
        starts.extend(np.concatenate(([0], np.cumsum(np.bincount(ranks[terms], minlength=term_count)))).tolist())
    zero_vectors = frozenset(
        ref for ref, count in zeros.items() if count == counts.distinct[ref % len(FIELD_NAMES)][ref // len(FIELD_NAMES)]
    )
    return parts, starts, zero_vectors


def _round3(values):
    """Python's round(value, 3) of each value: rint(value * 1000) / 1000 is that, except within a hair
    of a half, where the product's own rounding could tip it; those few are rounded by Python."""
    import numpy as np

    scaled = values * 1000
    rounded = np.rint(scaled) / 1000
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    rounded[near_half] = [round(value, 3) for value in values[near_half].tolist()]
    return rounded


def encode_index(papers: dict[str, Paper], known: dict[str, str | None] | None = None) -> bytes:
    """Index every paper; return the index as bytes (what the cache holds after its listing of content/).

    `known`: the term of each token at the last indexing (read_token_terms), to skip the stemmer.
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


def _read_header(data: bytes | _CacheFile, start: int) -> tuple[dict, int]:
    """Return the header of an index written by encode_index at `data[start:]`, and where its body starts."""
    (size,) = struct.unpack("<Q", data[start : start + 8])
    header = pickle.loads(data[start + 8 : start + 8 + size])
    if header["lunr"] != LUNR_VERSION or tuple(header["fields"]) != FIELD_NAMES:
        raise ValueError(f"made for lunr {header['lunr']} and fields {header['fields']}")
    return header, start + 8 + size


def decode_index(data: bytes | _CacheFile, start: int = 0) -> SearchIndex:
    """Read an index written by encode_index from `data[start:]`; the postings stay where they are."""
    header, body_start = _read_header(data, start)
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
    """Index every paper."""
    return decode_index(encode_index(papers))


# --- cache ---------------------------------------------------------------------------------------


def cache_path(config: Config) -> Path:
    """Where the terminal search keeps its index (outside site/)."""
    return config.cache_dir / "search" / "index.bin"


def list_content(content_dir: Path) -> bytes:
    """Every paper file's relative path, size and mtime, one a line, sorted: it changes whenever content/ does."""
    lines = []
    for relpath in list_paper_files(content_dir):
        stat = os.stat(content_dir / relpath)
        lines.append(f"{relpath.removeprefix('papers/')}\t{stat.st_size}\t{stat.st_mtime_ns}\n")
    return "".join(lines).encode()


def load_index(config: Config) -> SearchIndex:
    """Return the cached index if content/ is unchanged since it was built, else build and cache it."""
    content_dir = config.content_dir
    if not (content_dir / "papers").is_dir():
        raise UserError(f"{content_dir / 'papers'}: no such folder; run `python build.py snapshot` first")
    listing = list_content(content_dir)
    first_line = CACHE_PREFIX + f"{len(listing)}\n".encode()
    path = cache_path(config)
    cached = read_cache(path, first_line + listing)
    if cached is not None:
        return cached
    from papermirror.content.cache import read_papers_cached
    from papermirror.content.paperfile import read_papers
    from papermirror.files import write_bytes_atomic  # only when indexing

    log.info("search: indexing %s (it changed since the last search)", content_dir)
    try:  # through the build's cache of parsed papers: only the files changed since are parsed
        papers = read_papers_cached(content_dir, config.cache_dir, os.cpu_count() or 1).papers
    except OSError as exc:  # that cache cannot be written; a paper that cannot be read is a ContentError
        log.warning("%s: %s; reading every paper file", config.cache_dir, exc)
        papers = read_papers(content_dir)
    data = encode_index(papers, read_token_terms(path))
    try:
        write_bytes_atomic(path, first_line + listing + data, durable=False)
        for name in OLD_CACHE_NAMES:
            (path.parent / name).unlink(missing_ok=True)
    except OSError as exc:
        log.warning("%s: cannot write the search cache (%s); the next search indexes again", path, exc)
    return decode_index(data)


class _CacheFile:
    """The cache file, open, read a span at a time: a search reads the header and its terms' postings.

    (Mapping it with mmap would do, but the kernel maps whole neighbourhoods of each page touched:
    12 MB more resident for one common word.)
    """

    def __init__(self, file: BinaryIO) -> None:
        self._file, self._size = file, os.fstat(file.fileno()).st_size

    def __getitem__(self, span: slice) -> bytes:
        self._file.seek(span.start)
        return self._file.read(span.stop - span.start)

    def __len__(self) -> int:
        return self._size

    def close(self) -> None:
        self._file.close()

    def __del__(self) -> None:
        self.close()


def read_cache(path: Path, key: bytes) -> SearchIndex | None:
    """Open the cached index if the cache starts with `key`; None when it is missing, stale or unreadable.

    The key is a line naming the format, then the listing of content/ the index was built from.
    """
    cache = None
    try:
        cache = _CacheFile(path.open("rb"))
        if cache[0 : len(key)] == key:
            return decode_index(cache, len(key))
        if cache[0 : len(CACHE_MAGIC) + 1] == CACHE_MAGIC + b" ":
            cache.close()
            return None  # another format, or content/ changed: rebuild quietly
        raise ValueError("not a search index")
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, pickle.UnpicklingError, struct.error) as exc:
        if cache is not None:
            cache.close()
        log.warning("%s: unreadable search cache, rebuilding it (%s)", path, exc)
        return None


def read_token_terms(path: Path) -> dict[str, str | None]:
    """Return the term lunr's pipeline made of each token at the last indexing, from the cache ({} if none).

    Stemming every distinct token is the slowest part of indexing a real archive, and a day's
    snapshot brings few new tokens.
    """
    try:
        cache = _CacheFile(path.open("rb"))
    except OSError:
        return {}
    try:
        line = cache[0:200].split(b"\n", 1)[0] + b"\n"
        if not line.startswith(CACHE_PREFIX):
            return {}
        header, body_start = _read_header(cache, len(line) + int(line[len(CACHE_PREFIX) :]))
        start, end = header["token_terms"]
        token_terms = pickle.loads(cache[body_start + start : body_start + end])
        return token_terms if isinstance(token_terms, dict) else {}
    except (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, pickle.UnpicklingError, struct.error):
        return {}
    finally:
        cache.close()


# --- query --------------------------------------------------------------------------------------
# lunr.Index.query, step for step, over postings instead of lunr's inverted index and field vectors.
# A field's score is the dot product of the query vector with the paper's field vector, over the
# query vector's magnitude; the dot product only needs the weights of the query's terms, which the
# postings hold, summed in term `_index` order as lunr.Vector.dot sums them.


@dataclass
class _Matches:
    """What the clauses of a query matched, as lunr.Index.query collects it."""

    query_vectors: dict[str, Vector] = field(default_factory=lambda: {name: Vector() for name in FIELD_NAMES})
    field_refs: dict[tuple[int, int], None] = field(default_factory=dict)
    """(field number, paper number) of every matching field, in the order lunr meets them."""
    required: dict[str, set[int]] = field(default_factory=dict)
    prohibited: dict[str, set[int]] = field(default_factory=dict)
    postings: dict[int, Posting] = field(default_factory=dict)
    """The posting of every term in a query vector, by lunr's `_index`."""
    collected: set[tuple[str, str]] = field(default_factory=set)
    """(term, field) pairs whose papers are already in field_refs."""


def match_clauses(index: SearchIndex, query: Query) -> _Matches:
    """Expand each clause's term and collect the papers and fields it matches."""
    matches = _Matches()
    for clause in query.clauses:
        terms = index.pipeline.run_string(clause.term, {"fields": clause.fields}) if clause.use_pipeline else [clause.term]
        clause_matches: set[int] = set()
        for term in terms:
            clause.term = term
            expanded = index.expand(clause)
            if not expanded and clause.presence == QueryPresence.REQUIRED:
                for name in clause.fields:
                    matches.required[name] = CompleteSet()
                break
            for expanded_term in expanded:
                term_index, posting = index.posting(expanded_term)
                matches.postings[term_index] = posting
                for name in clause.fields:
                    clause_matches = _match_field(matches, clause, expanded_term, term_index, name, posting, clause_matches)
        if clause.presence == QueryPresence.REQUIRED:
            for name in clause.fields:
                matches.required[name] = matches.required[name].intersection(clause_matches)
    return matches


def _match_field(matches: _Matches, clause: Clause, term: str, term_index: int, name: str,
                 posting: Posting, clause_matches: set[int]) -> set[int]:
    """One field of one expanded term of a clause; return the clause's matches so far."""
    field_number = FIELD_NAMES.index(name)
    papers = posting[field_number][0]
    if clause.presence == QueryPresence.REQUIRED:
        clause_matches = clause_matches.union(papers)
        matches.required.setdefault(name, CompleteSet())
    elif clause.presence == QueryPresence.PROHIBITED:
        matches.prohibited[name] = matches.prohibited.get(name, set()).union(papers)
        return clause_matches
    matches.query_vectors[name].upsert(term_index, clause.boost, lambda a, b: a + b)
    if (term, name) not in matches.collected:  # a dict keeps the place of a key met before, as lunr does
        matches.field_refs.update(zip(zip(repeat(field_number), papers), repeat(None)))
        matches.collected.add((term, name))
    return clause_matches


def field_scores(index: SearchIndex, matches: _Matches) -> list[dict[int, float]]:
    """For each field, the score (lunr.Vector.similarity) of every paper it matches."""
    scores = []
    for field_number, name in enumerate(FIELD_NAMES):
        vector, dots = matches.query_vectors[name], {}
        elements, magnitude = vector.elements, vector.magnitude
        for i in range(0, len(elements), 2):  # in `_index` order, as lunr.Vector.dot adds them up
            value = elements[i + 1]
            papers, weights = matches.postings[elements[i]][field_number]
            if not dots:  # 0 + x is x: the weights are never -0.0
                dots = dict(zip(papers, map(mul, repeat(value), weights)))
                continue
            for number, weight in zip(papers, weights):
                dots[number] = dots.get(number, 0) + value * weight
        zero = index.zero_vectors
        if magnitude == 0:
            scores.append(dict.fromkeys(dots, 0))
        elif not zero:
            scores.append({number: dot / magnitude for number, dot in dots.items()})
        else:
            scores.append({
                number: 0 if number * len(FIELD_NAMES) + field_number in zero else dot / magnitude
                for number, dot in dots.items()
            })
    return scores


def rank(index: SearchIndex, query: Query) -> list[tuple[int, float]]:
    """Run a parsed query as lunr.Index.query does; return (paper number, score), best first."""
    if not query.clauses:
        return []
    matches = match_clauses(index, query)
    required, prohibited = CompleteSet(), set()
    for name in FIELD_NAMES:
        if name in matches.required:
            required = required.intersection(matches.required[name])
        if name in matches.prohibited:
            prohibited = prohibited.union(matches.prohibited[name])
    if query.is_negated():
        # lunr scores every field of every paper then, against empty query vectors: 0 each.
        return [(number, 0) for number in range(index.paper_count) if number in required and number not in prohibited]
    scores, results = field_scores(index, matches), {}
    check_required = not isinstance(required, CompleteSet)
    for field_number, number in matches.field_refs:
        if (check_required and number not in required) or number in prohibited:
            continue
        score = scores[field_number][number]
        results[number] = results[number] + score if number in results else score
    return sorted(results.items(), key=itemgetter(1), reverse=True)


def run_search(search_index: SearchIndex, query: str, limit: int | None = None) -> list[Hit]:
    """Run a lunr query, best first; raise SearchError naming the problem for a malformed query."""
    if not query.strip():
        raise SearchError("empty query: give some words, e.g. python build.py search 'masked autoencoder'")
    try:
        parsed = QueryParser(query, Query(list(FIELD_NAMES))).parse()
        ranked = rank(search_index, parsed)
    except QueryParseError as exc:
        raise SearchError(f"cannot parse the query {query!r}: {exc}; {QUERY_HELP}") from None
    except BaseLunrException as exc:
        raise SearchError(f"cannot run the query {query!r}: {exc}; {QUERY_HELP}") from None
    return [search_index.hit(number, score) for number, score in (ranked[:limit] if limit else ranked)]
