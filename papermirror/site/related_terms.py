"""Related papers, the terms: each paper's terms and their TF-IDF weights, as arxiv-sanity-lite makes them.

Title, abstract and authors; lower-cased words of two or more characters, scikit-learn's English
stop words left out; each word and each pair of neighbouring words is a term; terms of at least MIN_DF
papers and at most MAX_DF of them, the MAX_TERMS most frequent; weights (1 + ln tf) * smoothed idf,
each paper's vector of length 1 (why these: related.py; the search that uses them: related_search.py).

Each paper's term keys are kept in .cache/ with a digest of its text, so a build tokenises only new
and edited papers. Terms are keyed by a hash of their text and the columns put in key order before
any sum is taken, so the answer never depends on what the cache held.

At 100,000 papers the archive holds about 37 million (paper, term) keys of 11 million distinct terms,
nearly all of them word pairs of a single paper. The vocabulary is therefore chosen with one sort of
all the keys (a term's document frequency is the length of its run) and the keys then looked up among
the few hundred thousand terms of MIN_DF papers or more only: a lookup among all 11 million terms, or
numpy's hashed np.union1d of them, costs ten times more (benchmarks/README.md).
"""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
import unicodedata
from pathlib import Path

import numpy as np
from scipy import sparse

from papermirror.content.paper import Paper
from papermirror.files import atomic_writer, code_digest
from papermirror.processes import forked_map

log = logging.getLogger(__name__)

MIN_DF, MAX_DF, MAX_TERMS = 5, 0.5, 20_000
"""arxiv-sanity-lite's vocabulary: terms of at least MIN_DF papers (fewer in an archive of under 500)
and of at most MAX_DF of them, the MAX_TERMS most frequent of those."""
PAIR_MIX = 0x9E3779B97F4A7C15
"""Mixes the keys of two neighbouring words into the key of the pair (the golden-ratio constant)."""
PARALLEL_MIN_PAPERS = 2000
"""Below this many papers to tokenise, tokenise in this process (starting workers costs more)."""
CACHE_NAME = "related.pickle"
CACHE_VERSION = 5
STOP_WORDS = frozenset("""
a about above across after afterwards again against all almost alone along already also although always am
among amongst amoungst amount an and another any anyhow anyone anything anyway anywhere are around as at
back be became because become becomes becoming been before beforehand behind being below beside besides
between beyond bill both bottom but by call can cannot cant co con could couldnt cry de describe detail do
done down due during each eg eight either eleven else elsewhere empty enough etc even ever every everyone
everything everywhere except few fifteen fifty fill find fire first five for former formerly forty found
four from front full further get give go had has hasnt have he hence her here hereafter hereby herein
hereupon hers herself him himself his how however hundred i ie if in inc indeed interest into is it its
itself keep last latter latterly least less ltd made many may me meanwhile might mill mine more moreover
most mostly move much must my myself name namely neither never nevertheless next nine no nobody none noone
nor not nothing now nowhere of off often on once one only onto or other others otherwise our ours ourselves
out over own part per perhaps please put rather re same see seem seemed seeming seems serious several she
should show side since sincere six sixty so some somehow someone something sometime sometimes somewhere
still such system take ten than that the their them themselves then thence there thereafter thereby
therefore therein thereupon these they thick thin third this those though three through throughout thru thus
to together too top toward towards twelve twenty two un under until up upon us very via was we well were
what whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever whether which
while whither who whoever whole whom whose why will with within without would yet you your yours yourself
yourselves
""".split())
"""scikit-learn's English stop words (the Glasgow IR group's list), as arxiv-sanity uses them."""
_WORD = re.compile(r"\b[a-z_][a-z0-9_]+\b")
"""scikit-learn's default token, lower-cased: two or more letters, digits or _, not starting with a digit."""


