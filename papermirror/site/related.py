"""Related papers: each paper's most similar papers of the archive, by TF-IDF cosine, on the CPU.

The terms and weights are arxiv-sanity-lite's (related_terms.py: title, abstract and authors, words
and word pairs, (1 + ln tf) * smoothed idf). Judged on 20 papers of the real stream, they found as
many related papers as arxiv-sanity's own code (precision@5 0.84 against 0.83) and more than the
variants tried (stemmed words, the title counted twice, the AI keywords as phrases or as words:
0.72-0.78), see benchmarks/README.md.

Search: scoring every pair costs N² (6 s of CPU at 10,000 papers, ~100 times that at 100,000). So each
paper looks up its QUERY_TERMS heaviest terms in an inverted index that keeps, for each term, the
POSTINGS papers where it weighs most (one sparse product per BLOCK of papers, the blocks shared out
among one forked process per core), keeps the CANDIDATES papers with the best partial score, and
scores those by exact cosine; the COUNT best, ties broken by id, never the paper itself, never a paper
sharing no term. On the real stream this finds 96.6% of the exact top 5 (`bench_related.py --recall`).

Incremental: the terms of a paper whose text did not change come from .cache/ (related_terms.py), and
the whole answer is kept with the digest of all texts, so a build whose texts did not change (a
refresh of upvotes, a new layout) reuses it. When a text changes the neighbours are recomputed in
full: the idf of every term moves with every new paper, so any paper's neighbours may move too, and a
full recompute fits the budget (figures in benchmarks/README.md).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np
from scipy import sparse

from papermirror.content.paper import Paper
from papermirror.processes import forked_map
from papermirror.site.related_terms import (
    MAX_DF,
    MAX_TERMS,
    MIN_DF,
    load_cache,
    reference_vocabulary,
    save_cache,
    term_keys,
    text_digest,
    weigh,
)

log = logging.getLogger(__name__)

COUNT = 5
"""Related papers shown on each paper's page."""
QUERY_TERMS = 48
"""A paper's heaviest terms, looked up in the index to find its candidates."""
POSTINGS = 250
"""The index keeps, for each term, the papers where it weighs most: at 100,000 papers a term of 10%
of them would otherwise make each of its queries add up 10,000 partial scores."""
EXACT_PAIRS = 100_000
"""Pairs scored exactly at a time (their two rows are copied)."""
CANDIDATES = 60
"""Papers per paper scored exactly: the best by partial score over its strongest terms. Scoring more
candidates exactly costs less than looking more terms up, for the same share of the exact top 5:
48 terms, 250 postings and 60 candidates find more of it than 64, 500 and 20 did (96.6% against 95.0%
on the real stream; 86% against 83% with the postings cut to a tenth, as a term's share of 100,000
papers would cut them) for about 20% less search CPU at 100,000 papers (benchmarks/README.md)."""
BLOCK = 512
"""Papers whose candidates are looked up in one sparse product."""
PARALLEL_MIN_BLOCKS = 8
"""Below this many blocks, search in this process (starting workers costs more)."""


# --- nearest neighbours -------------------------------------------------------------------------------


def strongest_terms(weights: sparse.csr_matrix, count: int) -> sparse.csr_matrix:
    """Keep each row's `count` heaviest entries (ties: the first column)."""
    rows = np.repeat(np.arange(weights.shape[0]), np.diff(weights.indptr))
    order = np.argsort(rows - weights.data.astype(np.float64) / 2, kind="stable")  # by row, heaviest first
    rank = np.arange(len(order)) - weights.indptr[rows[order]]
    keep = np.sort(order[rank < count])
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows[keep], minlength=weights.shape[0]))))
    return sparse.csr_matrix((weights.data[keep], weights.indices[keep], indptr), shape=weights.shape)


def best_per_row(rows: np.ndarray, columns: np.ndarray, scores: np.ndarray, count: int) -> np.ndarray:
    """Return the positions of each row's `count` best entries of a positive score: by row, best first, ties by column."""
    order = np.lexsort((columns, -scores, rows))
    order = order[scores[order] > 0]
    ranked = rows[order]
    return order[np.arange(len(order)) - np.searchsorted(ranked, ranked) < count]


