"""Files: atomic writes, listing content/'s paper files, and hashing the package's own code.

Every file this package writes, in content/, .cache/ or site/, goes through `atomic_writer`: a temp
file beside the target, then a rename, so a run killed half-way leaves each file old or new.
"""

from __future__ import annotations

import functools
import glob
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from papermirror.errors import UserError

PAPERS_DIR = "papers"
"""content/papers/<YYMM>/<id>.md: where the paper files live."""
PACKAGE_DIR = Path(__file__).resolve().parent


def check_content_dir(content_dir: Path, missing_ok: bool = False) -> None:
    """Raise UserError when `content_dir` is not a folder: missing (unless `missing_ok`: a new archive before its
    first snapshot), or a file or a broken link in its place."""
    if content_dir.is_dir():
        return
    if content_dir.exists() or content_dir.is_symlink():
        raise UserError(f"{content_dir}: not a folder (the archive's folder goes there: move what is there away, "
                        "or point --config at the right mirror.yml)")
    if not missing_ok:  # a wrong --config or a deleted archive: a build would empty the site
        raise UserError(f"{content_dir}: no such folder; run `python build.py snapshot` first "
                        "(an archive with no papers yet is an empty content/ folder)")


def list_paper_files(content_dir: Path) -> list[str]:
    """Every paper file as a relative path "papers/<YYMM>/<file>.md", sorted (hidden and temp files left out). A file
    not named as a paper's (`PAPER_FILE_NAME`) that holds no front matter is the owner's (content/papers/2405/NOTES.md)
    and left out; one that does is listed, so that reading it says where it belongs."""
    found = []
    papers_dir = content_dir / PAPERS_DIR
    if not papers_dir.is_dir():
        if papers_dir.exists() or papers_dir.is_symlink():  # a build would read no paper and remove every page
            raise UserError(f"{papers_dir}: not a folder (it holds the paper files: move what is there away)")
        return []
    for shard in os.scandir(papers_dir):
        if shard.is_dir() and not shard.name.startswith("."):
            found += [f"{PAPERS_DIR}/{shard.name}/{entry.name}" for entry in os.scandir(shard.path)
                      if entry.name.endswith(".md") and not entry.name.startswith(".") and entry.is_file()
                      and (PAPER_FILE_NAME.fullmatch(entry.name) or _has_front_matter(entry.path))]
    return sorted(found)


PAPER_FILE_NAME = re.compile(r"(?:\d{4}\.\d{4,5}|[A-Za-z][\w.-]*_\d{7})(?:v\d+)?\.md")
"""A name a paper's file may have: a new-style id's ("2405.15738.md") or an old-style one's, '/' as '_'
("hep-th_9901001.md"). Such a file is read as a paper wherever it is, and must be one."""


def _has_front_matter(path: str) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(3) == b"---"
    except OSError:
        return True  # read as a paper, which names what is wrong


def named(exc: OSError, path: Path, instead_of: str | None = None) -> OSError:
    """`exc` naming `path` when it names no file (a full disk says so on write(), naming none) or names `instead_of`
    (a temp file the user never asked for); else `exc` itself."""
    if exc.filename not in (None, instead_of):
        return exc
    return OSError(exc.errno, exc.strerror, str(path))


@contextmanager
def atomic_writer(path: Path, durable: bool = True) -> Iterator[BinaryIO]:
    """Open a temp file beside `path` for writing; on success it replaces `path`, on error it is removed.

    `durable` also fsyncs the file before the rename (content/ is the archive of record; the site
    and the caches can be rebuilt, so they skip it).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    except OSError as exc:  # named by the file it was for, not by a temp file that never was
        raise OSError(exc.errno, exc.strerror, str(path)) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; pages and content are meant to be read
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        renamed = named(exc, path, tmp)  # `path` is a folder, the disk is full, ...
        if renamed is exc:
            raise
        raise renamed from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes, durable: bool = True) -> bool:
    """Write `data` to `path` atomically, only if the bytes differ; tell whether it was written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    with atomic_writer(path, durable) as handle:
        handle.write(data)
    return True


def write_text_atomic(path: Path, text: str) -> bool:
    """Write `text` as UTF-8 to `path` atomically, only if the bytes differ; tell whether it was written."""
    return write_bytes_atomic(path, text.encode("utf-8"))


TEMP_SUFFIX = ".tmp"
TEMP_GLOB = f".*{TEMP_SUFFIX}"
"""The names of atomic_writer's temp files (`.<name>.<random>.tmp`): what a write cut short leaves behind."""


def temp_files_of(path: Path) -> list[Path]:
    """The temp files atomic_writer left beside `path` when a write of it was cut short (files only, no link)."""
    found = path.parent.glob(f".{glob.escape(path.name)}.*{TEMP_SUFFIX}")
    return [temp for temp in found if temp.is_file() and not temp.is_symlink()]


def remove_stale_temp_files(content_dir: Path) -> int:
    """Delete temp files a killed run left behind (only ours: TEMP_GLOB); count them."""
    stale = [*content_dir.glob(TEMP_GLOB), *content_dir.glob(f"{PAPERS_DIR}/*/{TEMP_GLOB}")]
    for path in stale:
        path.unlink(missing_ok=True)
    return len(stale)


def code_cache_folder(parent: Path) -> Path:
    """Make and return `parent`/<this code's digest>, a cache folder only this code uses, removing the folders (and
    files) other code left in `parent`: a cache is valid only for the code that wrote it."""
    folder = parent / code_digest()
    if not folder.is_dir():
        if parent.is_dir():
            for entry in os.scandir(parent):
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    Path(entry.path).unlink(missing_ok=True)
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def code_digest(*folders: str) -> str:
    """Hash every Python file of the package below `folders` (all of it when none are named).

    Read as bytes, never imported, so a build with nothing to draw imports nothing it does not use;
    and no hand-kept list of files can forget one (a change to `Paper` must redraw the pages). Hashed once a
    process (the code does not change under a running command): a build asks for it for each of its caches.
    """
    return _code_digest(PACKAGE_DIR, folders)


def forget_code_digests() -> None:
    """Hash the code again at the next `code_digest`: each command starts so (build.main), as a new process would."""
    _code_digest.cache_clear()


@functools.lru_cache(maxsize=None)
def _code_digest(package_dir: Path, folders: tuple[str, ...]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    roots = [package_dir / folder for folder in folders] or [package_dir]
    for path in sorted(p for root in roots for p in (root.rglob("*.py") if root.is_dir() else [root])):
        digest.update(path.relative_to(package_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
