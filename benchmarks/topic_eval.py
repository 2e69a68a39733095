#!/usr/bin/env python3
"""Measure a topic rule on the recorded Daily Papers stream: precision and recall on hand labels.

    python benchmarks/topic_eval.py                        # the repo's mirror.yml + tests/data/labels/video-generation.yml
    python benchmarks/topic_eval.py --config my/mirror.yml # another rule for the default topic
    python benchmarks/topic_eval.py --errors               # also list the labelled papers the rule gets wrong
    python benchmarks/topic_eval.py --sample robots        # a fork's own labels, tests/data/labels/robots.csv, and its
                                                           # mirror.yml (or robots.yml beside the labels, if there)

Normalises tests/data/daily_papers.jsonl.gz (580 days, 9,877 distinct papers) with the real
`normalise_item`, builds `Topic.from_listing` from each mirror.yml, and for each labelled sample in
tests/data/labels/ prints, for the rule and for a flat `include` baseline:
  - precision and recall on the whole sample, on its tune half and on its held-out half (a fixed
    split by a hash of the id; the shipped rules were tuned looking at the tune half only);
  - the same weighed back to the whole stream (each labelled paper counts 1 / its chance of being
    drawn, tests/data/labels/draw_sample.py), a rough estimate: a few hundred labels;
  - how many papers of the whole stream the rule keeps, by year, and how long deciding took.
A sample of a fork's own (any other <name>.csv: `id,label` rows of recorded papers, label 1 on topic, 0 off) has
no known sampling design: it is read as it is, without halves nor weighing back to the stream.
Then, for each topic: how far the labels of tests/data/labels/agreement/<topic>/ (its samples labelled again
by more labellers, apart) agree with the samples' own, and the rule against each and their majority.
Nothing is asserted (tests/test_topic.py holds the shipped rule to its targets).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "tests" / "data" / "labels"
sys.path[:0] = [str(REPO), str(LABELS)]

from draw_sample import OLD_TERMS, QUOTAS, TEST_ROUNDS, inclusion_probabilities, read_stream  # noqa: E402

from papermirror.config import ListingConfig, load_config  # noqa: E402
from papermirror.content.paper import Paper  # noqa: E402
from papermirror.fetch.topic import Topic  # noqa: E402

DEFAULT_TOPIC = "vision-pretraining"
"""The repo's own topic: its samples (vision-pretraining*.csv) are measured with --config; any other
sample <name>.csv is measured with the rule in <name>.yml beside it."""
BASELINES = {
    "vision-pretraining": ("the shipped rule before issue 12", OLD_TERMS),
    "vision-pretraining-test": ("the shipped rule before issue 12", OLD_TERMS),
    "vision-pretraining-test2": ("the shipped rule before issue 12", OLD_TERMS),
    "video-generation": (
        "flat include of the obvious phrases",
        ("video generation", "video diffusion", "text-to-video", "image-to-video", "video synthesis", "video editing"),
    ),
}
"""What each rule is compared with: flat `include` lists (any term starts a word of title, abstract or keywords)."""


def is_held_out(paper_id: str) -> bool:
    """Tell whether a labelled paper is in the held-out half (fixed: the first byte of sha256(id) is odd)."""
    return hashlib.sha256(paper_id.encode()).digest()[0] % 2 == 1


def read_labels(path: Path) -> dict[str, int]:
    """Read a labels CSV (comment lines start with #): {id: 1 or 0}."""
    with path.open(encoding="utf-8") as lines:
        rows = csv.DictReader(line for line in lines if not line.startswith("#"))
        return {row["id"]: int(row["label"]) for row in rows}


@dataclass
class Figures:
    """Counts of one rule against labels (weights may be fractional)."""

    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0

    def add(self, kept: bool, label: int, weight: float = 1.0) -> None:
        if kept and label:
            self.tp += weight
        elif kept:
            self.fp += weight
        elif label:
            self.fn += weight

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")

    def line(self, counts: bool = True) -> str:
        text = f"precision {self.precision:.2f}  recall {self.recall:.2f}"
        return text + (f"  ({self.tp:.0f} right, {self.fp:.0f} wrongly kept, {self.fn:.0f} missed)" if counts else "")


def measure(topic: Topic, labels: dict[str, int], papers: dict[str, Paper], chances: dict[str, float], halves: bool) -> dict[str, Figures]:
    """Figures of one rule on the whole sample, its tune and held-out halves, and weighed to the stream."""
    parts = ("sample", "tune half", "held-out half", "stream (weighed)") if halves else ("sample", "stream (weighed)")
    figures = {name: Figures() for name in parts if chances or name != "stream (weighed)"}
    for paper_id, label in labels.items():
        kept = topic.keeps(papers[paper_id])
        figures["sample"].add(kept, label)
        if halves:
            figures["held-out half" if is_held_out(paper_id) else "tune half"].add(kept, label)
        if chances:
            figures["stream (weighed)"].add(kept, label, 1 / chances[paper_id])
    return figures


def report_rule(name: str, topic: Topic, labels: dict[str, int], papers: dict[str, Paper], chances: dict[str, float], halves: bool) -> None:
    """Print one rule's figures on a sample and on the whole stream."""
    print(f"  {name}")
    for part, figures in measure(topic, labels, papers, chances, halves).items():
        print(f"    {part:<17} {figures.line(counts=part != 'stream (weighed)')}")
    start = time.perf_counter()
    kept = [p for p in papers.values() if topic.keeps(p)]
    seconds = time.perf_counter() - start
    years = Counter(p.daily[0][:4] for p in kept)
    by_year = ", ".join(f"{y}: {n}" for y, n in sorted(years.items()))
    print(f"    whole stream      keeps {len(kept):,} of {len(papers):,} papers ({by_year}); decided in {seconds:.2f} s")


def report_errors(topic: Topic, labels: dict[str, int], papers: dict[str, Paper], held_out: bool | None) -> None:
    """List the labelled papers the rule gets wrong (of the tune half unless held_out; all of them for None)."""
    for paper_id, label in sorted(labels.items()):
        if (held_out is not None and is_held_out(paper_id) != held_out) or topic.keeps(papers[paper_id]) == bool(label):
            continue
        kind = "missed" if label else "wrongly kept"
        print(f"    {kind:<13} {paper_id}  {papers[paper_id].title[:100]}")


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def known_design(sample: str) -> bool:
    """Whether draw_sample.py drew `sample` (so its papers' chances of being drawn are known)."""
    return sample in QUOTAS or sample in TEST_ROUNDS


def evaluate(sample: str, config: Path, papers: dict[str, Paper], errors: bool) -> None:
    """Print the figures of the rule in `config` and of the sample's baseline on one labelled sample."""
    labels = read_labels(LABELS / f"{sample}.csv")
    unknown = sorted(set(labels) - set(papers))
    if unknown:
        raise SystemExit(f"{LABELS / f'{sample}.csv'}: {len(unknown)} id(s) not in the recorded stream, e.g. {unknown[0]}; "
                         "label papers of tests/data/daily_papers.jsonl.gz")
    chances = inclusion_probabilities(sample, list(papers.values())) if known_design(sample) else None
    topic = Topic.from_listing(load_config(config).listing)
    positives = sum(labels.values())
    print(f"\n{sample}: {len(labels)} labelled papers, {positives} on topic; rule from {_shown(config)}")
    if not chances:
        print("  (a sample of your own: figures on the sample as it is, not weighed back to the stream)")
    elif sample.startswith(DEFAULT_TOPIC):
        print("  (labels of the shipped topic, vision pre-training: they measure a rule for that topic only)")
    print(f"  {topic.describe()}")
    halves = sample not in TEST_ROUNDS and chances is not None
    report_rule("this rule", topic, labels, papers, chances, halves)
    if sample in BASELINES:
        title, terms = BASELINES[sample]
        baseline = Topic.from_listing(ListingConfig(include=terms))
        report_rule(f"baseline: {title} (include: {', '.join(terms)})", baseline, labels, papers, chances, halves)
    if errors:
        print("  errors on the tune half:" if halves else "  errors:")
        report_errors(topic, labels, papers, held_out=False if halves else None)


def report_stream(config: Path, papers: dict[str, Paper]) -> None:
    """Estimate the default topic's figures on the whole stream from all its samples together.

    The latest test round is a probability sample of the papers no earlier sample holds; the earlier
    samples are complete sets of known papers. So each paper of an earlier sample counts once, each
    paper of the latest round 1 / its chance of being drawn.
    """
    latest = list(TEST_ROUNDS)[-1]
    known: dict[str, int] = {}
    for sample in TEST_ROUNDS[latest].earlier:
        known.update(read_labels(LABELS / f"{sample}.csv"))
    latest_labels = read_labels(LABELS / f"{latest}.csv")
    chances = inclusion_probabilities(latest, list(papers.values()))
    print(f"\n{DEFAULT_TOPIC}, all {len(known) + len(latest_labels)} labels together (estimates for the whole stream)")
    rules = {f"rule from {_shown(config)}": Topic.from_listing(load_config(config).listing)}
    rules["the shipped rule before issue 12"] = Topic.from_listing(ListingConfig(include=OLD_TERMS))
    for name, topic in rules.items():
        figures = Figures()
        for paper_id, label in known.items():
            figures.add(topic.keeps(papers[paper_id]), label)
        for paper_id, label in latest_labels.items():
            figures.add(topic.keeps(papers[paper_id]), label, 1 / chances[paper_id])
        kept = [p.id for p in papers.values() if topic.keeps(p)]
        labelled = sum(1 for paper_id in kept if paper_id in known or paper_id in latest_labels)
        print(f"  {name:<34} {figures.line(counts=False)}; keeps {len(kept):,} papers, {labelled:,} of them labelled")


AGREEMENT = LABELS / "agreement"
"""Second and third opinions, labelled apart (see each file's header): agreement/<topic>/*.csv label again the
papers of that topic's samples in AGREED_SAMPLES."""
AGREED_SAMPLES = {DEFAULT_TOPIC: tuple(TEST_ROUNDS), "video-generation": ("video-generation",)}
"""The samples each topic's second opinions cover: the default topic's two test samples, the second topic's one."""


def kappa(first: dict[str, int], second: dict[str, int]) -> tuple[float, float]:
    """Share of papers two labellings agree on, and Cohen's kappa (that agreement beyond chance)."""
    ids = list(first)
    agreed = sum(first[i] == second[i] for i in ids) / len(ids)
    ones = (sum(first.values()) / len(ids), sum(second[i] for i in ids) / len(ids))
    chance = ones[0] * ones[1] + (1 - ones[0]) * (1 - ones[1])
    return agreed, (agreed - chance) / (1 - chance)


def report_agreement(topic_name: str, config: Path, papers: dict[str, Paper]) -> None:
    """How far independent labellers of the same papers agree, and the rule against each and their majority.

    If people reading the abstracts disagreed often, no rule could be held to precision 0.9; the
    labellers' figures against each other are the ceiling to read the rule's against.
    """
    folder, samples = AGREEMENT / topic_name, AGREED_SAMPLES[topic_name]
    files = sorted(folder.glob("*.csv"))
    if not files:
        return
    labellings = {"the samples' own labels": {}}
    for sample in samples:
        labellings["the samples' own labels"].update(read_labels(LABELS / f"{sample}.csv"))
    for path in files:
        labellings[path.stem] = read_labels(path)
    ids = set(labellings["the samples' own labels"])
    if any(set(labels) != ids for labels in labellings.values()):
        raise SystemExit(f"{_shown(folder)}: every file must label exactly the papers of {', '.join(samples)}")
    print(f"\n{topic_name}: {len(ids)} papers of {', '.join(samples)} labelled {len(labellings)} times, apart")
    names = list(labellings)
    for index, first in enumerate(names):
        for second in names[index + 1:]:
            agreed, k = kappa(labellings[first], labellings[second])
            figures = Figures()
            for paper_id in ids:
                figures.add(bool(labellings[first][paper_id]), labellings[second][paper_id])
            print(f"  {first} vs {second}: agree on {agreed:.0%}, kappa {k:.2f}; the first read as a rule "
                  f"against the second: {figures.line(counts=False)}")
    if len(labellings) > 2:
        majority = {i: int(2 * sum(labels[i] for labels in labellings.values()) > len(labellings)) for i in ids}
        unanimous = sum(len({labels[i] for labels in labellings.values()}) == 1 for i in ids)
        print(f"  unanimous on {unanimous} of {len(ids)}; the majority says {sum(majority.values())} are on topic")
        labellings["the majority"] = majority
    topic = Topic.from_listing(load_config(config).listing)
    kept = {paper_id: int(topic.keeps(papers[paper_id])) for paper_id in ids}
    for name, labels in labellings.items():
        figures = Figures()
        for paper_id in ids:
            figures.add(bool(kept[paper_id]), labels[paper_id])
        agreed, k = kappa(kept, labels)
        print(f"  rule from {_shown(config)} against {name}: agree on {agreed:.0%}, kappa {k:.2f}; {figures.line()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=REPO / "mirror.yml", help="mirror.yml holding the default topic's rule")
    parser.add_argument("--sample", action="append", help="only these labelled samples (default: every CSV in tests/data/labels)")
    parser.add_argument("--errors", action="store_true", help="list the tune half's wrongly kept and missed papers")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    papers = {paper.id: paper for paper in read_stream()}
    print(f"normalised {len(papers):,} papers of tests/data/daily_papers.jsonl.gz in {time.perf_counter() - start:.1f} s")
    for sample in args.sample or sorted(p.stem for p in LABELS.glob("*.csv") if not p.stem.startswith("to-label-")):
        if not (LABELS / f"{sample}.csv").is_file():
            raise SystemExit(f"{LABELS / f'{sample}.csv'}: no such labels file")
        own = LABELS / f"{sample}.yml"
        config = own if not sample.startswith(DEFAULT_TOPIC) and own.is_file() else args.config.resolve()
        evaluate(sample, config, papers, args.errors)
    if not args.sample:
        report_stream(args.config.resolve(), papers)
        report_agreement(DEFAULT_TOPIC, args.config.resolve(), papers)
        report_agreement("video-generation", LABELS / "video-generation.yml", papers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
