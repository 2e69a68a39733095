"""snapshot: the real CLI against the loopback fake hub; every merge rule and fault loses nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from fakehub import FakeHub

from papermirror.config import load_config
from papermirror.content.coverage import read_last_run
from papermirror.content.ledger import read_ledger, write_ledger
from papermirror.content.paper import paper_path
from papermirror.content.paperfile import read_paper, read_papers, write_merged, write_paper
from papermirror.fetch.hub import Hub
from papermirror.fetch.snapshot import days_to_fetch, run_snapshot

DAY = "2024-05-27"
DAYS2 = ("2024-05-27", "2024-06-17")


def snapshot(run_cli, mirror: Path, *args: str) -> tuple[int, str, str]:
    return run_cli("snapshot", *args, config=mirror / "mirror.yml")


def tree(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file below folder: its bytes and mtime."""
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*")) if p.is_file()}


def set_config(mirror: Path, text: str) -> None:
    (mirror / "mirror.yml").write_text(text, encoding="utf-8")


def test_snapshot_writes_papers_and_ledger(fake_hub, mirror, run_cli) -> None:
    code, out, _ = snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)
    assert code == 0
    papers = read_papers(mirror / "content")
    assert papers, "nothing kept"
    assert "2405.15613" in papers  # "Automatic Data Curation for Self-Supervised Learning": pre-training
    ledger = read_ledger(mirror / "content")
    assert ledger.days[DAY]["listed"] == 13
    assert ledger.days[DAY]["kept"] == sum(DAY in p.daily for p in papers.values())
    assert ledger.queries["masked autoencoder"]["listed"] >= 0
    assert f"{len(papers)} new" in out
    for paper in papers.values():
        assert paper.first_seen and paper.refreshed == paper.first_seen
    window = json.loads((mirror / ".cache" / "hub-window.json").read_text(encoding="utf-8"))  # for the next run's limit
    assert window["endpoint"] == fake_hub.url and len(window["sent"]) == len(fake_hub.requests)  # query, day, details
    last = read_last_run(mirror / ".cache")  # for `status`: the ledger moves only when an answer changes
    assert last is not None and last.ran >= min(paper.first_seen for paper in papers.values()) and last.failed == 0


def test_a_dry_run_leaves_the_last_run_as_it_was_and_a_failed_one_is_recorded_with_its_failures(
        fake_hub, mirror, run_cli, monkeypatch) -> None:
    """A run that failed on some days was not recorded, so `status` said STALE ("no snapshot in the last 3 days")
    while a run failed every day on the newest days (the long-running mirror review)."""
    monkeypatch.setattr("papermirror.fetch.hub.BACKOFF_BASE", 0.01)
    assert snapshot(run_cli, mirror, "--since", DAY, "--until", DAY, "--dry-run")[0] == 0
    assert read_last_run(mirror / ".cache") is None
    fake_hub.inject("500", "/api/daily_papers", times=-1)
    assert snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)[0] == 1
    last = read_last_run(mirror / ".cache")
    assert last is not None and last.failed == 1 and last.failures[0].startswith(f"day {DAY}: ")
    # and in the ledger, committed with the day's papers: the publish workflow's runs keep no .cache/
    assert read_ledger(mirror / "content").failing == last and DAY not in read_ledger(mirror / "content").days
    fake_hub.faults.clear()  # the hub serves the day again
    assert snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)[0] == 0
    ledger = read_ledger(mirror / "content")
    assert ledger.failing is None and DAY in ledger.days and read_last_run(mirror / ".cache").failed == 0


def test_a_listing_since_after_today_is_said_not_taken_for_a_run_done(fake_hub, mirror, run_cli) -> None:
    """A typo of the year (2030 for 2024) fetched no day, and each run said nothing but "0 days fetched" (the fork
    review)."""
    set_config(mirror, "listing:\n  since: 2999-01-01\n")
    code, _, err = snapshot(run_cli, mirror)
    today = dt.datetime.now(dt.timezone.utc).date()
    assert code == 0 and f"listing.since (2999-01-01) is after today ({today}, UTC): no Daily Papers day" in err
    assert not any("daily_papers" in request for request in fake_hub.requests)


def test_a_second_run_with_nothing_new_changes_no_byte(fake_hub, mirror, run_cli) -> None:
    assert snapshot(run_cli, mirror, "--since", DAYS2[0], "--until", DAYS2[1])[0] == 0
    before = tree(mirror / "content")
    code, out, _ = snapshot(run_cli, mirror, "--since", DAYS2[0], "--until", DAYS2[1])
    assert code == 0 and "0 new, 0 updated" in out
    # The fake hub lists nothing on the weekdays it has no recording of: this run confirms them.
    assert {k: v for k, v in tree(mirror / "content").items() if k != "ledger.yml"} == {
        k: v for k, v in before.items() if k != "ledger.yml"}
    assert not any(entry.get("recheck") for entry in read_ledger(mirror / "content").days.values())
    before = tree(mirror / "content")
    assert snapshot(run_cli, mirror, "--since", DAYS2[0], "--until", DAYS2[1])[0] == 0
    assert tree(mirror / "content") == before


