"""The build cache: a rebuild draws only the pages whose inputs changed, and any change of code redraws."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from samples import make_paper, snapshot_files, write_archive

from papermirror import files
from papermirror.content.paperfile import write_paper
from papermirror.site.buildcache import MANIFEST_NAME, BuildCache


def test_rebuild_without_change_writes_nothing(shipped, run_cli):
    assert run_cli("build", "--no-index", config=shipped / "mirror.yml")[0] == 0
    before = snapshot_files(shipped / "site")
    code, out, err = run_cli("build", "--no-index", config=shipped / "mirror.yml")
    assert code == 0 and " 0 drawn, 0 written, 0 removed" in out
    assert snapshot_files(shipped / "site") == before
    assert "no record of what the last build wrote" not in err
    shutil.rmtree(shipped / ".cache")  # without the cache every page is drawn again, and none changes
    code, out, err = run_cli("build", "--no-index", config=shipped / "mirror.yml")
    assert code == 0 and " 0 written" in out
    assert snapshot_files(shipped / "site") == before
    # and the build says that it cannot know which files an older build left there
    assert "site-manifest.json is missing or damaged), so files no build needs any more stay there; if only builds " \
           "write to that folder, delete it" in err


def test_a_build_that_fails_half_way_leaves_no_page_from_its_inputs_behind(shipped, run_cli, monkeypatch):
    """A layout edit, a build that stops after drawing 50 pages (killed, or a template error further on), the
    edit undone: the next build must draw those 50 again, not trust a manifest written before the edit."""
    from papermirror.errors import UserError
    from papermirror.site import draw

    assert run_cli("build", "--no-index", "--jobs", "1", config=shipped / "mirror.yml")[0] == 0
    before = snapshot_files(shipped / "site")
    base = shipped / "layouts/base.html"
    original = base.read_text(encoding="utf-8")
    base.write_text(original.replace("\"Archive\")", "\"Archivx\")"), encoding="utf-8")
    drawn, calls = draw.draw_and_write, []

    def fail_after_50(renderer, page, site_dir, staging):
        calls.append(page.path)
        if len(calls) > 50:
            raise UserError(f"site/{page.path}: cannot draw it (as if killed here)")
        return drawn(renderer, page, site_dir, staging)

    monkeypatch.setattr(draw, "draw_and_write", fail_after_50)
    assert run_cli("build", "--no-index", "--jobs", "1", config=shipped / "mirror.yml")[0] == 2
    monkeypatch.setattr(draw, "draw_and_write", drawn)
    assert any(b">Archivx<" in data for data, _mtime in snapshot_files(shipped / "site").values())
    base.write_text(original, encoding="utf-8")
    code, out, _err = run_cli("build", "--no-index", "--jobs", "1", config=shipped / "mirror.yml")
    assert code == 0 and " 50 written" in out  # every page the failed build was to draw is drawn again
    assert {path: data for path, (data, _m) in snapshot_files(shipped / "site").items()} == {
        path: data for path, (data, _m) in before.items()}


def test_a_new_page_a_failed_build_wrote_goes_when_no_page_claims_it(shipped, run_cli, monkeypatch):
    """A new paper, a build that wrote its page and then failed (a template error on a later page), the paper
    deleted: its page stayed in site/ (and in the search index) for good, as the manifest never listed it."""
    from papermirror.errors import UserError
    from papermirror.site import draw

    assert run_cli("build", "--no-index", "--jobs", "1", config=shipped / "mirror.yml")[0] == 0
    before = snapshot_files(shipped / "site")
    source = next((shipped / "content/papers").glob("*/*.md"))
    new = source.parent.with_name("2401") / "2401.99999.md"
    new.parent.mkdir(exist_ok=True)
    new.write_text(source.read_text(encoding="utf-8").replace(f"id: '{source.stem}'", "id: '2401.99999'"), encoding="utf-8")
    drawn = draw.draw_and_write

    def fail_after_the_paper(renderer, page, site_dir, staging):  # as a template error on the next page would
        written = drawn(renderer, page, site_dir, staging)
        if page.path == "papers/2401.99999/index.html":
            raise UserError("site/archive/: cannot draw it (a template error)")
        return written

    monkeypatch.setattr(draw, "draw_and_write", fail_after_the_paper)
    assert run_cli("build", "--no-index", "--jobs", "1", config=shipped / "mirror.yml")[0] == 2
    monkeypatch.setattr(draw, "draw_and_write", drawn)
    page = shipped / "site/papers/2401.99999/index.html"
    assert page.is_file()  # the failed build wrote it
    new.unlink()
    code, out, _err = run_cli("build", "--no-index", "--jobs", "1", config=shipped / "mirror.yml")
    assert code == 0 and " 1 removed" in out and not page.exists() and not page.parent.exists()
    assert {path: data for path, (data, _m) in snapshot_files(shipped / "site").items()} == {
        path: data for path, (data, _m) in before.items()}


def test_the_temp_files_of_a_build_killed_while_writing_go_with_the_next_build(shipped, run_cli, monkeypatch):
    """A build killed in the middle of writing a page leaves its temp file (.index.html.<random>.tmp) beside it,
    which no later build removed: it was published with the site for good."""
    from papermirror.site import draw

    assert run_cli("build", "--no-index", "--jobs", "1", config=shipped / "mirror.yml")[0] == 0
    before = snapshot_files(shipped / "site")
    base = shipped / "layouts/base.html"
    original = base.read_text(encoding="utf-8")
    base.write_text(original + "\n", encoding="utf-8")  # every page is drawn again
    drawn, calls = draw.draw_and_write, []

    def killed_writing_the_tenth(renderer, page, site_dir, staging):
        calls.append(page.path)
        if len(calls) == 10:  # what atomic_writer's temp file holds when the kill comes before its rename
            (site_dir / page.path).with_name(f".{Path(page.path).name}.k1ll3d.tmp").write_bytes(b"<!doctype html><ht")
            raise SystemExit(137)
        return drawn(renderer, page, site_dir, staging)

    monkeypatch.setattr(draw, "draw_and_write", killed_writing_the_tenth)
    with pytest.raises(SystemExit):
        run_cli("build", "--no-index", "--jobs", "1", config=shipped / "mirror.yml")
    monkeypatch.setattr(draw, "draw_and_write", drawn)
    assert len(list((shipped / "site").rglob("*.k1ll3d.tmp"))) == 1
    base.write_text(original, encoding="utf-8")
    assert run_cli("build", "--no-index", "--jobs", "1", config=shipped / "mirror.yml")[0] == 0
    assert not list((shipped / "site").rglob("*.tmp"))
    assert {path: data for path, (data, _m) in snapshot_files(shipped / "site").items()} == {
        path: data for path, (data, _m) in before.items()}


def test_a_page_no_longer_claimed_goes_even_if_the_build_dies_after_the_manifest(shipped, run_cli, monkeypatch):
    """Stale files are removed before the manifest forgets them: a build killed in between leaves none for good."""
    from papermirror.site import render

    assert run_cli("build", "--no-index", config=shipped / "mirror.yml")[0] == 0
    paper = next((shipped / "content/papers").glob("*/*.md"))
    paper.unlink()
    page = shipped / "site/papers" / paper.stem / "index.html"
    assert page.is_file()

    def killed(*args):
        raise SystemExit(137)

    monkeypatch.setattr(render.BuildCache, "save", killed)
    with pytest.raises(SystemExit):
        run_cli("build", "--no-index", config=shipped / "mirror.yml")
    monkeypatch.undo()
    assert not page.exists()
    assert run_cli("build", "--no-index", config=shipped / "mirror.yml")[0] == 0 and not page.exists()


def test_no_change_shortcut_still_sees_lost_files_and_config(shipped, run_cli):
    assert run_cli("build", "--no-index", config=shipped / "mirror.yml")[0] == 0
    lost = shipped / "site/papers/2512.16922/index.html"
    before = lost.read_bytes()
    lost.unlink()  # same inputs, but site/ is not what the last build left: the page is drawn again
    code, out, _err = run_cli("build", "--no-index", config=shipped / "mirror.yml")
    assert code == 0 and " 1 drawn, 1 written" in out and lost.read_bytes() == before
    text = (shipped / "mirror.yml").read_text(encoding="utf-8")
    (shipped / "mirror.yml").write_text(text.replace("refresh_days: 3", "refresh_days: 5"), encoding="utf-8")
    code, out, _err = run_cli("build", "--no-index", config=shipped / "mirror.yml")
    assert code == 0 and " 1 written" in out
    assert "The latest 5 days are fetched again" in (shipped / "site/about/index.html").read_text(encoding="utf-8")


def test_changed_paper_rewrites_only_its_pages(mirror, run_cli):
    papers = [make_paper(f"2503.{n:05d}", f"Paper {n}", daily=(f"2025-03-{10 + n % 3:02d}",), ai_keywords=("shared", f"own {n}"))
              for n in range(1, 13)]
    write_archive(mirror, papers)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    before = snapshot_files(mirror / "site")
    changed = papers[4].replace(upvotes=99, refreshed="2025-03-16T08:00:00Z")
    write_paper(mirror / "content", changed)
    code, out, _err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 0
    after = snapshot_files(mirror / "site")
    rewritten = sorted(k for k in after if before.get(k) != after[k])
    assert rewritten == sorted([
        "papers/2503.00005/index.html", "index.html", f"archive/{changed.day}/index.html", "archive/2025-03/index.html",
        "keywords/shared/index.html", "feed.xml", "papers.json", "papers/2025.json.gz", "sitemap-1.xml.gz",
        # the site's "updated" time moved: the pages that show it in their footer
        "about/index.html", "archive/index.html", "keywords/index.html", "search/index.html", "404.html",
        "trends/index.html",  # its upvotes chart and its "updated" time
        "top/index.html",  # the most upvoted
        "organizations/index.html",  # its "updated" time
        "keywords/shared/feed.xml",  # the keyword's papers, newest first, then most upvoted: their order moved
    ])


def test_vanished_keyword_page_is_removed(mirror, run_cli):
    one = make_paper("2503.00001", "One", ai_keywords=("Rare Thing",))
    two = make_paper("2503.00002", "Two", ai_keywords=("rare thing",))
    write_archive(mirror, [one, two])
    (mirror / "site").mkdir()
    (mirror / "site/keep-me.txt").write_text("not ours")
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    assert (mirror / "site/keywords/rare-thing/index.html").is_file()
    write_paper(mirror / "content", two.replace(ai_keywords=()))
    code, out, _err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 0 and "1 removed" in out
    assert not (mirror / "site/keywords/rare-thing").exists()
    assert (mirror / "site/keep-me.txt").read_text() == "not ours"
    assert "rare-thing" not in (mirror / "site/keywords/index.html").read_text(encoding="utf-8")


def test_a_change_to_the_paper_module_redraws_every_page(mirror, run_cli, tmp_path, monkeypatch):
    """`Paper.day` decides where a paper is filed: a change to content/paper.py must redraw the pages
    (the hand-kept list of rendering modules the fingerprint once used left paper.py out)."""
    package = tmp_path / "package-copy"
    shutil.copytree(files.PACKAGE_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(files, "PACKAGE_DIR", package)  # the fingerprint hashes this copy of the code
    write_archive(mirror, [make_paper("2503.00001", "One"), make_paper("2503.00002", "Two")])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    code, out, _err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    assert code == 0 and " 0 drawn" in out
    paper_module = package / "content" / "paper.py"
    paper_module.write_text(paper_module.read_text(encoding="utf-8") + "\n# a change\n", encoding="utf-8")
    code, out, _err = run_cli("build", "--no-index", config=mirror / "mirror.yml")
    pages = len(json.loads((mirror / ".cache" / MANIFEST_NAME).read_text())["pages"])
    assert code == 0 and f"{pages} files: {pages} drawn, 0 written" in out


def test_build_cache_ignores_a_damaged_or_foreign_manifest(tmp_path):
    cache_dir, site_dir = tmp_path / ".cache", tmp_path / "site"
    cache_dir.mkdir()
    (cache_dir / MANIFEST_NAME).write_text("{not json")
    assert BuildCache.load(cache_dir, site_dir).pages == {}
    BuildCache.load(cache_dir, tmp_path / "other-site").save({"a.html": "d1"}, {"a.html": 3}, "inputs")
    assert BuildCache.load(cache_dir, site_dir).pages == {}  # recorded for another site/
    assert BuildCache.load(cache_dir, tmp_path / "other-site").pages == {"a.html": ["d1", 3]}


def test_build_cache_answers_what_is_current_and_what_is_stale(tmp_path):
    cache_dir, site_dir = tmp_path / ".cache", tmp_path / "site"
    site_dir.mkdir()
    (site_dir / "a.html").write_text("abc")
    (site_dir / "b.html").write_text("b")
    cache = BuildCache.load(cache_dir, site_dir)
    cache.save({"a.html": "d1", "b.html": "d2"}, {"a.html": 3, "b.html": 1}, "stamp-1")
    cache = BuildCache.load(cache_dir, site_dir)
    assert cache.stale({"a.html": "d1", "b.html": "d2"}) == []
    assert cache.is_unchanged("stamp-1") and not cache.is_unchanged("stamp-2")
    assert cache.is_current("a.html", "d1") and not cache.is_current("a.html", "other")
    (site_dir / "a.html").write_text("changed by hand")  # another size: drawn again
    assert not cache.is_current("a.html", "d1") and not cache.is_unchanged("stamp-1")
    assert cache.stale({"a.html": "d3"}) == ["b.html"]
    cache.save({"a.html": "d3"}, {"a.html": 15}, "stamp-2")
    assert BuildCache.load(cache_dir, site_dir).pages == {"a.html": ["d3", 15]}
    # a page about to be drawn is blanked, not dropped: after a build that died, it is drawn again, and
    # still removed if no page claims it by then
    cache.forget(["a.html"])
    cache = BuildCache.load(cache_dir, site_dir)
    assert not cache.is_current("a.html", "d3") and not cache.is_unchanged("stamp-2")
    assert cache.stale({}) == ["a.html"]


def test_a_new_day_redraws_the_front_pages_only_and_equals_a_clean_build(mirror, run_cli, tmp_path):
    text = (mirror / "mirror.yml").read_text(encoding="utf-8")
    (mirror / "mirror.yml").write_text(text.replace("site:\n", "site:\n  per_page: 2\n"), encoding="utf-8")
    words = ["masked image modeling", "speech recognition audio", "protein folding structure"]
    def paper(paper_id: str, day: str, n: int):
        return make_paper(paper_id, f"Paper {paper_id}", daily=(day,), ai_keywords=("shared",), authors=(f"Author {n}",),
                          abstract=f"{words[n % 3]} {words[n % 3]} study {n}")
    january = [paper(f"2501.{n:05d}", f"2025-01-{1 + n:02d}", n) for n in range(12)]
    february = [paper(f"2502.{n:05d}", "2025-02-01", n) for n in range(3)]
    write_archive(mirror, january + february)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    before = snapshot_files(mirror / "site")
    write_archive(mirror, [paper(f"2502.{n:05d}", "2025-02-02", n) for n in range(3, 5)])  # a day's snapshot
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    after = snapshot_files(mirror / "site")
    rewritten = {path for path in after if before.get(path) != after[path]}
    assert "keywords/shared/index.html" in rewritten and "keywords/shared/page/1/index.html" not in rewritten
    assert {f"keywords/shared/page/{n}/index.html" for n in range(1, 7)} <= after.keys()
    assert len([path for path in rewritten if path.startswith("papers/2501.")]) < len(january)
    clean = tmp_path / "clean"
    shutil.copytree(mirror, clean, ignore=shutil.ignore_patterns("site", ".cache"))
    assert run_cli("build", "--no-index", config=clean / "mirror.yml")[0] == 0
    assert {path: data for path, (data, _mtime) in snapshot_files(clean / "site").items()} == \
           {path: data for path, (data, _mtime) in after.items()}


def test_a_turning_month_makes_new_keyword_filters_and_redraws_the_pages_that_show_them(mirror, run_cli, tmp_path):
    """A keyword shared by a settled paper and a new one has a page at once but becomes a search filter (on
    every page that shows it, old or new) when the month turns: the incremental build equals a clean one."""
    def paper(paper_id: str, day: str, keywords: tuple[str, ...]):  # no word in common: no related papers move
        word = {"2501.00001": "alpha", "2501.00002": "beta", "2502.00001": "gamma", "2503.00001": "delta"}[paper_id]
        return make_paper(paper_id, word.title(), daily=(day,), ai_keywords=keywords, authors=(f"{word}ly",),
                          abstract=f"{word} {word}.")
    write_archive(mirror, [paper("2501.00001", "2025-01-10", ("rare",)), paper("2501.00002", "2025-01-11", ("other",)),
                           paper("2502.00001", "2025-02-10", ("rare",))])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    old = mirror / "site/papers/2501.00001/index.html"
    assert '<li><a href="/mirror/keywords/rare/">rare</a>' in old.read_text(encoding="utf-8")  # a page, not yet a filter
    write_archive(mirror, [paper("2503.00001", "2025-03-01", ("other",))])  # March: February is settled
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    assert '<li data-pagefind-filter="keyword"><a href="/mirror/keywords/rare/">rare</a>' in old.read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    shutil.copytree(mirror, clean, ignore=shutil.ignore_patterns("site", ".cache"))
    assert run_cli("build", "--no-index", config=clean / "mirror.yml")[0] == 0
    assert {path: data for path, (data, _mtime) in snapshot_files(clean / "site").items()} == \
           {path: data for path, (data, _mtime) in snapshot_files(mirror / "site").items()}


def test_a_manifest_of_another_version_still_removes_the_pages_no_paper_claims(shipped, run_cli):
    """After a change of MANIFEST_VERSION the workflow's cached site/ kept, for good, every page the first build
    after it dropped (a paper removed that day stayed public and searchable)."""
    import json

    from papermirror.site.buildcache import MANIFEST_NAME

    assert run_cli("build", "--no-index", config=shipped / "mirror.yml")[0] == 0
    manifest = shipped / ".cache" / MANIFEST_NAME
    stored = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**stored, "version": stored["version"] - 1}), encoding="utf-8")
    gone = next((shipped / "content" / "papers").glob("*/*.md"))
    gone.unlink()
    page = shipped / "site" / "papers" / gone.stem / "index.html"
    assert page.is_file()
    code, out, err = run_cli("build", "--no-index", config=shipped / "mirror.yml")
    assert code == 0, err
    assert not page.exists() and "no record of what the last build wrote" not in err
    assert json.loads(manifest.read_text(encoding="utf-8"))["version"] == stored["version"]