def exact_scores(weights: sparse.csr_matrix, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Return the cosine of each pair (rows[k], columns[k]), EXACT_PAIRS pairs at a time."""
    scores = np.zeros(len(rows))
    for start in range(0, len(rows), EXACT_PAIRS):
        pairs = slice(start, start + EXACT_PAIRS)
        products = weights[rows[pairs]].multiply(weights[columns[pairs]])
        scores[pairs] = np.asarray(products.sum(axis=1, dtype=np.float64)).ravel()
    return scores


def entries_of(product: sparse.csr_matrix, rows: np.ndarray) -> np.ndarray:
    """Return the positions of all the entries of the given rows of a sparse matrix."""
    sizes = product.indptr[rows + 1] - product.indptr[rows]
    return np.repeat(product.indptr[rows] - np.cumsum(sizes) + sizes, sizes) + np.arange(sizes.sum())


def candidates_of(product: sparse.csr_matrix, rows_of: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return each row's `count` best columns of a block's product by partial score (row, column, partial score
    triples, by row, best first, ties by column), never the row itself (row `row` of the block is paper `rows_of[row]`)."""
    sizes = np.diff(product.indptr)
    short = np.flatnonzero(sizes <= count + 1)
    picked, rows = [entries_of(product, short)], [np.repeat(short, sizes[short])]
    for row in np.flatnonzero(sizes > count + 1):  # the `count` best and those tied with the last, and maybe itself
        scores = product.data[product.indptr[row] : product.indptr[row + 1]]
        picked.append(product.indptr[row] + np.flatnonzero(scores >= np.partition(scores, len(scores) - count - 1)[-count - 1]))
        rows.append(np.full(len(picked[-1]), row))
    picked, rows = np.concatenate(picked), np.concatenate(rows)
    columns, scores = product.indices[picked], product.data[picked]
    scores = np.where(columns == rows_of[rows], 0, scores)
    best = best_per_row(rows, columns, scores, count)
    return rows[best], columns[best], scores[best]


def nearest_in_blocks(starts: list[int], matrices: tuple) -> list[tuple[int, list[np.ndarray], np.ndarray, np.ndarray]]:
    """For each block of BLOCK of the rows searched (`todo`), from `starts`: each row's CANDIDATES best rows by
    partial score (one sparse product), scored by exact cosine; its `count` best, best first, ties by row number.
    A row's answer depends on its own query and on the index, never on the other rows of its block. Also each
    row's candidates (CANDIDATES columns, -1 for none) and the partial score a paper must reach to be one
    (the last candidate's; 0 when there are fewer than CANDIDATES), for the next build's `related_update`."""
    weights, queries, index, count, todo = matrices
    found = []
    for start in starts:
        rows_of = todo[start : start + BLOCK]
        rows, columns, partial = candidates_of((queries[rows_of] @ index).tocsr(), rows_of, CANDIDATES)
        best = best_per_row(rows, columns, exact_scores(weights, rows_of[rows], columns), count)
        ends = np.cumsum(np.bincount(rows[best], minlength=len(rows_of)))
        rank = np.arange(len(rows)) - np.searchsorted(rows, rows)
        candidates = np.full((len(rows_of), CANDIDATES), -1, dtype=np.int32)
        candidates[rows, rank] = columns
        threshold = np.zeros(len(rows_of), dtype=partial.dtype)
        full = rank == CANDIDATES - 1
        threshold[rows[full]] = partial[full]
        found.append((start, np.split(columns[best], ends[:-1]), candidates, threshold))
    return found


def search_index(weights: sparse.csr_matrix) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """Return each row's QUERY_TERMS heaviest terms, and the index: each term's POSTINGS heaviest rows."""
    return strongest_terms(weights, QUERY_TERMS), strongest_terms(weights.T.tocsr(), POSTINGS)


def search(weights: sparse.csr_matrix, count: int, jobs: int = 1, todo: np.ndarray | None = None,
           index: tuple | None = None) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Return the `count` most similar rows of each row of `todo` (all rows when None) by cosine, best first, ties
    by row number: among the CANDIDATES rows scoring best against its QUERY_TERMS heaviest terms; and each such
    row's candidates and threshold (`nearest_in_blocks`). The blocks of rows are shared out among `jobs`
    forked processes when there are many (each inherits the matrices, none is pickled). `index`:
    `search_index(weights)`, when the caller has it."""
    todo = np.arange(weights.shape[0]) if todo is None else todo
    matrices = weights, *(index or search_index(weights)), count, todo
    starts = list(range(0, len(todo), BLOCK))
    shares = [starts[n :: jobs * 4] for n in range(jobs * 4)] if len(starts) >= PARALLEL_MIN_BLOCKS else [starts]
    blocks = sorted((block for part in forked_map(nearest_in_blocks, shares, matrices, jobs) for block in part), key=lambda item: item[0])
    found = [rows for block in blocks for rows in block[1]]
    candidates = np.concatenate([block[2] for block in blocks]) if blocks else np.zeros((0, CANDIDATES), np.int32)
    thresholds = np.concatenate([block[3] for block in blocks]) if blocks else np.zeros(0, np.float32)
    return found, candidates, thresholds


def nearest(weights: sparse.csr_matrix, count: int, jobs: int = 1) -> list[np.ndarray]:
    """Return each row's `count` most similar rows by cosine, best first, ties by row number (`search`)."""
    return search(weights, count, jobs)[0]


def reference_papers(papers: list[Paper]) -> np.ndarray:
    """Return which papers weigh the terms (a mask): those filed under a month before the newest paper's
    month, so that a day's new papers leave the weights, hence the related papers, of the older papers as
    they were until the month turns; all of them while those are fewer than half the archive (a young one)."""
    days = [paper.day or "" for paper in papers]
    newest_month = max(days, default="")[:7]
    reference = np.array([bool(day) and day[:7] < newest_month for day in days], dtype=bool)
    return reference if reference.sum() * 2 >= len(papers) else np.ones(len(papers), bool)


def related_papers(papers: dict[str, Paper], count: int = COUNT, cache_dir: Path | None = None,
                   jobs: int = 1) -> dict[str, tuple[str, ...]]:
    """Return each paper's `count` most related papers (by id), most related first; kept in cache_dir;
    the candidates are searched in `jobs` processes, only for the papers whose answer may have moved since
    the cached one (`related_update`): the same answer as a search from scratch."""
    from papermirror.site.related_update import (
        update_related,  # it imports this module's search
    )

    ids = sorted(papers)
    digests = [text_digest(papers[paper_id]) for paper_id in ids]
    corpus = hashlib.blake2b(repr((count, ids, digests)).encode(), digest_size=16).hexdigest()
    cache = load_cache(cache_dir)
    if cache.get("corpus") == corpus:
        return cache["related"]
    reference = reference_papers([papers[paper_id] for paper_id in ids])
    weighed_by = hashlib.blake2b(repr((count, QUERY_TERMS, POSTINGS, CANDIDATES, MIN_DF, MAX_DF, MAX_TERMS,
                                       [(i, d) for i, d, r in zip(ids, digests, reference) if r])).encode(), digest_size=16).hexdigest()
    same_vocabulary = cache.get("weighed_by") == weighed_by and "columns" in cache
    terms = term_keys([papers[paper_id] for paper_id in ids], digests, cache, jobs, ("columns",) if same_vocabulary else ())
    cache = cache if same_vocabulary else {}
    vocabulary = cache.get("vocabulary") or reference_vocabulary(terms, reference)
    related, search_state = update_related(weigh(terms, *vocabulary), ids, digests, cache, count, jobs)
    save_cache(cache_dir, {"corpus": corpus, "weighed_by": weighed_by, "vocabulary": vocabulary, "related": related,
                           "ids": ids, "digests": digests, **search_state, **terms})
    return related
