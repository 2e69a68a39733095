"""Weigh every term of every field vector as lunr.py's Builder does, a whole field at a time (numpy).

A field vector's weight for a term is lunr's BM25 variant times the field's boost, rounded to 3
places, with the same arithmetic operation for operation: numpy's float64 arithmetic is IEEE's, as
Python's, and the idf and the rounding near a half are Python's own.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter

from lunr import get_default_builder

from papermirror.search.terms import FIELD_NAMES, FIELDS, TermCounts


def weigh_terms(counts: TermCounts, positions: list[int]) -> tuple[list[bytes], array, frozenset[int]]:
    """Weigh every (paper, field, term) and lay the postings out by field, terms in `positions` order.

    Return for each field its paper numbers and its weights (bytes), the `starts` of
    store.SearchIndex, and the field vectors whose weights are all 0.
    """
    import numpy as np  # only when indexing: a warm search does not pay for importing it

    k1, b = _lunr_bm25_parameters()
    paper_count, term_count = len(counts.lengths[0]), len(positions)
    columns = [tuple(np.frombuffer(values, dtype=np.uint32) for values in field) for field in zip(counts.terms, counts.papers, counts.frequencies)]
    with_term = sum(np.bincount(terms, minlength=term_count) for terms, _, _ in columns)
    idfs = np.array([math.log(1 + abs((paper_count - w + 0.5) / (w + 0.5))) for w in with_term.tolist()])  # lunr.idf
    ranks = np.array(positions, dtype=np.int64)
    parts, starts, zeros = [], array("I"), Counter()
    for field_number, ((terms, papers, frequencies), lengths) in enumerate(zip(columns, counts.lengths)):
        norms = _length_norms(lengths, k1, b)
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


def _length_norms(lengths: list[int], k1: float, b: float):
    """Each paper's length norm in one field, lunr's `k1 * (1 - b + b * (length / average))`.

    Only a paper with terms in the field has its norm used. lunr's Builder computes the average
    of a field that is empty on every paper too (0), but weighs no term there, so never divides by
    it: papers with an empty field get a norm of 0 here, never looked at.
    """
    import numpy as np

    average = sum(lengths) / len(lengths)
    norm = {length: k1 * (1 - b + b * (length / average)) for length in set(lengths) if length}
    return np.array([norm.get(length, 0.0) for length in lengths])


def _lunr_bm25_parameters() -> tuple[float, float]:
    """Return the k1 and b of lunr's default Builder (1.2 and 0.75 unless changed).

    lunr.Builder has setters for them (`k1(number)`, `b(number)`) but no getters, so this reads its
    private `_k1` and `_b`: the one place this package reaches into lunr's private attributes, and
    why pyproject.toml bounds lunr below its next minor version. A rename fails loudly here, and
    tests/test_search.py checks every weight against lunr's own Builder.
    """
    builder = get_default_builder()
    return builder._k1, builder._b


def _round3(values):
    """Python's round(value, 3) of each value: rint(value * 1000) / 1000 is that, except within a hair
    of a half, where the product's own rounding could tip it; those few are rounded by Python."""
    import numpy as np

    scaled = values * 1000
    rounded = np.rint(scaled) / 1000
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    rounded[near_half] = [round(value, 3) for value in values[near_half].tolist()]
    return rounded
