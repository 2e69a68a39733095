"""Read content/ for the build, re-parsing only the paper files that changed since the last build.

Parsing YAML costs about half a millisecond per paper, too slow to re-read 10,000 papers on every
build. `.cache/content.pickle` keeps each file's parsed Paper and a hash of its bytes (which the
render uses to tell which pages changed), with the file's (mtime, size, inode);
a file whose stamp changed is parsed again (in parallel when there are many) and checked exactly as
`content.paperfile.read_papers` checks it. The cache is a pure speed-up: delete it and nothing changes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from papermirror.content.paper import PAPER_FIELDS, Paper, content_relpath, refuse_loose_papers
from papermirror.content.paperfile import text_to_paper
from papermirror.errors import ContentError
from papermirror.files import atomic_writer, code_digest, list_paper_files
from papermirror.processes import forked_map

log = logging.getLogger(__name__)

CACHE_NAME = "content.pickle"
PARALLEL_MIN_FILES = 400
"""Below this many changed files, parse in this process (starting workers costs more)."""

Stamp = tuple[int, int, int]


def code_version() -> str:
    """Hash of the code that reads a Paper and of this cache's format; a change invalidates the cache."""
    return code_digest("content", "files.py", "errors.py")


def file_stamp(path: str) -> Stamp:
    info = os.stat(path)
    return info.st_mtime_ns, info.st_size, info.st_ino


@dataclass(frozen=True)
class Content:
    """The papers of content/, and a digest of each paper's file (the render's change detector)."""

    papers: dict[str, Paper]
    """Every paper by id, in file order."""
    digests: dict[str, str]
    """A hash of each paper file's bytes, by id."""


def read_and_hash(path: Path) -> tuple[Paper, str]:
    """Parse one paper file and hash its bytes."""
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(f"{path}: cannot read: {exc}") from None
    return text_to_paper(text, path), hashlib.blake2b(data, digest_size=16).hexdigest()


def load_cache(path: Path, version: str) -> dict[str, tuple]:
    """Return the cached {relative path: (stamp, digest, Paper fields)}, or {} when missing, stale or unreadable."""
    try:
        with path.open("rb") as handle:
            stored = pickle.load(handle)
    except FileNotFoundError:
        return {}
    except Exception as exc:  # a damaged cache is only a slower build
        log.debug("ignoring unreadable %s: %s", path, exc)
        return {}
    if not isinstance(stored, dict) or stored.get("version") != version:
        return {}
    return stored.get("files", {})


def save_cache(path: Path, version: str, files: dict[str, tuple]) -> None:
    with atomic_writer(path, durable=False) as handle:
        pickle.dump({"version": version, "files": files}, handle, protocol=pickle.HIGHEST_PROTOCOL)


def parse_files(paths: list[Path], jobs: int) -> list[tuple[Paper, str]]:
    """Parse paper files, in worker processes when there are many; raise the first ContentError."""
    if len(paths) < PARALLEL_MIN_FILES:
        jobs = 1
    size = max(50, len(paths) // (max(jobs, 1) * 4))
    shares = [paths[start : start + size] for start in range(0, len(paths), size)]
    return [parsed for share in forked_map(read_share, shares, None, jobs) for parsed in share]


def read_share(paths: list[Path], _state: None) -> list[tuple[Paper, str]]:
    """Parse one worker's share of the paper files (`forked_map`'s shape: a share and the shared state)."""
    return [read_and_hash(path) for path in paths]


def paper_stamps(content_dir: Path) -> dict[str, Stamp]:
    """Return {relative path: (mtime, size, inode)} of every paper file, in path order."""
    refuse_loose_papers(content_dir)
    return {rel: file_stamp(os.path.join(content_dir, rel)) for rel in list_paper_files(content_dir)}


def same_bytes(content_dir: Path, rels: list[str], cached: dict[str, tuple]) -> dict[str, tuple]:
    """Of the files whose stamp changed, those whose bytes hash as cached: a fresh checkout (CI, a
    restored cache) gives every file a new mtime and inode, not new content. Return their cache entries."""
    same = {}
    for rel in rels:
        if rel in cached:
            try:
                data = (content_dir / rel).read_bytes()
            except OSError:
                continue  # parsed below, which names the problem
            if hashlib.blake2b(data, digest_size=16).hexdigest() == cached[rel][1]:
                same[rel] = cached[rel]
    return same


def read_papers_cached(content_dir: Path, cache_dir: Path, jobs: int = 1, stamps: dict[str, Stamp] | None = None) -> Content:
    """Read every paper below content/papers, re-parsing only files changed since the last build.

    `stamps` are paper_stamps(content_dir), when the caller has just taken them.
    """
    version = code_version()
    cache_path = cache_dir / CACHE_NAME
    cached = load_cache(cache_path, version)
    stamps = paper_stamps(content_dir) if stamps is None else stamps
    restamped = [rel for rel, stamp in stamps.items() if rel not in cached or cached[rel][0] != stamp]
    unchanged = same_bytes(content_dir, restamped, cached)
    changed = [rel for rel in restamped if rel not in unchanged]
    parsed = dict(zip(changed, parse_files([content_dir / rel for rel in changed], jobs)))
    files: dict[str, tuple] = {}
    papers: dict[str, Paper] = {}
    digests: dict[str, str] = {}
    for rel, stamp in stamps.items():
        if rel in parsed:
            record, digest = parsed[rel]
            if content_relpath(record.id) != PurePosixPath(rel):
                raise ContentError(f"{content_dir / rel}: id {record.id!r} belongs in {content_dir / content_relpath(record.id)}")
            files[rel] = (stamp, digest, tuple(getattr(record, name) for name in PAPER_FIELDS))
        else:
            files[rel] = (stamp, *cached[rel][1:])
            record, digest = Paper(*cached[rel][2]), cached[rel][1]
        papers[record.id] = record
        digests[record.id] = digest
    if restamped or len(files) != len(cached):
        try:
            save_cache(cache_path, version, files)
        except OSError as exc:  # a cache only saves time: a read-only checkout or a full disk still reads the papers
            log.warning("%s: not saved (%s); the papers are read again next time", cache_path, exc.strerror or exc)
    log.debug("content: %d papers, %d parsed, %d from the cache", len(papers), len(changed), len(papers) - len(changed))
    return Content(papers, digests)
