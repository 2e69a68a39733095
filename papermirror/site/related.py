"""Related papers: each paper's most similar papers of the archive, by TF-IDF cosine, on the CPU.

The text and weights are arxiv-sanity-lite's (its compute.py: scikit-learn's TfidfVectorizer), done
here with numpy and scipy: title, abstract and authors; lower-cased words of two or more characters,
scikit-learn's English stop words left out; each word and each pair of neighbouring words is a term;
terms of at least MIN_DF papers and at most MAX_DF of them, the MAX_TERMS most frequent; weights
(1 + ln tf) * smoothed idf, each paper's vector of length 1. Judged on 20 papers of the real stream,
this found as many related papers as arxiv-sanity's own code (precision@5 0.84 against 0.83) and more
than the variants tried (stemmed words, the title counted twice, the AI keywords as phrases or as
words: 0.72-0.78), see benchmarks/README.md.

Search: scoring every pair costs N² (6 s of CPU at 10,000 papers, ~100 times that at 100,000). So each
paper looks up its QUERY_TERMS heaviest terms in an inverted index that keeps, for each term, the
POSTINGS papers where it weighs most (one sparse product per BLOCK of papers, the blocks shared out
among one forked process per core), keeps the CANDIDATES papers with the best partial score, and
scores those by exact cosine; the COUNT best, ties broken by id, never the paper itself, never a paper
sharing no term. On the real stream this finds 95% of the exact top 5 (`bench_related.py --recall`).

Incremental: each paper's term keys are kept in .cache/ with a digest of its text, so a build
tokenises only new and edited papers; and the whole answer is kept with the digest of all texts, so a
build whose texts did not change (a refresh of upvotes, a new layout) reuses it. When a text changes
the neighbours are recomputed in full: the idf of every term moves with every new paper, so any
paper's neighbours may move too, and a full recompute fits the budget (figures in benchmarks/README.md).
Terms are keyed by a hash of their text and the columns put in key order before any sum is taken, so
the answer never depends on what the cache held.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import pickle
import re
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy import sparse

from papermirror.content.paper import Paper
from papermirror.files import atomic_writer
from papermirror.processes import die_with_parent

log = logging.getLogger(__name__)

COUNT = 5
"""Related papers shown on each paper's page."""
QUERY_TERMS = 64
"""A paper's heaviest terms, looked up in the index to find its candidates."""
POSTINGS = 500
"""The index keeps, for each term, the papers where it weighs most: at 100,000 papers a term of 10%
of them would otherwise make each of its queries add up 10,000 partial scores."""
EXACT_PAIRS = 100_000
"""Pairs scored exactly at a time (their two rows are copied)."""
CANDIDATES = 20
"""Papers per paper scored exactly: the best by partial score over its strongest terms."""
MIN_DF, MAX_DF, MAX_TERMS = 5, 0.5, 20_000
"""arxiv-sanity-lite's vocabulary: terms of at least MIN_DF papers (fewer in an archive of under 500)
and of at most MAX_DF of them, the MAX_TERMS most frequent of those."""
PAIR_MIX = 0x9E3779B97F4A7C15
"""Mixes the keys of two neighbouring words into the key of the pair (the golden-ratio constant)."""
BLOCK = 512
"""Papers whose candidates are looked up in one sparse product."""
PARALLEL_MIN_BLOCKS = 8
"""Below this many blocks, search in this process (starting workers costs more)."""
CACHE_NAME = "related.pickle"
CACHE_VERSION = 3
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
    return _WORD.findall("".join(c for c in text if not unicodedata.combining(c)) if not text.isascii() else text)


def paper_keys(paper: Paper, keys: WordKeys) -> tuple[np.ndarray, np.ndarray]:
    """The keys of a paper's terms, ascending, and how often each occurs: each word of its title, abstract
    and authors (stop words left out), and each pair of neighbouring words."""
    text = " ".join((paper.title, paper.abstract, *paper.authors))
    words = np.array([keys[word] for word in words_of(text)], dtype=np.uint64)
    words = words[words != 0]
    pairs = (words[:-1] * np.uint64(PAIR_MIX) + words[1:]) >> np.uint64(1) | np.uint64(1)
    found, counts = np.unique(np.concatenate((words, pairs)).view(np.int64), return_counts=True)
    return found, counts.astype(np.float32)


def text_digest(paper: Paper) -> str:
    """Hash what a paper's terms are made of."""
    text = "\0".join((paper.title, paper.abstract, *paper.authors))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