def test_include_and_exclude_filter_daily_papers(fake_hub, mirror, run_cli) -> None:
    set_config(mirror, "listing:\n  include: [pretrain, pre-train]\n  exclude: [llava]\n")
    assert snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)[0] == 0
    papers = read_papers(mirror / "content")
    assert papers
    for paper in papers.values():
        text = f"{paper.title} {paper.abstract} {' '.join(paper.ai_keywords)}".lower()
        assert ("pretrain" in text or "pre-train" in text) and "llava" not in text


def test_empty_include_mirrors_every_daily_paper(fake_hub, mirror, run_cli) -> None:
    set_config(mirror, "listing:\n  include: []\n")
    assert snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)[0] == 0
    assert len(read_papers(mirror / "content")) == 13


def test_refresh_updates_volatile_fields_keeps_first_seen_and_hand_edits(fake_hub, mirror, run_cli) -> None:
    set_config(mirror, "listing:\n  include: []\n")
    snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)
    content = mirror / "content"
    stored = read_paper(paper_path(content, "2405.15738"))
    edited = stored.replace(title="ConvLLaVA (fixed by hand)", notes="My notes: read section 3.")
    write_paper(content, edited)
    fake_hub.days[DAY][0]["paper"]["upvotes"] += 100
    fake_hub.days[DAY][0]["paper"]["githubStars"] = 321
    bumped_id = fake_hub.days[DAY][0]["paper"]["id"]
    time.sleep(1.1)  # a later run stamps a later `refreshed`
    code, out, _ = snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)
    assert code == 0 and "1 updated" in out
    bumped = read_paper(paper_path(content, bumped_id))
    assert bumped.upvotes == fake_hub.days[DAY][0]["paper"]["upvotes"] and bumped.github_stars == 321
    assert bumped.refreshed > bumped.first_seen
    again = read_paper(paper_path(content, "2405.15738"))
    assert again.title == "ConvLLaVA (fixed by hand)" and again.notes == "My notes: read section 3."


def test_a_paper_that_drops_out_of_the_listing_stays(fake_hub, mirror, run_cli) -> None:
    set_config(mirror, "listing:\n  include: []\n")
    snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)
    gone = fake_hub.days[DAY].pop()["paper"]["id"]
    before = paper_path(mirror / "content", gone).read_bytes()
    assert snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)[0] == 0
    assert paper_path(mirror / "content", gone).read_bytes() == before
    assert read_ledger(mirror / "content").days[DAY]["listed"] == 12


