"""topic: listing.topic groups (AND of groups, OR of terms, per-field counts, vetoes), the flat
include/exclude terms of older mirrors, their validation, and the shipped rule against hand labels."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fakehub import first_listings, load_recorded_days

from papermirror.config import ListingConfig, load_config
from papermirror.content.paper import Paper
from papermirror.content.paperfile import read_papers
from papermirror.errors import UserError
from papermirror.fetch.normalise import normalise_item
from papermirror.fetch.topic import Topic

DATA = Path(__file__).resolve().parent / "data"


def topic(**listing: object) -> Topic:
    return Topic.from_listing(ListingConfig.model_validate(listing))


def paper(title: str = "A paper", abstract: str = "", keywords: tuple[str, ...] = (), summary: str | None = None) -> Paper:
    return Paper(id="2501.00001", title=title, abstract=abstract, ai_keywords=keywords, ai_summary=summary)


VISION_PRETRAINING = {"all": {"method": ["pre-training", "masked image model*"], "modality": ["vision", "image*", "ViT"]}}


def test_every_group_must_match_and_any_term_of_a_group_will_do():
    rule = topic(topic=VISION_PRETRAINING)
    assert rule.keeps(paper("Masked image modeling for ViT"))
    assert rule.keeps(paper("Pre-training vision models"))
    assert not rule.keeps(paper("Pre-training language models"))  # no modality term
    assert not rule.keeps(paper("Vision transformers for detection"))  # no method term


@pytest.mark.parametrize(
    ("term", "text", "matches"),
    [
        ("image", "Image classification", True),  # case-insensitive
        ("image", "images of cats", False),  # a whole word ...
        ("image*", "images of cats", True),  # ... unless * makes it a prefix
        ("ViT", "a NaViT backbone", False),  # from the start of a word only
        ("pre-training", "pretraining at scale", True),  # a hyphen matches nothing ...
        ("pre-training", "pre training at scale", True),  # ... or a space
        ("pre-training", "Pre\u2010Training at scale", True),  # ... or a typographic hyphen
        ("pre-training", "a pre-trained encoder", False),  # the adjective is another word
        ("vision-language", "vision language models", True),
        ("C++", "written in C++ code", True),  # regex characters are literal
    ],
)
def test_terms_match_whole_words_and_a_star_makes_a_prefix(term, text, matches):
    assert topic(topic={"all": {"g": [term]}}).keeps(paper(text)) is matches


def test_a_group_needs_its_count_of_mentions_in_one_of_its_fields():
    rule = topic(topic={"all": {"g": {"terms": ["pre-training"], "in": {"title": 1, "keywords": 2, "abstract": 2}}}})
    assert rule.keeps(paper("Pre-training at scale"))
    assert not rule.keeps(paper(abstract="We use a model after pre-training."))  # one passing mention
    assert rule.keeps(paper(abstract="Pre-training matters. We study pre-training data."))
    assert not rule.keeps(paper(keywords=("pre-training",)))
    assert rule.keeps(paper(keywords=("pre-training", "multimodal pre-training")))
    # Mentions do not add up across fields: one in the keywords and one in the abstract is not enough.
    assert not rule.keeps(paper(abstract="pre-training", keywords=("pre-training",)))


def test_mentions_of_different_terms_of_a_group_add_up_and_a_keyword_may_hold_two():
    """As the README says: `[speech, audio]` with `abstract: 3` keeps "speech audio audio"."""
    rule = topic(topic={"all": {"g": {"terms": ["speech", "audio"], "in": {"keywords": 2, "abstract": 3}}}})
    assert rule.keeps(paper(abstract="Speech and audio: audio models."))
    assert not rule.keeps(paper(abstract="Speech and audio models."))
    assert rule.keeps(paper(keywords=("speech to speech",)))
    assert not rule.keeps(paper(keywords=("speech", "music")))


def test_a_group_looks_only_where_it_is_told():
    title_only = topic(topic={"all": {"g": {"terms": ["video"], "in": ["title"]}}})
    assert title_only.keeps(paper("Video models"))
    assert not title_only.keeps(paper(abstract="video video video", keywords=("video",), summary="video"))
    summary = topic(topic={"all": {"g": {"terms": ["video"], "in": ["summary"]}}})
    assert summary.keeps(paper(summary="A video model.")) and not summary.keeps(paper(summary=None))


def test_none_groups_drop_daily_and_query_papers_unless_cancelled():
    rule = topic(
        topic={
            "all": {"modality": ["vision"]},
            "none": {"generation": {"terms": ["generation"], "in": ["title"], "unless": ["pre-training"]}},
        }
    )
    assert not rule.keeps(paper("Vision generation"))
    assert rule.keeps(paper("Vision generation via pre-training"))  # `unless` cancels the veto
    assert rule.keeps(paper("Vision models", abstract="image generation"))  # the veto looks at titles only
    assert rule.excludes(paper("Image generation"))  # query papers: only the vetoes apply
    assert not rule.excludes(paper("Language models"))


def test_the_flat_include_and_exclude_of_older_mirrors_still_work():
    old = topic(include=["pretrain", "multi-scale"], exclude=["llava"])
    assert old.keeps(paper("Pretrained encoders"))  # flat terms are prefixes
    assert old.keeps(paper("x", keywords=("multi-scale features",)))
    assert not old.keeps(paper("Pretraining LLaVA"))
    assert not old.keeps(paper("Language models"))
    assert old.excludes(paper("LLaVA-Next")) and not old.excludes(paper("Pretraining"))
    both = topic(include=["pretrain"], topic={"all": {"modality": ["vision"]}})
    assert both.keeps(paper("Pretraining for vision")) and not both.keeps(paper("Vision models"))


def test_an_empty_rule_keeps_every_paper_and_says_so():
    assert topic().keeps(paper("Anything at all")) and not topic().excludes(paper("x"))
    assert topic().describe() == "Every Daily Papers paper is kept."


def test_describe_says_the_rule_in_words():
    text = topic(
        topic={
            "all": {"method": {"terms": ["pre-training", "image*"], "in": {"title": 1, "abstract": 3}}},
            "none": {"rl": {"terms": ["reinforcement learning"], "in": ["title"], "unless": ["pre-training"]}},
        },
        exclude=["llava"],
    ).describe()
    assert ("kept when it matches 'method': pre-training or image*, mentioned once in its title or 3 times in its abstract "
            "(mentions of different terms add up)") in text
    assert "dropped when it matches 'rl': reinforcement learning in its title (unless pre-training is there too)" in text
    assert "or one of llava starts a word of its title, abstract or AI keywords." in text


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mirror.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("listing:\n  topic:\n    all:\n      g:\n        terms: [a]\n        in: [titel]\n",
         ":6: listing.topic.all.g.in: 'titel' is not one of title, keywords, abstract, summary"),
        ("listing:\n  topic:\n    all:\n      g:\n        terms: [a]\n        in: {title: 0}\n",
         ":6: listing.topic.all.g.in.title: must be at least 1"),
        ("listing:\n  topic:\n    all:\n      g: [pre*train]\n", ":4: listing.topic.all.g.terms: 'pre*train': a * may only end a term"),
        ("listing:\n  topic:\n    all:\n      g: []\n", ":4: listing.topic.all.g.terms: needs at least one item"),
        ("listing:\n  topic:\n    all:\n      g:\n        terms: [a]\n        where: [title]\n", ":6: listing.topic.all.g.where: unknown key"),
        ("listing:\n  topic:\n    some: {}\n", ":3: listing.topic.some: unknown key"),
        ("listing:\n  topic:\n    none:\n      g:\n        terms: [a]\n        unless: ['-']\n",
         ":6: listing.topic.none.g.unless: '-' has no letter or digit"),
    ],
)
def test_bad_topic_keys_are_named_with_their_line(tmp_path, text, message):
    path = write_config(tmp_path, text)
    with pytest.raises(UserError) as caught:
        load_config(path)
    assert f"{path}{message}" in str(caught.value)


def test_good_topic_keys_are_typed(tmp_path):
    path = write_config(tmp_path, "listing:\n  topic:\n    all:\n      v: [vision, image*]\n      m:\n"
                                  "        terms: [pre-training]\n        in: [title, keywords]\n")
    groups = load_config(path).listing.topic.all
    assert groups["v"].terms == ("vision", "image*") and groups["v"].in_ == {"title": 1, "keywords": 1, "abstract": 1}
    assert groups["m"].in_ == {"title": 1, "keywords": 1}


def test_the_snapshot_keeps_exactly_the_daily_papers_the_topic_keeps(fake_hub, mirror, run_cli):
    day = "2024-05-27"
    (mirror / "mirror.yml").write_text(
        "listing:\n  queries: [masked autoencoder]\n  topic:\n    all:\n      modality: [vision, visual, image*, video*]\n"
        "    none:\n      no-llava:\n        terms: [llava]\n        in: [title, abstract]\n",
        encoding="utf-8",
    )
    assert run_cli("snapshot", "--since", day, "--until", day, config=mirror / "mirror.yml")[0] == 0
    rule = Topic.from_listing(load_config(mirror / "mirror.yml").listing)
    listed = [normalise_item(item, listed_on=day) for item in load_recorded_days()[day]]
    stored = read_papers(mirror / "content")
    assert {p.id for p in stored.values() if day in p.daily} == {p.id for p in listed if rule.keeps(p)} != set()
    assert not any(rule.excludes(p) for p in stored.values())  # query papers too


# The shipped rule against the committed hand labels (tests/data/labels/, see their headers).
# Issue 12 asked for precision >= 0.9 with recall >= 0.8. The rule does not reach that out of sample
# (0.71 / 0.91 on the blind sample before the `tasks` group; 0.78 / 0.91 there and 0.79 / 0.79 on the
# labelled papers of 2026 with it, neither blind to it): these floors are the figures it measured
# (benchmarks/README.md), so that a change that makes it worse fails here; raise them when a rule does better.
DEFAULT_SAMPLES = ("vision-pretraining", "vision-pretraining-test", "vision-pretraining-test2")
MEASURED_FLOORS = {DEFAULT_SAMPLES: (0.84, 0.76), ("video-generation",): (0.80, 0.90)}
"""(precision, recall) of the shipped rules on the labels pooled over these samples."""
SPLIT_DAY = "2026-01-01"
"""benchmarks/topic_score.py's temporal split: labels of papers first listed from this day on are held out."""
HELD_OUT_FLOOR = (0.79, 0.79)
"""(precision, recall) of the shipped rule on the default topic's labelled papers first listed from
SPLIT_DAY on (273 papers, 34 on topic): 27 right, 7 wrongly kept, 7 missed, measured 2026-12-03 (the
'tasks' group dropped 5 wrongly kept ones; 12 before)."""


