"""Draw the stratified samples that were hand-labelled into vision-pretraining.csv and video-generation.csv.

    python tests/data/labels/draw_sample.py vision-pretraining   # prints id,stratum,title rows to label
    python tests/data/labels/draw_sample.py video-generation

Phase 1: each paper of tests/data/daily_papers.jsonl.gz (first listing wins) falls into exactly one
stratum of its topic; each stratum's quota is spread over the years (2024, 2025, 2026) in proportion
to the stratum's papers of that year, and drawn with `random.Random(f"{SEED}/{stratum}/{year}")`.
Phase 2 (vision-pretraining only) adds papers near mirror.yml's queries, see NEAR_QUOTA. The strata
are frozen here on purpose, independent of whatever rule mirror.yml holds now; the CSV files list
the rows in the order printed here.
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for the bundle reader

from fakehub import first_listings  # noqa: E402

from papermirror.config import load_config  # noqa: E402
from papermirror.content.paper import Paper  # noqa: E402
from papermirror.fetch.topic import Topic  # noqa: E402

SEED = 12
BUNDLE = Path(__file__).resolve().parent.parent / "daily_papers.jsonl.gz"

OLD_TERMS = (
    "pre-training", "pretraining", "pre-train", "pretrain", "multi-scale", "multiscale",
    "vision foundation model", "visual foundation model", "self-supervised", "masked image model",
    "vision transformer",
)
"""The shipped rule before issue 12: any of these starts a word of title, abstract or AI keywords."""
VISION = (
    r"vision|visual|image|imaging|video|pixel|vit\b|clip\b|multimodal|multi-modal|vlm|mllm|lvlm|"
    r"segment|detect|3d\b|point cloud|scene|camera|photo"
)
"""A broad 'is this about vision at all' filter, over title and AI keywords only."""
VIDEO = r"video"
GENERATION = r"generat|diffusion|synthes|text-to-|image-to-|animat|editing"

QUOTAS = {
    "vision-pretraining": {"old-rule-and-vision": 150, "old-rule-only": 50, "vision-only": 80, "rest": 40},
    "video-generation": {"video-in-title-or-keywords": 80, "generation-not-video": 25, "rest": 15},
}
"""Phase 1: every paper of the stream is in exactly one of its topic's strata."""
QUERIES = (
    "multi-scale pre-training for vision",
    "large-scale visual pre-training",
    "masked image modeling pre-training",
    "vision foundation model pre-training",
    "self-supervised visual representation learning at scale",
)
"""mirror.yml's listing.queries when the sample was drawn."""
NEAR = "near-queries"
NEAR_SIZE = 600
NEAR_QUOTA = 140
"""Phase 2 (vision-pretraining only): phase 1 held too few positives (about 1 in 15) to measure
recall, so 140 more papers are drawn from the 600 papers of the stream nearest to QUERIES (TF-IDF
cosine over title and abstract, best query) that phase 1 did not draw."""


VISION_TOPIC = "vision-pretraining"
LABELS = Path(__file__).resolve().parent


@dataclass(frozen=True)
class TestRound:
    """A test sample of the default topic, drawn after a rule was tuned on the earlier samples and
    frozen, from the papers no earlier sample holds: what the frozen rule keeps (its precision) and
    three strata of what it drops (its recall)."""

    seed: int
    frozen_rule: Path
    """mirror.yml of the rule as it stood when the sample was drawn."""
    earlier: tuple[str, ...]
    """The samples it must not repeat."""
    quotas: dict[str, int]


TEST_ROUNDS = {
    "vision-pretraining-test": TestRound(
        13,
        LABELS / "vision-pretraining-test.rule.yml",
        (VISION_TOPIC,),
        {"kept-by-frozen-rule": 70, "near-queries-dropped": 60, "old-rule-and-vision-dropped": 40, "rest": 30},
    ),
    "vision-pretraining-test2": TestRound(
        14,
        LABELS / "vision-pretraining-test2.rule.yml",
        (VISION_TOPIC, "vision-pretraining-test"),
        {"kept-by-frozen-rule": 45, "near-queries-dropped": 35, "old-rule-and-vision-dropped": 25, "rest": 15},
    ),
}


def _starts_word(pattern: str, text: str) -> bool:
    return re.search(rf"(?<!\w)(?:{pattern})", text, re.IGNORECASE) is not None


def stratum_of(topic: str, paper: Paper) -> str:
    """Name the stratum a paper falls into for `topic`."""
    head = " ".join((paper.title, *paper.ai_keywords))
    if topic == VISION_TOPIC:
        old = _starts_word("|".join(re.escape(t) for t in OLD_TERMS), f"{head} {paper.abstract}")
        vision = _starts_word(VISION, head)
        if old:
            return "old-rule-and-vision" if vision else "old-rule-only"
        return "vision-only" if vision else "rest"
    if _starts_word(VIDEO, head):
        return "video-in-title-or-keywords"
    return "generation-not-video" if _starts_word(GENERATION, head) else "rest"


def read_stream(bundle: Path = BUNDLE) -> list[Paper]:
    """Every paper of the bundle once, in listing order."""
    return list(first_listings(bundle).values())


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("pre-train", "pretrain"))


