"""Related papers: each paper's most similar papers of the archive, by TF-IDF cosine, on the CPU.

The terms and weights are arxiv-sanity-lite's (related_terms.py: title, abstract and authors, words
and word pairs, (1 + ln tf) * smoothed idf). Judged on 20 papers of the real stream, they found as
many related papers as arxiv-sanity's own code (precision@5 0.84 against 0.83) and more than the
variants tried (stemmed words, the title counted twice, the AI keywords as phrases or as words:
0.72-0.78), see benchmarks/README.md.

The stage: terms from .cache/ for the papers whose text did not change (related_terms.py), weighed by the
papers of the months before the newest (reference_papers), so that a day's new papers leave the other
papers' weights as they were; the search (related_search.py: each term's heaviest papers, candidates scored
by exact cosine) is run again only for the papers whose answer may have moved (related_update.py), and the
whole answer is reused as it is when no text changed (a refresh of upvotes, a new layout). When the month
turns the weights move, and every paper is searched again (figures in benchmarks/README.md).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from papermirror.content.paper import Paper
from papermirror.site import related_search
from papermirror.site.archive import settled
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
from papermirror.site.related_update import update_related

COUNT = 5
"""Related papers shown on each paper's page."""


def reference_papers(papers: list[Paper]) -> np.ndarray:
    """Return which papers weigh the terms (a mask): the settled ones (archive.settled: those filed under a month
    before the newest paper's month), so that a day's new papers leave the weights, hence the related papers, of
    the older papers as they were until the month turns; all of them while those are fewer than half the archive."""
    return np.array(settled(papers), dtype=bool)


def related_papers(papers: dict[str, Paper], count: int = COUNT, cache_dir: Path | None = None,
                   jobs: int = 1) -> dict[str, tuple[str, ...]]:
    """Return each paper's `count` most related papers (by id), most related first; kept in cache_dir;
    the candidates are searched in `jobs` processes, only for the papers whose answer may have moved since
    the cached one (`related_update`): the same answer as a search from scratch."""
    ids = sorted(papers)
    digests = [text_digest(papers[paper_id]) for paper_id in ids]
    reference = reference_papers([papers[paper_id] for paper_id in ids])
    # Which papers weigh the terms moves with the papers' days, not only their texts (a paper re-filed into a
    # new month moves the newest month): a cached answer is reused whole only for the same texts and weights.
    corpus = hashlib.blake2b(repr((count, ids, digests, reference.tobytes())).encode(), digest_size=16).hexdigest()
    cache = load_cache(cache_dir)
    if cache.get("corpus") == corpus:
        return cache["related"]
    search = (related_search.QUERY_TERMS, related_search.POSTINGS, related_search.CANDIDATES)
    weighed_by = hashlib.blake2b(repr((count, *search, MIN_DF, MAX_DF, MAX_TERMS,
                                       [(i, d) for i, d, r in zip(ids, digests, reference) if r])).encode(), digest_size=16).hexdigest()
    same_vocabulary = cache.get("weighed_by") == weighed_by and "columns" in cache
    terms = term_keys([papers[paper_id] for paper_id in ids], digests, cache, jobs, ("columns",) if same_vocabulary else ())
    cache = cache if same_vocabulary else {}
    vocabulary = cache.get("vocabulary") or reference_vocabulary(terms, reference)
    related, search_state = update_related(weigh(terms, *vocabulary), ids, digests, cache, count, jobs)
    save_cache(cache_dir, {"corpus": corpus, "weighed_by": weighed_by, "vocabulary": vocabulary, "related": related,
                           "ids": ids, "digests": digests, **search_state, **terms})
    return related