def term_key(term: str) -> int:
    """A term's 63-bit key, the same in every process (Python's own hash of a str is not)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little") >> 1 | 1


class WordKeys(dict):
    """Word -> its key (0 for a stop word), each word hashed once."""

    def __missing__(self, word: str) -> int:
        self[word] = key = 0 if word in STOP_WORDS else term_key(word)
        return key


def words_of(text: str) -> list[str]:
    """The words of a text, lower-cased and without accents ("Schrödinger" -> "schrodinger")."""
    text = unicodedata.normalize("NFKD", text.lower())
    if not text.isascii():  # drop the combining marks, looking up each distinct character once
        for mark in [c for c in set(text) if unicodedata.combining(c)]:
            text = text.replace(mark, "")
    return _WORD.findall(text)


def paper_keys(paper: Paper, keys: WordKeys) -> tuple[np.ndarray, np.ndarray]:
    """The keys of a paper's terms, ascending, and how often each occurs: each word of its title, abstract
    and authors (stop words left out), and each pair of neighbouring words."""
    text = " ".join((paper.title, paper.abstract, *paper.authors))
    words = np.array(list(map(keys.__getitem__, words_of(text))), dtype=np.uint64)
    words = words[words != 0]
    pairs = (words[:-1] * np.uint64(PAIR_MIX) + words[1:]) >> np.uint64(1) | np.uint64(1)
    found, counts = np.unique(np.concatenate((words, pairs)).view(np.int64), return_counts=True)
    return found, counts.astype(np.uint32)


def text_digest(paper: Paper) -> str:
    """Hash what a paper's terms are made of."""
    text = "\0".join((paper.title, paper.abstract, *paper.authors))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def load_cache(cache_dir: Path | None) -> dict:
    """Return the last build's terms and neighbours ({} when missing, stale or unreadable)."""
    if cache_dir is None:
        return {}
    try:
        with (cache_dir / CACHE_NAME).open("rb") as handle:
            stored = pickle.load(handle)
    except FileNotFoundError:
        return {}
    except Exception as exc:  # a damaged cache is only a slower build
        log.debug("ignoring unreadable %s: %s", cache_dir / CACHE_NAME, exc)
        return {}
    return stored if isinstance(stored, dict) and stored.get("version") == cache_version() else {}


def cache_version() -> str:
    """The cache's version: CACHE_VERSION and this code's digest (a change of the tokeniser or of the scores must
    not reuse the terms or neighbours another code found)."""
    return f"{CACHE_VERSION} {code_digest()}"


def save_cache(cache_dir: Path | None, data: dict) -> None:
    if cache_dir is not None:
        with atomic_writer(cache_dir / CACHE_NAME, durable=False) as handle:
            pickle.dump({"version": cache_version(), **data}, handle, protocol=pickle.HIGHEST_PROTOCOL)


