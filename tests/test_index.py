"""The index stage: `build.py build` ends by running Pagefind over site/ into site/pagefind/."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from archive import PAPERS, write_archive


@pytest.fixture
def archive(mirror: Path) -> Path:
    write_archive(mirror / "content")
    return mirror


def index_record(mirror: Path) -> dict:
    """The index stage's record of its indexes (pages, bundle, bytes: YEARS_FILE), kept in .cache/, not in site/."""
    from papermirror.config import load_config
    from papermirror.search import pagefind

    config = load_config(mirror / "mirror.yml")
    assert not (config.site_dir / "pagefind" / "years.json").exists(), "the record is the build's, not the site's"
    return json.loads(pagefind.cache_file(config, config.site_dir, pagefind.YEARS_FILE).read_text(encoding="utf-8"))


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file() and not p.relative_to(site).as_posix().startswith("pagefind/")}


def test_build_indexes_only_the_paper_pages(archive, run_cli):
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert f"index: {len(PAPERS)} pages," in out
    bundle = archive / "site/pagefind"
    for name in ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json"):
        assert (bundle / name).is_file(), name
    assert not list(bundle.glob("pagefind-*ui*")) and not (bundle / "pagefind-highlight.js").exists()
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert sum(language["page_count"] for language in entry["languages"].values()) == len(PAPERS)
    assert not [p.name for p in (archive / "site").iterdir() if p.name.startswith(".")]


def test_rest_of_site_is_byte_identical_between_builds(archive, run_cli):
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    first = site_files(archive / "site")
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    assert site_files(archive / "site") == first
    assert (archive / "site/pagefind/pagefind.js").is_file()


def test_no_index_skips_pagefind(archive, run_cli):
    code, out, _ = run_cli("build", "--no-index", config=archive / "mirror.yml")
    assert code == 0 and "index:" not in out
    assert not (archive / "site/pagefind").exists()


def crash_pagefind(folder: Path, monkeypatch) -> None:
    """From now on, Pagefind crashes as Pagefind 1.5 does on an output folder it cannot make (PAGEFIND_BINARY_PATH)."""
    from papermirror.search import pagefind as index

    crash = folder / "crashing-pagefind"
    crash.write_text("#!/bin/sh\necho 'Running Pagefind'\n"
                     "echo \"thread 'main' panicked at pagefind/src/output/mod.rs:422:46:\" >&2\n"
                     "echo 'called `Result::unwrap()` on an `Err` value: Os { code: 13, kind: PermissionDenied }' >&2\n"
                     "echo 'stack backtrace:' >&2\necho '   0: __rustc::rust_begin_unwind' >&2\n"
                     "echo '             at /rustc/library/std/src/panicking.rs:697:5' >&2\n"
                     "echo 'note: Some details are omitted, run with RUST_BACKTRACE=full' >&2\nexit 101\n")
    crash.chmod(0o755)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(crash))
    index.pagefind_start.cache_clear()  # an earlier build found the real one


def test_pagefind_failure_names_it_and_keeps_the_old_index(archive, run_cli, monkeypatch, fresh_start):
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    old = (archive / "site/pagefind/pagefind-entry.json").read_bytes()
    write_archive(archive / "content", (PAPERS[0].replace(upvotes=(PAPERS[0].upvotes or 0) + 1),))
    crash_pagefind(archive, monkeypatch)
    code, _out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 1 and "Traceback" not in err
    assert err.startswith("error: Pagefind failed with exit code 101:\nRunning Pagefind\n"
                          "thread 'main' panicked at pagefind/src/output/mod.rs:422:46:\ncalled `Result::unwrap()`")
    assert "backtrace" not in err and "rust_begin_unwind" not in err and "panicking.rs" not in err and "note:" not in err
    assert (archive / "site/pagefind/pagefind-entry.json").read_bytes() == old


