"""Search the archive from the terminal with lunr.py.

The index is built from content/ and cached in `.cache/search/`, next to a fingerprint of content/
(every paper file's name, size and mtime). A search loads the cached index when the fingerprint
still matches and rebuilds it otherwise, so a warm search never reads the papers at all.

Fields (lunr's field syntax: `title:mamba`, `author:he`, `keyword:diffusion`):
  id, title, author, keyword, summary (HF's AI summary), abstract.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lunr import lunr
from lunr.exceptions import BaseLunrException, QueryParseError
from lunr.index import Index
from lunr.pipeline import Pipeline
from lunr.token_set import TokenSet
from lunr.vector import Vector

from papermirror.config import Config
from papermirror.content import read_papers, write_bytes_atomic
from papermirror.errors import UserError
from papermirror.paper import Paper

log = logging.getLogger(__name__)

INDEX_FORMAT = 1
"""Bumped whenever the fields, boosts or cache layout change, so old caches are rebuilt."""
FIELDS = (
    {"field_name": "id", "boost": 5},
    {"field_name": "title", "boost": 10},
    {"field_name": "author", "boost": 5},
    {"field_name": "keyword", "boost": 3},
    {"field_name": "summary", "boost": 2},
    {"field_name": "abstract"},
)
QUERY_HELP = "see `python build.py search --help` for the query syntax"


class SearchError(UserError):
    """A query lunr cannot parse or run; the message names the query and the problem."""


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
        record = {"id": self.id, "date": self.date, "title": self.title, "score": round(self.score, 4)}
        return json.dumps(record, ensure_ascii=False)

    def as_line(self) -> str:
        """The hit as one line for people: id, date, title, score."""
        return f"{self.id:<12} {self.date or '----------'}  {self.title}  ({self.score:.3f})"


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """A loaded lunr index plus the few fields a result line shows."""

    index: Index
    """The lunr index over FIELDS."""
    papers: dict[str, tuple[str | None, str]]
    """id -> (date, title), to print results without reading content/."""


# --- build --------------------------------------------------------------------------------------


def fingerprint_content(content_dir: Path) -> str:
    """Hash every paper file's relative path, size and mtime: it changes whenever content/ does."""
    digest = hashlib.sha256(f"papermirror-search-{INDEX_FORMAT}\n".encode())
    papers_dir = content_dir / "papers"
    for shard in sorted(os.scandir(papers_dir), key=lambda entry: entry.name):
        if not shard.is_dir() or shard.name.startswith("."):
            continue
        for entry in sorted(os.scandir(shard.path), key=lambda entry: entry.name):
            if entry.name.endswith(".md") and not entry.name.startswith("."):
                stat = entry.stat()
                digest.update(f"{shard.name}/{entry.name}\t{stat.st_size}\t{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


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


def build_index(papers: dict[str, Paper]) -> SearchIndex:
    """Index every paper with lunr."""
    documents = [paper_document(paper) for paper in papers.values()]
    index = lunr(ref="id", fields=list(FIELDS), documents=documents)
    return SearchIndex(index=index, papers={pid: (p.day, p.title) for pid, p in papers.items()})


def cache_path(config: Config) -> Path:
    """Where the terminal search keeps its index (outside site/)."""
    return config.cache_dir / "search" / "lunr-index.txt"


def load_index(config: Config) -> SearchIndex:
    """Return the cached index if content/ is unchanged since it was built, else build and cache it."""
    content_dir = config.content_dir
    if not (content_dir / "papers").is_dir():
        raise UserError(f"{content_dir / 'papers'}: no such folder; run `python build.py snapshot` first")
    fingerprint = fingerprint_content(content_dir)
    path = cache_path(config)
    cached = read_cache(path, fingerprint)
    if cached is not None:
        return cached
    log.info("search: indexing %s (it changed since the last search)", content_dir)
    search_index = build_index(read_papers(content_dir))
    write_cache(path, fingerprint, search_index)
    return search_index


# --- cache ---------------------------------------------------------------------------------------
# The cache holds lunr's own serialisation (`Index.serialize()`), laid out so that a warm search
# parses only what its terms touch: parsing the whole serialised index of 10k papers takes seconds
# in Python, most of it millions of tiny dicts. Line 1 is a JSON header: the fingerprint, the
# id -> date/title table, lunr's version, fields and pipeline, the terms of the inverted index and
# the refs of the field vectors, and the byte offset of each one's JSON value in the rest of the
# file, where the values follow one per line (postings first, then vectors).


def write_cache(path: Path, fingerprint: str, search_index: SearchIndex) -> None:
    """Store the index for the next search; a failure only costs a rebuild next time."""
    serialized = search_index.index.serialize()
    entries = serialized["invertedIndex"] + serialized["fieldVectors"]
    values = [_compact(value).encode() + b"\n" for _, value in entries]
    offsets = [0]
    for value in values:
        offsets.append(offsets[-1] + len(value))
    header = {
        "format": INDEX_FORMAT,
        "fingerprint": fingerprint,
        "papers": [[pid, date, title] for pid, (date, title) in search_index.papers.items()],
        **{key: serialized[key] for key in ("version", "fields", "pipeline")},
        "terms": [term for term, _ in serialized["invertedIndex"]],
        "refs": [ref for ref, _ in serialized["fieldVectors"]],
        "offsets": offsets,
    }
    try:
        write_bytes_atomic(path, _compact(header).encode() + b"\n" + b"".join(values))
    except OSError as exc:
        log.warning("%s: cannot write the search cache (%s); the next search indexes again", path, exc)


def read_cache(path: Path, fingerprint: str) -> SearchIndex | None:
    """Load the cached index, or None when it is missing, stale or unreadable."""
    try:
        data = path.read_bytes()
        newline = data.index(b"\n")
        header = json.loads(data[:newline])
        if header.get("fingerprint") != fingerprint or header.get("format") != INDEX_FORMAT:
            return None
        body, offsets, terms = memoryview(data)[newline + 1 :], header["offsets"], header["terms"]
        spans = [(offsets[i], offsets[i + 1]) for i in range(len(offsets) - 1)]
        postings = dict(zip(terms, spans))
        vectors = dict(zip(header["refs"], spans[len(terms) :]))
        index = Index(
            fields=header["fields"],
            field_vectors=_LazyJSON(body, vectors, Vector),
            inverted_index=_LazyJSON(body, postings),
            token_set=_LazyTokenSet(postings),
            pipeline=Pipeline.load(header["pipeline"]),
        )
        return SearchIndex(index=index, papers={pid: (date, title) for pid, date, title in header["papers"]})
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, IndexError, BaseLunrException) as exc:
        log.warning("%s: unreadable search cache, rebuilding it (%s)", path, exc)
        return None


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _LazyJSON(Mapping):
    """A read-only mapping whose values are JSON spans of `body`, each parsed (and converted) on first use."""

    def __init__(self, body: memoryview, spans: dict[str, tuple[int, int]],
                 convert: Callable[[Any], Any] = lambda value: value) -> None:
        self._body, self._spans, self._convert, self._parsed = body, spans, convert, {}

    def __getitem__(self, key: str) -> Any:
        try:
            return self._parsed[key]
        except KeyError:
            start, end = self._spans[key]
            value = self._parsed[key] = self._convert(json.loads(bytes(self._body[start:end])))
            return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)


