"""Write site/: one file at a time (temp file + rename, only when the bytes change), the manifest of
what the last build wrote, and the removal of pages that no longer belong.

A first build (no site/ yet) is drawn into a hidden staging folder beside it and renamed to site/
once complete, so site/ never exists half-built. site/ is derived from content/, so writes skip
fsync (a crash leaves each file old or new, and the next build redraws anything the manifest does not vouch for); fsync per page would cost
more than drawing it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from papermirror.content import write_bytes_atomic
from papermirror.pages import output_file

MANIFEST_NAME = "site-manifest.json"
MANIFEST_VERSION = 1


def write_if_changed(path: Path, data: bytes, staging: bool = False) -> bool:
    """Write `data` to `path` through a temp file + rename unless it already holds it; tell if written.

    In a staging folder (a first build, renamed into place when complete) nobody reads the files
    yet, so they are written directly: half the file-system operations.
    """
    if staging:
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)
        return True
    return write_bytes_atomic(path, data, durable=False)


def load_manifest(cache_dir: Path, site_dir: Path) -> tuple[dict[str, list], str | None]:
    """Return ({output path: [render-input digest, size]}, the build's input stamp) from the last
    build into `site_dir`."""
    try:
        stored = json.loads((cache_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, OSError):
        return {}, None
    if not isinstance(stored, dict) or stored.get("version") != MANIFEST_VERSION or stored.get("site") != str(site_dir):
        return {}, None
    pages = stored.get("pages")
    inputs = stored.get("inputs")
    return (pages if isinstance(pages, dict) else {}), (inputs if isinstance(inputs, str) else None)


def save_manifest(cache_dir: Path, site_dir: Path, pages: dict[str, list], inputs: str | None = None) -> None:
    data = {"version": MANIFEST_VERSION, "site": str(site_dir), "inputs": inputs, "pages": dict(sorted(pages.items()))}
    cache_dir.mkdir(parents=True, exist_ok=True)
    write_if_changed(cache_dir / MANIFEST_NAME, json.dumps(data, separators=(",", ":")).encode("utf-8"))


def is_current(site_dir: Path, path: str, digest: str, manifest: dict[str, list]) -> bool:
    """Tell whether the file the last build wrote for `path` is still there, from the same inputs."""
    entry = manifest.get(path)
    if not entry or entry[0] != digest:
        return False
    try:
        return os.stat(os.path.join(site_dir, path)).st_size == entry[1]
    except OSError:
        return False


def outputs_intact(site_dir: Path, manifest: dict[str, list]) -> bool:
    """Tell whether every file the last build wrote is still there, at the size it was written."""
    for path, (_digest, size) in manifest.items():
        try:
            if os.stat(os.path.join(site_dir, path)).st_size != size:
                return False
        except OSError:
            return False
    return True


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
