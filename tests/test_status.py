"""status: the archive's health from content/ and mirror.yml, as text and JSON; exit 1 when stale."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from papermirror.content.coverage import day_ranges, read_last_run, record_last_run
from papermirror.content.ledger import LastRun, Ledger, read_ledger, write_ledger
from papermirror.content.paper import format_stamp

NOW = dt.datetime.now(dt.timezone.utc)
TODAY = NOW.date()


def day(offset: int) -> str:
    return (TODAY - dt.timedelta(days=offset)).isoformat()


def stamp(days_ago: float) -> str:
    return (NOW - dt.timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")



def record_run(cache_dir: Path, when: dt.datetime, failures: list[str] | None = None) -> None:
    """This machine's record of a snapshot run at `when` that failed on `failures` (as snapshot keeps it)."""
    record_last_run(cache_dir, LastRun.of(format_stamp(when), failures or []))

@pytest.fixture(autouse=True)
def status_at_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """`status` reads the clock, and these tests count their days from NOW: the same instant for both, so that a run
    across midnight UTC (CI ran one at 23:56) cannot see two different todays."""
    from papermirror.ops import status

    collect, describe = status.collect_status, status.format_status
    monkeypatch.setattr(status, "collect_status", lambda config, now=None: collect(config, now or NOW))
    monkeypatch.setattr(status, "format_status", lambda report, now=None: describe(report, now or NOW))


@pytest.fixture
def archive(tmp_path: Path, shipped_content: Path) -> Path:
    """since = 9 days ago; fetched: days 9, 8 (empty), 5, 1 (empty), 0; never: 7-6 and 4-2."""
    (tmp_path / "mirror.yml").write_text(
        f"listing:\n  queries: [masked autoencoder, new query]\n  since: {day(9)}\n", encoding="utf-8")
    shutil.copytree(shipped_content / "papers", tmp_path / "content" / "papers")
    return tmp_path