class _LazyTokenSet:
    """Stands in for lunr's TokenSet of every indexed term; the real one is built only when needed.

    lunr intersects each query term's TokenSet with the index's. For a plain term (one chain of
    characters, no wildcard, no edit distance) that is a dictionary lookup, so the automaton of all
    terms (about half a second for 10k papers) is built only for wildcard and fuzzy terms.
    """

    def __init__(self, terms: Mapping[str, str]) -> None:
        self._terms = terms
        self._full: TokenSet | None = None

    def intersect(self, other: TokenSet) -> TokenSet:
        word = _plain_word(other)
        if word is not None:
            return TokenSet.from_list([word] if word in self._terms else [])
        if self._full is None:
            self._full = TokenSet.from_list(sorted(self._terms))
        return self._full.intersect(other)


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


# --- query --------------------------------------------------------------------------------------


def run_search(search_index: SearchIndex, query: str, limit: int | None = None) -> list[Hit]:
    """Run a lunr query, best first; raise SearchError naming the problem for a malformed query."""
    if not query.strip():
        raise SearchError("empty query: give some words, e.g. python build.py search 'masked autoencoder'")
    try:
        results = search_index.index.search(query)
    except QueryParseError as exc:
        raise SearchError(f"cannot parse the query {query!r}: {exc}; {QUERY_HELP}") from None
    except BaseLunrException as exc:
        raise SearchError(f"cannot run the query {query!r}: {exc}; {QUERY_HELP}") from None
    hits = []
    for result in results[:limit] if limit else results:
        date, title = search_index.papers.get(result["ref"], (None, ""))
        hits.append(Hit(id=result["ref"], date=date, title=title, score=result["score"]))
    return hits
