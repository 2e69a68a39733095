"""The parsed-papers cache: only changed files are parsed again, and a damaged cache is only slower."""

from __future__ import annotations

import shutil

import pytest
from samples import make_paper

from papermirror.content import cache
from papermirror.content.paper import paper_path
from papermirror.content.paperfile import write_paper
from papermirror.errors import ContentError


def test_unchanged_files_come_from_the_cache(tmp_path, monkeypatch):
    content, cache_dir = tmp_path / "content", tmp_path / ".cache"
    for n in (1, 2):
        write_paper(content, make_paper(f"2503.0000{n}", f"Paper {n}"))
    first = cache.read_papers_cached(content, cache_dir)
    parsed = []
    real = cache.read_and_hash
    monkeypatch.setattr(cache, "read_and_hash", lambda path: parsed.append(path.name) or real(path))
    write_paper(content, make_paper("2503.00002", "Paper 2", upvotes=99))
    second = cache.read_papers_cached(content, cache_dir)
    assert parsed == ["2503.00002.md"]
    assert second.papers["2503.00002"].upvotes == 99 and second.papers["2503.00001"] == first.papers["2503.00001"]
    assert second.digests["2503.00001"] == first.digests["2503.00001"] != second.digests["2503.00002"]


def test_a_damaged_cache_is_ignored(tmp_path):
    content, cache_dir = tmp_path / "content", tmp_path / ".cache"
    write_paper(content, make_paper("2503.00001", "Paper"))
    cache_dir.mkdir()
    (cache_dir / cache.CACHE_NAME).write_bytes(b"\x80\x04garbage")
    assert list(cache.read_papers_cached(content, cache_dir).papers) == ["2503.00001"]


def test_a_file_in_the_wrong_place_is_named(tmp_path):
    content = tmp_path / "content"
    write_paper(content, make_paper("2503.00001", "Paper"))
    wrong = paper_path(content, "2504.00001")
    wrong.parent.mkdir(parents=True)
    paper_path(content, "2503.00001").rename(wrong)
    with pytest.raises(ContentError, match=r"2504\.00001\.md: id '2503\.00001' belongs in"):
        cache.read_papers_cached(content, tmp_path / ".cache")


def test_a_fresh_checkout_with_the_same_bytes_is_not_parsed_again(tmp_path, monkeypatch):
    """CI checks content/ out afresh every run: new mtimes and inodes, the same bytes."""
    content, cache_dir = tmp_path / "content", tmp_path / ".cache"
    for n in (1, 2, 3):
        write_paper(content, make_paper(f"2503.0000{n}", f"Paper {n}"))
    cache.read_papers_cached(content, cache_dir)
    checkout = tmp_path / "checkout" / "content"
    shutil.copytree(content, checkout)  # new inodes and mtimes
    write_paper(checkout, make_paper("2503.00002", "Paper 2", upvotes=5))
    parsed = []
    real = cache.read_and_hash
    monkeypatch.setattr(cache, "read_and_hash", lambda path: parsed.append(path.name) or real(path))
    again = cache.read_papers_cached(checkout, cache_dir)
    assert parsed == ["2503.00002.md"] and again.papers["2503.00002"].upvotes == 5
    parsed.clear()
    cache.read_papers_cached(checkout, cache_dir)  # the new stamps were recorded
    assert parsed == []