def write_days(folder: Path, fetched_days_ago: float) -> None:
    ledger = Ledger()
    for offset, listed in ((9, 12), (8, 0), (5, 30), (1, 0), (0, 7)):
        ledger.record_day(day(offset), listed, listed // 2, stamp(fetched_days_ago + offset / 10))
    ledger.record_query("masked autoencoder", 40, 40, stamp(fetched_days_ago + 2))
    ledger.record_query("an old query", 3, 1, stamp(30))
    write_ledger(folder / "content", ledger)


def test_status_reports_days_ranges_and_queries(archive, run_cli) -> None:
    write_days(archive, fetched_days_ago=0)
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert code == 0
    papers = len(list((archive / "content" / "papers").glob("*/*.md")))
    assert f"papers:        {papers} in content/papers" in out
    assert f"last snapshot: {stamp(0)}" in out
    assert f"{day(9)} to {day(0)}: 10 days" in out
    assert "3 with papers, 2 empty" in out
    assert "never fetched: 5 in 2 range(s)" in out
    assert f"    {day(7)} .. {day(6)}\n    {day(4)} .. {day(2)}\n" in out
    assert "'masked autoencoder': 40 listed, 40 kept; last changed" in out
    assert "'new query': never fetched" in out
    assert "'an old query' (no longer in mirror.yml): 3 listed, 1 kept" in out
    assert "topic rule:    kept 24 of the 49 listings of those days (passed by the rule, or stored already: from a query, or kept by an earlier rule), dropped 25" in out
    assert out.rstrip().endswith(f"INCOMPLETE: 5 days since listing.since ({day(9)}) never fetched, from {day(7)} to "
                                 f"{day(2)}; `python build.py snapshot` fetches every missing day")
    assert code == 0  # fresh, only not complete: a scheduled check alerts on staleness


def test_status_is_up_to_date_only_when_every_day_is_fetched(archive, run_cli) -> None:
    ledger = Ledger()
    for offset in range(10):
        ledger.record_day(day(offset), 5, 1, stamp(0))
    write_ledger(archive / "content", ledger)
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert code == 0 and "never fetched: 0 in 0 range(s)" in out
    assert out.rstrip().endswith("ok: the archive is up to date: recent days fetched and every day since listing.since")
    report = json.loads(run_cli("status", "--json", config=archive / "mirror.yml")[1])
    assert report["up_to_date"] is True and report["fetch_missing_command"] is None


def test_status_json_is_for_scripts(archive, run_cli) -> None:
    write_days(archive, fetched_days_ago=0)
    code, out, _ = run_cli("status", "--json", config=archive / "mirror.yml")
    assert code == 0
    report = json.loads(out)
    assert report["stale"] is False and report["last_snapshot"] == stamp(0)
    assert report["days_expected"] == 10 and report["days_with_papers"] == 3
    assert report["days_empty"] == [day(8), day(1)]
    assert report["days_missing"] == 5
    assert report["missing_ranges"] == [[day(7), day(6)], [day(4), day(2)]]
    assert report["up_to_date"] is False and report["fetch_missing_command"] == "python build.py snapshot"
    assert report["stream_listed"] == 12 + 30 + 7 and report["stream_kept"] == 6 + 15 + 3
    assert [(q["query"], q["in_config"], q["listed"]) for q in report["queries"]] == [
        ("masked autoencoder", True, 40), ("new query", True, None), ("an old query", False, 3)]


def test_the_stream_counts_only_the_days_from_listing_since(archive, run_cli) -> None:
    """With listing.since moved forward, status said "kept 124 of the 9881 listings of those days": every day the
    ledger held was counted (the ops review)."""
    write_days(archive, fetched_days_ago=0)
    ledger = read_ledger(archive / "content")
    ledger.record_day(day(40), 100, 60, stamp(40))  # fetched by an earlier, wider backfill
    write_ledger(archive / "content", ledger)
    report = json.loads(run_cli("status", "--json", config=archive / "mirror.yml")[1])
    assert report["since"] == day(9) and report["stream_listed"] == 12 + 30 + 7 and report["stream_kept"] == 6 + 15 + 3


def test_status_exits_1_when_no_snapshot_ran_for_three_days(archive, run_cli) -> None:
    write_days(archive, fetched_days_ago=3.5)
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert code == 1
    assert "STALE: no snapshot in the last 3 days" in out
    code, out, _ = run_cli("status", "--json", config=archive / "mirror.yml")
    assert code == 1 and json.loads(out)["stale"] is True


def test_status_of_an_archive_never_snapshotted(archive, run_cli) -> None:
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert code == 1
    assert "last snapshot: never" in out
    assert f"never fetched: 10 in 1 range(s)\n    {day(9)} .. {day(0)}" in out


def test_status_without_daily_papers_expects_no_days(archive, run_cli) -> None:
    (archive / "mirror.yml").write_text("listing:\n  daily: false\n  queries: [masked autoencoder]\n")
    write_days(archive, fetched_days_ago=0)
    code, out, _ = run_cli("status", "--json", config=archive / "mirror.yml")
    report = json.loads(out)
    assert code == 0 and report["days_expected"] == 0 and report["missing_ranges"] == []


def test_a_mirror_of_queries_alone_is_not_stale_because_nothing_changed(archive, run_cli) -> None:
    """Its ledger moves only when a query's answer changes: a quiet topic read STALE (exit 1) every day after a
    successful run. Without this machine's record of a run it says only when the last change was; with one, when
    the run was, and is stale from it."""
    (archive / "mirror.yml").write_text("listing:\n  daily: false\n  queries: [masked autoencoder]\n")
    write_days(archive, fetched_days_ago=5)
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert code == 0 and "STALE" not in out, out
    assert f"last change:   {stamp(5)} (5 days ago); when the last snapshot ran is not known here" in out
    assert out.strip().splitlines()[-1].startswith("ok: every query of mirror.yml fetched")
    code, out, _ = run_cli("status", "--json", config=archive / "mirror.yml")
    assert code == 0 and json.loads(out)["stale"] is False and json.loads(out)["last_run"] is None
    record_run(archive / ".cache", NOW - dt.timedelta(hours=2))
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert code == 0 and f"last snapshot: {stamp(2 / 24)} (0 days ago)" in out, out
    (archive / "mirror.yml").write_text("listing:\n  daily: false\n  queries: [masked autoencoder, new query]\n")
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert code == 0 and out.strip().splitlines()[-1] == (
        "INCOMPLETE: 1 of mirror.yml's queries never fetched ('new query'); `python build.py snapshot` fetches them")
    record_run(archive / ".cache", NOW - dt.timedelta(days=4))  # the last run this machine made: 4 days ago
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert code == 1 and "STALE" in out


def test_runs_that_fail_on_the_newest_days_are_failing_not_stale(archive, run_cli) -> None:
    """A hub failing on the newest days: each daily run fetched the others and failed on those, recorded nothing, and
    `status` said STALE, "no snapshot in the last 3 days", as if the schedule had stopped (the long-running mirror
    review). The last run is recorded with what it failed on, and the verdict says so (exit 1)."""
    write_days(archive, fetched_days_ago=4)
    failures = [f"day {day(offset)}: hub answered HTTP 500 for http://hub/api/daily_papers?date={day(offset)}"
                for offset in range(7)]
    record_run(archive / ".cache", NOW - dt.timedelta(hours=3), failures)
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert code == 1 and "STALE" not in out, out
    assert f"last snapshot: {stamp(3 / 24)} (0 days ago)" in out
    assert (f"last run:      {stamp(3 / 24)} failed on 7 day(s) or query(ies) (not counted as fetched: the next "
            f"snapshot asks again):\n    {failures[0]}\n") in out
    assert "    ... and 2 more (the run's output names each)" in out and failures[5] not in out
    assert out.strip().splitlines()[-1] == (f"FAILING: the last snapshot ({stamp(3 / 24)}) could not fetch 7 day(s) or "
                                            "query(ies) (above); `python build.py snapshot` asks again; 5 day(s) since "
                                            "listing.since never fetched")
    report = json.loads(run_cli("status", "--json", config=archive / "mirror.yml")[1])
    assert report["last_run_failed"] == 7 and report["last_run_failures"] == failures[:5] and not report["up_to_date"]
    record_run(archive / ".cache", NOW - dt.timedelta(hours=1))  # the next run fetched them all
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert "FAILING" not in out and "last run:" not in out and out.strip().splitlines()[-1].startswith("INCOMPLETE")
    (archive / ".cache" / "last-snapshot.json").write_text(json.dumps({"ran": stamp(1 / 24), "failed": True}))
    assert "FAILING" not in run_cli("status", config=archive / "mirror.yml")[1]  # not a record of a run: none
    (archive / ".cache" / "last-snapshot.json").write_text(json.dumps({"ran": stamp(1 / 24)}))  # an earlier version's
    assert read_last_run(archive / ".cache") == LastRun(stamp(1 / 24)), "the time alone: a run, without failures"
    record_run(archive / ".cache", NOW - dt.timedelta(days=4), failures)  # and none since: stale after all
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert code == 1 and out.strip().splitlines()[-1].startswith("STALE")


def test_a_run_that_failed_elsewhere_is_failing_in_every_clone(archive, run_cli) -> None:
    """The publish workflow's snapshot keeps no .cache/: on a fresh clone of a mirror whose daily runs fail on the
    newest days, `status` said STALE (no run for days). The ledger records the failing run; this machine's own
    record wins only when it is newer."""
    from papermirror.content.ledger import LastRun, read_ledger

    write_days(archive, fetched_days_ago=4)
    ledger = read_ledger(archive / "content")
    failures = [f"day {day(offset)}: HTTP 503" for offset in range(2)]
    ledger.note_run(LastRun.of(stamp(5 / 24), failures))
    write_ledger(archive / "content", ledger)
    assert not (archive / ".cache").exists()
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert code == 1 and out.strip().splitlines()[-1].startswith(
        f"FAILING: the last snapshot ({stamp(5 / 24)}) could not fetch 2 day(s) or query(ies)"), out
    assert f"last snapshot: {stamp(5 / 24)} (0 days ago)" in out and f"    {failures[1]}\n" in out
    record_run(archive / ".cache", NOW - dt.timedelta(hours=6))  # this machine's run, before the failing one
    assert run_cli("status", config=archive / "mirror.yml")[1].strip().splitlines()[-1].startswith("FAILING")
    record_run(archive / ".cache", NOW - dt.timedelta(hours=1))  # and one after it, which fetched all it asked
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert "FAILING" not in out and out.strip().splitlines()[-1].startswith("INCOMPLETE"), out


def test_a_later_run_elsewhere_that_failed_on_nothing_ends_this_machine_s_failing(archive, run_cli) -> None:
    """This machine's snapshot failed on a day; the workflow's later run fetched it, removed `failing` and was
    pulled: `status` still said FAILING from this machine's old record (the diff review)."""
    write_days(archive, fetched_days_ago=1)  # the newest day fetched elsewhere 1 day ago, no failure on record
    record_run(archive / ".cache", NOW - dt.timedelta(days=2), [f"day {day(0)}: HTTP 500"])
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert "FAILING" not in out and "last run:" not in out, out
    record_run(archive / ".cache", NOW - dt.timedelta(hours=2), [f"day {day(0)}: HTTP 500"])  # failed since
    assert run_cli("status", config=archive / "mirror.yml")[1].strip().splitlines()[-1].startswith("FAILING")


def test_status_with_listing_since_after_today_says_so(archive, run_cli) -> None:
    """It said 'listing.daily is off', though daily was on."""
    (archive / "mirror.yml").write_text("listing:\n  since: 2999-01-01\n  queries: [masked autoencoder]\n")
    write_days(archive, fetched_days_ago=0)
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert "listing.since (2999-01-01) is after today" in out and "daily is off" not in out
    # and not "ok": a typo of the year fetched nothing, every day, with green runs (the fork review)
    assert out.strip().splitlines()[-1] == (f"WAITING: listing.since (2999-01-01) is after today ({TODAY}): no Daily "
                                            "Papers day is fetched before then; if that is a typo, correct it in mirror.yml")


def test_status_names_a_bad_ledger(archive, run_cli) -> None:
    (archive / "content" / "ledger.yml").write_text("days: [1, 2]\n")
    code, _, err = run_cli("status", config=archive / "mirror.yml")
    assert code == 2 and "ledger.yml" in err


def test_day_ranges_folds_consecutive_days() -> None:
    days = ["2024-02-28", "2024-02-29", "2024-03-01", "2024-03-03", "2024-12-31", "2025-01-01"]
    assert day_ranges(days) == [("2024-02-28", "2024-03-01"), ("2024-03-03", "2024-03-03"),
                                ("2024-12-31", "2025-01-01")]
    assert day_ranges([]) == []


def test_status_reports_on_a_checkout_it_cannot_write(archive, run_cli) -> None:
    """status only reads, but saving the parsed papers' cache failed it (exit 1, no report) on a read-only
    checkout or a full disk."""
    write_days(archive, fetched_days_ago=0)
    (archive / ".cache").write_text("not a folder", encoding="utf-8")  # as a read-only .cache/ fails the save
    code, out, err = run_cli("status", config=archive / "mirror.yml")
    assert code == 0 and "papers:" in out and "not saved" in err and "Traceback" not in err


def test_a_snapshot_time_in_the_future_is_said_to_be_a_wrong_clock(archive, run_cli) -> None:
    """A ledger written by a machine whose clock ran years ahead said "(-26327 days ago)" and was never stale."""
    write_days(archive, fetched_days_ago=-400)
    code, out, _ = run_cli("status", config=archive / "mirror.yml")
    assert code == 1 and "(in the future: the clock of this machine, or of the one that fetched it, is wrong)" in out
    assert "days ago" not in out.splitlines()[1]