def test_a_paper_listed_twice_in_one_day_is_one_paper_listed(mirror, run_cli, monkeypatch) -> None:
    """The ledger's `listed` counted items and its `kept` papers, so with no topic rule at all `status` said the rule
    dropped the duplicates (the snapshot review)."""
    one, other = ({"paper": {"id": f"2501.0000{n}", "title": f"Paper {n}", "upvotes": n}} for n in (1, 2))
    untitled = {"paper": {"id": "2501.00003", "title": ""}}  # unusable, twice: two items skipped
    versions = [{"paper": {"id": f"2501.00004v{n}", "title": "Paper 4"}} for n in (1, 2)]  # one paper
    with FakeHub(days={"2025-01-06": [one, other, one, untitled, untitled, *versions]}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        set_config(mirror, "listing:\n  include: []\n  queries: []\n")
        assert snapshot(run_cli, mirror, "--since", "2025-01-06", "--until", "2025-01-06")[0] == 0
        status = run_cli("status", config=mirror / "mirror.yml")[1]
    day = read_ledger(mirror / "content").days["2025-01-06"]
    assert (day["listed"], day["kept"], day["skipped"]) == (5, 3, 2)
    assert "kept 3 of the 5 listings" in status and "dropped 0;" in status and "2 unusable item(s) skipped" in status


def test_a_paper_listed_on_two_days_and_a_query_merges_them(mirror, run_cli, monkeypatch) -> None:
    item = {"paper": {"id": "2501.00001", "title": "Multi-scale pre-training", "upvotes": 3}}
    later = {"paper": {"id": "2501.00001", "title": "Multi-scale pre-training", "upvotes": 9}}
    with FakeHub(days={"2025-01-06": [item], "2025-01-07": [later]}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        set_config(mirror, "listing:\n  queries: [multi-scale pre-training]\n  include: [multi-scale]\n")
        assert snapshot(run_cli, mirror, "--since", "2025-01-06", "--until", "2025-01-07")[0] == 0
    paper = read_papers(mirror / "content")["2501.00001"]
    assert paper.daily == ("2025-01-06", "2025-01-07") and paper.queries == ("multi-scale pre-training",)
    assert paper.upvotes == 9


def test_a_paper_listed_twice_in_a_run_with_different_figures_changes_no_byte_on_the_next_run(mirror) -> None:
    """A query's answer and a day's, or two pages of one day between which the upvotes moved, disagree: the
    file ends as the last listing says, and a later run that sees the same answers changes no byte."""
    paper = {"id": "2501.00001", "title": "Multi-scale pre-training", "upvotes": 5}
    busy = [{"paper": {"id": f"2501.{n:05d}", "title": f"Multi-scale pre-training {n}", "upvotes": 100 - n}} for n in range(2, 102)]
    day = [{"paper": {**paper, "upvotes": 6}}, *busy[:99], {"paper": {**busy[0]["paper"], "upvotes": 1}}, *busy[99:]]
    set_config(mirror, "listing:\n  queries: [multi-scale pre-training]\n  include: [multi-scale]\n  since: 2025-01-06\n")
    config = load_config(mirror / "mirror.yml")
    with FakeHub(days={"2025-01-06": day}) as fake, Hub(endpoint=fake.url) as hub:
        fake.search = lambda q: [{"paper": paper}]  # the query answers with an older figure than the day
        first = run_snapshot(config, hub, since=dt.date(2025, 1, 6), until=dt.date(2025, 1, 6),
                             now=dt.datetime(2025, 1, 6, 8, tzinfo=dt.timezone.utc))
        before = tree(mirror / "content")
        later = run_snapshot(config, hub, since=dt.date(2025, 1, 6), until=dt.date(2025, 1, 6),
                             now=dt.datetime(2025, 1, 7, 8, tzinfo=dt.timezone.utc))
    assert (first.new, first.updated, first.failures) == (101, 0, [])
    papers = read_papers(mirror / "content")
    assert (papers["2501.00001"].upvotes, papers["2501.00002"].upvotes) == (6, 1)  # as the last listing says
    ledger = read_ledger(mirror / "content")
    assert (ledger.days["2025-01-06"]["listed"], ledger.days["2025-01-06"]["kept"]) == (101, 101)  # papers, not items
    assert (later.new, later.updated, later.unchanged) == (0, 0, 101)
    # The same bytes (git sees no change); the paper the query moved is written back, so its mtime moves.
    assert {path: data for path, (data, _mtime) in tree(mirror / "content").items()} == {
        path: data for path, (data, _mtime) in before.items()}


def test_items_without_a_usable_id_are_skipped_and_nothing_escapes_content(mirror, run_cli, monkeypatch) -> None:
    bad = [
        {"paper": {"id": "../../../escape", "title": "pre-training"}},
        {"paper": {"id": 2501.1, "title": "pre-training"}},
        {"paper": {"title": "pre-training"}},
        {"paper": {"id": "2501.00002", "title": "Good pre-training", "githubRepo": "javascript:alert(1)"}},
    ]
    with FakeHub(days={"2025-01-06": bad}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        code, out, err = snapshot(run_cli, mirror, "--since", "2025-01-06", "--until", "2025-01-06")
    assert code == 0 and "3 items skipped" in out
    assert list(read_papers(mirror / "content")) == ["2501.00002"]
    assert read_papers(mirror / "content")["2501.00002"].github_repo is None
    assert not list(mirror.parent.rglob("escape*"))
    # the ledger counts them apart from the rule's drops, and status and the about page say so
    entry = read_ledger(mirror / "content").days["2025-01-06"]
    assert (entry["listed"], entry["kept"], entry["skipped"]) == (4, 1, 3)
    code, out, _ = run_cli("--config", str(mirror / "mirror.yml"), "status")
    assert "kept 1 of the 4 listings of those days (passed by the rule, or stored already: from a query, or kept by an earlier rule), dropped 0; 3 unusable item(s) skipped" in out
    code, out, _ = run_cli("--config", str(mirror / "mirror.yml"), "status", "--json")
    assert json.loads(out)["stream_skipped"] == 3


def test_429_with_retry_after_is_survived(fake_hub, mirror, run_cli) -> None:
    fake_hub.inject("429", f"date={DAY}", times=1, seconds=1)
    code, _, _ = snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)
    assert code == 0
    assert fake_hub.count(f"date={DAY}") == 2
    assert read_ledger(mirror / "content").days[DAY]["listed"] == 13


@pytest.mark.parametrize("kind", ["500", "malformed", "truncated"])
def test_a_day_that_keeps_failing_keeps_everything_else(kind, fake_hub, mirror, run_cli, monkeypatch) -> None:
    monkeypatch.setattr("papermirror.fetch.hub.BACKOFF_BASE", 0.01)
    fake_hub.inject(kind, "date=2024-06-17", times=-1)
    code, _, err = snapshot(run_cli, mirror, "--since", DAYS2[0], "--until", DAYS2[1])
    assert code == 1
    assert "day 2024-06-17" in err and "/api/daily_papers?date=2024-06-17" in err and "run again" in err
    ledger = read_ledger(mirror / "content")
    assert DAYS2[0] in ledger.days and DAYS2[1] not in ledger.days
    kept = read_papers(mirror / "content")
    assert any(DAYS2[0] in p.daily for p in kept.values())
    fake_hub.faults.clear()
    code, _, _ = snapshot(run_cli, mirror, "--since", DAYS2[1], "--until", DAYS2[1])
    assert code == 0 and DAYS2[1] in read_ledger(mirror / "content").days
    assert set(kept) <= set(read_papers(mirror / "content"))


@pytest.mark.parametrize(
    "kind, body, words",
    [
        ("redirect", b"", "redirect"),
        ("gzip", b"", "could not be decoded"),
        ("body", b'[{"paper": {"title": "\xff"}}]', "not valid JSON"),
        ("body", b"[" * 100_000, "not valid JSON"),
    ],
)
def test_an_answer_that_cannot_be_read_fails_that_day_only(kind, body, words, fake_hub, mirror, run_cli, monkeypatch) -> None:
    monkeypatch.setattr("papermirror.fetch.hub.BACKOFF_BASE", 0.01)
    fake_hub.inject(kind, "date=2024-06-17", times=-1, body=body)
    code, out, err = snapshot(run_cli, mirror, "--since", DAYS2[0], "--until", DAYS2[1])
    assert code == 1 and "1 failed" in out and "Traceback" not in err
    assert f"FAILED day 2024-06-17: {fake_hub.url}/api/daily_papers?date=2024-06-17" in err and words in err
    assert fake_hub.count("date=2024-06-17") >= 5
    ledger = read_ledger(mirror / "content")
    assert DAYS2[0] in ledger.days and DAYS2[1] not in ledger.days
    fake_hub.faults.clear()
    assert snapshot(run_cli, mirror, "--since", DAYS2[1], "--until", DAYS2[1])[0] == 0


WEEKS = [f"2025-01-{n:02d}" for n in range(6, 20)]
"""Two weeks, each day listing one paper of its own."""


def weeks_hub() -> FakeHub:
    return FakeHub(days={day: [{"paper": {"id": f"2501.000{n:02d}", "title": f"Pre-training {n}", "submittedOnDailyAt": f"{day}T08:00:00.000Z"}}]
                         for n, day in enumerate(WEEKS)})


def test_days_failing_here_and_there_never_keep_the_others_from_the_run(mirror, run_cli, monkeypatch) -> None:
    """Three failed days used to stop the run wherever they were: days the hub cannot serve (HTTP 400 every time)
    kept the newest days, today's among them, out of every later run."""
    with weeks_hub() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        for day in WEEKS[0:5:2]:
            fake.inject("400", f"date={day}", times=-1, body=b'{"error": "Invalid date"}')
        code, out, err = snapshot(run_cli, mirror, "--since", WEEKS[0], "--until", WEEKS[-1])
    assert code == 1 and "3 failed" in out and "the hub says 'Invalid date'" in err
    assert sorted(read_ledger(mirror / "content").days) == [WEEKS[1], WEEKS[3], *WEEKS[5:]]  # was: up to 2025-01-13


def test_days_failing_in_a_row_stop_the_run_and_keep_what_came_before(mirror, run_cli, monkeypatch) -> None:
    """Once three days in a row failed nothing more is asked (the answers already asked for are kept)."""
    days = [f"2025-02-{n:02d}" for n in range(1, 15)]
    with FakeHub(days={day: [{"paper": {"id": f"2502.000{n:02d}", "title": f"Pre-training {n}"}}]
                       for n, day in enumerate(days)}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        for day in days[1:4]:
            fake.inject("400", f"date={day}", times=-1)
        code, _, err = snapshot(run_cli, mirror, "--since", days[0], "--until", days[-1])
        assert not any(fake.count(f"date={day}") for day in days[-6:])
    assert code == 1 and err.count("3 days failed in a row: the hub is probably down") == 1  # said once
    recorded = read_ledger(mirror / "content").days
    assert days[0] in recorded and not set(days[1:4]) & set(recorded) and not set(days[-6:]) & set(recorded)


def test_a_search_that_fails_never_keeps_the_days_from_the_run(mirror, run_cli, monkeypatch) -> None:
    """Queries run first, and their failures used to count with the days': a search endpoint that failed stopped
    the run before its first day."""
    set_config(mirror, (mirror / "mirror.yml").read_text(encoding="utf-8").replace(
        "queries: [masked autoencoder]", "queries: [masked autoencoder, mae, vit, dino, clip]"))
    with weeks_hub() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        fake.inject("400", "papers/search", times=-1)
        code, _, err = snapshot(run_cli, mirror, "--since", WEEKS[0], "--until", WEEKS[-1])
        assert fake.count("papers/search") == 3
    assert code == 1 and "3 queries failed in a row: the hub's search is probably down" in err
    assert sorted(read_ledger(mirror / "content").days) == WEEKS
    assert len(read_papers(mirror / "content")) == len(WEEKS)


@pytest.mark.parametrize("elsewhere, fails", [(3, True), (2, True), (1, False)])
def test_another_day_s_listing_is_not_filed_under_the_day_asked(elsewhere, fails, mirror, run_cli, monkeypatch) -> None:
    """A hub that redirects a day to another, or ignores `date`, answered with another day's papers: they were filed
    under the day asked for, for good, and the day recorded as fetched, its own papers never asked for again."""
    day, other = "2025-01-07", "2025-01-08"
    items = [{"paper": {"id": f"2501.0010{n}", "title": f"Pre-training {n}",
                        "submittedOnDailyAt": f"{other if n < elsewhere else day}T08:00:00.000Z"}} for n in range(3)]
    with FakeHub(days={day: items}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        code, _, err = snapshot(run_cli, mirror, "--since", day, "--until", day)
    days = read_ledger(mirror / "content").days
    if fails:
        assert code == 1 and f"day {day}: the hub answered with another day's listing ({elsewhere} of the 3 items say " \
            f"they were listed on {other})" in err
        assert day not in days and not read_papers(mirror / "content")
    else:
        assert code == 0 and days[day]["kept"] == 3


def test_items_the_archive_cannot_store_as_given_are_stored_safely(mirror, run_cli, monkeypatch) -> None:
    marker = "<!-- notes -->"
    items = [
        {"paper": {"id": "2501.00001", "title": "Notes pre-training", "summary": f"Before.\n\n{marker}\n\nAfter."}},
        {"paper": {"id": "2501.00002", "title": "Lone \ud800 pre-training", "summary": "Broken \udfff text.",
                   "authors": [{"name": "Ada \udc00"}]}},
        {"paper": {"id": "2501.00003", "title": "Plain pre-training"}},
    ]
    with FakeHub(days={"2025-01-06": items, "2025-01-07": items[2:]}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        set_config(mirror, "listing:\n  include: [pre-training]\n")
        code, out, err = snapshot(run_cli, mirror, "--since", "2025-01-06", "--until", "2025-01-07")
        assert code == 0, err
        papers = read_papers(mirror / "content")
        assert papers["2501.00001"].abstract == f"Before.\n\n{marker}\n\nAfter." and papers["2501.00001"].notes == ""
        assert papers["2501.00002"].title == "Lone \ufffd pre-training"
        assert papers["2501.00002"].abstract == "Broken \ufffd text." and papers["2501.00002"].authors == ("Ada \ufffd",)
        assert {"2025-01-06", "2025-01-07"} <= set(read_ledger(mirror / "content").days)
        assert snapshot(run_cli, mirror, "--since", "2025-01-06", "--until", "2025-01-07")[0] == 0


def test_impossible_dates_from_the_hub_never_reach_content(mirror, run_cli, monkeypatch) -> None:
    items = [
        {"paper": {"id": "2501.00001", "title": "A pre-training", "publishedAt": "2025-02-30T00:00:00.000Z"}},
        {"paper": {"id": "2501.00002", "title": "B pre-training", "publishedAt": "0000-01-01T00:00:00.000Z",
                   "submittedOnDailyAt": "2025-13-01T00:00:00.000Z"}},
    ]
    with FakeHub(days={"2025-01-06": items}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        code, _, err = snapshot(run_cli, mirror, "--since", "2025-01-06", "--until", "2025-01-06")
    assert code == 0 and "2025-02-30" in err and "2025-13-01" in err
    papers = read_papers(mirror / "content")
    assert [(p.published, p.daily) for p in papers.values()] == [(None, ("2025-01-06",))] * 2


def test_a_paper_that_cannot_be_written_is_skipped_and_its_day_kept(mirror, run_cli, monkeypatch) -> None:
    import papermirror.fetch.snapshot as stage

    def refuse_one(content_dir: Path, stored, paper, remerge):
        if paper.id == "2501.00001":
            raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")
        return write_merged(content_dir, stored, paper, remerge)

    monkeypatch.setattr(stage, "write_merged", refuse_one)
    items = [{"paper": {"id": f"2501.0000{i}", "title": f"Paper {i} on pre-training"}} for i in (1, 2)]
    with FakeHub(days={"2025-01-06": items}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        code, out, err = snapshot(run_cli, mirror, "--since", "2025-01-06", "--until", "2025-01-06")
    assert code == 0 and "1 items skipped" in out
    assert "warning: skipped paper 2501.00001: it cannot be stored" in err
    assert list(read_papers(mirror / "content")) == ["2501.00002"]
    assert read_ledger(mirror / "content").days["2025-01-06"]["kept"] == 1
    assert read_ledger(mirror / "content").days["2025-01-06"]["skipped"] == 1


def test_a_slow_hub_past_the_timeout_fails_cleanly(fake_hub, mirror, run_cli, monkeypatch) -> None:
    monkeypatch.setenv("PAPERMIRROR_HTTP_TIMEOUT", "0.3")
    monkeypatch.setattr("papermirror.fetch.hub.BACKOFF_BASE", 0.01)
    fake_hub.inject("slow", "papers/search", times=-1, seconds=1)
    code, _, err = snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)
    assert code == 1 and "timed out" in err and "query 'masked autoencoder'" in err
    assert "Traceback" not in err
    assert DAY in read_ledger(mirror / "content").days


def test_an_empty_weekend_day_is_recorded_as_fetched_with_no_papers(fake_hub, mirror, run_cli) -> None:
    code, _, _ = snapshot(run_cli, mirror, "--since", "2024-05-25", "--until", "2024-05-25")
    assert code == 0
    assert read_ledger(mirror / "content").days["2024-05-25"] == {
        "listed": 0,
        "kept": 0,
        "fetched": read_ledger(mirror / "content").days["2024-05-25"]["fetched"],
    }


def test_a_hub_that_suddenly_lists_nothing_is_suspicious_and_records_only_that(fake_hub, mirror, run_cli) -> None:
    assert snapshot(run_cli, mirror, "--since", DAYS2[0], "--until", DAYS2[1])[0] == 0
    before, counted = tree(mirror / "content"), read_ledger(mirror / "content")
    fake_hub.inject("empty", "", times=-1)
    code, _, err = snapshot(run_cli, mirror, "--since", DAYS2[0], "--until", DAYS2[1])
    assert code == 3 and "SUSPICIOUS" in err
    after = tree(mirror / "content")
    assert {name: after[name] for name in after if name != "ledger.yml"} == {
        name: before[name] for name in before if name != "ledger.yml"}, "no paper file changes"
    ledger = read_ledger(mirror / "content")
    assert (ledger.days, ledger.queries) == (counted.days, counted.queries), "no empty answer is counted"
    # the 22 days and the query not counted as fetched, said in one line (it counted 1: the diff review)
    assert ledger.failing.failed == 22 + 1 and len(ledger.failing.failures) == 1
    assert "the hub listed no paper on any of the 22 days asked" in ledger.failing.failures[0]
    assert ledger.failing.withheld == 23 and ledger.failing.unnamed == 0
    out = run_cli("status", config=mirror / "mirror.yml")[1]  # it said "... and 22 more" of the same 22 days
    assert "failed on 23 day(s) or query(ies)" in out and "... and" not in out, out
    assert snapshot(run_cli, mirror, "--allow-empty", "--since", DAYS2[0], "--until", DAYS2[1])[0] == 0
    ledger = read_ledger(mirror / "content")
    assert ledger.days[DAYS2[0]]["listed"] == 0 and ledger.queries["masked autoencoder"]["listed"] == 0
    assert ledger.failing is None, "a run that fetched all it asked ends the failing record"


def test_a_new_archive_whose_hub_lists_nothing_for_days_is_suspicious_too(fake_hub, mirror, run_cli) -> None:
    fake_hub.inject("empty", "", times=-1)
    code, _, err = snapshot(run_cli, mirror, "--since", "2024-06-10", "--until", "2024-06-14")  # a working week
    assert code == 3 and "SUSPICIOUS" in err
    assert read_ledger(mirror / "content").days == {} and not list((mirror / "content").rglob("*.md"))


def test_days_that_list_nothing_are_suspicious_though_the_search_answers(mirror, run_cli, monkeypatch) -> None:
    """An outage of the daily endpoint while search still answered: the query's papers hid the silent days, which
    were recorded as empty (and made final by the next runs' rechecks), and status then said the archive was up
    to date."""
    found = [{"paper": {"id": "2501.00001", "title": "Masked autoencoder pre-training"}}]
    with FakeHub(days={"2025-01-02": found}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        fake.inject("empty", "daily_papers", times=-1)
        code, _, err = snapshot(run_cli, mirror, "--since", "2025-01-06", "--until", "2025-01-10")
    assert code == 3 and "SUSPICIOUS: the hub listed no paper on any of the 5 days asked" in err
    ledger = read_ledger(mirror / "content")
    assert ledger.days == {} and ledger.queries["masked autoencoder"]["kept"] == 1  # the query's answer is kept
    assert list(read_papers(mirror / "content")) == ["2501.00001"]


def test_a_day_whose_items_are_all_unusable_fails_and_is_asked_again(mirror, run_cli, monkeypatch) -> None:
    odd = [1, "x", {"paper": 5}, {"paper": {"id": "../../etc", "title": "pre-training"}}]
    good = [{"paper": {"id": "2501.00002", "title": "Good pre-training"}}]
    with FakeHub(days={"2025-01-06": odd, "2025-01-07": good}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        code, _, err = snapshot(run_cli, mirror, "--since", "2025-01-06", "--until", "2025-01-07")
    assert code == 1 and "day 2025-01-06: none of the 4 item(s) listed could be stored" in err
    days = read_ledger(mirror / "content").days
    assert "2025-01-06" not in days and days["2025-01-07"]["kept"] == 1  # the rest of the run is kept
    assert "Traceback" not in err


def test_a_day_of_papers_none_of_which_can_be_stored_fails_though_one_is_listed_twice(mirror, run_cli, monkeypatch) -> None:
    """Counted once, a paper listed in two versions made 2 skipped of 3 items, and the day was recorded as done with
    nothing stored (the second review of the `listed` count)."""
    import papermirror.fetch.snapshot as stage

    def refuse(content_dir: Path, stored, paper, remerge):
        raise UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed")

    monkeypatch.setattr(stage, "write_merged", refuse)
    items = [{"paper": {"id": paper_id, "title": "Pre-training"}} for paper_id in ("2501.00001v1", "2501.00001v2", "2501.00002")]
    with FakeHub(days={"2025-01-06": items}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        code, _, err = snapshot(run_cli, mirror, "--since", "2025-01-06", "--until", "2025-01-06")
    assert code == 1 and "day 2025-01-06: none of the 3 item(s) listed could be stored" in err
    assert "2025-01-06" not in read_ledger(mirror / "content").days


def test_a_quiet_day_s_one_unusable_item_is_recorded_not_failed_for_good(mirror, run_cli, monkeypatch) -> None:
    """A listing too short to say the hub changed shape: failing it would fail every run, for good."""
    with FakeHub(days={"2025-01-06": [{"paper": {"id": "../../etc", "title": "pre-training"}}]}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        code, out, _ = snapshot(run_cli, mirror, "--since", "2025-01-06", "--until", "2025-01-06")
    assert code == 0 and "1 items skipped" in out
    entry = read_ledger(mirror / "content").days["2025-01-06"]
    assert (entry["listed"], entry["kept"], entry["skipped"]) == (1, 0, 1)


def test_days_that_list_only_unreadable_items_are_suspicious_and_not_recorded(mirror, run_cli, monkeypatch) -> None:
    """A hub answering `[{"error": ...}]` for every day is as silent as one answering `[]`: each day's one odd item
    was counted as listed, so the run passed as sound and five weekdays were recorded as fetched, never asked
    again (the hostile-hub review)."""
    down = [{"error": "Service temporarily unavailable"}]
    week = ["2025-04-07", "2025-04-08", "2025-04-09", "2025-04-10", "2025-04-11"]
    with FakeHub(days={day: down for day in week}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        code, _, err = snapshot(run_cli, mirror, "--since", week[0], "--until", week[-1])
    assert code == 3 and "SUSPICIOUS: the hub listed no paper on any of the 5 days asked" in err, err
    assert "5 days asked, only 5 item(s) it could not read (Daily Papers" in err
    ledger = read_ledger(mirror / "content")
    assert ledger.days == {} and ledger.failing.withheld == 5 + 1  # and the query, which found nothing
    assert "Traceback" not in err


def test_a_flood_of_alike_warnings_is_cut_to_the_first_hundred_and_counted(mirror, run_cli, monkeypatch) -> None:
    """One answer of 11 million odd items wrote a warning line for each: 727 MB (the hostile-hub review). Each kind
    of warning now shows its first 100 and counts the rest; -v shows every one, and errors are never held back."""
    odd = [{"paper": {"id": f"no-id-{n}", "title": "Pre-training"}} for n in range(250)]
    with FakeHub(days={"2025-01-06": odd}) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.url)
        code, _, err = snapshot(run_cli, mirror, "--since", "2025-01-06", "--until", "2025-01-06")
        said = [line for line in err.splitlines() if "not a usable arXiv id" in line]
        assert code == 1 and len(said) == 101, said[-3:]
        assert said[-1] == 'warning: 150 more warnings like "skipped an item whose id is not a usable arXiv id: …" not shown (-v shows every one)'
        assert "error: day 2025-01-06: none of the 250 item(s) listed could be stored" in err
        code, _, err = snapshot(run_cli, mirror, "-v", "--since", "2025-01-06", "--until", "2025-01-06")
        assert code == 1 and err.count("not a usable arXiv id") == 250 and "not shown" not in err


def test_an_empty_weekday_stays_unconfirmed_until_a_second_empty_answer(fake_hub, mirror, run_cli) -> None:
    set_config(mirror, "listing:\n  include: []\n  since: 2024-05-27\n")
    config = load_config(mirror / "mirror.yml")
    today = dt.date(2024, 7, 1)  # DAY (a Monday) is outside the refresh window
    fake_hub.inject("empty", f"date={DAY}", times=2)
    assert snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)[0] == 0
    first = read_ledger(mirror / "content").days[DAY]
    assert first["listed"] == 0 and first["recheck"] is True
    assert DAY in days_to_fetch(config, read_ledger(mirror / "content"), today, None, None)
    assert snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)[0] == 0
    second = read_ledger(mirror / "content").days[DAY]
    assert second["listed"] == 0 and "recheck" not in second, "a second empty answer confirms the day"
    assert DAY not in days_to_fetch(config, read_ledger(mirror / "content"), today, None, None)
    assert snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)[0] == 0
    assert read_ledger(mirror / "content").days[DAY]["listed"] == 13


def test_a_transient_empty_answer_is_fetched_again_by_the_next_normal_run(fake_hub, mirror, run_cli) -> None:
    fake_hub.inject("empty", f"date={DAY}", times=1)
    assert snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)[0] == 0
    assert read_ledger(mirror / "content").days[DAY].get("recheck") is True
    set_config(mirror, "listing:\n  include: []\n  since: 2024-05-27\n  refresh_days: 1\n")
    ledger = read_ledger(mirror / "content")
    for day in range(28, 32):  # every other day up to "today" is fetched already
        ledger.record_day(f"2024-05-{day}", 1, 1, "2024-06-01T00:00:00Z")
    write_ledger(mirror / "content", ledger)
    config = load_config(mirror / "mirror.yml")
    assert days_to_fetch(config, ledger, dt.date(2024, 6, 1), None, None) == [DAY, "2024-06-01"]


def test_dry_run_writes_nothing(fake_hub, mirror, run_cli) -> None:
    code, out, _ = snapshot(run_cli, mirror, "--dry-run", "--since", DAY, "--until", DAY)
    assert code == 0 and "dry run" in out and " 0 new" not in out
    assert list((mirror / "content").iterdir()) == []


@pytest.mark.parametrize(
    "config, words",
    [
        ("listing:\n  quries: [x]\n", "listing.quries: unknown key"),
        ("listing:\n  since: 2024-13-01\n", "mirror.yml:2: listing.since"),
        ("listing:\n  since: '2024-13'\n", "listing.since"),
        ("listing:\n  refresh_days: many\n", "listing.refresh_days"),
        ("listing:\n  queries: x\n", "listing.queries"),
        ("site:\n  base_url: ftp://x\n", "site.base_url"),
        ("site: [\n", "not valid YAML"),
        ("- a\n- b\n", "must be a mapping"),
    ],
)
def test_bad_config_is_named_and_nothing_is_written(config, words, fake_hub, mirror, run_cli) -> None:
    set_config(mirror, config)
    code, out, err = snapshot(run_cli, mirror)
    assert code == 2
    assert "mirror.yml" in err and words in err and "Traceback" not in err
    assert list((mirror / "content").iterdir()) == [] and fake_hub.requests == []


def test_a_broken_content_file_stops_before_any_request(fake_hub, mirror, run_cli) -> None:
    bad = mirror / "content" / "papers" / "2405" / "2405.15738.md"
    bad.parent.mkdir(parents=True)
    bad.write_text("---\nid: '2405.15738'\ntitle: x: y\n---\n")
    code, _, err = snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)
    assert code == 2 and f"{bad}:3" in err
    assert fake_hub.requests == [] and bad.read_text().startswith("---\nid")


def test_days_to_fetch_backfills_missing_days_and_refreshes_recent_ones(mirror) -> None:
    set_config(mirror, "listing:\n  since: 2026-01-01\n  refresh_days: 3\n")
    config = load_config(mirror / "mirror.yml")
    from papermirror.content.ledger import Ledger

    ledger = Ledger(days={f"2026-01-{d:02d}": {"listed": 1} for d in range(1, 11)})
    today = dt.date(2026, 1, 12)
    assert days_to_fetch(config, ledger, today, None, None) == ["2026-01-10", "2026-01-11", "2026-01-12"]
    assert days_to_fetch(config, Ledger(), today, None, None)[0] == "2026-01-01"
    assert days_to_fetch(config, ledger, today, dt.date(2026, 1, 2), dt.date(2026, 1, 3)) == ["2026-01-02", "2026-01-03"]
    assert days_to_fetch(config, ledger, today, None, dt.date(2027, 1, 1))[-1] == "2026-01-12"


def test_a_killed_run_leaves_whole_files_and_the_next_run_carries_on(tmp_path, fake_hub) -> None:
    mirror = tmp_path
    (mirror / "mirror.yml").write_text("listing:\n  include: []\n")
    for day in ("2024-06-17", "2024-10-25", "2025-03-14"):
        fake_hub.inject("slow", f"date={day}", times=1, seconds=30)
    env = {**os.environ, "HF_ENDPOINT": fake_hub.url, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, str(ROOT / "build.py"), "--config", str(mirror / "mirror.yml"), "snapshot", "--since", "2024-05-27", "--until", "2025-03-14"]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 30
    while time.time() < deadline and not (mirror / "content" / "ledger.yml").exists():
        time.sleep(0.1)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    ledger = read_ledger(mirror / "content")
    assert ledger.days and "2024-06-17" not in ledger.days
    half = read_papers(mirror / "content")  # every file parses: nothing half-written (a SIGKILL may leave a temp file)
    fake_hub.faults.clear()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    full = read_papers(mirror / "content")
    assert set(half) <= set(full)
    assert {"2024-06-17", "2024-10-25", "2025-03-14"} <= set(read_ledger(mirror / "content").days)
    assert not list((mirror / "content").rglob("*.tmp")), "the next run clears temp files a killed run left"


def test_notes_written_during_a_snapshot_are_kept(fake_hub, mirror, run_cli, monkeypatch) -> None:
    """The run read the archive when it began: its refresh is folded into the file as it is when written."""
    set_config(mirror, "listing:\n  include: []\n")
    snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)
    content = mirror / "content"
    paper_id = fake_hub.days[DAY][0]["paper"]["id"]
    fake_hub.days[DAY][0]["paper"]["upvotes"] += 100
    answer = fake_hub.answer

    def edit_then_answer(path: str, query: dict) -> tuple[int, object]:
        if path == "/api/daily_papers":
            write_paper(content, read_paper(paper_path(content, paper_id)).replace(notes="Written meanwhile."))
        return answer(path, query)

    monkeypatch.setattr(fake_hub, "answer", edit_then_answer)
    code, out, err = snapshot(run_cli, mirror, "--since", DAY, "--until", DAY)
    assert code == 0 and "1 updated" in out, err
    paper = read_paper(paper_path(content, paper_id))
    assert paper.notes == "Written meanwhile." and paper.upvotes == fake_hub.days[DAY][0]["paper"]["upvotes"]
