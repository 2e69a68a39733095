"""details: papers' linked models, datasets and Spaces, from the recorded paper objects to the built page.

Normalising `/api/papers/{id}` at the edge, the stored shape in content/, the merge rules, the snapshot
fetching them (a 404 or a 500 never costs the paper), the resumable `build.py details` backfill within
its budget, `status` counting what is missing, and the paper page, listing and search filter.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from browser import build_fixture_site, chromium, serve
from conftest import ROOT
from fakehub import FakeHub
from samples import make_paper, parse, write_archive

from papermirror.config import load_config
from papermirror.content.paper import LinkedRepo, LinkedTotals, paper_path
from papermirror.content.paperfile import (
    paper_to_text,
    read_paper,
    read_papers,
    text_to_paper,
    write_paper,
)
from papermirror.errors import ContentError
from papermirror.fetch.details import pick_for_backfill, run_details_backfill, wanted_by_snapshot
from papermirror.fetch.hub import Hub
from papermirror.fetch.merge import merge_details, merge_paper
from papermirror.fetch.normalise import normalise_details, normalise_item

FIXTURES = ROOT / "tests" / "fixtures" / "hf-api"
TRM = "2510.04871"
"""The recorded object with 4 of 8 models, 2 datasets and 3 Spaces."""
ARXIV = "2401.18030"
"""The recorded object of a paper never on Daily Papers: one dataset, no model, no Space."""
DAY = "2025-01-06"
NOW = "2026-01-01T00:00:00Z"


def recorded(paper_id: str) -> dict:
    return json.loads((FIXTURES / f"papers-{paper_id}.scrubbed.json").read_text(encoding="utf-8"))


def listed(paper_id: str, title: str = "A pre-training paper") -> dict:
    """A Daily Papers item for `paper_id`, as the listing gives it (no linked repos)."""
    return {"paper": {"id": paper_id, "title": title, "summary": "An abstract.", "upvotes": 3,
                      "publishedAt": f"{DAY}T00:00:00.000Z"}, "numComments": 0}


def repo(kind: str, repo_id: str, likes: int | None = None, **extra) -> dict:
    return {"id": repo_id, "likes": likes, "repoType": kind, **extra}


# --- normalising the recorded objects -------------------------------------------------------------


def test_the_recorded_objects_become_the_few_stored_fields() -> None:
    linked, totals = normalise_details(recorded(TRM), TRM)
    assert totals == LinkedTotals(models=8, datasets=2, spaces=3)
    assert [(r.kind, r.id, r.likes) for r in linked if r.kind == "model"] == [
        ("model", "wtfmahe/Samsung-TRM", 52), ("model", "ordlibrary/SolanaOS", 9),
        ("model", "amarck/heap-trm", 1), ("model", "asdf98/LuminaRS", 1)]  # by likes, then id
    assert linked[4] == LinkedRepo("dataset", "emiliocantuc/sudoku-extreme-1k-aug-1000", likes=1, downloads=27)
    spaces = [r for r in linked if r.kind == "space"]
    assert [(r.id, r.emoji, r.likes, r.downloads) for r in spaces] == [
        ("bcgxtberg/vit-trm-kinetics700", "\U0001F420", None, None),  # the "\ud83d\udc20" escape pair, joined
        ("bcgxtberg/vit-trm-ucf101-train", "\U0001F3AC", None, None),
        ("raayraay/TRM-ARC-Demo", "\U0001F3C3", None, None)]
    assert spaces[0].url == "https://huggingface.co/spaces/bcgxtberg/vit-trm-kinetics700"
    assert linked[0].url == "https://huggingface.co/wtfmahe/Samsung-TRM"
    assert linked[4].url == "https://huggingface.co/datasets/emiliocantuc/sudoku-extreme-1k-aug-1000"
    assert normalise_details(recorded(ARXIV), ARXIV) == (
        (LinkedRepo("dataset", "secemp9/arxiv-complete", likes=475, downloads=90154),), LinkedTotals(0, 1, 0))


def test_only_the_most_liked_few_of_each_kind_are_kept_with_the_totals() -> None:
    models = [repo("model", f"owner/model-{n:02d}", likes=n, downloads=n * 10) for n in range(12)]
    linked, totals = normalise_details({"id": TRM, "linkedModels": models, "numTotalModels": 40}, TRM)
    assert [r.id for r in linked] == [f"owner/model-{n:02d}" for n in range(11, 3, -1)]
    assert totals == LinkedTotals(models=40, datasets=0, spaces=0)
    # a total the hub left out (or made smaller than its own list) is at least what it listed
    assert normalise_details({"id": TRM, "linkedModels": models}, TRM)[1].models == 12


@pytest.mark.parametrize("bad", [
    "javascript:alert(1)", "../../etc/passwd", "owner/../name", "a/b/c", "a/b?x=1", "a/b#top", "a b/c",
    "<script>/x", "owner/name\n", "ａ/b", "-a/b", "a/b.", "a--b/c", "https://evil.example/x", "", None, 42,
])
def test_a_hostile_repo_id_is_dropped_with_a_warning(bad, caplog) -> None:
    answer = {"id": TRM, "linkedModels": [repo("model", bad, likes=99), repo("model", "good/one", likes=1)],
              "linkedSpaces": [{"id": "ok/space", "emoji": "\u202e<b>"}]}
    with caplog.at_level(logging.WARNING):
        linked, totals = normalise_details(answer, TRM)
    assert [r.id for r in linked] == ["good/one", "ok/space"]
    assert linked[1].emoji is None  # a right-to-left override is no emoji
    assert "dropped a linked model whose id is not owner/name" in caplog.text and TRM in caplog.text
    assert totals.models == 2  # the total still counts what the hub listed


@pytest.mark.parametrize("answer", [[], "x", {"id": "2401.00001", "linkedModels": []},
                                    {"error": "Sorry, we can't find the page you are looking for."},
                                    # a kind that is not a list would wipe the stored repos of every kind
                                    {"id": TRM, "linkedModels": None, "linkedDatasets": []},
                                    {"id": TRM, "linkedModels": "o/m"}, {"id": TRM, "linkedSpaces": {"error": "x"}}])
def test_an_answer_that_is_not_this_papers_object_is_refused(answer) -> None:
    assert normalise_details(answer, TRM) is None


def test_a_kind_the_object_leaves_out_keeps_its_stored_repos(caplog) -> None:
    """An object without linkedDatasets or linkedSpaces was read as listing none: one run of a hub that stopped
    sending a kind wiped that kind from every paper (the details review). A kind it lists, even empty, is its word."""
    stored, totals = normalise_details(recorded(TRM), TRM)
    assert {r.kind for r in stored} == {"model", "dataset", "space"}
    with caplog.at_level(logging.WARNING):
        linked, now = normalise_details({"id": TRM, "linkedModels": [], "numTotalModels": 0}, TRM, stored, totals)
    assert linked == tuple(r for r in stored if r.kind != "model")
    assert now == LinkedTotals(0, totals.datasets, totals.spaces)
    assert f"paper {TRM}: its object has no linkedDatasets; its datasets are kept as they were" in caplog.text
    linked, now = normalise_details({"id": TRM, "numTotalModels": 5}, TRM, stored, totals)  # no list at all
    assert (linked, now) == (stored, totals)


def test_a_repo_listed_twice_counts_once() -> None:
    """huggingface.co ids ignore case: dup/x and Dup/X are one repo; nine copies of one are not nine models."""
    answer = {"id": TRM, "linkedModels": [repo("model", "x/y", likes=1)] * 9 + [repo("model", "dup/x", likes=2),
                                                                          repo("model", "Dup/X", likes=5)]}
    linked, totals = normalise_details(answer, TRM)
    assert [(r.id, r.likes) for r in linked] == [("Dup/X", 5), ("x/y", 1)] and totals.models == 2


# --- the stored shape ------------------------------------------------------------------------------


def test_details_round_trip_through_the_content_format_in_a_stable_order() -> None:
    linked, totals = normalise_details(recorded(TRM), TRM)
    paper = make_paper(TRM, "Less is More", linked=linked, linked_totals=totals, details_refreshed=NOW)
    text = paper_to_text(paper)
    assert text_to_paper(text) == paper
    assert paper_to_text(text_to_paper(text)) == text
    head = text.split("\n---\n")[0]
    assert head.index("linked:") < head.index("linked_totals:") < head.index("details_refreshed:") < head.index("first_seen:")
    assert "- kind: model\n  id: wtfmahe/Samsung-TRM\n  likes: 52\n  downloads: 0\n" in head
    assert "- kind: space\n  id: bcgxtberg/vit-trm-kinetics700\n  emoji:" in head
    assert "linked_totals:\n  models: 8\n  datasets: 2\n  spaces: 3\n" in head
    plain = make_paper(TRM, "No details")  # a paper never asked keeps no key at all
    assert "linked" not in paper_to_text(plain) and "details_refreshed" not in paper_to_text(plain)


@pytest.mark.parametrize("front, words", [
    ("linked:\n- kind: model\n  id: 'javascript:alert(1)'\n", "linked: id must be a Hub repo id"),
    ("linked:\n- kind: collection\n  id: a/b\n", "linked: kind must be one of model, dataset, space"),
    ("linked:\n- kind: model\n  id: a/b\n  likes: -1\n", "linked: likes: must be a whole number"),
    ("linked:\n- kind: model\n  id: a/b\n  url: https://x\n", "each item is a mapping of kind, id"),
    ("linked: a/b\n", "linked: must be a list"),
    ("linked_totals:\n  models: many\n", "linked_totals: models: must be a whole number"),
    ("linked_totals:\n  collections: 1\n", "linked_totals: must be a mapping of models, datasets, spaces"),
    ("details_refreshed: yesterday\n", "details_refreshed: not a time"),
])
def test_a_bad_hand_edit_of_the_details_is_named_with_its_line(front, words) -> None:
    text = f"---\nid: '{TRM}'\ntitle: T\n{front}---\n"
    with pytest.raises(ContentError, match=r"paper\.md:4: ") as error:
        text_to_paper(text, "paper.md")
    assert words in str(error.value)


# --- merge rules -----------------------------------------------------------------------------------


def test_details_take_the_fresh_value_when_fetched_and_the_listing_never_touches_them() -> None:
    linked, totals = normalise_details(recorded(TRM), TRM)
    stored = make_paper(TRM, "T")
    first = merge_details(stored, linked, totals, NOW)
    assert (first.linked, first.linked_totals, first.details_refreshed) == (linked, totals, NOW)
    assert first.refreshed == stored.refreshed  # the listing's figures keep their own time
    assert merge_details(first, linked, totals, "2026-02-01T00:00:00Z") is first, "no change, no new stamp, no write"
    restamped = merge_details(first, linked, totals, "2026-02-01T00:00:00Z", stamp=True)
    assert restamped.details_refreshed == "2026-02-01T00:00:00Z" and restamped.linked == linked
    fewer = merge_details(first, linked[:1], LinkedTotals(1, 0, 0), "2026-03-01T00:00:00Z")
    assert fewer.linked == linked[:1] and fewer.details_refreshed == "2026-03-01T00:00:00Z"
    relisted = merge_paper(first, normalise_item(listed(TRM), listed_on=DAY), "2026-04-01T00:00:00Z")
    assert (relisted.linked, relisted.linked_totals, relisted.details_refreshed) == (linked, totals, NOW)


def test_which_papers_a_snapshot_and_a_backfill_ask_for() -> None:
    papers = {
        "2501.00001": make_paper("2501.00001", "old, no details", first_seen="2025-01-01T00:00:00Z"),
        "2501.00002": make_paper("2501.00002", "recent, no details", first_seen="2025-12-30T00:00:00Z"),
        "2501.00003": make_paper("2501.00003", "recent, details", first_seen="2025-12-30T00:00:00Z",
                                 details_refreshed="2025-12-30T00:00:00Z", linked_totals=LinkedTotals()),
        "2501.00004": make_paper("2501.00004", "old details", details_refreshed="2025-06-01T00:00:00Z",
                                 linked_totals=LinkedTotals()),
    }
    assert wanted_by_snapshot(papers, ["2501.00004", "2509.99999"], "2025-12-18T00:00:00Z") == ["2501.00002", "2501.00004"]
    picked = pick_for_backfill(papers, 3, "2026-01-01")
    assert sorted(picked[:2]) == ["2501.00001", "2501.00002"] and picked[2] == "2501.00004"
    # another day, another order among the papers without details (so none of them comes first for good)
    assert any(pick_for_backfill(papers, 2, f"2026-01-{day:02d}") != picked[:2] for day in range(2, 10))


def test_papers_the_hub_has_no_object_for_cannot_hold_the_backfill_back(fake_hub, mirror) -> None:
    """Ten papers answer 404 for ever: with a budget of three a run, the backfill still gets to the others,
    because the papers without details come in another order each day."""
    ids = backfill_archive(mirror, fake_hub, 13)
    gone = ids[:10]
    for paper_id in gone:
        del fake_hub.papers[paper_id]
    config = load_config(mirror / "mirror.yml")
    with Hub(endpoint=fake_hub.url) as hub:
        for day in range(1, 15):
            run_details_backfill(config, hub, budget=3, now=dt.datetime(2026, 1, day, tzinfo=dt.timezone.utc))
    papers = read_papers(mirror / "content")
    assert all(papers[paper_id].details_refreshed for paper_id in ids[10:])
    assert not any(papers[paper_id].details_refreshed for paper_id in gone)  # a 404 is not a measurement


# --- the snapshot ----------------------------------------------------------------------------------


def snapshot(run_cli, mirror, *args: str):
    return run_cli("snapshot", "--since", DAY, "--until", DAY, *args, config=mirror / "mirror.yml")


@pytest.fixture
def hub_with_trm(mirror, monkeypatch):
    """A hub listing the two recorded papers and one it has no object for on DAY."""
    (mirror / "mirror.yml").write_text("listing:\n  include: [pre-training]\n", encoding="utf-8")
    items = [listed(TRM), listed(ARXIV), listed("2501.00404")]
    with FakeHub(days={DAY: items}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setattr("papermirror.fetch.hub.BACKOFF_BASE", 0.01)
        yield hub


def test_a_snapshot_fetches_the_details_of_new_papers_and_a_404_keeps_the_paper(hub_with_trm, mirror, run_cli) -> None:
    code, out, err = snapshot(run_cli, mirror)
    assert code == 0, err
    assert "details: 2 of 3 papers fetched, 2 changed, 1 not found" in out
    papers = read_papers(mirror / "content")
    assert set(papers) == {TRM, ARXIV, "2501.00404"}
    assert papers[TRM].linked_totals == LinkedTotals(8, 2, 3) and len(papers[TRM].linked) == 9
    assert papers[TRM].details_refreshed == papers[TRM].first_seen
    assert papers["2501.00404"].details_refreshed is None and papers["2501.00404"].linked == ()
    assert hub_with_trm.count(f"/api/papers/{TRM}") == 1
    # the next run asks again for the one without details (first seen in the refresh window), and
    # changes no byte where nothing changed upstream
    before = {p: paper_path(mirror / "content", p).read_bytes() for p in papers}
    code, out, _ = snapshot(run_cli, mirror)
    assert code == 0 and "0 new, 0 updated" in out
    assert hub_with_trm.count("/api/papers/2501.00404") == 2
    assert hub_with_trm.count(f"/api/papers/{TRM}") == 1, "DAY is outside the refresh window: no new request"
    assert {p: paper_path(mirror / "content", p).read_bytes() for p in papers} == before


def test_a_500_keeps_the_paper_and_the_next_run_fetches_its_details(hub_with_trm, mirror, run_cli) -> None:
    hub_with_trm.inject("500", f"/api/papers/{TRM}", times=-1)
    code, out, err = snapshot(run_cli, mirror)
    assert code == 0, "a details failure never fails the listing"
    assert "1 failed" in out and f"/api/papers/{TRM}: HTTP 500" in err
    paper = read_paper(paper_path(mirror / "content", TRM))
    assert paper.title == "A pre-training paper" and paper.details_refreshed is None
    hub_with_trm.faults.clear()
    assert snapshot(run_cli, mirror)[0] == 0
    assert read_paper(paper_path(mirror / "content", TRM)).linked_totals == LinkedTotals(8, 2, 3)


def test_a_hub_down_for_details_stops_asking_after_a_few_failures(mirror, run_cli, monkeypatch) -> None:
    items = [listed(f"2501.0{n:04d}") for n in range(1, 9)]
    (mirror / "mirror.yml").write_text("listing:\n  include: [pre-training]\n", encoding="utf-8")
    with FakeHub(days={DAY: items}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setattr("papermirror.fetch.hub.BACKOFF_BASE", 0.01)
        hub.inject("500", "/api/papers/", times=-1)
        code, out, _ = snapshot(run_cli, mirror)
        asked = {r.split("?")[0] for r in hub.requests if r.startswith("/api/papers/2")}
    assert code == 0 and "stopped: 3 papers failed (the hub is probably down)" in out
    assert len(read_papers(mirror / "content")) == 8 and len(asked) < 8


def test_papers_with_odd_objects_fail_alone_and_never_stop_the_others(mirror, run_cli, monkeypatch) -> None:
    """Three papers whose objects list a kind as null stopped the whole pass as "the hub is probably down", and a
    healthy paper after them was never asked (the odd-data review). Such a paper fails alone (its stored details
    kept, asked again later); only answers unusable many in a row, as after a change of their shape, stop the run."""
    from papermirror.fetch import details

    ids = [f"2501.0{n:04d}" for n in range(1, 9)]
    (mirror / "mirror.yml").write_text("listing:\n  include: [pre-training]\n", encoding="utf-8")
    with FakeHub(days={DAY: [listed(paper_id) for paper_id in ids]}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        for number, paper_id in enumerate(ids):
            hub.papers[paper_id] = {"id": paper_id, "linkedModels": [repo("model", "org/m", likes=2)],
                                    "linkedDatasets": [], "linkedSpaces": None if number < 3 else []}
        code, out, err = snapshot(run_cli, mirror)
        assert code == 0 and "8 of 8 papers fetched" in out and "3 failed" in out and "stopped" not in out, out
        assert err.count("the answer holds no usable details") == 3
        papers = read_papers(mirror / "content")
        assert [paper_id for paper_id in ids if papers[paper_id].details_refreshed is None] == ids[:3]
        monkeypatch.setattr(details, "MAX_UNUSABLE_IN_A_ROW", 3)  # the hub's objects all of a new shape
        for paper_id in ids:
            hub.papers[paper_id] = {"id": paper_id, "linkedModels": "none"}
        before = hub.count("/api/papers/2")
        code, out, _ = run_cli("details", config=mirror / "mirror.yml")
        assert code == 1 and "stopped: 3 answers in a row held no usable details" in out, out
        assert hub.count("/api/papers/2") - before < len(ids), "the run stopped asking"


def test_the_papers_of_a_day_in_the_refresh_window_get_their_details_again(mirror, run_cli, monkeypatch) -> None:
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    (mirror / "mirror.yml").write_text("listing:\n  include: [pre-training]\n", encoding="utf-8")
    with FakeHub(days={today: [listed(TRM)]}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        args = ("snapshot", "--since", today, "--until", today)
        assert run_cli(*args, config=mirror / "mirror.yml")[0] == 0
        first = read_paper(paper_path(mirror / "content", TRM))
        changed = copy.deepcopy(recorded(TRM))
        changed["linkedModels"][1]["likes"] = 60  # now the most liked
        hub.papers[TRM] = changed
        code, out, _ = run_cli(*args, config=mirror / "mirror.yml")
        assert hub.count(f"/api/papers/{TRM}") == 2
    paper = read_paper(paper_path(mirror / "content", TRM))
    assert code == 0 and "0 new, 1 updated" in out
    assert paper.linked[0] == LinkedRepo("model", "ordlibrary/SolanaOS", likes=60, downloads=0)
    assert paper.details_refreshed >= first.details_refreshed and paper.refreshed == first.refreshed


# --- the backfill command --------------------------------------------------------------------------


def backfill_archive(mirror, hub: FakeHub, count: int) -> list[str]:
    """`count` papers without details in content/, each with an object on the hub listing one model."""
    ids = [f"2501.{n:05d}" for n in range(1, count + 1)]
    write_archive(mirror, [make_paper(paper_id, f"Paper {paper_id}") for paper_id in ids])
    for paper_id in ids:
        hub.papers[paper_id] = {"id": paper_id, "linkedModels": [repo("model", f"lab/m-{paper_id}", likes=2)],
                                "numTotalModels": 1, "linkedDatasets": [], "linkedSpaces": []}
    return ids


def test_the_backfill_spends_at_most_its_budget_and_resumes(fake_hub, mirror, run_cli) -> None:
    ids = backfill_archive(mirror, fake_hub, 7)
    code, out, err = run_cli("details", "--budget", "3", config=mirror / "mirror.yml")
    assert code == 0, err
    assert fake_hub.count("/api/papers/") == 3
    assert "details: 3 of 3 papers fetched, 3 changed; 4 papers still without details" in out
    done = {p for p, paper in read_papers(mirror / "content").items() if paper.details_refreshed}
    assert len(done) == 3 and done < set(ids), "papers without details first"
    assert run_cli("details", "--budget", "3", config=mirror / "mirror.yml")[0] == 0
    assert run_cli("details", "--budget", "3", config=mirror / "mirror.yml")[0] == 0
    papers = read_papers(mirror / "content")
    assert all(paper.linked == (LinkedRepo("model", f"lab/m-{p}", likes=2),) for p, paper in papers.items())
    assert fake_hub.count("/api/papers/") == 9
    # a run with budget to spare re-measures those measured longest ago (then by id), so runs go round
    oldest = sorted((paper.details_refreshed, p) for p, paper in papers.items())[:2]
    code, out, _err = run_cli("details", "--budget", "2", config=mirror / "mirror.yml")
    assert code == 0 and "2 of 2 papers fetched, 0 changed" in out  # re-measured the same: only the stamp moved
    assert sorted(fake_hub.requests[-2:]) == sorted(f"/api/papers/{p}" for _, p in oldest)


def test_the_budget_counts_retries_and_a_failure_loses_nothing(fake_hub, mirror, run_cli, monkeypatch) -> None:
    monkeypatch.setattr("papermirror.fetch.hub.BACKOFF_BASE", 0.01)
    ids = backfill_archive(mirror, fake_hub, 4)
    fake_hub.inject("500", f"/api/papers/{ids[1]}", times=-1)
    code, out, _ = run_cli("details", "--budget", "6", config=mirror / "mirror.yml")
    assert code == 0 and fake_hub.count("/api/papers/") == 6 and "stopped: the budget is spent" in out
    papers = read_papers(mirror / "content")
    assert [bool(papers[p].details_refreshed) for p in ids] == [True, False, True, True]
    code, out, err = run_cli("details", config=mirror / "mirror.yml")  # mirror.yml's budget: ids[1] fails every try
    assert code == 1 and f"FAILED paper {ids[1]}: " in err and "HTTP 500" in err and "run again" in err
    fake_hub.faults.clear()
    assert run_cli("details", config=mirror / "mirror.yml")[0] == 0
    assert all(paper.details_refreshed for paper in read_papers(mirror / "content").values())


def test_a_killed_backfill_keeps_every_answer_written_before(fake_hub, mirror) -> None:
    backfill_archive(mirror, fake_hub, 6)
    # the order the backfill asks them in today (papers without details: an order of each day's own)
    ids = pick_for_backfill(read_papers(mirror / "content"), 6, dt.datetime.now(dt.timezone.utc).date().isoformat())
    fake_hub.inject("slow", f"/api/papers/{ids[3]}", times=1, seconds=30)
    env = {**os.environ, "HF_ENDPOINT": fake_hub.url, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, str(ROOT / "build.py"), "--config", str(mirror / "mirror.yml"), "details"]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline and sum(bool(p.details_refreshed) for p in read_papers(mirror / "content").values()) < 3:
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    half = read_papers(mirror / "content")  # every file whole: old or new
    assert {p for p, paper in half.items() if paper.details_refreshed} >= set(ids[:3])
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert all(paper.details_refreshed for paper in read_papers(mirror / "content").values())


def start_details(mirror: Path, fake_hub: FakeHub) -> subprocess.Popen:
    """`build.py details` as its own process, as from a terminal: SIGINT not ignored (see test_serve)."""
    env = {**os.environ, "HF_ENDPOINT": fake_hub.url, "PYTHONPATH": str(ROOT)}
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--config", str(mirror / "mirror.yml"), "details"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["Ctrl-C", "SIGTERM"])
def test_a_run_waiting_for_the_rate_limit_says_so_and_stops_at_once(fake_hub, mirror, signum, code) -> None:
    """`details` right after a busy snapshot (as the workflow runs it) waits minutes for the rate limit: it said
    nothing, Ctrl-C left it waiting (its threads slept on), and SIGTERM (a CI step's time limit) killed it
    without keeping its requests for the next run's limit."""
    backfill_archive(mirror, fake_hub, 3)
    window = mirror / ".cache" / "hub-window.json"
    window.parent.mkdir(exist_ok=True)
    now = time.time()
    window.write_text(json.dumps({"endpoint": fake_hub.url, "sent": [now - 1] * 450, "paused_until": now}), encoding="utf-8")
    before = fake_hub.count("/api/papers/")
    proc = start_details(mirror, fake_hub)
    watchdog = threading.Timer(30, proc.kill)  # a run that never says it waits ends the test, not in 5 minutes
    watchdog.start()
    try:
        said = ""
        while "rate limit:" not in said:
            line = proc.stderr.readline()
            assert line, f"ended without waiting: {said}"
            said += line
        assert "450 requests sent in the last 300 s" in said and "waiting 29" in said  # about 299 s
        proc.send_signal(signum)
        _out, err = proc.communicate(timeout=10)
    finally:
        watchdog.cancel()
        proc.kill()
    assert proc.returncode == code and "interrupted: every file written so far is complete" in err, err
    assert "Traceback" not in err and fake_hub.count("/api/papers/") == before
    assert len(json.loads(window.read_text(encoding="utf-8"))["sent"]) == 450  # kept for the next run


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_a_run_stops_at_once_with_a_request_in_flight_and_keeps_its_requests(fake_hub, mirror, signum) -> None:
    """Stopped while the hub was slow to answer, the run waited for the answer (21 s of a 25 s one) before it
    saved its record of requests and ended, past the 10 s a CI runner allows before SIGKILL (a review)."""
    ids = backfill_archive(mirror, fake_hub, 6)
    fake_hub.inject("slow", "/api/papers/", times=-1, seconds=30)
    proc = start_details(mirror, fake_hub)
    try:
        deadline = time.time() + 20
        while time.time() < deadline and fake_hub.count("/api/papers/") < 4:  # four asked at once, all slow
            time.sleep(0.05)
        stopped = time.monotonic()
        proc.send_signal(signum)
        _out, err = proc.communicate(timeout=15)
        took = time.monotonic() - stopped
    finally:
        proc.kill()
    assert proc.returncode in (130, 143) and took < 5, (took, err)
    assert "interrupted:" in err and "try 2 of" not in err  # no retry said of a request the stop cut short
    window = json.loads((mirror / ".cache" / "hub-window.json").read_text(encoding="utf-8"))
    assert len(window["sent"]) >= 4 and len(ids) == 6


def test_the_budget_is_a_key_of_mirror_yml(fake_hub, mirror, run_cli) -> None:
    backfill_archive(mirror, fake_hub, 3)
    (mirror / "mirror.yml").write_text("listing:\n  details_budget: 2\n", encoding="utf-8")
    assert run_cli("details", config=mirror / "mirror.yml")[0] == 0
    assert fake_hub.count("/api/papers/") == 2
    for bad in ("0", "many", "true"):
        (mirror / "mirror.yml").write_text(f"listing:\n  details_budget: {bad}\n", encoding="utf-8")
        code, _, err = run_cli("details", config=mirror / "mirror.yml")
        assert code == 2 and "mirror.yml:2: listing.details_budget" in err


# --- status ----------------------------------------------------------------------------------------


def test_status_counts_the_papers_whose_details_are_missing(mirror, run_cli) -> None:
    write_archive(mirror, [make_paper("2501.00001", "Without"), make_paper(
        "2501.00002", "With", linked_totals=LinkedTotals(), details_refreshed=NOW)])
    code, out, _ = run_cli("status", config=mirror / "mirror.yml")
    assert "details:       1 of 2 papers without linked models, datasets and Spaces; `python build.py details`" in out
    code, out, _ = run_cli("status", "--json", config=mirror / "mirror.yml")
    report = json.loads(out)
    assert report["details_missing"] == 1 and report["fetch_details_command"] == "python build.py details"


# --- the pages -------------------------------------------------------------------------------------


def test_a_paper_page_links_its_model_dataset_and_space(mirror, run_cli) -> None:
    linked = (LinkedRepo("model", "lab/vit-huge", likes=40, downloads=1200),
              LinkedRepo("dataset", "lab/images-1b", likes=7, downloads=30),
              LinkedRepo("space", "lab/demo", emoji="\U0001F917"))
    rich = make_paper("2503.04000", "A paper with artefacts", linked=linked,
                      linked_totals=LinkedTotals(models=1235, datasets=1, spaces=1), details_refreshed=NOW)
    write_archive(mirror, [rich, make_paper("2503.04001", "A paper without")])
    code, _, err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 0, err
    page = mirror / "site/papers/2503.04000/index.html"
    links = parse(page).links
    for url in ("https://huggingface.co/lab/vit-huge", "https://huggingface.co/datasets/lab/images-1b",
                "https://huggingface.co/spaces/lab/demo"):
        assert url in links
    html = page.read_text(encoding="utf-8")
    # "1234 more" under "1,235 models" (the details review): grouped as every count
    assert '<a href="https://huggingface.co/papers/2503.04000">1,234 more on Hugging Face</a>' in html
    assert "40 likes · 1,200 downloads" in html and "\U0001F917 lab/demo" in html
    for kind in ("model", "dataset", "space"):
        assert f'data-pagefind-filter="linked:{kind}"' in html
    home = (mirror / "site/index.html").read_text(encoding="utf-8")
    assert "<small>1,235 models</small> <small>1 dataset</small> <small>1 Space</small>" in home
    bare = (mirror / "site/papers/2503.04001/index.html").read_text(encoding="utf-8")
    assert "Citing this paper" not in bare and "linked:" not in bare


def test_a_hand_edited_paper_file_cannot_smuggle_a_link(mirror, run_cli) -> None:
    paper = make_paper("2503.04000", "T", linked=(LinkedRepo("model", "a/b"),), linked_totals=LinkedTotals(1, 0, 0),
                       details_refreshed=NOW)
    write_paper(mirror / "content", paper)
    path = paper_path(mirror / "content", paper.id)
    path.write_text(path.read_text(encoding="utf-8").replace("id: a/b", "id: 'javascript:alert(1)//x/y'"), encoding="utf-8")
    code, _, err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 2 and f"{path}:" in err and "linked: id must be a Hub repo id" in err


def test_the_search_page_filters_papers_with_a_model_dataset_or_space(tmp_path) -> None:
    """In headless Chromium: the "On Hugging Face" filter group of the search page narrows to the papers that have one."""
    from playwright.sync_api import expect

    def archive(content):
        for paper in (
            make_paper("2503.04000", "Pretraining with a model", linked=(LinkedRepo("model", "lab/m"),),
                       linked_totals=LinkedTotals(models=1), details_refreshed=NOW),
            make_paper("2503.04001", "Pretraining with a Space", linked=(LinkedRepo("space", "lab/s"),),
                       linked_totals=LinkedTotals(spaces=2), details_refreshed=NOW),
            make_paper("2503.04002", "Pretraining alone"),
        ):
            write_paper(content, paper)

    site = build_fixture_site(tmp_path / "mirror", ROOT, "http://127.0.0.1/mirror/", archive)
    with serve(site, "/mirror/") as url, chromium() as browser:
        page = browser.new_page()
        page.set_default_timeout(10_000)
        page.goto(url + "search/?q=pretraining")
        results = page.locator(".search-result-link")
        expect(results).to_have_count(3)
        page.locator("#search-filters > summary").click()
        group = page.get_by_role("group", name="On Hugging Face")
        group.get_by_label(re.compile("Has a Space")).check()
        expect(results).to_have_count(1)
        expect(results.first).to_have_attribute("href", "/mirror/papers/2503.04001/")
        group.get_by_label(re.compile("Has a model")).check()  # values of one filter widen the search
        expect(results).to_have_count(2)
        expect(page).to_have_url(re.compile(r"[?&]linked=space&linked=model$"))
        assert group.get_by_label(re.compile("Has a dataset")).count() == 0  # no paper has one


def test_notes_and_fixes_written_during_a_run_are_kept(fake_hub, mirror, run_cli, monkeypatch) -> None:
    """A run reads the archive when it starts and takes minutes: an owner who adds notes or fixes a title meanwhile
    must not see the run write its older copy over them (details and snapshot alike); a file saved half-way is
    left as it is, with a warning, for the next run."""
    ids = backfill_archive(mirror, fake_hub, 3)
    content = mirror / "content"
    answer = fake_hub.answer

    def edit_then_answer(path: str, query: dict) -> tuple[int, object]:
        paper_id = path.removeprefix("/api/papers/")
        if paper_id == ids[0]:
            write_paper(content, read_paper(paper_path(content, paper_id)).replace(title="Fixed by hand", notes="Mine."))
        elif paper_id == ids[1]:
            paper_path(content, paper_id).write_text("---\nid: '2501.00002'\ntitle: [half\n", encoding="utf-8")
        return answer(path, query)

    monkeypatch.setattr(fake_hub, "answer", edit_then_answer)
    code, out, err = run_cli("details", "--budget", "3", config=mirror / "mirror.yml")
    assert code == 0, err
    edited = read_paper(paper_path(content, ids[0]))
    assert (edited.title, edited.notes) == ("Fixed by hand", "Mine.") and edited.linked and edited.details_refreshed
    assert paper_path(content, ids[1]).read_text(encoding="utf-8").endswith("title: [half\n")
    assert f"left paper {ids[1]} as it is: its file changed during the run and no longer reads" in err
    assert read_paper(paper_path(content, ids[2])).linked  # the others as before
