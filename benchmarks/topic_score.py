#!/usr/bin/env python3
"""Try a learned relevance score on top of the topic rule (issue 12), judged out of sample.

    python benchmarks/topic_score.py                                  # the grid, the chosen setting, its held-out figures
    python benchmarks/topic_score.py --to-label tests/data/labels/to-label.csv   # the kept papers nobody labelled
    python benchmarks/topic_score.py --errors      # also the held-out papers the chosen setting or the rule gets wrong

In the spirit of arxiv-sanity's per-tag SVM: TF-IDF over title, AI keywords and abstract (words and
word pairs, title and keyword words marked apart, (1 + ln tf) * smoothed idf, rows of length 1) and a
class-weighted, L2-regularised logistic regression (scipy's L-BFGS; deterministic, CPU only), applied
after a word-count gate: a paper is kept when the gate keeps it and its score reaches a threshold.

Protocol (every figure printed says which sample it is on):
  - fit and tune only on the labelled papers of the default topic listed before 2026-01-01 ("train");
    each setting of the grid gets out-of-fold scores from 5 folds of train (fixed by a hash of the id),
    its threshold is the one with the best out-of-fold precision at out-of-fold recall >= 0.8, then it
    is fitted on all of train; the setting with the best out-of-fold precision is chosen on train alone;
  - evaluate on the labelled papers listed from 2026-01-01 on ("held out"), with the shipped rule on
    the same split as the baseline (the shipped rule was tuned on all labels: its held-out figure is
    optimistic), and a paired bootstrap of the difference;
  - 5-fold cross-validation of the chosen setting over all labels;
  - the chosen setting fitted on all labels: how many papers of the stream it keeps and how many of
    them are not labelled yet (--to-label writes those, shuffled, without any decision, for a blind
    labeller); once labelled they go to tests/data/labels/extra/, read to count the held-out figures
    again with them, never fitted on.
Nothing is asserted: a benchmark prints figures.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import math
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import optimize, sparse

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "tests" / "data" / "labels")]

from draw_sample import TEST_ROUNDS, read_stream  # noqa: E402
from topic_eval import DEFAULT_TOPIC, LABELS, REPO, read_labels  # noqa: E402

from papermirror.config import ListingConfig, load_config  # noqa: E402
from papermirror.content.paper import Paper  # noqa: E402
from papermirror.fetch.topic import Topic, paper_fields  # noqa: E402
from papermirror.site.related_terms import STOP_WORDS  # noqa: E402

CUT = "2026-01-01"
"""Labelled papers first listed before this day train and tune; the rest are held out."""
FOLDS = 5
TARGET_RECALL = 0.8
BOOTSTRAP_ROUNDS = 2000
WORD = re.compile(r"[a-z0-9]+")
BROAD_EXTRA = ["pretrained", "pre-trained", "foundation model*", "encoder*", "backbone*", "contrastive", "CLIP", "DINO*", "MAE"]
"""Terms the broad gate adds to the shipped pre-training group (each needed once, anywhere)."""


@dataclass(frozen=True)
class Setting:
    """One point of the grid."""

    gate: str
    """Which word-count gate a paper must pass first (see gates())."""
    rule_tokens: bool
    """Whether the shipped rule's group matches are features too."""
    background: bool
    """Whether the gate's unlabelled papers of the training days are negatives too (arxiv-sanity's way)."""
    C: float
    """Inverse L2 strength."""

    def __str__(self) -> str:
        return f"gate={self.gate:<9} rule-features={'yes' if self.rule_tokens else 'no ':<3} background={'yes' if self.background else 'no '} C={self.C:g}"


def gates(shipped: ListingConfig) -> dict[str, Topic]:
    """The shipped rule, the same without its vetoes, and two looser word-count gates."""
    groups = {name: group.model_dump(by_alias=True) for name, group in shipped.topic.all.items()}
    pre, vision = list(shipped.topic.all["pre-training"].terms), list(shipped.topic.all["vision"].terms)
    mid = {"pre-training": {"terms": pre, "in": {"title": 1, "keywords": 1, "abstract": 2}}, "vision": vision}
    broad = {"pre-training": pre + BROAD_EXTRA, "vision": vision}
    return {
        "rule": Topic.from_listing(shipped),
        "no-vetoes": Topic.from_listing(ListingConfig.model_validate({"topic": {"all": groups}})),
        "mid": Topic.from_listing(ListingConfig.model_validate({"topic": {"all": mid}})),
        "broad": Topic.from_listing(ListingConfig.model_validate({"topic": {"all": broad}})),
    }


