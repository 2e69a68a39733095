"""The index stage: `build.py build` ends by running Pagefind over site/ into site/pagefind/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from archive import PAPERS, write_archive


@pytest.fixture
def archive(mirror: Path) -> Path:
    write_archive(mirror / "content")
    return mirror


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


def test_pagefind_failure_names_it_and_keeps_the_old_index(archive, run_cli):
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    old = (archive / "site/pagefind/pagefind-entry.json").read_bytes()
    write_archive(archive / "content", (PAPERS[0].replace(upvotes=(PAPERS[0].upvotes or 0) + 1),))
    (archive / "site/.pagefind-new").write_text("a file where Pagefind wants its output folder")
    code, _out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 1
    assert err.startswith("error: Pagefind failed with exit code") and "Traceback" not in err
    assert (archive / "site/pagefind/pagefind-entry.json").read_bytes() == old


def test_an_empty_archive_builds_with_a_warning(mirror, run_cli):
    code, out, err = run_cli("build", config=mirror / "mirror.yml")
    assert code == 0, err
    assert "index: 0 pages" in out and "search will find nothing" in err


def test_a_big_archive_gets_one_index_per_year_listed_for_merging(archive, run_cli, monkeypatch):
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)  # the fixture's 5 papers count as a big archive
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert f"index: {len(PAPERS)} pages," in out and "(4 indexes, 0 unchanged)" in out
    bundle = archive / "site/pagefind"
    years = sorted({paper.id[:2] for paper in PAPERS}, reverse=True)
    assert json.loads((bundle / "shards.json").read_text(encoding="utf-8")) == [f"20{year}/" for year in years[1:]]
    counts = {}
    for year, folder in zip(years, [bundle] + [bundle / f"20{year}" for year in years[1:]]):
        entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
        counts[year] = sum(language["page_count"] for language in entry["languages"].values())
    assert counts == {year: sum(1 for paper in PAPERS if paper.id.startswith(year)) for year in years}


def test_a_small_archive_lists_no_shards(archive, run_cli):
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    assert json.loads((archive / "site/pagefind/shards.json").read_text(encoding="utf-8")) == []
    assert not [p for p in (archive / "site/pagefind").iterdir() if p.is_dir() and p.name.isdigit()]


def test_a_rebuild_keeps_the_index_of_each_year_whose_pages_did_not_change(archive, run_cli, monkeypatch):
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert "(4 indexes, 4 unchanged)" in out
    paper = next(paper for paper in PAPERS if paper.id.startswith("23"))
    write_archive(archive / "content", (paper.replace(upvotes=(paper.upvotes or 0) + 1000),))
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert f"index: {len(PAPERS)} pages," in out and "(4 indexes, 3 unchanged)" in out
    bundle = archive / "site/pagefind"
    years = json.loads((bundle / "years.json").read_text(encoding="utf-8"))
    assert sum(year["pages"] for year in years.values()) == len(PAPERS)
    for year in years.values():
        assert (bundle / year["bundle"] / "pagefind-entry.json").is_file()
    assert not [p.name for p in (archive / "site").iterdir() if p.name.startswith(".")]


def test_a_failed_run_of_a_big_archive_keeps_every_year_of_the_old_index(archive, run_cli, monkeypatch):
    """Unchanged years are moved into the new index only after every changed year was indexed."""
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)
    assert run_cli("build", config=archive / "mirror.yml")[0] == 0
    bundle = archive / "site/pagefind"
    before = {path.relative_to(bundle): path.read_bytes() for path in bundle.rglob("pagefind-entry.json")}
    assert len(before) == 4
    paper = next(paper for paper in PAPERS if paper.id.startswith("23"))
    write_archive(archive / "content", (paper.replace(upvotes=(paper.upvotes or 0) + 1000),))
    (archive / "site/.pagefind-new").write_text("a file where Pagefind wants its output folder")
    code, _out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 1 and "error: Pagefind failed" in err and "Traceback" not in err
    assert {path.relative_to(bundle): path.read_bytes() for path in bundle.rglob("pagefind-entry.json")} == before
    (archive / "site/.pagefind-new").unlink()
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert "(4 indexes, 3 unchanged)" in out
    assert {path.relative_to(bundle) for path in bundle.rglob("pagefind-entry.json")} == set(before)


def test_the_newest_year_is_indexed_by_quarter_so_a_daily_build_redoes_a_quarter(archive, run_cli, monkeypatch):
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 2)
    autumn = PAPERS[0].replace(id="2510.00001", title="An autumn paper", published="2025-10-01", daily=("2025-10-02",))
    write_archive(archive / "content", (autumn,))
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert f"index: {len(PAPERS) + 1} pages," in out and "(5 indexes, 0 unchanged)" in out
    bundle = archive / "site/pagefind"
    assert json.loads((bundle / "shards.json").read_text(encoding="utf-8")) == ["2025-q1/", "2024/", "2023/", "2021/"]
    years = json.loads((bundle / "years.json").read_text(encoding="utf-8"))
    assert {key: shard["pages"] for key, shard in years.items()} == {"25q4": 1, "25q1": 2, "24": 1, "23": 1, "21": 1}
    assert years["25q4"]["bundle"] == "" and all(shard["bytes"] > 10_000 for shard in years.values())
    write_archive(archive / "content", (autumn.replace(upvotes=999),))
    code, out, err = run_cli("build", config=archive / "mirror.yml")
    assert code == 0, err
    assert "(5 indexes, 4 unchanged)" in out and "index: papers of 2025 Q4" in err + out


def test_old_style_ids_are_found_and_keep_the_archive_in_one_index(tmp_path, monkeypatch):
    """hep-th/9901001's page is papers/hep-th/9901001/index.html: it has no arXiv month to shard by."""
    from papermirror.search import pagefind as index

    monkeypatch.setattr(index, "SHARD_ABOVE", 1)
    for relative in ("papers/2401.00001/index.html", "papers/2402.00002/index.html", "papers/hep-th/9901001/index.html"):
        (tmp_path / relative).parent.mkdir(parents=True)
        (tmp_path / relative).write_text("<html></html>", encoding="utf-8")
    assert {page.relative_to(tmp_path).as_posix() for page in index.paper_pages(tmp_path)} == {
        "papers/2401.00001/index.html", "papers/2402.00002/index.html", "papers/hep-th/9901001/index.html"}
    assert [shard.key for shard in index.plan_shards(tmp_path)] == ["all"]
    (tmp_path / "papers/hep-th/9901001/index.html").unlink()
    assert [shard.key for shard in index.plan_shards(tmp_path)] == ["24q1"]


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
