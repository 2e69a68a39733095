"""search.weights: lunr's field weights, a field at a time (tests/test_search.py checks them against lunr.py)."""

from __future__ import annotations

import random

import numpy as np

from papermirror.search.terms import FIELD_NAMES, count_terms
from papermirror.search.weights import _round3, weigh_terms


def document(paper_id: str, title: str) -> dict[str, str]:
    return dict.fromkeys(FIELD_NAMES, "") | {"id": paper_id, "title": title}


def test_fields_empty_on_every_paper_weigh_nothing():
    """Issue 11: a field no paper has a word in (as `summary` before 2025) has no postings, and no crash."""
    counts = count_terms([document("2401.00001", "Masked vision"), document("2401.00002", "Masked")], {})
    parts, starts, zero_vectors = weigh_terms(counts, list(range(len(counts.term_ids))))
    for field_number, name in enumerate(FIELD_NAMES):
        papers, weights = parts[2 * field_number], parts[2 * field_number + 1]
        assert (papers == weights == b"") == (name not in ("id", "title")), name
    assert len(starts) == len(FIELD_NAMES) * (len(counts.term_ids) + 1)
    assert zero_vectors == frozenset()


def test_round3_is_pythons_round():
    """Rounding a whole column gives what lunr's round(score, 3) gives, halves and near-halves too."""
    rng = random.Random(3)
    values = [rng.uniform(0, 40) for _ in range(20_000)]
    values += [k / 1000 + 0.0005 + nudge for k in range(5_000) for nudge in (0, 1e-12, -1e-12)]
    assert _round3(np.array(values)).tolist() == [round(value, 3) for value in values]
