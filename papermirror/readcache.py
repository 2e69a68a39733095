"""Read content/ for the build, re-parsing only the paper files that changed since the last build.

Parsing YAML costs about half a millisecond per paper, too slow to re-read 10,000 papers on every
build. `.cache/content.pickle` keeps each file's parsed Paper with the file's (mtime, size, inode);
a file whose stamp changed is parsed again (in parallel when there are many) and checked exactly as
`content.read_papers` checks it. The cache is a pure speed-up: delete it and nothing changes.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import pickle
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path, PurePosixPath

from papermirror import content, paper
from papermirror.content import ContentError, iter_paper_files, read_paper
from papermirror.paper import Paper, content_relpath

log = logging.getLogger(__name__)

CACHE_NAME = "content.pickle"
PARALLEL_MIN_FILES = 400
"""Below this many changed files, parse in this process (starting workers costs more)."""

Stamp = tuple[int, int, int]


def code_version() -> str:
    """Hash of the code that defines a parsed Paper; a change invalidates the cache."""
    digest = hashlib.blake2b(digest_size=16)
    for module in (content, paper):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def file_stamp(path: Path) -> Stamp:
    info = path.stat()
    return info.st_mtime_ns, info.st_size, info.st_ino


def load_cache(path: Path, version: str) -> dict[str, tuple[Stamp, Paper]]:
    """Return the cached {relative path: (stamp, Paper)}, or {} when missing, stale or unreadable."""
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


def save_cache(path: Path, version: str, files: dict[str, tuple[Stamp, Paper]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump({"version": version, "files": files}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def parse_files(paths: list[Path], jobs: int) -> list[Paper]:
    """Parse paper files, in worker processes when there are many; raise the first ContentError."""
    if len(paths) < PARALLEL_MIN_FILES or jobs <= 1:
        return [read_paper(path) for path in paths]
    chunk = max(50, len(paths) // (jobs * 4))
    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(read_paper, paths, chunksize=chunk))


def read_papers_cached(content_dir: Path, cache_dir: Path, jobs: int = 1) -> dict[str, Paper]:
    """Read every paper below content/papers, keyed by id, re-parsing only changed files."""
    version = code_version()
    cache_path = cache_dir / CACHE_NAME
    cached = load_cache(cache_path, version)
    current: dict[str, tuple[Stamp, Path]] = {}
    for path in iter_paper_files(content_dir):
        current[path.relative_to(content_dir).as_posix()] = (file_stamp(path), path)
    changed = [path for rel, (stamp, path) in current.items() if rel not in cached or cached[rel][0] != stamp]
    parsed = dict(zip(changed, parse_files(changed, jobs)))
    files: dict[str, tuple[Stamp, Paper]] = {}
    papers: dict[str, Paper] = {}
    for rel, (stamp, path) in current.items():
        record = parsed[path] if path in parsed else cached[rel][1]
        if path in parsed and content_relpath(record.id) != PurePosixPath(rel):
            raise ContentError(f"{path}: id {record.id!r} belongs in {content_dir / content_relpath(record.id)}")
        files[rel] = (stamp, record)
        papers[record.id] = record
    if changed or len(files) != len(cached):
        save_cache(cache_path, version, files)
    log.debug("content: %d papers, %d parsed, %d from the cache", len(papers), len(changed), len(papers) - len(changed))
    return papers
