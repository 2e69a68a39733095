"""Draw pages and write them into site/, spread over worker processes when there are many."""

from __future__ import annotations

import multiprocessing
import shutil
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from papermirror.config import SiteConfig
from papermirror.errors import UserError
from papermirror.processes import die_with_parent
from papermirror.site.archive import Archive
from papermirror.site.buildcache import asset_version
from papermirror.site.contexts import Links, Page
from papermirror.site.output import output_file, write_if_changed

if TYPE_CHECKING:
    from papermirror.site.templates import Renderer

PARALLEL_MIN_PAGES = 300
"""Below this many pages to draw, draw them in this process (starting workers costs more)."""
CHUNKS_PER_WORKER = 6


def template_line(exc: BaseException) -> str | None:
    """The template and line a drawing error was raised in ('layouts/paper.html:29'), the innermost one: Jinja
    puts the templates' own lines into the traceback of an error raised while rendering."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".html") and frame.lineno:
            return f"{frame.filename}:{frame.lineno}"
    return None


def draw_and_write(renderer: Renderer, page: Page, site_dir: Path, staging: bool) -> tuple[str, int, bool]:
    """Draw one page and write it if its bytes changed; return (path, size, written)."""
    try:
        data = renderer.render(page)
    except (UserError, OSError):
        raise
    except Exception as exc:  # a paper no template expected: name the page and its papers, not a traceback
        papers = ", ".join(page.paper_ids[:3]) + (" ..." if len(page.paper_ids) > 3 else "")
        where = template_line(exc)
        raise UserError(f"site/{page.path}: cannot draw it ({type(exc).__name__}: {str(exc)[:120]}"
                        + (f", at {where}" if where else "") + ")"
                        + (f"; its papers: {papers}" if papers else "")) from None
    return page.path, len(data), write_if_changed(output_file(site_dir, page.path), data, staging)


_WORKER: dict = {}
"""The Renderer of a worker process, set once by _start_worker (the only per-process state)."""


def _start_worker(renderer: Renderer) -> None:
    die_with_parent()
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


def draw_site(todo: list[Page], pages: list[Page], layouts_dir: Path, archive: Archive, site: SiteConfig,
              cache_dir: Path, site_dir: Path, jobs: int) -> list[tuple[str, int, bool]]:
    """Check the templates, then draw `todo`; a first build is drawn aside and renamed to site/ when complete."""
    from papermirror.site.templates import (  # jinja2, markdown, MathML: only to draw
        Renderer,
        check_templates,
    )

    renderer = Renderer(layouts_dir, archive, site, Links(site.base_path), asset_version(layouts_dir), cache_dir)
    check_templates(renderer.env, layouts_dir, {"_item.html"} | {p.template for p in pages if not p.template.startswith("@")})
    if site_dir.exists():
        return draw_pages(todo, renderer, site_dir, jobs)
    staging = site_dir.with_name(f".{site_dir.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)  # left by a build that died half-way
    results = draw_pages(todo, renderer, staging, jobs, staging=True)
    staging.rename(site_dir)
    return results