def test_a_folder_the_index_cannot_be_written_to_is_named_before_pagefind_runs(archive, run_cli, monkeypatch):
    """site/ not writable: Pagefind crashed with a Rust backtrace (the user-mistakes review). Root writes anywhere,
    so the refusal is the file system's answer, given by a stand-in of os.mkdir for the index's working folder."""
    import errno
    import os

    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    old = (archive / "site/pagefind/pagefind-entry.json").read_bytes()
    write_archive(archive / "content", (PAPERS[0].replace(upvotes=(PAPERS[0].upvotes or 0) + 1),))
    real_mkdir = os.mkdir

    def refuse(path, *args, **kwargs):
        if str(path).endswith(".pagefind-new"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", refuse)
    code, _out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 1 and "Traceback" not in err and "Pagefind" not in err
    assert err.startswith(f"error: {archive / 'site/.pagefind-new'}: Permission denied; every file written before it")
    assert (archive / "site/pagefind/pagefind-entry.json").read_bytes() == old


def test_a_file_where_the_index_s_working_folder_goes_is_removed(archive, run_cli):
    """Pagefind crashed on a file in the way of its output folder, every build, until someone deleted it."""
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    write_archive(archive / "content", (PAPERS[0].replace(upvotes=(PAPERS[0].upvotes or 0) + 1),))
    (archive / "site/.pagefind-new").write_text("a file where Pagefind wants its output folder")
    code, _out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0 and not (archive / "site/.pagefind-new").exists(), err


def test_a_failed_index_leaves_no_half_made_bundle_in_site(archive, run_cli, monkeypatch):
    """Pagefind failing half-way (or a stop) left site/.pagefind-new/, published with the site, until an index ran."""
    from papermirror.search import pagefind as index

    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    write_archive(archive / "content", (PAPERS[0].replace(upvotes=(PAPERS[0].upvotes or 0) + 1),))

    def half_way(site_dir, fresh, *args):
        (fresh / "fragment").mkdir(parents=True)
        (fresh / "fragment/part.pf_fragment").write_bytes(b"half")
        raise index.PagefindError("Pagefind failed with exit code 101: stopped half-way")

    monkeypatch.setattr(index, "run_pagefind_shards", half_way)
    code, _out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 1 and "stopped half-way" in err
    assert not (archive / "site/.pagefind-new").exists() and (archive / "site/pagefind/pagefind-entry.json").is_file()


def test_an_empty_archive_builds_with_a_warning(mirror, run_cli):
    code, out, err = run_cli("build", config=mirror / "mirror.yml")
    assert code == 0, err
    assert "index: 0 pages" in out and "search will find nothing" in err
    # no index, and a list of none: the search page tells an empty archive from an index it could not load
    bundle = mirror / "site" / "pagefind"
    assert [p.name for p in bundle.iterdir()] == ["shards.json"] and json.loads((bundle / "shards.json").read_text()) == []


def test_a_big_archive_gets_one_index_per_year_listed_for_merging(archive, run_cli, monkeypatch):
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)  # an index holds at most 2 pages: the fixture's 5 are split
    monkeypatch.setattr(index, "ONE_INDEX_UP_TO", 2 // 2)  # split small archives too
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert f"index: {len(PAPERS)} pages," in out and "(5 indexes, 0 unchanged)" in out
    bundle = archive / "site/pagefind"
    listed = json.loads((bundle / "shards.json").read_text(encoding="utf-8"))
    # newest first: the newest month (2503) in site/pagefind/ itself, the rest of its quarter (2502), then each year
    assert [shard["bundle"] for shard in listed] == ["", "2025-q1/", "2024/", "2023/", "2021/"]
    months = {"": ("2503",), "2025-q1/": ("2502",), "2024/": ("24",), "2023/": ("23",), "2021/": ("21",)}
    for shard in listed:
        entry = json.loads((bundle / shard["bundle"] / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert sum(language["page_count"] for language in entry["languages"].values()) == shard["pages"] == sum(
            1 for paper in PAPERS if paper.id.startswith(months[shard["bundle"]]))
    # words: what Pagefind counts of each page (the mean is its average page length), from its fragments
    assert all(shard["words"] >= 10 * shard["pages"] for shard in listed)


def test_a_small_archive_lists_no_shards(archive, run_cli):
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    listed = json.loads((archive / "site/pagefind/shards.json").read_text(encoding="utf-8"))
    assert [(shard["bundle"], shard["pages"]) for shard in listed] == [("", len(PAPERS))]
    assert not [p for p in (archive / "site/pagefind").iterdir() if p.is_dir() and p.name.isdigit()]


def test_a_rebuild_keeps_the_index_of_each_year_whose_pages_did_not_change(archive, run_cli, monkeypatch):
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)
    monkeypatch.setattr(index, "ONE_INDEX_UP_TO", 2 // 2)  # split small archives too
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert "(5 indexes, 5 unchanged)" in out
    bundle = archive / "site/pagefind"
    before = {shard["bundle"]: shard["index"] for shard in json.loads((bundle / "shards.json").read_text(encoding="utf-8"))}
    paper = next(paper for paper in PAPERS if paper.id.startswith("23"))
    write_archive(archive / "content", (paper.replace(upvotes=(paper.upvotes or 0) + 1000),))
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert f"index: {len(PAPERS)} pages," in out and "(5 indexes, 4 unchanged)" in out
    # shards.json names each index by Pagefind's hashes: only the redone one's change, so a search page opened
    # before (layouts/static/search.js) sees from this one file that an older index was replaced
    after = {shard["bundle"]: shard["index"] for shard in json.loads((bundle / "shards.json").read_text(encoding="utf-8"))}
    assert all(value.startswith("en_") for value in after.values())
    assert [key for key in after if after[key] != before[key]] == ["2023/"]
    for key, value in after.items():
        entry = json.loads((bundle / key / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert value == " ".join(sorted(language["hash"] for language in entry["languages"].values()))
    years = index_record(archive)
    assert sum(year["pages"] for year in years.values()) == len(PAPERS)
    for year in years.values():
        assert (bundle / year["bundle"] / "pagefind-entry.json").is_file()
    assert not [p.name for p in (archive / "site").iterdir() if p.name.startswith(".")]


def test_a_record_that_does_not_describe_the_bundles_in_place_is_not_trusted(archive, run_cli, monkeypatch):
    """A build killed after putting its bundles in place but before writing their record leaves the previous
    record, whose bundles may have moved (the newest index moves out of site/pagefind/ when the next month or
    quarter starts): such a record disagrees with the bundles' shards.json, and every index is made again."""
    from papermirror.config import load_config
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)
    monkeypatch.setattr(index, "ONE_INDEX_UP_TO", 2 // 2)  # split small archives too
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    config = load_config(archive / "mirror.yml")
    record_file = index.cache_file(config, config.site_dir, index.YEARS_FILE)
    record = index_record(archive)
    first, second = list(record)[:2]
    record[first]["bundle"], record[second]["bundle"] = record[second]["bundle"], record[first]["bundle"]
    record_file.write_text(json.dumps(record), encoding="utf-8")  # two indexes' folders swapped: a stale record
    assert index.read_index_record(config, config.site_dir) == {}
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0 and "(5 indexes, 0 unchanged)" in out, out + err
    assert index.read_index_record(config, config.site_dir) == index_record(archive)
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0 and "(5 indexes, 5 unchanged)" in out, out + err


def test_a_failed_run_of_a_big_archive_keeps_every_year_of_the_old_index(archive, run_cli, monkeypatch, fresh_start):
    """Unchanged years are moved into the new index only after every changed year was indexed."""
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)
    monkeypatch.setattr(index, "ONE_INDEX_UP_TO", 2 // 2)  # split small archives too
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    bundle = archive / "site/pagefind"
    before = {path.relative_to(bundle): path.read_bytes() for path in bundle.rglob("pagefind-entry.json")}
    assert len(before) == 5
    paper = next(paper for paper in PAPERS if paper.id.startswith("23"))
    write_archive(archive / "content", (paper.replace(upvotes=(paper.upvotes or 0) + 1000),))
    crash_pagefind(archive, monkeypatch)
    code, _out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 1 and "error: Pagefind failed" in err and "Traceback" not in err
    assert {path.relative_to(bundle): path.read_bytes() for path in bundle.rglob("pagefind-entry.json")} == before
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    fresh_start.pagefind_start.cache_clear()
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert "(5 indexes, 4 unchanged)" in out
    assert {path.relative_to(bundle) for path in bundle.rglob("pagefind-entry.json")} == set(before)


def test_a_quarter_s_first_month_is_the_newest_index_so_a_daily_build_redoes_it_alone(archive, run_cli, monkeypatch):
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)
    monkeypatch.setattr(index, "ONE_INDEX_UP_TO", 2 // 2)  # split small archives too
    autumn = PAPERS[0].replace(id="2510.00001", title="An autumn paper", published="2025-10-01", daily=("2025-10-02",))
    write_archive(archive / "content", (autumn,))
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert f"index: {len(PAPERS) + 1} pages," in out and "(5 indexes, 0 unchanged)" in out
    bundle = archive / "site/pagefind"
    listed = json.loads((bundle / "shards.json").read_text(encoding="utf-8"))
    assert [shard["bundle"] for shard in listed] == ["", "2025/", "2024/", "2023/", "2021/"]
    years = index_record(archive)
    assert {key: shard["pages"] for key, shard in years.items()} == {"2025-q4": 1, "2025": 2, "2024": 1, "2023": 1, "2021": 1}
    assert years["2025-q4"]["bundle"] == "" and all(shard["bytes"] > 10_000 for shard in years.values())
    write_archive(archive / "content", (autumn.replace(upvotes=999),))
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert "(5 indexes, 4 unchanged)" in out and "index: papers of 2025-q4 (1 pages)" in err + out


def test_a_day_of_a_quarter_s_later_month_redoes_that_month_s_index_alone(archive, run_cli, monkeypatch):
    """The fixture's newest quarter holds a paper of 2502 and one of 2503: the newest month is an index of its own and
    2502 another (keyed by the quarter), so a day's paper of March makes Pagefind read March's pages, not the
    quarter's."""
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)  # the quarter, 3 pages with the day's, is above it; its 2502 is not
    monkeypatch.setattr(index, "ONE_INDEX_UP_TO", 1)  # split small archives too
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    older = {"2024": ("2024/", 1), "2023": ("2023/", 1), "2021": ("2021/", 1)}
    assert {key: (shard["bundle"], shard["pages"]) for key, shard in index_record(archive).items()} == {
        "2025-03": ("", 1), "2025-q1": ("2025-q1/", 1), **older}
    day = PAPERS[0].replace(id="2503.00002", title="A March paper", published="2025-03-20", daily=("2025-03-21",),
                            ai_keywords=("march",))
    write_archive(archive / "content", (day,))
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert re.findall(r"index: papers of (\S+)", err + out) == ["2025-03"] and "(5 indexes, 4 unchanged)" in out
    assert {key: (shard["bundle"], shard["pages"]) for key, shard in index_record(archive).items()} == {
        "2025-03": ("", 2), "2025-q1": ("2025-q1/", 1), **older}


@pytest.mark.parametrize("first, then, before, after, kept", [
    ("2025-04", "2025-05", {"2025-q2": "", "2025": "2025/"},
     {"2025-05": "", "2025-q2": "2025-q2/", "2025": "2025/"}, 5),
    ("2025-05", "2025-07", {"2025-q2": "", "2025": "2025/"},
     {"2025-q3": "", "2025-q2": "2025-q2/", "2025-q1": "2025-q1/"}, 4),  # 2025's older months, 3 pages now: quarters
], ids=["a month ends", "a quarter ends"])
def test_when_a_month_or_quarter_ends_the_newest_index_moves_out_unchanged(archive, run_cli, monkeypatch, first, then,
                                                                            before, after, kept):
    """The newest index (site/pagefind/ itself) holds a quarter's papers in its first month: when papers of the
    quarter's next month arrive, that month is the newest index and the first month's moves to site/pagefind/2025-q2/,
    keeping its key; so it does when papers of a newer quarter arrive, if its year is split into quarters (a quarter
    of two or three months was two indexes, which its year's block takes in and indexes again). Its pages did not
    change, so Pagefind does not run for it."""
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)
    monkeypatch.setattr(index, "ONE_INDEX_UP_TO", 2 // 2)  # split small archives too
    older = {"2024": "2024/", "2023": "2023/", "2021": "2021/"}
    papers = [PAPERS[0].replace(id=f"{month[2:4]}{month[5:]}.00001", title=f"A paper of {month}", published=f"{month}-01",
                                daily=(f"{month}-02",), ai_keywords=(month,))  # none of the older papers': no new filter
              for month in (first, then)]
    write_archive(archive / "content", papers[:1])
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    assert {key: shard["bundle"] for key, shard in index_record(archive).items()} == before | older
    write_archive(archive / "content", papers[1:])
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    years = index_record(archive)
    assert {key: shard["bundle"] for key, shard in years.items()} == after | older
    assert "index: papers of 2025-q2" not in err + out and f"(6 indexes, {kept} unchanged)" in out
    bundle = archive / "site/pagefind"
    for shard in years.values():
        entry = json.loads((bundle / shard["bundle"] / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert sum(language["page_count"] for language in entry["languages"].values()) == shard["pages"]
    moved = bundle / "2025-q2"  # holds its own bundle only: not the others' nested in the newest, nor their list
    assert not (moved / "shards.json").exists() and not [name for name in after | older if (moved / name).exists()]
    assert [shard["bundle"] for shard in json.loads((bundle / "shards.json").read_text(encoding="utf-8"))] == [
        *(after | older).values()]


def test_a_day_that_gives_an_older_paper_s_keyword_and_organization_a_page_keeps_its_index(archive, run_cli, monkeypatch):
    """A new paper shares a keyword and the organization of a 2023 paper, each its first: both get a page, and
    the 2023 page links to them; what Pagefind reads of it is the same (a link's target is not read, and the
    keyword becomes a search filter only when the month turns), so the 2023 index is kept."""
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)
    monkeypatch.setattr(index, "ONE_INDEX_UP_TO", 2 // 2)  # split small archives too
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    old_page = archive / "site/papers/2312.00752/index.html"
    before = old_page.read_text(encoding="utf-8")
    today = PAPERS[1].replace(id="2503.09999", title="Another state space model", published="2025-03-10",
                              daily=("2025-03-11",), ai_keywords=("state space model",))
    write_archive(archive / "content", (today,))
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    after = old_page.read_text(encoding="utf-8")
    assert '<li><a href="/mirror/keywords/state-space-model/">state space model</a>' in after  # a filter when the month turns
    assert 'href="/mirror/organizations/cmu/">CMU</a>' in after and after != before
    # only the newest month's index is made again (2503, 2 pages now); 2502's (2025-q1), 2024, 2023 and 2021 are kept
    assert "(5 indexes, 4 unchanged)" in out and re.findall(r"index: papers of (\S+)", err + out) == ["2025-03"]


def test_old_style_ids_are_found_and_indexed_with_the_oldest_years(tmp_path):
    """hep-th/9901001's page is papers/hep-th/9901001/index.html: it has no arXiv month of the new
    style, so it counts as a year before all others."""
    from papermirror.search import shards

    for relative in ("papers/2401.00001/index.html", "papers/2402.00002/index.html", "papers/2307.00003/index.html",
                     "papers/hep-th/9901001/index.html", "papers/math/0301001/index.html"):
        (tmp_path / relative).parent.mkdir(parents=True)
        (tmp_path / relative).write_text("<html></html>", encoding="utf-8")
    assert {page.relative_to(tmp_path).as_posix() for page in shards.paper_pages(tmp_path)} == {
        "papers/2401.00001/index.html", "papers/2402.00002/index.html", "papers/2307.00003/index.html",
        "papers/hep-th/9901001/index.html", "papers/math/0301001/index.html"}
    assert [(shard.key, shard.glob) for shard in shards.plan_shards(tmp_path, 10)] == [("all", "papers/**/index.html")]
    planned = shards.plan_shards(tmp_path, 6)
    assert [(shard.key, shard.bundle, shard.glob, len(shard.pages)) for shard in planned] == [
        ("2024-02", "", "papers/2402*/index.html", 1),
        ("2024-q1", "2024-q1/", "papers/2401*/index.html", 1),
        ("old-2023", "old-2023/", "papers/{2307*,hep-th/*,math/*}/index.html", 3)]


def quarters(year: str, sizes: tuple[int, ...]) -> dict[str, int]:
    """Pages per month: `sizes` pages in each month of the quarters of `year` ('23'), one size per quarter."""
    return {f"{year}{month:02d}": size for quarter, size in enumerate(sizes) for month in range(3 * quarter + 1, 3 * quarter + 4)}


def test_the_split_follows_the_calendar_within_the_bound():
    from papermirror.search.shards import group_months

    def plan(counts, most):
        return [(name, sum(counts[month] for month in months)) for name, months in group_months(counts, most)]

    ten_k = {**quarters("23", (750, 750, 770, 770)), "2401": 775, "2402": 125}  # 25 papers a day, as synthetic.py
    # the newest month (2402) is an index of its own, the rest of its quarter (2401) another: a day re-indexes the month
    assert plan(ten_k, 4000) == [("2024-02", 125), ("2024-q1", 775), ("2023-q4", 2310), ("2023-q3", 2310),
                                 ("2023-q2", 2250), ("2023-q1", 2250)]
    assert plan(ten_k, 5000) == [("2024-02", 125), ("2024-q1", 775), ("2023-h2", 4620), ("2023-h1", 4500)]
    assert plan(ten_k, 10_000) == [("2024-02", 125), ("2024-q1", 775), ("2023", 9120)]
    assert plan(ten_k, 20_040) == [("all", 10_020)]  # at most half the bound: one index
    # a quarter's first month is one index keyed by the quarter; in its third month, the first two are one index
    assert plan({key: size for key, size in ten_k.items() if key != "2402"}, 4000)[0] == ("2024-q1", 775)
    assert plan({**ten_k, "2403": 50}, 4000)[:3] == [("2024-03", 50), ("2024-q1", 900), ("2023-q4", 2310)]
    assert plan({"2301": 1200, "2302": 300, "2304": 500, "2401": 5}, 1000) == [
        ("2024-q1", 5), ("2023-q2", 500), ("2023-02", 300), ("2023-01", 1200)]  # a month is never split
    assert plan({"2301": 500, "2302": 400, "2303": 300, "2212": 10}, 1000) == [
        ("2023-03", 300), ("2023-q1", 900), ("2022", 10)]  # the quarter holds more than the bound, its first two months not
    assert plan({"2301": 700, "2302": 400, "2303": 300, "2212": 10}, 1000) == [
        ("2023-03", 300), ("2023-02", 400), ("2023-01", 700), ("2022", 10)]  # nor do those: an index a month
    # a first month above the bound is keyed by the month, as it will be when the next month starts: it keeps its index
    assert plan({"2301": 1200, "2212": 10}, 1000) == [("2023-01", 1200), ("2022", 10)]
    assert plan({"2301": 1200, "2302": 5, "2212": 10}, 1000) == [("2023-02", 5), ("2023-01", 1200), ("2022", 10)]
    assert plan({"old": 5}, 4) == [("old", 5)]  # old-style ids alone, above the bound: keyed "old", not as a month


def test_small_years_are_merged_and_the_grouping_is_stable_as_the_archive_grows():
    from papermirror.search.shards import group_months

    def plan(counts):
        return {name: sorted(months) for name, months in group_months(counts, 4000)}

    sparse = {"old": 3, "1706": 1, "2106": 2, **quarters("22", (100,) * 4), **quarters("23", (500,) * 4),
              **quarters("24", (400, 400)), "2407": 400}
    assert plan(sparse).keys() == {"2024-q3", "2024", "2023-h2", "2023-h1", "old-2022"}
    assert plan(sparse)["old-2022"] == sorted(["old", "1706", "2106", *quarters("22", (100,) * 4)])
    later = {**sparse, **quarters("24", (400, 400, 1000)), "2410": 50, "2203": 101}  # and an old paper added late
    assert list(plan(later)) == ["2024-q4", "2024-h2", "2024-h1", "2023-h2", "2023-h1", "old-2022"]
    assert all(plan(later)[name] == plan(sparse)[name] for name in ("2023-h2", "2023-h1", "old-2022"))


def test_a_build_with_no_changed_paper_page_keeps_the_index(archive, run_cli):
    """Pagefind re-reads every page of an index it builds: a build that changed no paper page keeps it."""
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    entry = archive / "site/pagefind/pagefind-entry.json"
    built = entry.stat().st_mtime_ns
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert f"index: {len(PAPERS)} pages," in out and "(unchanged)" in out
    assert entry.stat().st_mtime_ns == built and (archive / "site/pagefind/pagefind.js").is_file()
    write_archive(archive / "content", (PAPERS[0].replace(upvotes=(PAPERS[0].upvotes or 0) + 1),))
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert "(unchanged)" not in out and entry.stat().st_mtime_ns != built


def stamps(mirror: Path) -> dict[str, int]:
    """The modification time of every file and folder of site/ and .cache/ but the build's lock."""
    return {p.relative_to(mirror).as_posix(): p.stat().st_mtime_ns for folder in ("site", ".cache")
            for p in [mirror / folder, *(mirror / folder).rglob("*")] if p.name != "build.lock"}


@pytest.mark.parametrize("split", [False, True], ids=["one index", "one index a year"])
def test_a_build_with_no_change_writes_nothing(archive, run_cli, monkeypatch, split):
    """`build --help`: "a run with no change writes nothing". The index stage moved every kept index into a new
    folder and wrote shards.json again (same bytes, new times: a deploy or rsync saw a change)."""
    from papermirror.config import load_config
    from papermirror.search import pagefind as index

    if split:
        monkeypatch.setattr(index, "SHARD_ABOVE", 2)
        monkeypatch.setattr(index, "ONE_INDEX_UP_TO", 1)
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    before = stamps(archive)
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0 and "0 drawn, 0 written" in out and "unchanged)" in out, out + err
    assert stamps(archive) == before
    config = load_config(archive / "mirror.yml")  # and its record still describes the indexes in place
    assert index.read_index_record(config, config.site_dir) == index_record(archive)


def test_an_empty_archive_built_again_writes_nothing(mirror, run_cli):
    assert run_cli("build", config=mirror / "mirror.yml")[0] == 0
    before = stamps(mirror)
    assert run_cli("build", config=mirror / "mirror.yml")[0] == 0
    assert stamps(mirror) == before
    (mirror / "site/pagefind/stray").write_text("left by hand")  # anything else there: the bundle is made again
    assert run_cli("build", config=mirror / "mirror.yml")[0] == 0
    assert [p.name for p in (mirror / "site/pagefind").iterdir()] == ["shards.json"]


def test_a_bundle_left_half_moved_by_a_killed_build_is_indexed_again(archive, run_cli):
    """A build killed while it moved an unchanged bundle's entries (a rename each) left the entry file but not
    the WASM nor the fragments: every later build took it as whole, and search stayed broken."""
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    bundle = archive / "site/pagefind"
    shutil.rmtree(bundle / "fragment")
    next(bundle.glob("wasm.*.pagefind")).unlink()
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert "(unchanged)" not in out and (bundle / "fragment").is_dir() and list(bundle.glob("wasm.*.pagefind"))
    assert "(unchanged)" in run_cli("build", config=archive / "mirror.yml")[1]  # and it is whole again


def test_a_bundle_with_empty_files_is_refused_before_it_replaces_the_index(tmp_path):
    """Pagefind exits 0 on a full disk, leaving empty files: such a bundle must not be swapped in."""
    from papermirror.errors import PagefindError
    from papermirror.search import pagefind as index

    bundle = tmp_path / "bundle"
    (bundle / "fragment").mkdir(parents=True)
    (bundle / "pagefind-entry.json").write_text('{"version": "1.5.2", "languages": {}}')
    (bundle / "pagefind.js").write_text("export {}")
    (bundle / "pagefind-ui.js").write_text("unused")
    (bundle / "fragment" / "en_1.pf_fragment").write_bytes(b"")
    with pytest.raises(PagefindError, match=r"1 empty file\(s\), e.g. .*en_1\.pf_fragment \(is the disk full\?\)"):
        index.finish_bundle(bundle)
    (bundle / "fragment" / "en_1.pf_fragment").write_bytes(b"x")
    (bundle / "pagefind-entry.json").write_text("{trunc")
    with pytest.raises(PagefindError, match="not a Pagefind bundle"):
        index.finish_bundle(bundle)
    (bundle / "pagefind-entry.json").write_text("{}")
    assert index.finish_bundle(bundle) == len("{}") + len("export {}") + 1
    assert not (bundle / "pagefind-ui.js").exists()


PAGE = """<!doctype html><html lang="en"><head><title>T</title></head><body><nav>menu</nav>
<article><h1 data-pagefind-body data-pagefind-meta="title">Masked autoencoders</h1>
<dl class="facts" data-pagefind-ignore data-pagefind-filter="month:2021-11"><dt>Upvotes</dt>
<dd><b data-pagefind-meta="upvotes" data-pagefind-sort="upvotes">120</b> upvotes, 7 comments</dd></dl>
<section class="abstract" data-pagefind-body><h2 data-pagefind-ignore>Abstract</h2><p>We mask <span>patches</span>.</p>
<div data-pagefind-ignore><div>nested</div> ignored</div> kept</section>
<section class="related"><h2>Related papers</h2><ol><li><a href="/papers/2312.00752/">Mamba</a></li></ol></section>
<img src="cover.png" data-pagefind-meta="image[src]"></article></body></html>"""


@pytest.mark.parametrize(("old", "new", "same"), [
    ("<li><a href=\"/papers/2312.00752/\">Mamba</a></li>", "<li>Another paper</li>", True),  # related papers
    ("<nav>menu</nav>", "<nav>menu, search</nav>", True),
    ("<div>nested</div> ignored", "<div>other</div> text", True),  # inside data-pagefind-ignore
    ("<h2 data-pagefind-ignore>Abstract</h2>", "<h2 data-pagefind-ignore>Summary</h2>", True),
    ("Masked autoencoders", "Masked autoencoder", False),  # a body element
    ("We mask", "We hide", False),
    ("</div> kept", "</div> kept too", False),  # after an ignored element that holds one of its own kind
    ("<b data-pagefind-meta=\"upvotes\" data-pagefind-sort=\"upvotes\">120", "<b data-pagefind-meta=\"upvotes\" data-pagefind-sort=\"upvotes\">121", False),
    ("month:2021-11", "month:2021-12", False),  # a filter on an ignored element
    ("cover.png", "other.png", False),  # a void element's attribute
    ("7 comments", '<a href="/papers/2111.06377/#comments">7 comments</a>', True),  # a link around words it reads
    ("We mask", '<a href="/keywords/masking/">We mask</a>', True),
    ("<html lang=\"en\">", "<html lang=\"de\">", False),
])
def test_a_page_digest_follows_what_pagefind_reads_and_nothing_else(tmp_path, old, new, same):
    from papermirror.search.indexed import page_digest

    assert old in PAGE
    (tmp_path / "a.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "b.html").write_text(PAGE.replace(old, new), encoding="utf-8")
    assert (page_digest(tmp_path / "a.html") == page_digest(tmp_path / "b.html")) is same


UNTITLED = """<!doctype html><html lang="en"><head><title>Masked autoencoders · Mirror</title></head><body>
<header><h1>Mirror</h1></header><article><h1 data-pagefind-body>Masked autoencoders</h1>
<section data-pagefind-body><p>We mask patches.</p></section></article></body></html>"""


@pytest.mark.parametrize(("old", "new"), [
    ("<h1>Mirror</h1>", "<h1>Another mirror</h1>"),  # the first h1, outside every data-pagefind-body element
    ("<title>Masked autoencoders · Mirror</title>", "<title>Masked autoencoders · Another</title>"),
])
def test_without_a_title_meta_the_digest_holds_where_pagefind_takes_the_title_from(tmp_path, old, new):
    """A page with no data-pagefind-meta="title" (paper.html has none: 26 B a page) gets Pagefind's default
    title, its first h1 wherever it is (else its <title>): a fork whose header names the site in an h1 would
    otherwise keep results titled with the old name."""
    from papermirror.search.indexed import page_digest

    assert old in UNTITLED
    (tmp_path / "a.html").write_text(UNTITLED, encoding="utf-8")
    (tmp_path / "b.html").write_text(UNTITLED.replace(old, new), encoding="utf-8")
    assert page_digest(tmp_path / "a.html") != page_digest(tmp_path / "b.html")


def test_a_page_whose_elements_cannot_be_matched_is_read_whole():
    """Without a data-pagefind-body element, or with one never closed, a change anywhere counts."""
    from papermirror.search.indexed import indexed_text

    assert indexed_text("<html><p>no body</p></html>") == "<html><p>no body</p></html>"
    unclosed = '<html><div data-pagefind-body><p>text</p><section class="related">x</section></html>'
    assert "related" in indexed_text(unclosed)
    assert indexed_text(unclosed) != indexed_text(unclosed.replace(">x<", ">y<"))


def test_a_page_rewritten_outside_what_pagefind_reads_keeps_its_index(archive, run_cli, monkeypatch):
    """Related papers move on pages of every year whenever papers are added: such a page is rewritten,
    but what Pagefind reads of it is not, so its index is kept (and Pagefind does not run)."""
    from papermirror.config import load_config
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 6)  # 2503, 2502 and the three years 2021-2024 (3 pages): 3 indexes
    monkeypatch.setattr(index, "ONE_INDEX_UP_TO", 1)  # split small archives too
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    page = archive / "site/papers/2312.00752/index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</body>", "<p>Related: a paper added today</p></body>"), encoding="utf-8")
    config = load_config(archive / "mirror.yml")
    assert index.index_site(config, config.site_dir).reused == 3
    title = re.search(r"<h1[^>]*>", html).group(0)
    page.write_text(html.replace(title, title + "Renamed: "), encoding="utf-8")
    report = index.index_site(config, config.site_dir)
    assert (report.indexes, report.reused) == (3, 2)
    records = json.loads(index.cache_file(config, config.site_dir, index.PAGES_FILE).read_text(encoding="utf-8"))
    assert records["2021-2024"]["pages"].keys() == {f"papers/{paper_id}/index.html" for paper_id in ("2111.06377", "2312.00752", "2405.14908")}
    assert not list((archive / "site").rglob("pages.json")), "the page records are the build's, not the site's"
    # every index kept: the pages read so far are recorded all the same, and not read again by the next build
    # (the check of a build with no change returned without them: after a layout's change every page was read again
    # on every build until an index was made again)
    pages = sorted((archive / "site/papers").glob("*/index.html"))
    for each in pages:
        each.write_text(each.read_text(encoding="utf-8").replace("</body>", "<p>Related: another</p></body>"), encoding="utf-8")
    read = []
    monkeypatch.setattr(index, "page_digest", lambda path, digest=index.page_digest: read.append(path) or digest(path))
    assert index.index_site(config, config.site_dir).reused == 3 and len(read) == len(pages) == 5
    read.clear()
    assert index.index_site(config, config.site_dir).reused == 3 and len(read) <= 3  # at most the newest of each index


@pytest.fixture
def fresh_start(monkeypatch):
    """pagefind_start looked up again for each case, and again after it (it is cached for a build's indexes)."""
    from papermirror.search import pagefind as index

    monkeypatch.delenv("PAGEFIND_BINARY_PATH", raising=False)
    index.pagefind_start.cache_clear()
    yield index
    index.pagefind_start.cache_clear()


def test_pagefind_s_binary_is_run_directly_as_python_m_pagefind_would_find_it(fresh_start, monkeypatch, tmp_path):
    import subprocess
    import sys

    import pagefind_bin

    index = fresh_start
    wheel = [str(pagefind_bin.get_executable())]
    assert list(index.pagefind_start()) == wheel  # no interpreter started only to exec it
    version = subprocess.run([*index.pagefind_start(), "--version"], capture_output=True, text=True, check=True).stdout
    assert version == subprocess.run([sys.executable, "-m", "pagefind", "--version"], capture_output=True, text=True,
                                     check=True).stdout
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "my-pagefind"))  # the user's own binary comes first
    index.pagefind_start.cache_clear()
    assert index.pagefind_start() == (str(tmp_path / "my-pagefind"),)
    monkeypatch.delenv("PAGEFIND_BINARY_PATH")
    monkeypatch.setitem(sys.modules, "pagefind_bin", None)  # no binary wheel: `python -m pagefind` looks further
    monkeypatch.setitem(sys.modules, "pagefind_bin_extended", None)
    index.pagefind_start.cache_clear()
    assert index.pagefind_start() == (sys.executable, "-m", "pagefind")


def test_a_missing_pagefind_binary_is_a_clear_error(archive, run_cli, monkeypatch, fresh_start):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(archive / "no-such-pagefind"))
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code != 0 and "Traceback" not in err
    assert "cannot run Pagefind" in err and "no-such-pagefind" in err and "pip install 'pagefind[bin]'" in err


def test_an_index_written_by_another_pagefind_is_indexed_again(archive, run_cli, monkeypatch):
    """The search page runs every index with the newest bundle's Pagefind (search-worker.js), and the daily
    workflow's cached site/ may hold indexes an older Pagefind wrote: such an index is not reused, though
    none of its pages changed."""
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)
    monkeypatch.setattr(index, "ONE_INDEX_UP_TO", 2 // 2)  # split small archives too
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    bundle = archive / "site/pagefind"
    entry_file = bundle / index_record(archive)["2024"]["bundle"] / "pagefind-entry.json"
    entry = json.loads(entry_file.read_text(encoding="utf-8"))
    current = entry["version"]
    assert current == index.pagefind_version() and re.fullmatch(r"\d+\.\d+\.\d+\S*", current)
    entry_file.write_text(json.dumps({**entry, "version": "1.4.0"}), encoding="utf-8")
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert re.findall(r"index: papers of (\S+)", err + out) == ["2024"]
    assert json.loads(entry_file.read_text(encoding="utf-8"))["version"] == current
    assert "index: papers of" not in "".join(run_cli("build", config=archive / "mirror.yml")[1:])  # all kept again


def test_an_index_another_code_made_is_made_again(archive, run_cli, monkeypatch):
    """Another code may index otherwise (its Pagefind command line, say): an added --exclude-selectors was ignored,
    the index kept as the old code made it."""
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)
    monkeypatch.setattr(index, "ONE_INDEX_UP_TO", 2 // 2)  # split small archives too
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    assert re.search(r"\((\d+) indexes, \1 unchanged\)", run_cli("build", config=archive / "mirror.yml")[1])
    monkeypatch.setattr(index, "code_digest", lambda: "another code")
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert re.search(r"\((\d+) indexes, 0 unchanged\)", out), out


def test_a_pagefind_that_does_not_say_its_version_reuses_no_index(archive, run_cli, monkeypatch):
    """Without the version of the Pagefind indexing now, no index can be shown to be its own: all are made again."""
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)
    monkeypatch.setattr(index, "ONE_INDEX_UP_TO", 2 // 2)  # split small archives too
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    monkeypatch.setattr(index, "pagefind_version", lambda: None)
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert re.search(r"\((\d+) indexes, 0 unchanged\)", out), out


def test_a_failed_pagefind_run_says_why_after_its_progress():
    """Pagefind prints its progress on stdout and its panic on stderr: the cause must survive the cut to the last lines."""
    from papermirror.search import pagefind as index

    script = ("import sys\nfor n in range(40): print(f'Indexed {n} pages')\n"
              "print('panicked at Os { code: 13, kind: PermissionDenied }', file=sys.stderr)\nsys.exit(101)\n")
    with pytest.raises(index.PagefindError) as caught:
        index.run_pagefind([sys.executable, "-c", script])
    said = str(caught.value)
    assert said.startswith("Pagefind failed with exit code 101") and "PermissionDenied" in said
    assert "Indexed 39 pages" in said and "Indexed 0 pages" not in said
