"""The render stage: content/ -> site/.

    stamp the inputs (unchanged and site/ intact: stop here) -> read content (cached parse)
    -> arrange the archive -> find related papers -> plan pages -> hash each page's inputs
    -> draw the pages whose inputs changed (in parallel) -> write changed bytes -> drop stale pages

Everything is read and checked before the first byte is written, so a bad content file or a template
that does not compile stops the build with site/ untouched. (A template that fails while drawing, e.g.
on an undefined name, stops the build naming its file and line; each file is then either old or new.)
Which pages are drawn again is the build cache's answer (`site.buildcache`); drawing them, in
parallel, is `site.draw`'s job.

The report ends with the site's size and bytes per paper, and a warning when the site is on course to
pass GitHub Pages' 1 GB within a year (`site.size`).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from papermirror.config import Config, SiteConfig
from papermirror.content.cache import Content, paper_stamps, read_papers_cached
from papermirror.content.ledger import read_ledger
from papermirror.errors import UserError
from papermirror.files import check_content_dir
from papermirror.site import about
from papermirror.site.archive import Archive, build_archive
from papermirror.site.buildcache import (
    MANIFEST_NAME,
    PREVIEW_DIR,
    BuildCache,
    build_cache_dir,
    fingerprint,
    input_stamp,
    page_digests,
    static_files,
)
from papermirror.site.contexts import Page
from papermirror.site.draw import draw_site
from papermirror.site.output import check_output_path, remove_stale, remove_temp_files
from papermirror.site.pages import plan_pages
from papermirror.site.size import SiteSize, report_size

log = logging.getLogger(__name__)

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
    size: SiteSize | None = None

    def line(self) -> str:
        return (f"{self.papers} papers, {self.pages} files: {self.drawn} drawn, {self.written} written, "
                f"{self.removed} removed in {self.seconds:.1f}s" + (f"; {self.size.line()}" if self.size else ""))


def site_settings(config: Config, base_url: str | None) -> SiteConfig:
    """Return mirror.yml's site settings, with --base-url (checked the same way) in place of base_url."""
    if base_url is None:
        return config.site
    try:
        return SiteConfig.model_validate({**config.site.model_dump(), "base_url": base_url})
    except ValidationError as exc:
        message = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise UserError(f"--base-url {base_url!r}: {message}") from None


def plan_site(config: Config, site: SiteConfig, content: Content, jobs: int) -> tuple[list[Page], Archive]:
    """Arrange the papers read and plan every page of the site, refusing any path that leaves site/."""
    archive = build_archive(content.papers, config.content_dir)
    ledger = read_ledger(config.content_dir)
    updated = about.site_updated(archive, ledger)
    from papermirror.site.related import related_papers  # numpy, scipy: imported only when drawing

    related = related_papers(content.papers, cache_dir=config.cache_dir, jobs=jobs)
    about_page = about.about_context(config.listing, ledger, archive, updated, site.base_url)
    pages = plan_pages(archive, site, static_files(config.layouts_dir), about_page, related)
    for page in pages:
        check_output_path(page.path)  # refuse any path leaving site/ before writing anything
    return pages, archive


def check_site_dir(config: Config, site_dir: Path) -> None:
    """Refuse a site folder that holds mirror.yml (the mirror's own folder, or one above it), lies in content/ or
    layouts/ or is .cache/ itself: a build writes there and removes what it no longer needs."""
    site = site_dir.resolve()
    root = config.root.resolve()
    holds = ("holds mirror.yml and the archive" if site == root else
             f"holds the mirror's folder {root}" if root.is_relative_to(site) else
             "is inside content/" if site.is_relative_to(config.content_dir.resolve()) else
             "is inside layouts/" if site.is_relative_to(config.layouts_dir.resolve()) else
             "is the caches' folder .cache/" if site == config.cache_dir.resolve() else
             "is a file" if site.exists() and not site.is_dir() else
             f"is a link to {site}, which is not there" if site_dir.is_symlink() and not site.exists() else
             foreign_files(config, site_dir))
    if holds:
        raise UserError(f"{site_dir}: not a folder to build the site into: it {holds}; build into a folder of its "
                        "own (site/ by default, or --output DIR)")


def foreign_files(config: Config, site_dir: Path) -> str | None:
    """Why a folder other than site/ (or serve's preview) that is not empty is no place for the site, unless a build
    of this mirror wrote it (its manifest says so): it holds files of something else (a repository's .git/, the
    package, a web site of one's own), which pages of the same name would overwrite and the site's would mix with."""
    if site_dir.resolve() in (config.site_dir.resolve(), (config.cache_dir / PREVIEW_DIR).resolve()) or not site_dir.is_dir():
        return None
    names = sorted(entry.name for entry in os.scandir(site_dir))
    if not names or BuildCache.load(build_cache_dir(config, site_dir), site_dir).pages:
        return None
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return (f"holds files no build of this mirror wrote ({shown}; if an earlier build wrote them and .cache/ was "
            "deleted since, delete the folder: the build writes it whole again)")


def build_site(config: Config, base_url: str | None = None, jobs: int | None = None,
               site_dir: Path | None = None) -> BuildReport:
    """Render content/ into site/ (or `site_dir`), drawing only the pages whose inputs changed."""
    started = time.perf_counter()
    jobs = jobs or os.cpu_count() or 1
    site = site_settings(config, base_url)
    layouts_dir, site_dir = config.layouts_dir, site_dir or config.site_dir
    check_site_dir(config, site_dir)
    check_content_dir(config.content_dir)

    stamps = paper_stamps(config.content_dir)
    salt = fingerprint(layouts_dir, site)
    inputs = input_stamp(config, stamps, salt)
    cache = BuildCache.load(build_cache_dir(config, site_dir), site_dir)
    if not cache.pages and site_dir.is_dir() and any(site_dir.iterdir()):
        log.warning("%s: no record of what the last build wrote there (%s is missing or damaged), so files no build "
                    "needs any more stay there; if only builds write to that folder, delete it for a clean site",
                    site_dir, cache.cache_dir / MANIFEST_NAME)
    if cache.is_unchanged(inputs):
        log.debug("build: no input changed since the last build and site/ is intact")
        return BuildReport(papers=len(stamps), pages=len(cache.pages), drawn=0, written=0, removed=0,
                           seconds=time.perf_counter() - started, size=report_size(config, site_dir, cache.pages, stamps))

    content = read_papers_cached(config.content_dir, config.cache_dir, jobs, stamps)
    pages, archive = plan_site(config, site, content, jobs)
    digests = page_digests(pages, archive, content.digests, salt)
    todo = [page for page in pages if not cache.is_current(page.path, digests[page.path])]
    log.debug("build: %d pages, %d to draw", len(pages), len(todo))
    if remove_temp_files(site_dir, cache.unfinished()):  # what a kill of the last build left beside its pages
        log.info("build: removed the temp files a stopped build left in %s", site_dir)
    cache.forget([page.path for page in todo])  # a build that dies while drawing leaves them to draw again
    results = draw_site(todo, pages, layouts_dir, archive, site, config.cache_dir, site_dir, jobs) if todo else []
    removed = remove_stale(site_dir, cache.stale(digests))  # before the manifest forgets them
    cache.save(digests, {path: size for path, size, _written in results}, inputs)
    return BuildReport(papers=len(content.papers), pages=len(pages), drawn=len(results),
                       written=sum(written for _path, _size, written in results), removed=removed,
                       seconds=time.perf_counter() - started, size=report_size(config, site_dir, cache.pages, stamps))
