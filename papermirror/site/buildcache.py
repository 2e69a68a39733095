"""The build cache: what the last build wrote into site/, and which pages must be drawn again.

A page is drawn again only when the hash of its inputs differs from the one recorded in
.cache/site-manifest.json, or its file is missing or has another size. A page's inputs are its
papers' files, its small context, and the fingerprint of what every page depends on: the layouts,
the site settings, the package's code (every module, hashed as bytes: no hand-kept list) and the
versions of the libraries that draw. When no input of the whole build changed (`input_stamp`) and
every file is intact, a build returns at once without reading the papers.

    cache = BuildCache.load(cache_dir, site_dir)
    if cache.is_unchanged(inputs): stop
    todo = [page for page in pages if not cache.is_current(page.path, digests[page.path])]
    cache.forget([page.path for page in todo])   # until drawn, no manifest vouches for them
    ... draw todo ...
    removed = remove_stale(site_dir, cache.stale(digests))   # the files no page claims any more
    cache.save(digests, sizes, inputs)
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from papermirror.config import Config, SiteConfig
from papermirror.content.cache import Stamp
from papermirror.content.ledger import LEDGER_NAME
from papermirror.files import code_digest, write_bytes_atomic
from papermirror.site.archive import Archive
from papermirror.site.contexts import Page

MANIFEST_NAME = "site-manifest.json"
MANIFEST_VERSION = 1
LIBRARIES = ("jinja2", "markdown", "nh3", "latex2mathml", "markupsafe")
"""Libraries whose version changes what a page looks like."""


def static_files(layouts_dir: Path) -> list[str]:
    """Files under layouts/static/, as paths relative to it."""
    folder = layouts_dir / "static"
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def asset_version(layouts_dir: Path) -> str:
    """A short hash of layouts/static/, appended to asset URLs so browsers fetch a changed style."""
    digest = hashlib.blake2b(digest_size=4)
    for name in static_files(layouts_dir):
        digest.update(name.encode() + (layouts_dir / "static" / name).read_bytes())
    return digest.hexdigest()


def fingerprint(layouts_dir: Path, site: SiteConfig) -> str:
    """Hash what every page depends on: layouts, site settings, the package's code and library versions."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in layouts_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(layouts_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(code_digest().encode())
    digest.update(site.model_dump_json().encode())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}={version(name)}".encode())
        except PackageNotFoundError:
            pass
    return digest.hexdigest()


def input_stamp(config: Config, stamps: dict[str, Stamp], salt: str) -> str:
    """Hash everything a build reads: the paper files' (mtime, size, inode), the ledger's, mirror.yml's
    listing and the fingerprint `salt`. Unchanged since the last build (and site/ intact): nothing to do."""
    digest = hashlib.blake2b(salt.encode(), digest_size=16)
    digest.update(config.listing.model_dump_json().encode())
    try:
        info = os.stat(config.content_dir / LEDGER_NAME)
        digest.update(f"ledger {info.st_mtime_ns} {info.st_size} {info.st_ino}\n".encode())
    except FileNotFoundError:
        digest.update(b"no ledger\n")
    digest.update(repr(list(stamps.items())).encode())
    return digest.hexdigest()


def page_digests(pages: list[Page], archive: Archive, file_digests: dict[str, str], salt: str) -> dict[str, str]:
    """Hash each page's render inputs: the salt, its template and context, and for each paper it
    shows, its file's digest plus its keywords' and organization's shown names and links, and which keywords are
    search filters (all of which depend on the other papers)."""
    pages_of, orgs, filters = archive.keywords, archive.organizations, archive.keyword_filters
    papers = {
        paper_id: file_digests[paper_id]
        + "|".join(f"{n}\0{pages_of[n].slug if n in pages_of else ''}\0{n in filters:d}" for n in names)
        + (f"\0{org}\0{orgs[org].slug if org in orgs else ''}" if (org := archive.paper_organization.get(paper_id)) else "")
        for paper_id, names in archive.paper_keywords.items()
    }
    digests = {}
    for page in pages:
        head = f"{salt}\0{page.template}\0{page.context_text()}\0"
        body = head + "".join(papers[paper_id] for paper_id in page.paper_ids)
        digests[page.path] = hashlib.blake2b(body.encode("utf-8"), digest_size=16).hexdigest()
    return digests


PREVIEW_DIR = Path("preview") / "site"
"""Where `serve` builds its preview, below .cache/: a folder of the mirror's own, as site/ is."""