def read_labels(name: str) -> dict[str, int]:
    with (DATA / "labels" / f"{name}.csv").open(encoding="utf-8") as lines:
        return {row["id"]: int(row["label"]) for row in csv.DictReader(line for line in lines if not line.startswith("#"))}


def labelled_samples() -> list[str]:
    """The labelled samples of tests/data/labels/ (not the to-label-*.csv files, which wait for a labeller)."""
    return sorted(path.stem for path in (DATA / "labels").glob("*.csv") if not path.stem.startswith("to-label-"))


@pytest.fixture(scope="module")
def labelled_papers() -> dict[str, Paper]:
    """Every labelled paper, normalised from the recorded stream (its first listing, as the samples were drawn)."""
    wanted = {paper_id for name in labelled_samples() for paper_id in read_labels(name)}
    papers = {paper_id: paper for paper_id, paper in first_listings().items() if paper_id in wanted}
    assert set(papers) == wanted
    return papers


def pooled_labels(samples: tuple[str, ...]) -> dict[str, int]:
    return {paper_id: label for sample in samples for paper_id, label in read_labels(sample).items()}


def measure(rule: Topic, samples: tuple[str, ...], papers: dict[str, Paper]) -> tuple[float, float]:
    labels = pooled_labels(samples)
    return measure_ids(rule, labels, list(labels), papers)