def words(text: str, mark: str = "") -> list[str]:
    """Lower-cased words and word pairs (stop words out), each prefixed with mark."""
    text = re.sub(r"pre[-\s\u2010]train", "pretrain", text.lower())
    found = [w for w in WORD.findall(text) if len(w) > 1 and w not in STOP_WORDS]
    return [mark + w for w in found] + [f"{mark}{a}_{b}" for a, b in itertools.pairwise(found)]


def terms_of(paper: Paper, rule: Topic, rule_tokens: bool) -> list[str]:
    """A paper's terms: title and keyword words marked apart, abstract words, optionally the rule's matches."""
    terms = words(paper.title, "t:") + words(" ; ".join(paper.ai_keywords), "k:") + words(paper.abstract)
    if rule_tokens:
        fields = paper_fields(paper)
        matched = [f"rule:{g.name}" for g in (*rule.groups, *rule.vetoes) if g.matches(fields)]
        terms += (matched + (["rule:kept"] if rule.keeps(paper) else [])) * 3
    return terms


class Model:
    """TF-IDF over the training papers' terms and a logistic regression on it."""

    def __init__(self, docs: list[list[str]], labels: np.ndarray, C: float):
        df: dict[str, int] = {}
        for doc in docs:
            for term in set(doc):
                df[term] = df.get(term, 0) + 1
        vocab = sorted(t for t, n in df.items() if n >= 2)
        self.index = {t: i for i, t in enumerate(vocab)}
        self.idf = np.array([math.log((1 + len(docs)) / (1 + df[t])) + 1 for t in vocab])
        self.theta = fit_logistic(self.matrix(docs), labels, C)

    def matrix(self, docs: list[list[str]]) -> sparse.csr_matrix:
        rows, cols, values = [], [], []
        for row, doc in enumerate(docs):
            counts: dict[int, int] = {}
            for term in doc:
                if (col := self.index.get(term)) is not None:
                    counts[col] = counts.get(col, 0) + 1
            for col, n in counts.items():
                rows.append(row), cols.append(col), values.append((1 + math.log(n)) * self.idf[col])
        x = sparse.csr_matrix((values, (rows, cols)), shape=(len(docs), len(self.index)))
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        return sparse.diags(1 / np.where(norms == 0, 1, norms)) @ x

    def scores(self, docs: list[list[str]]) -> np.ndarray:
        return self.matrix(docs) @ self.theta[1:] + self.theta[0]


def fit_logistic(x: sparse.csr_matrix, y: np.ndarray, C: float) -> np.ndarray:
    """Class-weighted L2 logistic regression: [bias, weights...]."""
    n, positives = len(y), y.sum()
    weight = np.where(y == 1, n / (2 * positives), n / (2 * (n - positives)))
    sign = 2 * y - 1

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        margin = sign * (x @ theta[1:] + theta[0])
        g = -weight * sign / (1 + np.exp(margin))
        value = np.sum(weight * np.logaddexp(0, -margin)) + theta[1:] @ theta[1:] / (2 * C)
        return value, np.concatenate([[g.sum()], x.T @ g + theta[1:] / C])

    return optimize.minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B", options={"maxiter": 3000}).x


def fold_of(paper_id: str) -> int:
    return hashlib.sha256(paper_id.encode()).digest()[1] % FOLDS