def tokenise_share(rows: list[int], papers: list[Paper]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return the term keys and counts of papers[row] for each row (one word cache for them all)."""
    words = WordKeys()
    return [paper_keys(papers[row], words) for row in rows]


def term_keys(papers: list[Paper], digests: list[str], cache: dict, jobs: int = 1, carry: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
    """Return every paper's term keys (ascending) and counts, end to end in "keys" and "counts", paper n's
    from "indptr"[n] to "indptr"[n + 1]: copied from the cache for a paper whose text it holds, else tokenised
    (in `jobs` forked processes when there are PARALLEL_MIN_PAPERS or more). The cache's other arrays named
    in `carry` (one entry a key) are copied alike, -2 for the keys of the papers tokenised."""
    cached_row = {paper_id: row for row, paper_id in enumerate(cache.get("ids", ()))}
    old_digests = cache.get("digests", ())
    source = np.array([row if (row := cached_row.get(paper.id)) is not None and old_digests[row] == digest else -1
                       for paper, digest in zip(papers, digests)], dtype=np.int64)
    fresh = np.flatnonzero(source < 0).tolist()
    log.debug("related: %d papers, %d tokenised", len(papers), len(fresh))
    parts = max(1, min(jobs * 4, len(fresh) * 4 // PARALLEL_MIN_PAPERS))
    shares = [fresh[len(fresh) * k // parts : len(fresh) * (k + 1) // parts] for k in range(parts)]
    tokenised = dict(zip(fresh, (found for part in forked_map(tokenise_share, shares, papers, jobs if parts > 1 else 1) for found in part)))
    sizes = np.zeros(len(papers), np.int64)
    if len(cached := np.flatnonzero(source >= 0)):
        sizes[cached] = np.diff(cache["indptr"])[source[cached]]
    sizes[fresh] = [len(keys) for keys, _counts in tokenised.values()]
    indptr = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    found = {"keys": np.zeros(indptr[-1], np.int64), "counts": np.zeros(indptr[-1], np.uint32)}
    found |= {name: np.full(indptr[-1], -2, cache[name].dtype) for name in carry}
    for first, last in cached_runs(source):  # each run of papers cached one after the other: one copy
        old = slice(cache["indptr"][source[first]], cache["indptr"][source[last - 1] + 1])
        for name, values in found.items():
            values[indptr[first] : indptr[last]] = cache[name][old]
    for n, (paper_keys_, paper_counts) in tokenised.items():
        found["keys"][indptr[n] : indptr[n + 1]], found["counts"][indptr[n] : indptr[n + 1]] = paper_keys_, paper_counts
    return {"indptr": indptr, **found}


def cached_runs(source: np.ndarray) -> list[tuple[int, int]]:
    """Return the runs [first, last) of papers whose cached rows (`source`, -1: none) follow one another."""
    cached = source >= 0
    starts = np.flatnonzero(cached & np.concatenate(([True], (source[1:] != source[:-1] + 1) | ~cached[:-1])))
    ends = np.flatnonzero(cached & np.concatenate(((source[1:] != source[:-1] + 1) | ~cached[1:], [True]))) + 1
    return list(zip(starts.tolist(), ends.tolist()))


def vocabulary(keys: np.ndarray, counts: np.ndarray, papers: int) -> tuple[np.ndarray, np.ndarray]:
    """Return arxiv-sanity's vocabulary (MIN_DF, MAX_DF, MAX_TERMS) of the keys of `papers` papers: its
    terms' keys, ascending, and each one's document frequency: one sort of all the keys, then a look-up
    among the terms of MIN_DF papers or more."""
    ordered = np.sort(keys)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1]))) if len(keys) else np.zeros(0, np.int64)
    df = np.diff(np.append(starts, len(keys)))
    wanted = (df >= max(2, min(MIN_DF, papers // 100))) & (df <= max(MAX_DF * papers, 2))
    terms, df = ordered[starts[wanted]], df[wanted]
    if len(terms) > MAX_TERMS:
        position = columns_of(keys, terms)
        found = position >= 0
        frequency = np.bincount(position[found], weights=counts[found], minlength=len(terms))
        kept = np.sort(np.argsort(-frequency, kind="stable")[:MAX_TERMS])
        terms, df = terms[kept], df[kept]
    return terms, df


def columns_of(keys: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """Return each key's position among the ascending `terms` (-1 for a key not among them)."""
    if not len(terms):
        return np.full(len(keys), -1)
    position = np.searchsorted(terms, keys)
    return np.where(terms[np.minimum(position, len(terms) - 1)] == keys, position, -1)


def reference_vocabulary(terms: dict[str, np.ndarray], reference: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, int]:
    """Return the vocabulary of the `reference` papers (a mask of rows; all of them when None): its terms'
    keys, their document frequencies, and how many papers those are counted over."""
    reference = np.ones(len(terms["indptr"]) - 1, bool) if reference is None else reference
    mine = np.repeat(reference, np.diff(terms["indptr"]))
    return (*vocabulary(terms["keys"][mine], terms["counts"][mine], int(reference.sum())), int(reference.sum()))


def terms_columns(terms: dict[str, np.ndarray], vocabulary_keys: np.ndarray) -> np.ndarray:
    """Return (and keep in terms["columns"]) each key's column in the vocabulary: looked up for the keys whose
    column `term_keys` did not carry over from the last build of the same vocabulary (-2)."""
    if "columns" not in terms:
        terms["columns"] = columns_of(terms["keys"], vocabulary_keys).astype(np.int32)
    else:
        unknown = np.flatnonzero(terms["columns"] == -2)
        terms["columns"][unknown] = columns_of(terms["keys"][unknown], vocabulary_keys)
    return terms["columns"]


def weigh(terms: dict[str, np.ndarray], vocabulary_keys: np.ndarray, df: np.ndarray, papers: int) -> sparse.csr_matrix:
    """Return the papers' TF-IDF vectors over a vocabulary (`reference_vocabulary`), a row per paper, a column
    per term in key order: counts weighed by (1 + ln tf) * smoothed idf, each row of length 1 (scikit-learn's
    TfidfVectorizer with sublinear_tf). A paper's vector depends on its own text and the vocabulary only."""
    counts, indptr = terms["counts"], terms["indptr"]
    rows_count = len(indptr) - 1
    column = terms_columns(terms, vocabulary_keys)
    found = column >= 0
    rows = np.repeat(np.arange(rows_count), np.diff(indptr))[found]
    row_ends = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=rows_count))))
    weights = sparse.csr_matrix((counts[found].astype(np.float32), column[found], row_ends), shape=(rows_count, len(df)))
    idf = np.log((1 + papers) / (1 + df)) + 1
    weights.data = ((1 + np.log(weights.data)) * idf[weights.indices]).astype(np.float32)
    norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    weights.data *= np.repeat((1 / norms).astype(np.float32), np.diff(weights.indptr))
    return weights


def tfidf(terms: dict[str, np.ndarray], reference: np.ndarray | None = None) -> sparse.csr_matrix:
    """Return the papers' TF-IDF vectors over the vocabulary and idf of the `reference` papers (all when None)."""
    fresh = {name: terms[name] for name in ("indptr", "keys", "counts")}  # no columns of another vocabulary
    return weigh(fresh, *reference_vocabulary(terms, reference))
