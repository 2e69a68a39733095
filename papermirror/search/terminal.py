"""Search the archive from the terminal (`build.py search`), with lunr.py's query language and ranking.

lunr.py's own Builder takes about 10 ms a paper and its `Index.search` about a second for a common
word over 10,000 papers, so the modules beside this one do their work in tighter loops and keep
lunr.py for everything that defines the results: its tokenizer's separators, its pipelines
(trimmer, stop words, stemmer), its query parser, its TokenSet automata for wildcards and edit
distances, its Vector for the query. Scores and ranking are bit-for-bit those of
`lunr.Index.search` (tests/test_search.py checks that against lunr.py itself), but that a required common
word no paper's index holds (`+at`) is ignored as the index ignores it, where lunr finds nothing (query.py).
This module is the front: a query string in, `Hit`s out; papermirror/search/__init__.py lists the others.
"""

from __future__ import annotations

import logging
import re
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lunr.exceptions import BaseLunrException, QueryParseError
from lunr.query import Query
from lunr.query_parser import QueryParser
from lunr.token import Token
from lunr.trimmer import trimmer

from papermirror.content.paper import NEW_ID, OLD_ID, TERMINAL_CONTROLS
from papermirror.errors import SearchError
from papermirror.search.cache import cache_path, load_index
from papermirror.search.query import rank
from papermirror.search.store import DamagedIndex, SearchIndex
from papermirror.search.terms import FIELD_NAMES, folded

if TYPE_CHECKING:
    from papermirror.config import Config

__all__ = ["Hit", "cache_path", "load_index", "run_search", "search_archive"]

log = logging.getLogger(__name__)

QUERY_HELP = "see `python build.py search --help` for the query syntax"
MAX_EDIT_DISTANCE = 2
"""The most edits `word~n` may allow."""
_QUOTES = '"\u201c\u201d\u201e'
_PHRASE = re.compile(f'((?:[\\w.]+:)?)[{_QUOTES}]([^{_QUOTES}]*)[{_QUOTES}]?')
"""A quoted phrase, with the field before it: title:"masked image"."""
_PAPER_LINK = re.compile(
    rf"(?:(?:https?://)?(?:www\.)?(?:arxiv\.org/(?:abs|pdf)/|huggingface\.co/papers/)|arxiv:)?\s*"
    rf"(?P<id>{NEW_ID.pattern}|{OLD_ID.pattern})(?:\.pdf)?/?(?:[?#]\S*)?", re.IGNORECASE)
"""A paper's arXiv id, alone or as arXiv and Hugging Face write it: arXiv:2405.15738, 2405.15738v2,
https://arxiv.org/pdf/2405.15738v1.pdf, huggingface.co/papers/2405.15738?utm=x."""
_NOT_A_FIELD = re.compile(r"(?<![^\s:])([+-]?)([^\s:+-][^\s:]*)(?<!\\):(?=\s|$)")
"""A word and a colon after it that ends it ("SAM 2: Segment ...", "Enhance-A-Video: Better ..."): lunr reads it as
a field. A field is written with its word after the colon (`title:mamba`), and a wrong one (`venue:neurips`) is
still said to be no field. A word is taken from a space or a field's colon on (`title:Mamba: Linear-Time`; a scan
from every character of a 20,000-character word took seconds)."""
_FIELD = re.compile(rf"(?<!\S)([+-]?)({'|'.join(FIELD_NAMES)}):(?=[^\s:])", re.IGNORECASE)
"""A field name in capitals (`Title:mamba`): lunr knows them in lower case alone."""
_CONTROL = re.compile(f"[{TERMINAL_CONTROLS}]")
"""C0 and C1 control characters, but tab and newline: a title holding ESC[31m must not drive the terminal; and the
bidirectional controls (paper.BIDI_CONTROLS), which would reorder the rest of the line."""


def printable(text: str) -> str:
    """Text with control characters dropped and line breaks folded into spaces, safe to print."""
    return " ".join(_CONTROL.sub("", text).split())


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

        record = {"id": self.id, "date": self.date, "title": printable(self.title), "score": round(self.score, 4)}
        return json.dumps(record, ensure_ascii=False)

    def as_line(self) -> str:
        """The hit as one line for people: id, date, title, score."""
        return f"{self.id:<12} {self.date or '----------'}  {printable(self.title)}  ({self.score:.3f})"


def search_archive(config: Config, query: str, limit: int | None = None) -> list[Hit]:
    """Run `query` over the index of content/ (cached, see load_index). The cached index is read a part at a
    time, so damage inside it shows only while searching: then the cache is dropped and built again, once."""
    try:
        return run_search(load_index(config), query, limit)
    except DamagedIndex as exc:
        log.warning("%s: damaged search cache, rebuilding it (%s)", cache_path(config), exc)
        cache_path(config).unlink(missing_ok=True)
        return run_search(load_index(config), query, limit)