def _tfidf(tokens: list[str], idf: dict[str, float]) -> dict[str, float]:
    counts = Counter(tokens)
    weights = {t: (1 + math.log(n)) * idf.get(t, 0.0) for t, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return {t: w / norm for t, w in weights.items()}


_NEAR: dict[int, set[str]] = {}
"""near_queries' answers by the hash of the stream's ids (each test round recomputes the earlier draws)."""


def near_queries(papers: list[Paper]) -> set[str]:
    """The ids of the NEAR_SIZE papers most similar to one of QUERIES (TF-IDF cosine)."""
    key = hash(tuple(p.id for p in papers))
    if key not in _NEAR:
        _NEAR[key] = _near_queries(papers)
    return _NEAR[key]


def _near_queries(papers: list[Paper]) -> set[str]:
    docs = [_tokens(f"{p.title} {p.title} {p.abstract}") for p in papers]
    df = Counter(t for doc in docs for t in set(doc))
    idf = {t: math.log(len(docs) / (1 + n)) for t, n in df.items()}
    queries = [_tfidf(_tokens(q), idf) for q in QUERIES]
    scores = {}
    for paper, doc in zip(papers, docs):
        vec = _tfidf(doc, idf)
        scores[paper.id] = max(sum(w * vec.get(t, 0.0) for t, w in q.items()) for q in queries)
    ranked = sorted(scores, key=lambda pid: (-round(scores[pid], 12), pid))
    return set(ranked[:NEAR_SIZE])


def _quota_by_year(quota: int, years: dict[str, list[Paper]]) -> dict[str, int]:
    """Spread quota over the years in proportion to their papers (largest remainder)."""
    total = sum(len(v) for v in years.values())
    exact = {y: quota * len(v) / total for y, v in years.items()}
    share = {y: int(e) for y, e in exact.items()}
    for year in sorted(exact, key=lambda y: (share[y] - exact[y], y))[: quota - sum(share.values())]:
        share[year] += 1
    return share


def _draw_cell(name: str, quota: int, pool: list[Paper], seed: int = SEED) -> list[tuple[str, Paper]]:
    years: dict[str, list[Paper]] = defaultdict(list)
    for paper in pool:
        years[paper.daily[0][:4]].append(paper)
    rows = []
    for year, k in sorted(_quota_by_year(quota, years).items()):
        ordered = sorted(years[year], key=lambda p: p.id)
        rows += [(name, p) for p in random.Random(f"{seed}/{name}/{year}").sample(ordered, k)]
    return rows


def draw(topic: str, papers: list[Paper]) -> list[tuple[str, Paper]]:
    """Return the sample as (stratum, paper) rows: phase 1 stratum by stratum, then phase 2."""
    cells: dict[str, list[Paper]] = defaultdict(list)
    for paper in papers:
        cells[stratum_of(topic, paper)].append(paper)
    rows = [row for name, quota in QUOTAS[topic].items() for row in _draw_cell(name, quota, cells[name])]
    if topic == VISION_TOPIC:
        drawn = {p.id for _, p in rows}
        near = near_queries(papers)
        rows += _draw_cell(NEAR, NEAR_QUOTA, [p for p in papers if p.id in near and p.id not in drawn])
    return rows


def test_stratum_of(paper: Paper, frozen: Topic, near: set[str]) -> str:
    """The stratum of a paper (not in an earlier sample) for a test round."""
    if frozen.keeps(paper):
        return "kept-by-frozen-rule"
    if paper.id in near:
        return "near-queries-dropped"
    return "old-rule-and-vision-dropped" if stratum_of(VISION_TOPIC, paper) == "old-rule-and-vision" else "rest"


def _test_cells(name: str, papers: list[Paper]) -> dict[str, list[Paper]]:
    test = TEST_ROUNDS[name]
    frozen = Topic.from_listing(load_config(test.frozen_rule).listing)
    earlier = {p.id for sample in test.earlier for _, p in draw_any(sample, papers)}
    near = near_queries(papers)
    cells: dict[str, list[Paper]] = defaultdict(list)
    for paper in papers:
        if paper.id not in earlier:
            cells[test_stratum_of(paper, frozen, near)].append(paper)
    return cells


def draw_any(name: str, papers: list[Paper]) -> list[tuple[str, Paper]]:
    """Return any sample (a topic's first sample or a test round) as (stratum, paper) rows."""
    if name not in TEST_ROUNDS:
        return draw(name, papers)
    test, cells = TEST_ROUNDS[name], _test_cells(name, papers)
    return [row for stratum, quota in test.quotas.items() for row in _draw_cell(stratum, quota, cells[stratum], test.seed)]


def inclusion_probabilities(topic: str, papers: list[Paper]) -> dict[str, float]:
    """Each paper's chance of being in the sample, to weigh the labelled sample back to the stream."""
    if topic in TEST_ROUNDS:
        quotas = TEST_ROUNDS[topic].quotas
        chances = {p.id: quotas[name] / len(pool) for name, pool in _test_cells(topic, papers).items() for p in pool}
        return {p.id: chances.get(p.id, 0.0) for p in papers}
    sizes = Counter(stratum_of(topic, p) for p in papers)
    phase1 = {p.id: QUOTAS[topic][stratum_of(topic, p)] / sizes[stratum_of(topic, p)] for p in papers}
    if topic != VISION_TOPIC:
        return phase1
    near = near_queries(papers)
    drawn_near = sum(1 for _, p in draw(topic, papers)[: sum(QUOTAS[topic].values())] if p.id in near)
    second = NEAR_QUOTA / (len(near) - drawn_near)
    return {pid: p + (1 - p) * second if pid in near else p for pid, p in phase1.items()}


if __name__ == "__main__":
    name = sys.argv[1] if len(sys.argv) > 1 else VISION_TOPIC
    stream = read_stream()
    rows = draw_any(name, stream)
    print(f"# {name}: {dict(Counter(stratum for stratum, _ in rows))} drawn", file=sys.stderr)
    for stratum, paper in rows:
        print(f"{paper.id},{stratum},{json.dumps(paper.title)}")
