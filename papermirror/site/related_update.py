"""Related papers, the daily update: search again only the papers whose answer may have moved.

The terms are weighed by the papers of the months before the newest (related.reference_papers), so a
day's new papers leave the weights of every other paper as they were. A paper's answer is then a function
of its query (its heaviest terms), the index (each term's heaviest papers) and the weights of its
candidates (the CANDIDATES papers of best partial score); the last build kept each paper's candidates and
the partial score a paper had to reach to be one. A paper keeps its cached answer unless:

- it is new, or its text changed;
- a new paper's partial score against it reaches its threshold (the new paper may become a candidate);
- one of its candidates was pushed out of the postings of a term it queries by a new paper (its partial
  score fell, so another paper may become a candidate);
- it queries a term of an edited paper's old or new text (whose postings and partial scores may move).

Every other paper has the same query, the same candidates with the same partial and exact scores, hence
the same answer as a search from scratch (tests/test_related.py checks it against one).
"""

from __future__ import annotations

import logging

import numpy as np
from scipy import sparse

from papermirror.site import related_search
from papermirror.site.related_terms import columns_of

log = logging.getLogger(__name__)


def rows_querying(queries: sparse.csc_matrix, terms: np.ndarray) -> np.ndarray:
    """Return the rows whose query holds any of the `terms` (columns of a CSC matrix of queries)."""
    if not len(terms):
        return np.zeros(0, np.int64)
    return np.unique(np.concatenate([queries.indices[queries.indptr[t] : queries.indptr[t + 1]] for t in terms]))


def pushed_out(weights: sparse.csc_matrix, postings: sparse.csc_matrix, new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (term, paper) pairs: an older paper of the last build's postings of a term that a `new` paper's
    arrival pushed out of them (the older papers' weights being as they were; ties by row, as in the index)."""
    is_new = np.zeros(weights.shape[0], bool)
    is_new[new] = True
    entered = postings[new].tocoo()  # postings as paper x term: the terms whose postings a new paper is in
    terms, arrivals = np.unique(entered.col, return_counts=True)
    pairs_terms, pairs_papers = [], []
    for term, count in zip(terms, arrivals):
        rows = weights.indices[weights.indptr[term] : weights.indptr[term + 1]]
        values = weights.data[weights.indptr[term] : weights.indptr[term + 1]]
        older = ~is_new[rows]
        if older.sum() <= related_search.POSTINGS - count:
            continue  # every older paper still fits
        order = np.lexsort((rows[older], -values[older].astype(np.float64)))[related_search.POSTINGS - count : related_search.POSTINGS]
        pairs_papers.append(rows[older][order])
        pairs_terms.append(np.full(len(order), term))
    if not pairs_terms:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(pairs_terms), np.concatenate(pairs_papers)


def affected_rows(weights: sparse.csr_matrix, index: tuple, new: np.ndarray, edited_terms: np.ndarray,
                  edited: np.ndarray, candidates: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Return the rows to search again (module docstring): `new` rows (new papers), `edited` rows with the
    columns of their old and new terms (`edited_terms`); `candidates` and `thresholds` of every row as the
    last build left them (rows of this build; -1 for none, or for a row the last build did not have)."""
    queries, postings = index
    queries_by_term = queries.tocsc()
    todo = [new, edited, rows_querying(queries_by_term, edited_terms)]
    if len(new):
        partial = (queries @ postings[:, new]).tocoo()  # each row's partial score against each new paper
        todo.append(partial.row[partial.data >= thresholds[partial.row]])
        terms, papers = pushed_out(weights.tocsc(), postings.T.tocsr().tocsc(), new)
        for term in np.unique(terms):
            rows = queries_by_term.indices[queries_by_term.indptr[term] : queries_by_term.indptr[term + 1]]
            todo.append(rows[np.isin(candidates[rows], papers[terms == term]).any(axis=1)])
    return np.unique(np.concatenate(todo).astype(np.int64))


def update_related(weights: sparse.csr_matrix, ids: list[str], digests: list[str], cache: dict,
                   count: int, jobs: int) -> tuple[dict[str, tuple[str, ...]], dict]:
    """Return each paper's related papers, and what the next build needs (candidates, thresholds): the
    cached answer of a paper whose answer cannot have moved since the build that cached it, the others
    searched again. No usable cache (other reference papers, or a paper gone): every paper searched."""
    index = related_search.search_index(weights)
    old_row = {paper_id: row for row, paper_id in enumerate(cache.get("ids", ()))}
    if not old_row or "candidates" not in cache or not old_row.keys() <= set(ids):
        found, candidates, thresholds = related_search.search(weights, count, jobs, None, index)
        answer = {paper_id: tuple(ids[column] for column in columns) for paper_id, columns in zip(ids, found)}
        log.debug("related: %d of %d papers searched", len(ids), len(ids))
        return answer, {"candidates": candidates, "thresholds": thresholds}
    candidates, thresholds = carried_over(cache, ids, old_row)
    rows = np.arange(len(ids))
    new = rows[[paper_id not in old_row for paper_id in ids]]
    edited = rows[[paper_id in old_row and cache["digests"][old_row[paper_id]] != digest for paper_id, digest in zip(ids, digests)]]
    edited_terms = np.union1d(old_columns(cache, [old_row[ids[row]] for row in edited]), weights[edited].indices)
    todo = affected_rows(weights, index, new, edited_terms, edited, candidates, thresholds)
    found, candidates[todo], thresholds[todo] = related_search.search(weights, count, jobs, todo, index)
    log.debug("related: %d of %d papers searched", len(todo), len(ids))
    answer = dict(cache["related"])
    answer.update({ids[row]: tuple(ids[column] for column in columns) for row, columns in zip(todo, found)})
    return answer, {"candidates": candidates, "thresholds": thresholds}


def carried_over(cache: dict, ids: list[str], old_row: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Return the last build's candidates (as rows of this build) and thresholds, for this build's rows."""
    row_now = np.array([ids.index(paper_id) for paper_id in cache["ids"]]) if len(ids) < 64 else \
        np.searchsorted(np.array(ids), np.array(cache["ids"]))
    candidates = np.full((len(ids), related_search.CANDIDATES), -1, dtype=np.int32)
    thresholds = np.zeros(len(ids), dtype=cache["thresholds"].dtype)
    old = cache["candidates"]
    candidates[row_now] = np.where(old >= 0, row_now[np.maximum(old, 0)], -1)
    thresholds[row_now] = cache["thresholds"]
    return candidates, thresholds


def old_columns(cache: dict, rows: list[int]) -> np.ndarray:
    """Return the vocabulary's columns of the terms of the cached texts of the last build's `rows`."""
    indptr = cache["indptr"]
    keys = np.concatenate([cache["keys"][indptr[row] : indptr[row + 1]] for row in rows]) if rows else np.zeros(0, np.int64)
    columns = columns_of(keys, cache["vocabulary"][0])
    return columns[columns >= 0]
