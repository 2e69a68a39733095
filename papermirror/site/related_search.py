"""Related papers' search (site/related.py's engine): each row's nearest rows of a TF-IDF matrix by cosine.

Scoring every pair costs N² (6 s of CPU at 10,000 papers, ~100 times that at 100,000). So each
paper looks up its QUERY_TERMS heaviest terms in an inverted index that keeps, for each term, the
POSTINGS papers where it weighs most (one sparse product per BLOCK of papers, the blocks shared out
among one forked process per core), keeps the CANDIDATES papers with the best partial score, and
scores those by exact cosine; the `count` best, ties broken by id, never the paper itself, never a paper
sharing no term. On the real stream this finds 96.6% of the exact top 5 (`bench_related.py --recall`).
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from papermirror.processes import forked_map

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