# --- terms, cached by text ----------------------------------------------------------------------------


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
    return stored if isinstance(stored, dict) and stored.get("version") == CACHE_VERSION else {}


def save_cache(cache_dir: Path | None, data: dict) -> None:
    if cache_dir is not None:
        with atomic_writer(cache_dir / CACHE_NAME, durable=False) as handle:
            pickle.dump({"version": CACHE_VERSION, **data}, handle, protocol=pickle.HIGHEST_PROTOCOL)


def term_counts(papers: list[Paper], digests: list[str], cache: dict) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Return the term counts (a row per paper, a column per term) and each column's key, keys ascending.

    The rows of papers whose text the cache holds are copied from it and only the others tokenised; the
    cached columns are merged with the new keys (no sort of every term of the archive) and the columns
    no paper uses any more dropped, so the matrix is the one a build without a cache makes.
    """
    cached_row = {paper_id: row for row, paper_id in enumerate(cache.get("ids", ()))}
    old_digests, old_indptr = cache.get("digests", ()), cache.get("indptr")
    words, cached, fresh = WordKeys(), {}, {}
    for n, (paper, digest) in enumerate(zip(papers, digests)):
        row = cached_row.get(paper.id)
        if row is not None and old_digests[row] == digest:
            cached[n] = slice(old_indptr[row], old_indptr[row + 1])
        else:
            fresh[n] = paper_keys(paper, words)
    log.debug("related: %d papers, %d tokenised", len(papers), len(fresh))
    old_columns = cache.get("columns", np.zeros(0, np.int64))
    columns = np.union1d(old_columns, np.concatenate([keys for keys, _ in fresh.values()])) if fresh else old_columns
    moved = np.searchsorted(columns, old_columns)
    rows = [(moved[cache["indices"][cached[n]]], cache["counts"][cached[n]]) if n in cached
            else (np.searchsorted(columns, fresh[n][0]), fresh[n][1]) for n in range(len(papers))]
    indptr = np.concatenate(([0], np.cumsum([len(indices) for indices, _ in rows]))).astype(np.int64)
    indices = np.concatenate([indices for indices, _ in rows]) if rows else np.zeros(0, np.int64)
    counts = np.concatenate([values for _, values in rows]) if rows else np.zeros(0, np.float32)
    used = np.bincount(indices, minlength=len(columns)) > 0
    indices = (np.cumsum(used) - 1)[indices]
    return sparse.csr_matrix((counts, indices, indptr), shape=(len(papers), int(used.sum()))), columns[used]


def tfidf(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Keep arxiv-sanity's vocabulary (MIN_DF, MAX_DF, MAX_TERMS), weigh counts by (1 + ln tf) * smoothed
    idf and norm each row (scikit-learn's TfidfVectorizer with sublinear_tf)."""
    papers = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    kept = np.flatnonzero((df >= max(2, min(MIN_DF, papers // 100))) & (df <= max(MAX_DF * papers, 2)))
    if len(kept) > MAX_TERMS:
        frequency = np.asarray(counts.sum(axis=0)).ravel()[kept]
        kept = np.sort(kept[np.argsort(-frequency, kind="stable")[:MAX_TERMS]])
    weights = counts[:, kept].tocsr()
    idf = np.log((1 + papers) / (1 + df[kept])) + 1
    weights.data = ((1 + np.log(weights.data)) * idf[weights.indices]).astype(np.float32)
    norms = np.sqrt(np.asarray(weights.multiply(weights).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    weights.data *= np.repeat((1 / norms).astype(np.float32), np.diff(weights.indptr))
    return weights


# --- nearest neighbours -------------------------------------------------------------------------------


def strongest_terms(weights: sparse.csr_matrix, count: int) -> sparse.csr_matrix:
    """Keep each row's `count` heaviest entries (ties: the first column)."""
    rows = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
    order = np.argsort(rows - weights.data.astype(np.float64) / 2, kind="stable")  # by row, heaviest first
    rank = np.arange(len(order)) - weights.indptr[rows[order]]
    keep = np.sort(order[rank < count])
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows[keep], minlength=weights.shape[0]))))
    return sparse.csr_matrix((weights.data[keep], weights.indices[keep], indptr), shape=weights.shape)


def best_of_row(start: int, row: int, columns: np.ndarray, scores: np.ndarray, count: int) -> tuple[np.ndarray, ...]:
    """The `count` best (column, score) of one row of a product, best first, ties by column; never the row itself."""
    wanted = (scores > 0) & (columns != start + row)
    columns, scores = columns[wanted], scores[wanted]
    if len(scores) > count:  # keep the `count` best and everything tied with the last of them
        wanted = scores >= np.partition(scores, len(scores) - count)[len(scores) - count]
        columns, scores = columns[wanted], scores[wanted]
    order = np.lexsort((columns, -scores))[:count]
    return columns[order], scores[order]


def exact_scores(weights: sparse.csr_matrix, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Return the cosine of each pair (rows[k], columns[k]), EXACT_PAIRS pairs at a time."""
    scores = np.zeros(len(rows))
    for start in range(0, len(rows), EXACT_PAIRS):
        pairs = slice(start, start + EXACT_PAIRS)
        products = weights[rows[pairs]].multiply(weights[columns[pairs]])
        scores[pairs] = np.asarray(products.sum(axis=1, dtype=np.float64)).ravel()
    return scores


_WORKER: dict = {}
"""The matrices of a search worker (weights, queries, index), inherited through fork (the only state)."""


def _start_worker(matrices: tuple) -> None:
    die_with_parent()
    _WORKER["matrices"] = matrices


def nearest_in_blocks(starts: list[int], count: int, matrices: tuple | None = None) -> list[tuple[int, list[np.ndarray]]]:
    """For each block of BLOCK rows from `starts`: each row's CANDIDATES best rows by partial score
    (one sparse product), scored by exact cosine; its `count` best, best first, ties by row number."""
    weights, queries, index = matrices or _WORKER["matrices"]
    found = []
    for start in starts:
        product = (queries[start : start + BLOCK] @ index).tocsr()
        candidates = [best_of_row(start, row, product.indices[product.indptr[row] : product.indptr[row + 1]],
                                  product.data[product.indptr[row] : product.indptr[row + 1]], CANDIDATES)[0]
                      for row in range(product.shape[0])]
        bounds = np.concatenate(([0], np.cumsum([len(c) for c in candidates])))
        columns = np.concatenate(candidates) if candidates else np.zeros(0, np.int64)
        scores = exact_scores(weights, np.repeat(np.arange(start, start + len(candidates)), np.diff(bounds)), columns)
        found.append((start, [best_of_row(start, row, columns[bounds[row] : bounds[row + 1]],
                                          scores[bounds[row] : bounds[row + 1]], count)[0] for row in range(len(candidates))]))
    return found


def nearest(weights: sparse.csr_matrix, count: int, jobs: int = 1) -> list[np.ndarray]:
    """Return each row's `count` most similar rows by cosine, best first, ties by row number: among the
    CANDIDATES rows scoring best against its QUERY_TERMS heaviest terms; the blocks of rows are shared
    out among `jobs` forked processes when there are many (each inherits the matrices, none is pickled)."""
    matrices = weights, strongest_terms(weights, QUERY_TERMS), strongest_terms(weights.T.tocsr(), POSTINGS)
    starts = list(range(0, weights.shape[0], BLOCK))
    if jobs <= 1 or len(starts) < PARALLEL_MIN_BLOCKS or "fork" not in multiprocessing.get_all_start_methods():
        blocks = nearest_in_blocks(starts, count, matrices)
    else:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_start_worker, initargs=(matrices,)) as pool:
            shares = [starts[n :: jobs * 4] for n in range(jobs * 4)]
            blocks = [block for part in pool.map(nearest_in_blocks, shares, [count] * len(shares)) for block in part]
    return [rows for _start, block in sorted(blocks, key=lambda item: item[0]) for rows in block]


def related_papers(papers: dict[str, Paper], count: int = COUNT, cache_dir: Path | None = None,
                   jobs: int = 1) -> dict[str, tuple[str, ...]]:
    """Return each paper's `count` most related papers (by id), most related first; kept in cache_dir;
    the candidates are searched in `jobs` processes."""
    ids = sorted(papers)
    digests = [text_digest(papers[paper_id]) for paper_id in ids]
    corpus = hashlib.blake2b(repr((count, ids, digests)).encode(), digest_size=16).hexdigest()
    cache = load_cache(cache_dir)
    if cache.get("corpus") == corpus:
        return cache["related"]
    counts, columns = term_counts([papers[paper_id] for paper_id in ids], digests, cache)
    found = nearest(tfidf(counts), count, jobs)
    related = {paper_id: tuple(ids[column] for column in columns) for paper_id, columns in zip(ids, found)}
    save_cache(cache_dir, {"corpus": corpus, "related": related, "ids": ids, "digests": digests, "indptr": counts.indptr,
                           "indices": counts.indices, "counts": counts.data, "columns": columns})
    return related