class Experiment:
    """The stream, the labels, the gates and each setting's terms, read once."""

    def __init__(self) -> None:
        self.papers = {p.id: p for p in read_stream()}
        self.labels = {i: v for s in (DEFAULT_TOPIC, *TEST_ROUNDS) for i, v in read_labels(LABELS / f"{s}.csv").items()}
        # Blind labels of papers a score kept that no sample held (labels/extra/): read, never fitted on.
        self.extra = {i: v for path in sorted((LABELS / "extra").glob("*.csv")) for i, v in read_labels(path).items()}
        self.gates = gates(load_config(REPO / "mirror.yml").listing)
        self.kept = {name: {i for i, p in self.papers.items() if g.keeps(p)} for name, g in self.gates.items()}
        self.train = sorted(i for i in self.labels if self.papers[i].daily[0] < CUT)
        self.held_out = sorted(i for i in self.labels if self.papers[i].daily[0] >= CUT)
        rule = self.gates["rule"]
        self.docs = {flag: {i: terms_of(p, rule, flag) for i, p in self.papers.items()} for flag in (False, True)}

    def fit(self, setting: Setting, labelled: list[str]) -> Model:
        """Fit a setting on labelled papers the gate keeps (and its unlabelled papers of the same days)."""
        gate = self.kept[setting.gate]
        ids = [i for i in labelled if i in gate]
        y = [self.labels[i] for i in ids]
        if setting.background:
            last = max(self.papers[i].daily[0] for i in labelled)
            extra = sorted(i for i in gate if i not in self.labels and self.papers[i].daily[0] <= last)
            ids, y = ids + extra, y + [0] * len(extra)
        docs = self.docs[setting.rule_tokens]
        return Model([docs[i] for i in ids], np.array(y, dtype=float), setting.C)

    def score(self, model: Model, setting: Setting, ids: list[str]) -> dict[str, float]:
        """Scores of papers; those the gate drops get -inf."""
        gate, docs = self.kept[setting.gate], self.docs[setting.rule_tokens]
        passed = [i for i in ids if i in gate]
        scores = dict(zip(passed, model.scores([docs[i] for i in passed]))) if passed else {}
        return {i: scores.get(i, -math.inf) for i in ids}

    def out_of_fold(self, setting: Setting, labelled: list[str]) -> dict[str, float]:
        scores: dict[str, float] = {}
        for k in range(FOLDS):
            model = self.fit(setting, [i for i in labelled if fold_of(i) != k])
            scores.update(self.score(model, setting, [i for i in labelled if fold_of(i) == k]))
        return scores

    def threshold(self, scores: dict[str, float]) -> float | None:
        """The threshold of best precision at recall >= TARGET_RECALL on these scores, or None."""
        best: tuple[float, float] | None = None
        for t in sorted({s for s in scores.values() if s > -math.inf}):
            f = self.figures({i for i, s in scores.items() if s >= t}, list(scores))
            if f[1] >= TARGET_RECALL and (best is None or f[0] >= best[1]):
                best = (t, f[0])
        return None if best is None else best[0]

    def figures(self, kept: set[str], ids: list[str]) -> tuple[float, float, int, int, int]:
        return figures_of(self.labels, kept, ids)


def figures_of(labels: dict[str, int], kept: set[str], ids: list[str]) -> tuple[float, float, int, int, int]:
    """(precision, recall, right, wrongly kept, missed) of a kept set on these labelled papers."""
    tp = sum(1 for i in ids if i in kept and labels[i])
    fp = sum(1 for i in ids if i in kept and not labels[i])
    fn = sum(1 for i in ids if i not in kept and labels[i])
    return (tp / (tp + fp) if tp + fp else float("nan"), tp / (tp + fn) if tp + fn else float("nan"), tp, fp, fn)


def line(name: str, f: tuple[float, float, int, int, int]) -> str:
    return f"{name}: precision {f[0]:.2f} recall {f[1]:.2f} ({f[2]} right, {f[3]} wrongly kept, {f[4]} missed)"


def bootstrap(exp: Experiment, new: set[str], old: set[str]) -> str:
    """How often a resampled held-out set gives the new rule higher precision, and higher recall, than the old."""
    rng = random.Random(12)
    better_p = better_r = 0
    for _ in range(BOOTSTRAP_ROUNDS):
        draw = rng.choices(exp.held_out, k=len(exp.held_out))
        a, b = exp.figures(new, draw), exp.figures(old, draw)
        better_p += a[0] > b[0]
        better_r += a[1] > b[1]
    return f"paired bootstrap ({BOOTSTRAP_ROUNDS} resamples of the held-out labels): new precision higher in {better_p / BOOTSTRAP_ROUNDS:.0%}, new recall higher in {better_r / BOOTSTRAP_ROUNDS:.0%}"


def run_grid(exp: Experiment) -> tuple[Setting, float]:
    """Print every setting's out-of-fold (train) and held-out figures; return the one chosen on train."""
    best: tuple[float, Setting, float] | None = None
    for gate, rule_tokens, background, C in itertools.product(("no-vetoes", "mid", "broad"), (False, True), (False, True), (1.0, 10.0)):
        setting = Setting(gate, rule_tokens, background, C)
        oof = exp.out_of_fold(setting, exp.train)
        t = exp.threshold(oof)
        if t is None:
            print(f"  {setting}: out-of-fold recall never reaches {TARGET_RECALL}")
            continue
        oof_f = exp.figures({i for i, s in oof.items() if s >= t}, exp.train)
        scores = exp.score(exp.fit(setting, exp.train), setting, list(exp.papers))
        kept = {i for i, s in scores.items() if s >= t}
        print(f"  {setting}  {line('train out-of-fold', oof_f)} | {line('held out', exp.figures(kept, exp.held_out))} | keeps {len(kept)}")
        if best is None or oof_f[0] > best[0]:
            best = (oof_f[0], setting, t)
    assert best is not None
    return best[1], best[2]


