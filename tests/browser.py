"""Browser test harness: a built fixture site served over loopback HTTP, and headless Chromium.

Chromium is Debian's (/usr/bin/chromium), driven by Python Playwright; no browser is downloaded.
When it is missing the browser tests FAIL with a message, so CI can never pass them by skipping;
set PAPERMIRROR_SKIP_BROWSER_TESTS=1 to skip them on purpose on a machine without Chromium.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("PAPERMIRROR_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SKIP_ENV = "PAPERMIRROR_SKIP_BROWSER_TESTS"


def require_chromium() -> None:
    """Fail (or, when SKIP_ENV is set, skip) unless Chromium and Playwright are installed."""
    problems = []
    if not CHROMIUM.is_file():
        problems.append(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set PAPERMIRROR_CHROMIUM)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        problems.append("the playwright package is missing (pip install playwright)")
    if not problems:
        return
    message = "browser tests cannot run: " + "; ".join(problems)
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{message} ({SKIP_ENV}=1)")
    pytest.fail(f"{message}. Set {SKIP_ENV}=1 to skip them on purpose.", pytrace=False)


class _SubPathHandler(SimpleHTTPRequestHandler):
    """Serve `directory` under `prefix` (like GitHub Pages serves a project site); 404 elsewhere."""

    def __init__(self, *args, prefix: str, **kwargs) -> None:
        self.prefix = prefix
        super().__init__(*args, **kwargs)

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / ".not-served")
        return super().translate_path("/" + path[len(self.prefix):])

    def log_message(self, format: str, *args: object) -> None:
        pass

    def copyfile(self, source, outputfile) -> None:
        try:
            super().copyfile(source, outputfile)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser dropped a request it no longer needed


@contextmanager
def serve(site_dir: Path, prefix: str = "/", handler_class: type = None) -> Iterator[str]:
    """Serve `site_dir` at http://127.0.0.1:<port><prefix> with `handler_class` (a _SubPathHandler,
    the default, or a subclass of it); yield that URL."""
    handler = functools.partial(handler_class or _SubPathHandler, directory=str(site_dir), prefix=prefix)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def chromium() -> Iterator[object]:
    """Launch headless Debian Chromium through Playwright; yield the Browser."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def build_fixture_site(root: Path, repo: Path, base_url: str, write_archive) -> Path:
    """Make a mirror in `root` (mirror.yml, content/, the repo's layouts/), build it; return site/."""
    import build

    root.mkdir(parents=True, exist_ok=True)
    (root / "mirror.yml").write_text("site:\n  title: Test mirror\n  base_url: https://example.org/\n", encoding="utf-8")
    write_archive(root / "content")
    shutil.copytree(repo / "layouts", root / "layouts")
    code = build.main(["--config", str(root / "mirror.yml"), "--quiet", "build", "--base-url", base_url])
    assert code == 0, f"build of the fixture site in {root} failed"
    return root / "site"
