"""Atomic writes, the listing of content/'s paper files, and the hash of the package's code."""

from __future__ import annotations

import pytest

from papermirror import files


def test_atomic_writer_leaves_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "a" / "paper.md"
    assert files.write_text_atomic(target, "old") is True
    with pytest.raises(RuntimeError):
        with files.atomic_writer(target) as handle:
            handle.write(b"half of the new")
            raise RuntimeError("killed half-way")
    assert target.read_text() == "old"
    assert [p.name for p in target.parent.iterdir()] == ["paper.md"]  # the temp file is gone
    assert oct(target.stat().st_mode & 0o777) == "0o644"


def test_write_only_when_the_bytes_change(tmp_path):
    target = tmp_path / "x.md"
    assert files.write_bytes_atomic(target, b"same", durable=False) is True
    stamp = target.stat().st_mtime_ns
    assert files.write_bytes_atomic(target, b"same") is False and target.stat().st_mtime_ns == stamp


def test_list_paper_files_skips_hidden_and_temp_files(tmp_path):
    content = tmp_path / "content"
    for name in ("papers/2503/2503.00002.md", "papers/2503/2503.00001.md", "papers/9901/hep-th_9901001.md",
                 "papers/2503/.2503.00003.md.x1.tmp", "papers/2503/notes.txt", "papers/.hidden/2503.00004.md"):
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("x")
    assert files.list_paper_files(content) == ["papers/2503/2503.00001.md", "papers/2503/2503.00002.md",
                                               "papers/9901/hep-th_9901001.md"]
    assert files.list_paper_files(tmp_path / "nothing") == []
    assert files.remove_stale_temp_files(content) == 1


def test_code_digest_sees_a_change_in_any_module(tmp_path, monkeypatch):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "paper.py").write_text("A = 1\n")
    (tmp_path / "site.py").write_text("B = 1\n")
    monkeypatch.setattr(files, "PACKAGE_DIR", tmp_path)
    whole, content = files.code_digest(), files.code_digest("content")
    (tmp_path / "site.py").write_text("B = 2\n")
    files.forget_code_digests()  # as a new command does: one command hashes the code once
    assert files.code_digest() != whole and files.code_digest("content") == content
    (tmp_path / "content" / "paper.py").write_text("A = 2\n")
    files.forget_code_digests()
    assert files.code_digest("content") != content


def test_a_write_that_fails_names_the_file_it_was_for_not_its_temp_file(tmp_path):
    """'.2503.10596.md.tpce38fq.tmp: Is a directory' named a file that never was, not the folder in the way."""
    target = tmp_path / "2503.10596.md"
    target.mkdir()  # a folder where the file goes
    with pytest.raises(IsADirectoryError) as caught:
        files.write_text_atomic(target, "text")
    assert caught.value.filename == str(target) and list(tmp_path.iterdir()) == [target]
    blocked = tmp_path / "a-file"
    blocked.write_text("in the way of a folder")
    with pytest.raises(NotADirectoryError) as caught:
        files.write_text_atomic(blocked / "page.html", "text")
    assert caught.value.filename in (str(blocked), str(blocked / "page.html"))


def test_a_link_that_loops_in_the_archive_is_one_line_not_a_traceback(mirror, run_cli):
    (mirror / "content/papers/2405").mkdir(parents=True)
    (mirror / "content/papers/2405/loop.md").symlink_to("loop.md")
    for command in (["status"], ["build", "--no-index"], ["search", "masked"]):
        code, _out, err = run_cli(*command, config=mirror / "mirror.yml")
        assert code == 1 and "loop.md: Too many levels of symbolic links" in err and "a link that loops" in err, err


def test_a_code_cache_folder_is_this_code_s_and_the_others_go(tmp_path):
    """Compiled templates were kept by template source alone: another code's Jinja options (trim_blocks) were not
    seen, and 334 pages kept the old code's white space."""
    parent = tmp_path / "jinja"
    (parent / "other-code").mkdir(parents=True)
    (parent / "other-code" / "t.cache").write_bytes(b"old")
    (parent / "__jinja2_x.cache").write_bytes(b"older layout")
    folder = files.code_cache_folder(parent)
    assert folder == parent / files.code_digest() and list(parent.iterdir()) == [folder]
    (folder / "t.cache").write_bytes(b"mine")
    assert files.code_cache_folder(parent) == folder and (folder / "t.cache").read_bytes() == b"mine"