def write_to_label(exp: Experiment, ids: list[str], path: Path) -> None:
    """Write unlabelled papers for a blind labeller: shuffled, no decision, no score, no date."""
    ids = sorted(ids)
    random.Random(99).shuffle(ids)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            "# Papers of the recorded stream that benchmarks/topic_score.py's chosen setting keeps (fitted on the\n"
            "# labels before 2026-01-01, or on all labels) and that no sample labels yet, for a blind labeller:\n"
            "# shuffled (random.Random(99)), no decision, score or stratum shown. Label each 1 or 0 by the\n"
            "# definition in vision-pretraining.csv's header (fill the empty label column); with these labels the\n"
            "# learned score's precision on the stream, and on the days after 2026-01-01 out of sample, is a count.\n"
        )
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "label", "title", "keywords", "abstract"])
        for i in ids:
            p = exp.papers[i]
            writer.writerow([i, "", p.title, "; ".join(p.ai_keywords), p.abstract])


def report_errors(exp: Experiment, chosen: set[str], rule: set[str]) -> None:
    """List the held-out papers the chosen setting or the shipped rule gets wrong, and which of the two does."""
    for i in exp.held_out:
        wrong = [name for name, kept in (("score", chosen), ("rule", rule)) if (i in kept) != bool(exp.labels[i])]
        if wrong:
            kind = "missed" if exp.labels[i] else "wrongly kept"
            print(f"    {kind:<13} by {' and '.join(wrong):<14} {i}  {exp.papers[i].title[:90]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--to-label", type=Path, help="write the unlabelled papers the chosen setting keeps here")
    parser.add_argument("--errors", action="store_true", help="list the held-out papers the chosen setting or the rule gets wrong")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    exp = Experiment()
    n_pos = sum(exp.labels[i] for i in exp.train), sum(exp.labels[i] for i in exp.held_out)
    print(f"{len(exp.papers):,} papers, {len(exp.labels)} labels: train (before {CUT}) {len(exp.train)} ({n_pos[0]} on topic), "
          f"held out {len(exp.held_out)} ({n_pos[1]} on topic); read in {time.perf_counter() - start:.1f} s")
    rule = exp.kept["rule"]
    print(line("shipped rule, train (in-sample: tuned on these)", exp.figures(rule, exp.train)))
    print(line("shipped rule, held out (optimistic: tuned on all labels)", exp.figures(rule, exp.held_out)))
    for name in ("no-vetoes", "mid", "broad"):
        print(line(f"gate {name} alone, held out", exp.figures(exp.kept[name], exp.held_out)) + f"; keeps {len(exp.kept[name])}")
    print("grid (threshold from train's out-of-fold scores, model fitted on train):")
    setting, t = run_grid(exp)
    scores = exp.score(exp.fit(setting, exp.train), setting, list(exp.papers))
    chosen = {i for i, s in scores.items() if s >= t}
    print(f"chosen on train alone: {setting}, threshold {t:.3f}")
    print(line("  chosen, held out (out of sample)", exp.figures(chosen, exp.held_out)))
    print(line("  shipped rule, held out", exp.figures(rule, exp.held_out)))
    print("  " + bootstrap(exp, chosen, rule))
    if exp.extra:
        both = {**exp.labels, **exp.extra}
        ids = exp.held_out + sorted(i for i in exp.extra if exp.papers[i].daily[0] >= CUT)
        for name, kept in (("chosen", chosen), ("shipped rule", rule)):
            print(line(f"  {name}, held out with the {len(ids) - len(exp.held_out)} blind labels of labels/extra/",
                       figures_of(both, kept, ids)))
    if args.errors:
        report_errors(exp, chosen, rule)
    everything = sorted(exp.labels)
    cv = exp.out_of_fold(setting, everything)
    t_all = exp.threshold(cv)
    assert t_all is not None
    print(line(f"5-fold CV over all {len(everything)} labels (out of fold)", exp.figures({i for i, s in cv.items() if s >= t_all}, everything)))
    fit_start = time.perf_counter()
    final = exp.score(exp.fit(setting, everything), setting, list(exp.papers))
    kept = {i for i, s in final.items() if s >= t_all}
    print(f"fitted on all labels (threshold {t_all:.3f}, fit and score {time.perf_counter() - fit_start:.1f} s): keeps {len(kept)} of "
          f"{len(exp.papers):,} papers, {len(kept - set(exp.labels))} of them not labelled; the shipped rule keeps {len(rule)}")
    print(line("  on all labels (in-sample)", exp.figures(kept, everything)))
    fresh = {i for i in chosen - set(exp.labels) if exp.papers[i].daily[0] >= CUT}
    print(f"fitted on train: keeps {len(chosen)} papers, {len(chosen - set(exp.labels))} not labelled, {len(fresh)} of them from {CUT} on")
    unlabelled = sorted((kept | chosen) - set(exp.labels) - set(exp.extra))
    if args.to_label:
        write_to_label(exp, unlabelled, args.to_label)
        print(f"wrote {len(unlabelled)} papers to {args.to_label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