def measure_ids(rule: Topic, labels: dict[str, int], ids: list[str], papers: dict[str, Paper]) -> tuple[float, float]:
    kept = {paper_id for paper_id in ids if rule.keeps(papers[paper_id])}
    right = sum(labels[paper_id] for paper_id in kept)
    return right / len(kept), right / sum(labels[paper_id] for paper_id in ids)


def shipped_rule(samples: tuple[str, ...]) -> Topic:
    # the shipped rule as the tests know it (the repo's mirror.yml may be a fork's own topic)
    config = DATA / "shipped" / "mirror.yml" if samples == DEFAULT_SAMPLES else DATA / "labels" / f"{samples[0]}.yml"
    return Topic.from_listing(load_config(config).listing)


@pytest.mark.parametrize("samples", list(MEASURED_FLOORS))
def test_shipped_rules_hold_their_measured_precision_and_recall(samples, labelled_papers):
    precision, recall = measure(shipped_rule(samples), samples, labelled_papers)
    floor_precision, floor_recall = MEASURED_FLOORS[samples]
    assert precision >= floor_precision and recall >= floor_recall, (precision, recall)


def test_shipped_rule_is_far_more_precise_than_the_flat_rule_it_replaces(labelled_papers):
    old = topic(include=["pre-training", "pretraining", "pre-train", "pretrain", "multi-scale", "multiscale",
                         "vision foundation model", "visual foundation model", "self-supervised",
                         "masked image model", "vision transformer"])
    old_precision, _ = measure(old, DEFAULT_SAMPLES, labelled_papers)
    precision, _ = measure(shipped_rule(DEFAULT_SAMPLES), DEFAULT_SAMPLES, labelled_papers)
    assert old_precision < 0.3 and precision > 2.5 * old_precision


