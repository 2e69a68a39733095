#!/usr/bin/env python3
"""Measure the related-papers step (`site/related.py`) and compare it with arxiv-sanity's TF-IDF.

    python benchmarks/bench_related.py                       # the real stream (~9.9k papers) and 100k synthetic
    python benchmarks/bench_related.py --sizes 10000 50000   # synthetic sizes only
    python benchmarks/bench_related.py --recall              # how often the fast search finds the exact top 5
    python benchmarks/bench_related.py --reference           # the shipped weights (months before the newest) against the whole archive's
    python benchmarks/bench_related.py --judge               # both methods' top 5 for 20 sampled papers (to judge)

Timing, per archive: "cold" (no .cache/: every paper tokenised), "no text change" (a refresh of
upvotes or a new layout: the last result is reused), "new day" (the newest day's papers added: only
they are tokenised, the neighbours are recomputed). Wall time and CPU time (user + system of this
process) are printed with the load average, since the machine is shared.

`--judge` needs scikit-learn (not a dependency of the project: `pip install scikit-learn`), for the
baseline: arxiv-sanity-lite's TfidfVectorizer settings over title, abstract and authors, exact cosine.
The real stream is tests/data/daily_papers.jsonl.gz; the sample is drawn with random.Random(SEED).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from fakehub import load_bundle  # noqa: E402  (tests/fakehub.py: the recorded stream's reader)

from benchmarks.synthetic import generate_papers  # noqa: E402
from papermirror.content.paper import Paper  # noqa: E402
from papermirror.fetch.normalise import normalise_item  # noqa: E402
from papermirror.site import related, related_search, related_terms  # noqa: E402

SEED = 13
JUDGED = 20


def read_stream() -> dict[str, Paper]:
    """Every paper of the recorded Daily Papers stream (first listing wins), in stream order."""
    logging.disable(logging.WARNING)  # a few items of the stream have no usable id
    papers: dict[str, Paper] = {}
    for day, items in load_bundle().items():
        for item in items:
            paper = normalise_item(item, listed_on=day)
            if paper is not None and paper.id not in papers:
                papers[paper.id] = paper
    logging.disable(logging.NOTSET)
    return papers


def cpu_seconds() -> float:
    """User + system time of this process and of its finished workers."""
    own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def timed(function, *args, **kwargs) -> tuple[object, float, float]:
    """Run `function`; return its result, wall seconds and CPU seconds (its workers' included)."""
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - wall, cpu_seconds() - cpu


def bench(name: str, older: dict[str, Paper], newest: dict[str, Paper], jobs: int) -> None:
    """Time a cold run on `older`, a rerun with no text change and a run with `newest` added."""
    with tempfile.TemporaryDirectory(prefix="bench-related-") as cache:
        print(f"{name}: {len(older)} papers, then {len(newest)} new, {jobs} processes "
              f"(load average {os.getloadavg()[0]:.1f})", flush=True)
        for label, papers in (("cold", older), ("no text change", older), ("new day", {**older, **newest})):
            found, wall, cpu = timed(related.related_papers, papers, cache_dir=Path(cache), jobs=jobs)
            full = sum(len(ids) == related.COUNT for ids in found.values())
            print(f"  {label:<15} {wall:6.2f} s wall {cpu:6.2f} s CPU  ({full} of {len(found)} papers with "
                  f"{related.COUNT} related; load average {os.getloadavg()[0]:.1f})", flush=True)


def exact_top(weights, count: int) -> list:
    """Each row's `count` best rows by cosine over every pair (a block of rows at a time), ties by row."""
    import numpy as np

    found, index = [], weights.T.tocsr()
    for start in range(0, weights.shape[0], 1000):
        scores = (weights[start : start + 1000] @ index).toarray()
        for offset, row in enumerate(scores):
            row[start + offset] = 0
            best = np.argpartition(-row, count)[: count * 4]
            found.append([n for n in sorted(best, key=lambda n: (-row[n], n)) if row[n] > 0][:count])
    return found


def exact_overlap(papers: dict[str, Paper]) -> None:
    """Print how much of the exact cosine top 5 (every pair scored) the candidate search finds."""
    ids = sorted(papers)
    terms = related_terms.term_keys([papers[i] for i in ids], [related_terms.text_digest(papers[i]) for i in ids], {})
    weights = related_terms.tfidf(terms)
    fast, wall, cpu = timed(related_search.nearest, weights, related.COUNT)
    exact, exact_wall, exact_cpu = timed(exact_top, weights, related.COUNT)
    shared = sum(len(set(a) & set(b)) for a, b in zip(fast, exact)) / max(1, sum(len(b) for b in exact))
    same = sum(list(a) == list(b) for a, b in zip(fast, exact)) / len(ids)
    print(f"{len(ids)} papers: the candidate search ({related_search.QUERY_TERMS} heaviest terms, {related_search.POSTINGS} postings a term, {related_search.CANDIDATES} "
          f"candidates) finds {shared:.1%} of the exact top {related.COUNT}, the same list for {same:.1%} of the papers; "
          f"{wall:.1f} s wall / {cpu:.1f} s CPU against {exact_wall:.1f} s / {exact_cpu:.1f} s for every pair")


def reference_overlap(papers: dict[str, Paper]) -> None:
    """Print how the shipped lists (terms weighed by the months before the newest, `related.reference_papers`)
    compare with lists weighed by the whole archive: their share of the exact top 5 of the whole archive's
    weights, and of the whole-archive search's lists; for every paper and for the newest month's."""
    ids = sorted(papers)
    terms = related_terms.term_keys([papers[i] for i in ids], [related_terms.text_digest(papers[i]) for i in ids], {})
    reference = related.reference_papers([papers[i] for i in ids])
    whole_weights, shipped_weights = related_terms.tfidf(terms), related_terms.tfidf(terms, reference)
    whole, shipped = related_search.nearest(whole_weights, related.COUNT), related_search.nearest(shipped_weights, related.COUNT)
    exact, own_exact = exact_top(whole_weights, related.COUNT), exact_top(shipped_weights, related.COUNT)
    for label, rows in (("every paper", range(len(ids))), ("the newest month", [n for n in range(len(ids)) if not reference[n]])):
        def share(found: list, truth: list, rows=rows) -> float:
            return sum(len(set(found[n]) & set(truth[n])) for n in rows) / max(1, sum(len(truth[n]) for n in rows))
        print(f"{label} ({len(rows)} papers): whole-archive weights find {share(whole, exact):.1%} of the exact top "
              f"{related.COUNT}, the shipped weights (idf of {reference.sum()} papers) {share(shipped, exact):.1%}; "
              f"{share(shipped, whole):.1%} of the whole-archive lists' papers are in the shipped lists; the exact top "
              f"{related.COUNT} of the shipped weights holds {share(own_exact, exact):.1%} of the whole archive's, and the "
              f"shipped search finds {share(shipped, own_exact):.1%} of it")


def arxiv_sanity(papers: dict[str, Paper], chosen: list[str]) -> dict[str, tuple[str, ...]]:
    """The top 5 by arxiv-sanity-lite's TF-IDF (compute.py's settings) and exact cosine, for `chosen`."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = sorted(papers)
    vectorizer = TfidfVectorizer(strip_accents="unicode", lowercase=True, analyzer="word", stop_words="english",
                                 token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b", ngram_range=(1, 2),
                                 max_features=20000, norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=True,
                                 max_df=0.5, min_df=5)
    texts = [" ".join([papers[i].title, papers[i].abstract, " ".join(papers[i].authors)]) for i in ids]
    matrix = vectorizer.fit_transform(texts).astype(np.float32)
    row_of = {paper_id: n for n, paper_id in enumerate(ids)}
    found = {}
    for paper_id in chosen:
        scores = (matrix @ matrix[row_of[paper_id]].T).toarray().ravel()
        scores[row_of[paper_id]] = -1
        order = sorted(range(len(ids)), key=lambda n: (-scores[n], ids[n]))[: related.COUNT]
        found[paper_id] = tuple(ids[n] for n in order)
    return found


def judge_sample(papers: dict[str, Paper]) -> None:
    """Print the JUDGED sampled papers and, for each, the union of both methods' top 5 marked A and B."""
    chosen = sorted(random.Random(SEED).sample(sorted(papers), JUDGED))
    ours = related.related_papers(papers)
    baseline = arxiv_sanity(papers, chosen)
    shared = 0
    for number, paper_id in enumerate(chosen, start=1):
        paper = papers[paper_id]
        print(f"\n#{number} {paper_id} {paper.title}\n    keywords: {', '.join(paper.ai_keywords[:8])}")
        shared += len(set(baseline[paper_id]) & set(ours[paper_id]))
        for other in dict.fromkeys(baseline[paper_id] + ours[paper_id]):
            marks = ("A" if other in baseline[paper_id] else "-") + ("B" if other in ours[paper_id] else "-")
            print(f"  {marks} {other} {papers[other].title}")
    print(f"\nshared by both lists: {shared} of {JUDGED * related.COUNT}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", help="synthetic sizes (default: the real stream, then 100000)")
    parser.add_argument("--recall", action="store_true", help="overlap with the exact cosine top 5 on the real stream")
    parser.add_argument("--reference", action="store_true", help="the shipped weights against the whole archive's, real stream")
    parser.add_argument("--judge", action="store_true", help="print both methods' top 5 for the sampled papers")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the search (default: one per core)")
    args = parser.parse_args()
    if args.recall or args.judge or args.reference:
        papers = read_stream()
        (exact_overlap if args.recall else reference_overlap if args.reference else judge_sample)(papers)
        return
    if args.sizes is None:
        papers = read_stream()
        last_day = max(paper.day or "" for paper in papers.values())
        newest = {i: p for i, p in papers.items() if p.day == last_day}
        bench("real stream", {i: p for i, p in papers.items() if i not in newest}, newest, args.jobs)
    for size in [100_000] if args.sizes is None else args.sizes:
        papers = {paper.id: paper for paper in generate_papers(size + 25)}
        ids = list(papers)
        bench(f"synthetic {size}", {i: papers[i] for i in ids[:size]}, {i: papers[i] for i in ids[size:]}, args.jobs)


if __name__ == "__main__":
    main()
