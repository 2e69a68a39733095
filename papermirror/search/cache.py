"""The terminal search's cache, `.cache/search/index.bin`: the index, rebuilt whenever content/ changes.

The file holds a line naming the format, then the listing of content/ the index was built from
(every paper file's name, size and mtime), then the index (store.encode_index). A search lists
content/ again and, when the listings match, reads the file's table of terms and then the postings
of only the terms its query touches; any change in content/ rebuilds it.
"""

from __future__ import annotations

import logging
import os
import pickle
import struct
import sys
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from lunr import __VERSION__ as LUNR_VERSION

from papermirror.content.paper import refuse_loose_papers
from papermirror.files import check_content_dir, code_digest, list_paper_files
from papermirror.search.store import (
    INDEX_FORMAT,
    SearchIndex,
    decode_index,
    encode_index,
    read_header,
)

if TYPE_CHECKING:
    from papermirror.config import Config

log = logging.getLogger(__name__)

CACHE_MAGIC = b"papermirror-search-index"
CACHE_FORMAT = b"%s %d lunr-%s %s " % (CACHE_MAGIC, INDEX_FORMAT, LUNR_VERSION.encode(), sys.byteorder.encode())


def cache_prefix() -> bytes:
    """The cache's first line: the format, the digest of the code that indexes (another tokeniser must index
    again), then the length of the listing of content/ that follows it."""
    return CACHE_FORMAT + code_digest("search", "content", "site/mathtext.py", "site/textmode.py").encode() + b" "


OLD_CACHE_NAMES = ("lunr-index.txt",)
"""Caches of earlier versions in .cache/search/, deleted when the index is rebuilt."""
CACHE_ERRORS = (OSError, ValueError, KeyError, TypeError, IndexError, EOFError, pickle.UnpicklingError, struct.error)
"""What reading a damaged or foreign cache file can raise."""


def cache_path(config: Config) -> Path:
    """Where the terminal search keeps its index (outside site/)."""
    return config.cache_dir / "search" / "index.bin"


def list_content(content_dir: Path) -> bytes:
    """Every paper file's relative path, size and mtime, one a line, sorted: it changes whenever content/ does."""
    lines = []
    for relpath in list_paper_files(content_dir):
        stat = os.stat(content_dir / relpath)
        lines.append(f"{relpath.removeprefix('papers/')}\t{stat.st_size}\t{stat.st_mtime_ns}\n")
    return "".join(lines).encode()


def load_index(config: Config) -> SearchIndex:
    """Return the cached index if content/ is unchanged since it was built, else build and cache it."""
    content_dir = config.content_dir
    check_content_dir(content_dir)
    refuse_loose_papers(content_dir)  # a paper no listing holds, cached index or not
    listing = list_content(content_dir)
    prefix = cache_prefix()
    first_line = prefix + f"{len(listing)}\n".encode()
    path = cache_path(config)
    cached = read_cache(path, first_line + listing)
    if cached is not None:
        return cached
    from papermirror.content.cache import read_papers_cached
    from papermirror.content.paperfile import read_papers
    from papermirror.files import write_bytes_atomic  # only when indexing

    log.info("search: indexing %s (it changed since the last search)", content_dir)
    try:  # through the build's cache of parsed papers: only the files changed since are parsed
        papers = read_papers_cached(content_dir, config.cache_dir, os.cpu_count() or 1).papers
    except OSError as exc:  # that cache cannot be written; a paper that cannot be read is a ContentError
        log.warning("%s: %s; reading every paper file", config.cache_dir, exc)
        papers = read_papers(content_dir)
    data = encode_index(papers, read_token_terms(path, prefix))
    try:
        write_bytes_atomic(path, first_line + listing + data, durable=False)
        for name in OLD_CACHE_NAMES:
            (path.parent / name).unlink(missing_ok=True)
    except OSError as exc:
        log.warning("%s: cannot write the search cache (%s); the next search indexes again", path, exc)
    return decode_index(data)


class CacheFile:
    """The cache file, open, read a span at a time: a search reads the header and its terms' postings.

    (Mapping it with mmap would do, but the kernel maps whole neighbourhoods of each page touched:
    12 MB more resident for one common word.)
    """

    def __init__(self, file: BinaryIO) -> None:
        self._file, self._size = file, os.fstat(file.fileno()).st_size

    def __getitem__(self, span: slice) -> bytes:
        self._file.seek(span.start)
        return self._file.read(span.stop - span.start)

    def __len__(self) -> int:
        return self._size

    def close(self) -> None:
        self._file.close()

    def __del__(self) -> None:
        self.close()


def read_cache(path: Path, key: bytes) -> SearchIndex | None:
    """Open the cached index if the cache starts with `key`; None when it is missing, stale or unreadable.

    The key is a line naming the format, then the listing of content/ the index was built from.
    """
    cache = None
    try:
        cache = CacheFile(path.open("rb"))
        if cache[0 : len(key)] == key:
            return decode_index(cache, len(key))
        if cache[0 : len(CACHE_MAGIC) + 1] == CACHE_MAGIC + b" ":
            cache.close()
            return None  # another format, or content/ changed: rebuild quietly
        raise ValueError("not a search index")
    except FileNotFoundError:
        return None
    except CACHE_ERRORS as exc:
        if cache is not None:
            cache.close()
        log.warning("%s: unreadable search cache, rebuilding it (%s)", path, exc)
        return None


def read_token_terms(path: Path, prefix: bytes) -> dict[str, str | None]:
    """Return the term lunr's pipeline made of each token at the last indexing, from the cache ({} if none).

    Stemming every distinct token is the slowest part of indexing a real archive, and a day's
    snapshot brings few new tokens.
    """
    try:
        cache = CacheFile(path.open("rb"))
    except OSError:
        return {}
    try:
        line = cache[0:200].split(b"\n", 1)[0] + b"\n"
        if not line.startswith(prefix):
            return {}
        header, body_start = read_header(cache, len(line) + int(line[len(prefix) :]))
        start, end = header["token_terms"]
        token_terms = pickle.loads(cache[body_start + start : body_start + end])
        return token_terms if isinstance(token_terms, dict) else {}
    except CACHE_ERRORS:
        return {}
    finally:
        cache.close()