def build_cache_dir(config: Config, site_dir: Path) -> Path:
    """Where the build cache of `site_dir` lives: .cache/ for site/, a folder of its own below
    .cache/sites/ for any other (serve's preview), so that neither makes the other redraw everything."""
    if site_dir.resolve() == config.site_dir.resolve():
        return config.cache_dir
    where = os.path.relpath(site_dir.resolve(), config.root.resolve())
    return config.cache_dir / "sites" / hashlib.blake2b(where.encode(), digest_size=6).hexdigest()


def site_key(cache_dir: Path, site_dir: Path) -> str:
    """The site folder a manifest describes, relative to the cache ("../site"): the same in every
    checkout of the mirror, so a CI runner that restores .cache/ and site/ elsewhere still uses them."""
    return os.path.relpath(site_dir.resolve(), cache_dir.resolve())


@dataclass
class BuildCache:
    """The manifest of the last build into `site_dir`: each output file's input digest and size."""

    cache_dir: Path
    site_dir: Path
    pages: dict[str, list]
    """Output path -> [input digest, size in bytes]."""
    inputs: str | None
    """The whole build's input stamp, when it was recorded."""

    @classmethod
    def load(cls, cache_dir: Path, site_dir: Path) -> BuildCache:
        """Read the manifest of the last build into `site_dir` (empty when missing, damaged or for another site/).
        A manifest of another MANIFEST_VERSION still says which files that build wrote: they are all drawn
        again, and those no page claims any more are removed, as after any build (else they stayed for good)."""
        try:
            stored = json.loads((cache_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError, OSError):
            stored = None
        if not isinstance(stored, dict) or stored.get("site") != site_key(cache_dir, site_dir):
            return cls(cache_dir, site_dir, {}, None)
        pages, inputs = stored.get("pages"), stored.get("inputs")
        if stored.get("version") != MANIFEST_VERSION:
            written = [path for path in pages if isinstance(path, str)] if isinstance(pages, dict) else []
            return cls(cache_dir, site_dir, {path: ["", -1] for path in written}, None)
        return cls(cache_dir, site_dir, pages if isinstance(pages, dict) else {}, inputs if isinstance(inputs, str) else None)

    def is_unchanged(self, inputs: str) -> bool:
        """Tell whether nothing the build reads changed since the last build and every file it wrote is intact."""
        return inputs == self.inputs and all(self._has_size(path, size) for path, (_digest, size) in self.pages.items())

    def is_current(self, path: str, digest: str) -> bool:
        """Tell whether the file the last build wrote for `path` is still there, from the same inputs."""
        entry = self.pages.get(path)
        return bool(entry) and entry[0] == digest and self._has_size(path, entry[1])

    def _has_size(self, path: str, size: int) -> bool:
        try:
            return os.stat(os.path.join(self.site_dir, path)).st_size == size
        except OSError:
            return False

    def stale(self, digests: dict[str, str]) -> list[str]:
        """The files the last build wrote that no page of this build (`digests`) claims any more."""
        return [path for path in self.pages if path not in digests]

    def unfinished(self) -> list[str]:
        """The files the last build was drawing when it stopped (forgotten, and not recorded since)."""
        return [path for path, entry in self.pages.items() if not entry[0]]

    def forget(self, paths: list[str]) -> None:
        """Blank the input digest of `paths` in the manifest on disk before they are drawn again: a build that
        dies (or fails) half-way must not leave a manifest vouching for pages it rewrote from other inputs, or
        did not finish. The next build draws them again; they stay listed, so one no page claims by then is
        still removed as stale. A path the last build did not write is listed too (size -1: not known): the
        build may write it before it fails, and a page only this build claimed (a paper deleted before the next)
        would otherwise stay in site/ for good."""
        if paths:
            gone = set(paths)
            pages = {path: ["", entry[1]] if path in gone else entry for path, entry in self.pages.items()}
            self._write(pages | {path: ["", -1] for path in paths if path not in pages}, None)

    def save(self, digests: dict[str, str], sizes: dict[str, int], inputs: str | None) -> None:
        """Record this build's pages (`sizes` of those written now; the others keep theirs). The files no page
        claims any more (`stale`) are removed before this (see render.py)."""
        pages = {path: [digest, sizes[path] if path in sizes else self.pages[path][1]] for path, digest in digests.items()}
        self._write(pages, inputs)
        self.pages, self.inputs = pages, inputs

    def _write(self, pages: dict[str, list], inputs: str | None) -> None:
        data = {"version": MANIFEST_VERSION, "site": site_key(self.cache_dir, self.site_dir), "inputs": inputs, "pages": dict(sorted(pages.items()))}
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(self.cache_dir / MANIFEST_NAME, json.dumps(data, separators=(",", ":")).encode("utf-8"), durable=False)