def run_search(search_index: SearchIndex, query: str, limit: int | None = None) -> list[Hit]:
    """Run a lunr query, best first; raise SearchError naming the problem for a malformed query."""
    if not query.strip():
        raise SearchError("empty query: give some words, e.g. python build.py search 'masked autoencoder'")
    refuse_phrases(query)
    try:
        parsed = trimmed_as_indexed(QueryParser(as_lunr_reads_it(folded(query)), Query(list(FIELD_NAMES))).parse())
        if not parsed.clauses:
            raise SearchError(f"no word to search for in {query!r}: give some words, e.g. python build.py search "
                              "'masked autoencoder'")
        refuse_wide_typos(parsed)
        ranked = rank(search_index, parsed)
    except QueryParseError as exc:
        raise SearchError(f"cannot parse the query {query!r}: {exc}; {QUERY_HELP}") from None
    except BaseLunrException as exc:
        raise SearchError(f"cannot run the query {query!r}: {exc}; {QUERY_HELP}") from None
    return [_hit(search_index, number, score) for number, score in (ranked[:limit] if limit else ranked)]


def as_lunr_reads_it(query: str) -> str:
    """A pasted paper link or id (`_PAPER_LINK`) becomes `id:` its id, without its version; a colon that ends a
    word ("SAM 2: Segment Anything", a pasted title) becomes a space, where lunr said "Unrecognized field"; a field
    name in capitals before its word (`Title:mamba`) is the field, and before a space (`Title: Mamba`) a word."""
    link = _PAPER_LINK.fullmatch(query.strip())
    if link:
        return "id:" + re.sub(r"v[0-9]+$", "", link.group("id"))
    query = _FIELD.sub(lambda m: f"{m.group(1)}{m.group(2).lower()}:", query)
    return _NOT_A_FIELD.sub(lambda m: m.group(0) if m.group(2) in FIELD_NAMES else f"{m.group(1)}{m.group(2)} ",
                            query)  # `title: mamba` stays lunr's "Expected term"; `Title: Mamba` is two words


_WILDCARD_TRIMMED = re.compile(r"[^\w*]*([\w*]*\w[\w*]*)[^\w*]*")
"""lunr's trimmer for a term with a wildcard: the punctuation at its edges taken off when its middle is letters,
digits, _ and * alone, as the trimmer takes it off a word of letters and digits ("(e.g*" is kept: "(e.g." is a word)."""


def trimmed_as_indexed(parsed: Query) -> Query:
    """Each term without the punctuation at its edges, as lunr's trimmer leaves it out of the words it indexes ("a
    Vision Standard?" is indexed as standard): a query word holding it matched nothing, so a pasted title ending in
    "?" or a word typed as "(vision" found no paper. A wildcard's term keeps its `*` ("(pretrain*" is pretrain*); a
    term of punctuation alone (a lone "?") is left out, as the index holds none."""
    kept = []
    for clause in parsed.clauses:
        if "*" in clause.term:
            trimmed = _WILDCARD_TRIMMED.fullmatch(clause.term)
            clause.term = trimmed.group(1) if trimmed else clause.term
        else:
            clause.term = str(trimmer(Token(clause.term)))
        if "*" in clause.term or re.search(r"\w", clause.term):
            kept.append(clause)
    parsed.clauses = kept
    return parsed


def refuse_wide_typos(parsed: Query) -> None:
    """Raise SearchError for an edit distance above MAX_EDIT_DISTANCE: lunr's automaton for `word~n` grows
    exponentially with n (`vision~8` took 6 s and 185 MB, `~10` 38 s and 513 MB)."""
    for clause in parsed.clauses:
        if clause.edit_distance > MAX_EDIT_DISTANCE:
            raise SearchError(f"{clause.term}~{clause.edit_distance}: at most ~{MAX_EDIT_DISTANCE} edits a word "
                              f"(a wider net matches nearly every word); {QUERY_HELP}")


def refuse_phrases(query: str) -> None:
    """Raise SearchError for a query with quotes: lunr has no phrase search, and would search `"masked` as a word."""
    if not any(quote in query for quote in _QUOTES):
        return
    required = _PHRASE.sub(lambda m: " ".join(f"+{m.group(1)}{word}" for word in m.group(2).split()), query)
    hint = " ".join(required.translate({ord(quote): " " for quote in _QUOTES}).split())
    raise SearchError(f"quotes are not supported: lunr searches for words, not phrases; to require every word, "
                      f"try: python build.py search {shlex.quote(hint or 'some words')}")


def _hit(search_index: SearchIndex, number: int, score: float) -> Hit:
    """The result line of paper `number`."""
    paper_id, date, title = search_index.paper(number)
    return Hit(id=paper_id, date=date, title=title, score=score)
