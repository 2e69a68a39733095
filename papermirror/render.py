"""The render stage: content/ -> site/.

    stamp the inputs (unchanged and site/ intact: stop here) -> read content (cached parse)
    -> arrange the archive -> plan pages -> hash each page's inputs
    -> draw the pages whose inputs changed (in parallel) -> write changed bytes -> drop stale pages

Everything is read and checked before the first byte is written, so a bad content file or a template
that does not compile stops the build with site/ untouched. (A template that fails while drawing, e.g.
on an undefined name, stops the build naming its file and line; each file is then either old or new.) A page is drawn again only when the hash of its inputs (its
papers, its small context, the layouts, the site settings and the rendering code) differs from the
one recorded in .cache/site-manifest.json, or its file is missing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from papermirror import about
from papermirror.archive import Archive, build_archive
from papermirror.config import Config, SiteConfig
from papermirror.content import LEDGER_NAME, read_ledger
from papermirror.errors import UserError
from papermirror.output import is_current, load_manifest, outputs_intact, remove_stale, save_manifest, write_if_changed
from papermirror.pages import Links, Page, check_output_path, output_file, plan_pages
from papermirror.readcache import Stamp, paper_stamps, read_papers_cached

if TYPE_CHECKING:
    from papermirror.templates import Renderer

log = logging.getLogger(__name__)

PARALLEL_MIN_PAGES = 300
"""Below this many pages to draw, draw them in this process (starting workers costs more)."""
CHUNKS_PER_WORKER = 6
RENDER_CODE = ("about.py", "archive.py", "status.py", "cite.py", "feeds.py", "mathtext.py", "notes.py", "pages.py",
               "templates.py", "render.py")
"""The package's files whose code shapes the pages (named, not imported: a build with nothing to draw
never imports the template machinery)."""
LIBRARIES = ("jinja2", "markdown", "nh3", "latex2mathml", "markupsafe")


@dataclass(frozen=True)
class BuildReport:
    """What a build did."""

    papers: int
    pages: int
    """Files the site consists of."""
    drawn: int
    """Pages whose inputs changed, drawn this run."""
    written: int
    """Files whose bytes changed on disk."""
    removed: int
    """Stale files deleted."""
    seconds: float

    def line(self) -> str:
        return (f"{self.papers} papers, {self.pages} files: {self.drawn} drawn, {self.written} written, "
                f"{self.removed} removed in {self.seconds:.1f}s")


def site_settings(config: Config, base_url: str | None) -> SiteConfig:
    """Return mirror.yml's site settings, with --base-url (checked the same way) in place of base_url."""
    if base_url is None:
        return config.site
    try:
        return SiteConfig.model_validate({**config.site.model_dump(), "base_url": base_url})
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise UserError(f"--base-url {base_url!r}: {message}") from None


def static_files(layouts_dir: Path) -> list[str]:
    """Files under layouts/static/, as paths relative to it."""
    folder = layouts_dir / "static"
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def fingerprint(layouts_dir: Path, site: SiteConfig) -> str:
    """Hash what every page depends on: layouts, site settings, rendering code and library versions."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in layouts_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(layouts_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for name in RENDER_CODE:
        digest.update((Path(__file__).parent / name).read_bytes())
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


def asset_version(layouts_dir: Path) -> str:
    """A short hash of layouts/static/, appended to asset URLs so browsers fetch a changed style."""
    digest = hashlib.blake2b(digest_size=4)
    for name in static_files(layouts_dir):
        digest.update(name.encode() + (layouts_dir / "static" / name).read_bytes())
    return digest.hexdigest()


def page_digests(pages: list[Page], archive: Archive, file_digests: dict[str, str], salt: str) -> dict[str, str]:
    """Hash each page's render inputs: the salt, its template and context, and for each paper it
    shows, its file's digest plus its keyword links (which depend on the other papers)."""
    pages_of = archive.keywords
    papers = {
        paper_id: file_digests[paper_id] + "|".join(pages_of[n].slug if n in pages_of else "" for n in names)
        for paper_id, names in archive.paper_keywords.items()
    }
    digests = {}
    for page in pages:
        context = json.dumps(page.context, sort_keys=True) if page.context else ""
        head = f"{salt}\0{page.template}\0{context}\0"
        body = head + "".join(papers[paper_id] for paper_id in page.paper_ids)
        digests[page.path] = hashlib.blake2b(body.encode("utf-8"), digest_size=16).hexdigest()
    return digests


def draw_and_write(renderer: Renderer, page: Page, site_dir: Path, staging: bool) -> tuple[str, int, bool]:
    """Draw one page and write it if its bytes changed; return (path, size, written)."""
    data = renderer.render(page)
    return page.path, len(data), write_if_changed(output_file(site_dir, page.path), data, staging)


_WORKER: dict = {}
"""The Renderer of a worker process, set once by _start_worker (the only per-process state)."""