def test_shipped_rule_holds_its_figures_on_the_held_out_days(labelled_papers):
    labels = pooled_labels(DEFAULT_SAMPLES)
    held_out = [paper_id for paper_id in labels if labelled_papers[paper_id].daily[0] >= SPLIT_DAY]
    assert len(held_out) == 273 and sum(labels[paper_id] for paper_id in held_out) == 34  # the split the figures are for
    precision, recall = measure_ids(shipped_rule(DEFAULT_SAMPLES), labels, held_out, labelled_papers)
    assert precision >= HELD_OUT_FLOOR[0] and recall >= HELD_OUT_FLOOR[1], (precision, recall)


def test_blind_labels_of_extra_papers_are_recorded_papers_no_sample_holds():
    """tests/data/labels/extra/*.csv: blind labels of papers a learned score kept that no sample held
    (benchmarks/topic_score.py counts them in its held-out figures, never fits on them)."""
    from benchmarks.topic_eval import known_design  # the samples draw_sample.py drew (not a fork's own labels)

    labelled = {paper_id for name in labelled_samples() if known_design(name) for paper_id in read_labels(name)}
    stream = first_listings()
    files = sorted((DATA / "labels" / "extra").glob("*.csv"))
    assert files
    for path in files:
        with path.open(encoding="utf-8") as lines:
            rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
        ids = [row["id"] for row in rows]
        assert rows and list(rows[0]) == ["id", "label", "title", "keywords", "abstract"], path
        assert len(set(ids)) == len(ids) and not set(ids) & labelled and set(ids) <= set(stream), path
        assert {row["label"] for row in rows} <= {"0", "1"}, path
        assert all(row["title"] == stream[row["id"]].title and row["abstract"] == stream[row["id"]].abstract for row in rows), path


def test_second_opinions_label_exactly_their_topic_s_samples():
    """tests/data/labels/agreement/<topic>/*.csv: a topic's samples labelled again by separate labellers
    (benchmarks/topic_eval.py reads them to measure agreement, and stops on a file that labels other papers)."""
    from benchmarks.topic_eval import AGREED_SAMPLES  # the samples each topic's second opinions label again

    folders = sorted(path for path in (DATA / "labels" / "agreement").iterdir() if path.is_dir())
    assert [folder.name for folder in folders] and {folder.name for folder in folders} <= set(AGREED_SAMPLES)
    assert list((DATA / "labels" / "agreement").glob("*.csv")) == []  # every file in its topic's folder
    for folder in folders:
        sampled = {paper_id for name in AGREED_SAMPLES[folder.name] for paper_id in read_labels(name)}
        files = sorted(folder.glob("*.csv"))
        assert files, folder
        for path in files:
            with path.open(encoding="utf-8") as lines:
                rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
            ids = [row["id"] for row in rows]
            assert list(rows[0]) == ["id", "label", "reason"], path
            assert len(set(ids)) == len(ids) and set(ids) == sampled, path
            assert {row["label"] for row in rows} == {"0", "1"}, path


def test_a_fork_measures_its_own_labels_with_its_own_rule(tmp_path, monkeypatch, capsys):
    """A fork's labels (tests/data/labels/robots.csv) stopped benchmarks/topic_eval.py with a KeyError (no sampling
    design for them), and every later run over all the samples with it: they are now read as they are."""
    from samples import make_paper

    from benchmarks import topic_eval

    monkeypatch.setattr(topic_eval, "LABELS", tmp_path)
    (tmp_path / "robots.csv").write_text("id,label\n2506.00001,1\n2506.00002,1\n2506.00003,0\n", encoding="utf-8")
    (tmp_path / "mirror.yml").write_text("listing:\n  topic:\n    all:\n      robots: [robot*]\n", encoding="utf-8")
    papers = {paper.id: paper for paper in (make_paper("2506.00001", "Robot grasping at scale"),
                                            make_paper("2506.00002", "Humanoid walking"),
                                            make_paper("2506.00003", "Robots of language"))}
    topic_eval.evaluate("robots", tmp_path / "mirror.yml", papers, errors=False)
    out = capsys.readouterr().out
    assert "robots: 3 labelled papers, 2 on topic" in out and "not weighed back to the stream" in out
    assert "sample            precision 0.50  recall 0.50  (1 right, 1 wrongly kept, 1 missed)" in out
    assert "stream (weighed)" not in out and "tune half" not in out
    topic_eval.evaluate("robots", tmp_path / "mirror.yml", papers, errors=True)
    listed = capsys.readouterr().out.split("  errors:\n")[1].splitlines()
    assert [line.split()[:2] for line in listed] == [["missed", "2506.00002"], ["wrongly", "kept"]]
    (tmp_path / "robots.csv").write_text("id,label\n2506.09999,1\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="not in the recorded stream, e.g. 2506.09999"):
        topic_eval.evaluate("robots", tmp_path / "mirror.yml", papers, errors=False)
