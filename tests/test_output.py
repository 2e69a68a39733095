"""Writes into site/: never outside it, only when the bytes change, and stale files removed safely."""

from __future__ import annotations

import pytest

from papermirror.site.output import output_file, remove_stale, write_if_changed


def test_output_paths_never_leave_site(tmp_path):
    site = tmp_path / "site"
    assert output_file(site, "papers/hep-th/9901001/index.html") == site / "papers/hep-th/9901001/index.html"
    for bad in ("../escape.html", "/etc/passwd", "papers/../../x", "", "a\\..\\b"):
        with pytest.raises(ValueError):
            output_file(site, bad)


def test_write_if_changed_writes_only_new_bytes(tmp_path):
    target = tmp_path / "site/a/index.html"
    assert write_if_changed(target, b"one") is True
    stamp = target.stat().st_mtime_ns
    assert write_if_changed(target, b"one") is False and target.stat().st_mtime_ns == stamp
    assert write_if_changed(target, b"two") is True and target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["index.html"]  # no temp file left


def test_remove_stale_deletes_inside_site_only_and_prunes_empty_folders(tmp_path):
    site = tmp_path / "site"
    (site / "keywords/gone").mkdir(parents=True)
    (site / "keywords/gone/index.html").write_text("x")
    (site / "keywords/kept").mkdir()
    (site / "keywords/kept/index.html").write_text("x")
    outside = tmp_path / "precious.txt"
    outside.write_text("keep")
    removed = remove_stale(site, ["keywords/gone/index.html", "../precious.txt", "/etc/passwd", "missing/index.html"])
    assert removed == 1
    assert not (site / "keywords/gone").exists() and (site / "keywords/kept/index.html").exists()
    assert outside.read_text() == "keep"



def test_a_full_disk_names_the_page_being_written(tmp_path, monkeypatch):
    """A first build on a full disk said "No space left on device" and no file (the user-mistakes review): write()
    names none. /dev/full answers every write so: a page of a first build (written straight into the staging
    folder) and one of a later build (a temp file, then a rename) are both named."""
    import errno
    import os

    import papermirror.files as files

    first = tmp_path / "staging" / "index.html"
    first.parent.mkdir()
    first.symlink_to("/dev/full")
    with pytest.raises(OSError) as caught:
        write_if_changed(first, b"<p>page</p>", staging=True)
    assert (caught.value.errno, caught.value.filename) == (errno.ENOSPC, str(first))

    real_mkstemp = files.tempfile.mkstemp

    def on_a_full_disk(*args, **kwargs):
        fd, name = real_mkstemp(*args, **kwargs)
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, fd)
        os.close(full)
        return fd, name

    monkeypatch.setattr(files.tempfile, "mkstemp", on_a_full_disk)
    later = tmp_path / "site" / "index.html"
    with pytest.raises(OSError) as caught:
        write_if_changed(later, b"<p>page</p>")
    assert (caught.value.errno, caught.value.filename) == (errno.ENOSPC, str(later))
    assert os.listdir(later.parent) == []  # no temp file left
