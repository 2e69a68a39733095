"""Write site/: one file at a time (temp file + rename, only when the bytes change), never outside
site/, and remove the files of pages that no longer belong.

A first build (no site/ yet) is drawn into a hidden staging folder beside it and renamed to site/
once complete, so site/ never exists half-built. site/ is derived from content/, so writes skip
fsync (a crash leaves each file old or new, and the next build redraws anything the build cache does not
vouch for); fsync per page would cost more than drawing it.
"""

from __future__ import annotations

from pathlib import Path

from papermirror.files import named, temp_files_of, write_bytes_atomic


def write_if_changed(path: Path, data: bytes, staging: bool = False) -> bool:
    """Write `data` to `path` through a temp file + rename unless it already holds it; tell if written.

    In a staging folder (a first build, renamed into place when complete) nobody reads the files
    yet, so they are written directly: half the file-system operations.
    """
    if staging:
        try:
            try:
                with open(path, "wb") as handle:
                    handle.write(data)
            except FileNotFoundError:
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "wb") as handle:
                    handle.write(data)
        except OSError as exc:  # a full disk says so on write(), naming no file: name the page
            renamed = named(exc, path)
            if renamed is exc:
                raise
            raise renamed from exc
        return True
    return write_bytes_atomic(path, data, durable=False)


def remove_temp_files(site_dir: Path, paths: list[str]) -> int:
    """Delete the temp files (atomic_writer's `.<name>.<random>.tmp`) that a build killed while writing `paths`
    left beside them; count them. Published with the site, they stayed there for good. (Only one build at a
    time writes a site folder: two would also overwrite each other's manifest; serve previews into its own.)"""
    removed = 0
    for path in paths:
        try:
            target = output_file(site_dir, path)
        except ValueError:
            continue  # a tampered manifest must not delete anything outside site/
        for temp in temp_files_of(target):
            temp.unlink(missing_ok=True)
            removed += 1
    return removed


def remove_stale(site_dir: Path, stale: list[str]) -> int:
    """Delete files an earlier build wrote that no page claims any more; prune emptied folders."""
    removed = 0
    root = site_dir.resolve()
    for path in sorted(stale):
        try:
            target = output_file(site_dir, path)
        except ValueError:
            continue  # a tampered manifest must not delete anything outside site/
        if target.is_file() and not target.is_symlink():
            target.unlink()
            removed += 1
        folder = target.parent
        while folder.resolve() != root and folder.resolve().is_relative_to(root):
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent
    return removed


def check_output_path(relpath: str) -> str:
    """Return relpath if it stays inside site/ (no '..', no absolute path, no backslash), else raise."""
    parts = relpath.split("/")
    if not relpath or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts):
        raise ValueError(f"refusing to write outside site/: {relpath!r}")
    return relpath


def output_file(site_dir: Path, relpath: str) -> Path:
    """Return site_dir/relpath, refusing any path that could leave site_dir."""
    return site_dir / check_output_path(relpath)