def _start_worker(renderer: Renderer) -> None:
    _WORKER["renderer"] = renderer


def _draw_chunk(pages: list[Page], site_dir: Path, staging: bool) -> list[tuple[str, int, bool]]:
    return [draw_and_write(_WORKER["renderer"], page, site_dir, staging) for page in pages]


def plan_chunks(pages: list[Page], count: int) -> list[list[Page]]:
    """Split the pages to draw into work for the workers, the longest first.

    A worker draws each listing item once and reuses it, so the listings that share items go to one
    worker: home, day and keyword pages (full items) in one chunk, month pages (short items) in
    another. Spread over two workers, each of them drew nearly every item again. The other pages
    (mostly paper pages) are interleaved over `count` chunks, so that big pages spread out.
    """
    listings = [page for page in pages if page.template == "list.html"]
    months = [page for page in pages if page.template == "month.html"]
    rest = [page for page in pages if page.template not in ("list.html", "month.html")]
    return [chunk for chunk in [listings, months, *(rest[i::count] for i in range(count))] if chunk]


def draw_pages(pages: list[Page], renderer: Renderer, site_dir: Path, jobs: int, staging: bool = False) -> list[tuple[str, int, bool]]:
    """Draw and write `pages`, spread over `jobs` forked worker processes when there are many.

    Workers are forked so that they inherit the archive and the compiled templates instead of
    receiving them pickled; where fork is unavailable the pages are drawn in this process.
    """
    if jobs <= 1 or len(pages) < PARALLEL_MIN_PAGES or "fork" not in multiprocessing.get_all_start_methods():
        return [draw_and_write(renderer, page, site_dir, staging) for page in pages]
    chunks = plan_chunks(pages, jobs * CHUNKS_PER_WORKER)
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(renderer,))
    try:
        futures = [pool.submit(_draw_chunk, chunk, site_dir, staging) for chunk in chunks if chunk]
        return [result for future in futures for result in future.result()]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def build_site(config: Config, base_url: str | None = None, jobs: int | None = None) -> BuildReport:
    """Render content/ into site/, drawing only the pages whose inputs changed."""
    started = time.perf_counter()
    jobs = jobs or os.cpu_count() or 1
    site = site_settings(config, base_url)
    links = Links(site.base_path)
    layouts_dir, site_dir = config.layouts_dir, config.site_dir

    stamps = paper_stamps(config.content_dir)
    salt = fingerprint(layouts_dir, site)
    inputs = input_stamp(config, stamps, salt)
    manifest, last_inputs = load_manifest(config.cache_dir, site_dir)
    if inputs == last_inputs and outputs_intact(site_dir, manifest):
        log.debug("build: no input changed since the last build and site/ is intact")
        return BuildReport(papers=len(stamps), pages=len(manifest), drawn=0, written=0, removed=0,
                           seconds=time.perf_counter() - started)

    content = read_papers_cached(config.content_dir, config.cache_dir, jobs, stamps)
    papers = content.papers
    archive = build_archive(papers, config.content_dir)
    ledger = read_ledger(config.content_dir)
    updated = about.site_updated(archive, ledger)
    pages = plan_pages(archive, site, static_files(layouts_dir), about.about_context(config.listing, ledger, archive, updated))
    for page in pages:
        check_output_path(page.path)  # refuse any path leaving site/ before writing anything

    digests = page_digests(pages, archive, content.digests, salt)
    todo = [page for page in pages if not is_current(site_dir, page.path, digests[page.path], manifest)]
    log.debug("build: %d pages, %d to draw", len(pages), len(todo))

    results = []
    if todo:
        from papermirror.templates import Renderer, check_templates  # jinja2, markdown, MathML: only to draw

        renderer = Renderer(layouts_dir, archive, site, links, asset_version(layouts_dir), config.cache_dir)
        check_templates(renderer.env, layouts_dir, {"_item.html"} | {p.template for p in pages if not p.template.startswith("@")})
        if site_dir.exists():
            results = draw_pages(todo, renderer, site_dir, jobs)
        else:
            staging = site_dir.with_name(f".{site_dir.name}.partial")
            shutil.rmtree(staging, ignore_errors=True)  # left by a build that died half-way
            results = draw_pages(todo, renderer, staging, jobs, staging=True)
            staging.rename(site_dir)
    sizes = {path: size for path, size, _written in results}
    new_manifest = {p.path: [digests[p.path], sizes[p.path] if p.path in sizes else manifest[p.path][1]] for p in pages}
    removed = remove_stale(site_dir, [path for path in manifest if path not in new_manifest])
    save_manifest(config.cache_dir, site_dir, new_manifest, inputs)
    return BuildReport(
        papers=len(papers),
        pages=len(pages),
        drawn=len(results),
        written=sum(written for _path, _size, written in results),
        removed=removed,
        seconds=time.perf_counter() - started,
    )
