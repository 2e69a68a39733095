"""ledger: content/ledger.yml round-trips, and a hand-corrupted one is named by file and line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from papermirror.content.ledger import (
    FAILURE_CHARS,
    FAILURES_KEPT,
    LastRun,
    Ledger,
    read_ledger,
    write_ledger,
)
from papermirror.errors import ContentError

HEADER = "# a comment line, as the tool writes\n"
GOOD = "    listed: 1\n    kept: 1\n    fetched: '2025-03-14T00:00:00Z'\n"


@pytest.mark.parametrize(
    "body, line, words",
    [
        ("days:\n  '2025-03-14':\n    listed: 1\n    kept: 1\n    fetched: yesterday\n", 6, "days: 2025-03-14: fetched: not a time"),
        ("days:\n  '2025-03-14': [1, 2]\n", 3, "days: 2025-03-14: must be a table of listed, kept, fetched"),
        ("days:\n  '2025-03-14':\n  - 1\n", 3, "days: 2025-03-14: must be a table"),
        (f"days:\n  '2025-02-30':\n{GOOD}", 3, "days: '2025-02-30' is not a day in the form YYYY-MM-DD"),
        (f"days:\n  2025-13-01:\n{GOOD}", 3, "days: '2025-13-01' is not a day in the form YYYY-MM-DD"),
        ("days:\n  '2025-03-14':\n    listed: many\n    kept: 1\n    fetched: '2025-03-14T00:00:00Z'\n", 4,
         "days: 2025-03-14: listed: must be a whole number of 0 or more"),
        ("days:\n  '2025-03-14':\n    listed: 1\n    kept: -1\n    fetched: '2025-03-14T00:00:00Z'\n", 5, "kept: must be a whole number"),
        ("days:\n  '2025-03-14':\n    listed: 1\n    kept: 0\n    skipped: yes\n    fetched: '2025-03-14T00:00:00Z'\n", 6,
         "skipped: must be a whole number"),
        ("days:\n  '2025-03-14':\n    listed: 1\n    fetched: '2025-03-14T00:00:00Z'\n", 3, "days: 2025-03-14: kept: missing"),
        # the about page and status said "dropped -6" (listed less kept less skipped)
        ("days:\n  '2025-03-14':\n    listed: 4\n    kept: 10\n    fetched: '2025-03-14T00:00:00Z'\n", 5,
         "days: 2025-03-14: kept 10 is more than listed 4"),
        ("queries:\n  masked:\n    listed: 4\n    kept: 3\n    skipped: 2\n    fetched: '2025-03-14T00:00:00Z'\n", 5,
         "queries: 'masked': kept 3 and skipped 2 add up to more than listed 4"),
        (f"days:\n  '2025-03-14':\n{GOOD}    colour: red\n", 7, "days: 2025-03-14: unknown key(s): colour"),
        (f"days:\n  '2025-03-14':\n{GOOD}    recheck: maybe\n", 7, "recheck: must be true"),
        ("days: [2025-03-14]\n", 2, "days: must be a table"),
        ("queries:\n  masked autoencoder: 3\n", 3, "queries: 'masked autoencoder': must be a table"),
        ("weeks: {}\n", 2, "unknown key(s): weeks"),
        (f"days:\n  '2025-03-14': &a\n{GOOD}  '2025-03-15': *a\n", 7, "YAML aliases"),
        ("- a\n", 2, "must be a mapping"),
        ("days: [oops\n", 3, "bad YAML in the ledger"),
        (f"days:\n  '2025-03-14':\n{GOOD}  '2025-03-14':\n{GOOD}", 7, "the key '2025-03-14' is written twice"),
        ("rule: 29d8fe2c562d\n", 2, "rule: must be a table of digest (and since)"),
        ("rule:\n  digest: not hex!\n", 2, "rule: digest: not a digest of the topic rule"),
        ("rule:\n  digest: 29d8fe2c562d\n  since: last week\n", 2, "rule: since: not a time"),
        ("rule:\n  digest: 29d8fe2c562d\n  colour: red\n", 2, "rule: must be a table of digest"),
        ("failing: yes\n", 2, "failing: must be a table of ran"),
        ("rule:\n  digest: 29d8fe2c562d\nfailing:\n  ran: '2025-03-14T08:00:00Z'\n  failed: 0\n  failures: []\n", 4,
         "failing: must be a table of ran"),  # a run that failed on nothing is no failing run
        ("failing:\n  ran: '2025-03-14T08:00:00Z'\n  failed: 1\n  failures: [a, b]\n", 2, "no more than failed"),
        ("failing:\n  ran: yesterday\n  failed: 1\n  failures: [a]\n", 2, "failing: must be a table of ran"),
        ("failing:\n  ran: '2025-03-14T08:00:00Z'\n  failed: 1\n", 2, "failing: must be a table of ran"),
    ],
)
def test_a_hand_corrupted_ledger_is_named_with_file_and_line(tmp_path: Path, body: str, line: int, words: str) -> None:
    (tmp_path / "ledger.yml").write_text(HEADER + body)
    with pytest.raises(ContentError) as error:
        read_ledger(tmp_path)
    assert str(error.value).startswith(f"{tmp_path / 'ledger.yml'}:{line}: ")
    assert words in str(error.value)


def test_hand_written_dates_and_times_are_read(tmp_path: Path) -> None:
    text = "days:\n  2025-03-14:\n    listed: 2\n    kept: 1\n    fetched: 2025-03-14 08:00:00\n    recheck: true\n"
    (tmp_path / "ledger.yml").write_text(text + "queries:\n  7:\n    listed: 0\n    kept: 0\n    fetched: 2025-03-14T08:00:00Z\n")
    ledger = read_ledger(tmp_path)
    assert ledger.days == {"2025-03-14": {"listed": 2, "kept": 1, "fetched": "2025-03-14T08:00:00Z", "recheck": True}}
    assert ledger.queries == {"7": {"listed": 0, "kept": 0, "fetched": "2025-03-14T08:00:00Z"}}


def test_an_empty_or_missing_ledger_is_empty(tmp_path: Path) -> None:
    assert read_ledger(tmp_path) == Ledger()
    (tmp_path / "ledger.yml").write_text(HEADER)
    assert read_ledger(tmp_path) == Ledger()
    (tmp_path / "ledger.yml").write_text("days:\nqueries:\n")
    assert read_ledger(tmp_path) == Ledger()


def test_the_recheck_marker_round_trips(tmp_path: Path) -> None:
    ledger = Ledger()
    ledger.record_day("2025-03-14", 0, 0, "2025-03-14T08:00:00Z", recheck=True)
    ledger.record_day("2025-03-15", 0, 0, "2025-03-15T08:00:00Z")
    write_ledger(tmp_path, ledger)
    assert read_ledger(tmp_path) == ledger
    assert ledger.was_empty("2025-03-14") and not ledger.was_empty("2025-03-16")


def test_a_failing_run_is_recorded_until_a_run_fetches_all_it_asks(tmp_path: Path) -> None:
    """The ledger's `failing`: written by a run that failed on some days or queries (the first few named, each
    clipped), read back as it was written, and gone after a run that failed on nothing."""
    ledger = Ledger()
    ledger.record_day("2025-03-14", 2, 1, "2025-03-14T08:00:00Z")
    failures = [f"day 2025-03-{day}: HTTP 503 " + "x" * 400 for day in range(15, 22)]
    assert ledger.note_run(LastRun.of("2025-03-21T06:23:00Z", failures))
    write_ledger(tmp_path, ledger)
    text = (tmp_path / "ledger.yml").read_text()
    assert "\nfailing:\n  ran: '2025-03-21T06:23:00Z'\n  failed: 7\n  failures:\n  - 'day 2025-03-15: HTTP 503" in text
    read = read_ledger(tmp_path)
    assert read == ledger and read.failing.failed == 7 and len(read.failing.failures) == FAILURES_KEPT
    assert all(len(failure) == FAILURE_CHARS for failure in read.failing.failures)
    assert not read.note_run(LastRun.of("2025-03-21T06:23:00Z", failures)), "the same run again: no change"
    assert read.note_run(LastRun.of("2025-03-22T06:23:00Z", failures)), "a later run failing on the same days"
    assert read.note_run(LastRun.of("2025-03-23T06:23:00Z", [])) and read.failing is None
    assert not read.note_run(LastRun.of("2025-03-24T06:23:00Z", [])), "a run without failures after one: no change"
    write_ledger(tmp_path, read)
    assert "failing" not in (tmp_path / "ledger.yml").read_text().replace("# failing =", "")
    assert read_ledger(tmp_path) == Ledger(days=ledger.days)


def test_a_run_that_withheld_empty_answers_counts_them_and_names_them_in_one_line(tmp_path: Path) -> None:
    """A run that looked broken failed on two days and withheld 20 empty answers: 22 not fetched, the two days named
    and one line for the 20, none left unnamed (status said "... and 20 more" of the 20 the line spoke of)."""
    run = LastRun.of("2025-03-21T06:23:00Z", ["day 2025-03-15: HTTP 503", "day 2025-03-16: HTTP 503"], 20,
                     "the hub listed no paper on any of the 19 days asked")
    assert (run.failed, run.withheld, len(run.failures), run.unnamed) == (22, 20, 3, 0)
    ledger = Ledger()
    ledger.note_run(run)
    write_ledger(tmp_path, ledger)
    assert read_ledger(tmp_path).failing == run
    assert LastRun.of("2025-03-21T06:23:00Z", [f"day {n}" for n in range(9)], 4, "x").unnamed == 4
    for odd in ({"withheld": 30}, {"withheld": -1}, {"withheld": "20"}, {"withheld": 1, "failures": []},
                {"failed": 3, "failures": ["a", "b", "c"], "withheld": 2}):  # 3 lines: one more than 3 - 2 + 1
        (tmp_path / "ledger.yml").write_text(yaml.safe_dump({"failing": {**run.to_data(), **odd}}))
        with pytest.raises(ContentError, match="failing: must be") as caught:
            read_ledger(tmp_path)
        assert "no more than failed - withheld + 1" in str(caught.value)
        assert f"(withheld: {odd['withheld']!r})" in str(caught.value)  # (the value shown is cut before it: the review)


def test_status_names_a_corrupted_ledger_without_a_traceback(mirror: Path, run_cli) -> None:
    (mirror / "content" / "ledger.yml").write_text("days:\n  '2025-03-14':\n    listed: 1\n    kept: 1\n    fetched: yesterday\n")
    code, _, err = run_cli("status", config=mirror / "mirror.yml")
    assert code == 2 and f"{mirror / 'content' / 'ledger.yml'}:5: days: 2025-03-14: fetched" in err
    assert "Traceback" not in err


def test_a_change_of_rule_is_recorded_and_each_day_counted_again_when_fetched(tmp_path: Path) -> None:
    """An older ledger (no rule) takes the first rule as the one it always had; a different rule takes effect from the
    run that brings it, and a day fetched since is counted again (its `fetched` moves even when its counts do not)."""
    ledger = Ledger()
    ledger.record_day("2025-03-13", 10, 2, "2025-03-13T08:00:00Z")
    ledger.record_day("2025-03-14", 12, 3, "2025-03-14T08:00:00Z")
    ledger.note_rule("aaaaaaaaaaaa", "2025-03-15T08:00:00Z")
    assert (ledger.rule, ledger.rule_since, ledger.days_counted_before()) == ("aaaaaaaaaaaa", None, 0)
    ledger.note_rule("aaaaaaaaaaaa", "2025-03-16T08:00:00Z")  # the same rule: nothing changes
    assert ledger.rule_since is None
    ledger.note_rule("bbbbbbbbbbbb", "2025-03-17T08:00:00Z")
    assert (ledger.rule, ledger.rule_since, ledger.days_counted_before()) == ("bbbbbbbbbbbb", "2025-03-17T08:00:00Z", 2)
    ledger.record_day("2025-03-14", 12, 3, "2025-03-17T08:00:00Z")  # the same counts, under the new rule
    assert ledger.days["2025-03-14"]["fetched"] == "2025-03-17T08:00:00Z" and ledger.days_counted_before() == 1
    ledger.record_day("2025-03-14", 12, 3, "2025-03-18T08:00:00Z")  # counted under it already: no byte moves
    assert ledger.days["2025-03-14"]["fetched"] == "2025-03-17T08:00:00Z"
    write_ledger(tmp_path, ledger)
    assert "rule:\n  digest: bbbbbbbbbbbb\n  since: '2025-03-17T08:00:00Z'\ndays:" in (tmp_path / "ledger.yml").read_text()
    assert read_ledger(tmp_path) == ledger
