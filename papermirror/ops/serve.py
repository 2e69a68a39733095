"""Preview site/ locally under the configured sub-path, rebuilding when the sources change.

The site is served at http://127.0.0.1:PORT<base_path> (base_path from site.base_url, e.g.
/my-repo/), so links behave as they will on GitHub Pages; anything outside it, any missing page and
any folder without an index.html (Pages lists no folder) is a 404 (with the site's 404.html, as Pages
serves it). The preview is built for its loopback URL
into .cache/preview/site, never into site/, so site/ keeps the links of site.base_url however serve
ends. A change to content/, layouts/ or mirror.yml (not an editor's swap or backup file) runs
`build.py build` again in a subprocess, which Ctrl-C or SIGTERM stops with serve.
"""

from __future__ import annotations

import functools
import html
import logging
import re
import subprocess
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from papermirror.config import Config, load_config
from papermirror.errors import UserError
from papermirror.processes import dying_with_parent, stop_on_signals
from papermirror.site.buildcache import PREVIEW_DIR

log = logging.getLogger(__name__)

BUILD_SCRIPT = Path(__file__).resolve().parents[2] / "build.py"
"""The CLI beside the package; the rebuild runs it so serve needs nothing of the render module."""
STOP_WAIT_SECONDS = 10
"""How long serve, stopping, waits for its running build to end on SIGTERM before it kills it."""
WATCH_DEBOUNCE_MS = 400
"""Changes closer together than this make one rebuild (a snapshot writes many files)."""
EDITOR_FILES = re.compile(
    r"(^\.#|^#.*#$|~$|\.(sw[a-p]|tmp|bak|orig|kate-swp)$|^4913$|^\.~lock\.|^\.goutputstream-|^sed[A-Za-z0-9]{6}$)")
"""Files editors write beside the one being edited (Emacs locks and autosaves, Vim swap files and its
4913 probe, backups, LibreOffice locks, GNOME's temp files, `sed -i`'s temp file): not a change of the site's
sources."""


def preview_dir(cache_dir: Path) -> Path:
    """The folder serve builds its preview into (site/ stays as the last real build left it)."""
    return cache_dir / PREVIEW_DIR


class SubPathHandler(SimpleHTTPRequestHandler):
    """Serve a folder under a URL prefix; answer 404 for every path outside it."""

    base_path = "/"

    def send_head(self):  # type: ignore[override]
        path = urlsplit(self.path).path
        if path == self.base_path.rstrip("/") and self.base_path != "/":
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", self.base_path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if not path.startswith(self.base_path):
            self.send_error(HTTPStatus.NOT_FOUND, f"Not under {self.base_path}: the site lives at {self.base_path}")
            return None
        if "\x00" in unquote(path):  # no file has a NUL in its name: os.stat raised, and the request got no answer
            self.send_error(HTTPStatus.NOT_FOUND, "No such page")
            return None
        return super().send_head()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing page gets the site's own 404.html, as GitHub Pages serves it."""
        page = Path(self.directory) / "404.html"
        if code != HTTPStatus.NOT_FOUND or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(HTTPStatus.NOT_FOUND, message)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def list_directory(self, path):  # type: ignore[override]
        """A folder without an index.html is a 404, as on GitHub Pages (which lists no folder)."""
        self.send_error(HTTPStatus.NOT_FOUND, "No index.html in this folder")
        return None

    def translate_path(self, path: str) -> str:
        parts = urlsplit(path)
        inside = parts.path[len(self.base_path) - 1 :] if parts.path.startswith(self.base_path) else "/"
        return super().translate_path(inside + (f"?{parts.query}" if parts.query else ""))

    def log_message(self, format: str, *args: object) -> None:
        log.debug("serve: " + format, *args)


def make_server(site_dir: Path, base_path: str, port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """Bind a threading HTTP server for site_dir under base_path (port 0 picks a free port)."""
    base_path = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    handler = type("Handler", (SubPathHandler,), {"base_path": base_path})
    server = ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(site_dir)))
    server.daemon_threads = True
    return server


def site_url(server: ThreadingHTTPServer, base_path: str) -> str:
    """The preview's address, e.g. http://127.0.0.1:8000/my-repo/."""
    host, port = server.server_address[:2]
    return f"http://{host}:{port}{base_path}"


class PreviewBuilds:
    """Runs the preview's builds, `build.py --config CONFIG build --base-url URL --output DIR`, one at a time, each a
    process of its own, and stops the one running when serve stops: a SIGTERM to serve (`kill`, a service manager)
    ended serve alone and left its build writing into the preview for as long as it took."""

    def __init__(self, config_path: Path, base_url: str, output: Path) -> None:
        self.command = [sys.executable, str(BUILD_SCRIPT), "--config", str(config_path.resolve()), "build",
                        "--base-url", base_url, "--output", str(output.resolve())]
        self.folder = config_path.resolve().parent  # the build runs in the mirror's folder
        self.running: subprocess.Popen | None = None
        self.stopped = False
        self._lock = threading.Lock()

    def run(self) -> bool:
        """Build the preview; tell whether the build succeeded (False once serve is stopping)."""
        with self._lock:
            if self.stopped:
                return False
            # killed with serve (SIGKILL, SIGHUP), or started as a signal stops serve, the build dies too
            self.running = process = subprocess.Popen(self.command, cwd=self.folder, preexec_fn=dying_with_parent())
        try:
            returncode = process.wait()
        except BaseException:  # Ctrl-C or SIGTERM while serve waits for its first build
            self.stop()
            raise
        finally:
            with self._lock:
                self.running = None
        if returncode != 0 and not self.stopped:
            log.error("serve: the build failed (exit %d)", returncode)
        return returncode == 0

    def stop(self) -> None:
        """Start no more builds, and stop the one running, if any (a stopped build is redone from its manifest)."""
        with self._lock:
            self.stopped, process = True, self.running
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_WAIT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def warn_if_moved(config_path: Path, base_path: str) -> None:
    """Say so when mirror.yml's site.base_url now has another sub-path than the one being served: the preview
    stays where it is (the server's address is fixed) until serve starts again."""
    try:
        now = load_config(config_path).site.base_path
    except UserError:
        return  # the rebuild names the mistake
    if now != base_path:
        log.warning("serve: site.base_url's sub-path is now %s; the preview stays under %s until you stop serve "
                    "(Ctrl-C) and start it again", now, base_path)


def built_base_path(site_dir: Path) -> str | None:
    """The sub-path a built site's links start with ("/repo/"), read from its home page's stylesheet link (base.html
    writes `<base>static/style.css`); None when there is no such page or link."""
    try:
        with (site_dir / "index.html").open(encoding="utf-8", errors="replace") as page:
            head = page.read(8192)
    except OSError:
        return None
    found = re.search(r'<link rel="stylesheet" href="((?:https?://[^/"]+)?(/[^"]*?))static/style\.css', head)
    return html.unescape(found[2]) if found else None  # as written in HTML: "/r&amp;d/" is /r&d/


def source_folders(config_path: Path) -> list[Path]:
    """The folders the site is built from, content/ and layouts/, as they are written and where they lead (either
    may be a link to a folder elsewhere: every command reads through it)."""
    root = config_path.resolve().parent
    return list(dict.fromkeys(folder for name in ("content", "layouts") for folder in (root / name, (root / name).resolve())))


def shown_name(path: Path, root: Path) -> str:
    """A changed file as serve names it: from the mirror's folder, or whole when it lies outside it."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()


def is_source_change(config_path: Path, path: str, folders: list[Path] | None = None) -> bool:
    """Tell whether a changed path is one the site is built from: content/, layouts/ (`source_folders`, or `folders`
    as the watcher found them once: a rebuild writes thousands of files it is asked about) or mirror.yml."""
    changed = Path(path).resolve()
    if EDITOR_FILES.search(changed.name):  # also the temp half of an atomic write; its rename follows
        return False
    if changed == config_path.resolve():
        return True
    return any(changed.is_relative_to(folder) for folder in folders or source_folders(config_path))


def watch_and_rebuild(config_path: Path, rebuild: Callable[[], object], stop: threading.Event) -> None:
    """Call rebuild() after each burst of changes to the site's sources, until stop is set."""
    import watchfiles

    logging.getLogger("watchfiles").setLevel(logging.WARNING)  # its "1 change detected": serve says what changed
    root = config_path.resolve().parent
    default = watchfiles.DefaultFilter()
    folders = source_folders(config_path)
    elsewhere = [folder for folder in folders if not folder.is_relative_to(root) and folder.is_dir()]
    for changes in watchfiles.watch(
        root, *elsewhere,  # content/ or layouts/ may be a link to a folder outside the mirror's
        watch_filter=lambda change, path: default(change, path) and is_source_change(config_path, path, folders),
        debounce=WATCH_DEBOUNCE_MS,
        stop_event=stop,
        raise_interrupt=False,
    ):
        names = sorted({shown_name(Path(path), root) for _, path in changes})
        log.info("serve: %d change(s) (%s%s); rebuilding", len(names), ", ".join(names[:3]),
                 ", ..." if len(names) > 3 else "")
        if rebuild() is False and not stop.is_set():  # (a build serve stopped as it ends is no failure)
            log.error("serve: the preview keeps what the failed build left (the pages it drew before the error are "
                      "new, the others as they were); fix the error above and save again")


def serve_preview(config: Config, config_path: Path, port: int, build: bool = True) -> None:
    """Build the preview (unless `build` is off: then serve site/ as it is), serve it until Ctrl-C,
    rebuilding when the sources change."""
    base_path = config.site.base_path
    served = preview_dir(config.cache_dir) if build else config.site_dir
    built_for = None if build else built_base_path(served)
    if built_for and built_for != base_path:  # `build --base-url` elsewhere: served where its links lead
        log.warning("serve: %s was built for the sub-path %s (build --base-url), not site.base_url's %s: served under "
                    "%s, where its links lead", served, built_for, base_path, built_for)
        base_path = built_for
    try:
        server = make_server(served, base_path, port)
    except OSError as exc:
        raise UserError(f"serve: cannot listen on 127.0.0.1:{port}: {exc.strerror}; try --port N") from None
    url = site_url(server, base_path)
    stop = threading.Event()
    builds = PreviewBuilds(config_path, url, served)
    with server, stop_on_signals():  # SIGTERM stops serve as Ctrl-C does, and its build with it
        try:
            if build:
                if not builds.run() and not served.is_dir():
                    raise UserError(f"serve: the build failed and there is no {served} to serve")

                def rebuild() -> bool:
                    warn_if_moved(config_path, base_path)
                    return builds.run()

                watcher = threading.Thread(target=watch_and_rebuild, name="watch", daemon=True,
                                           args=(config_path, rebuild, stop))
                watcher.start()
            elif not served.is_dir():
                raise UserError(f"serve: {served} does not exist; run `python build.py build` first")
            try:  # (the address inside: a Ctrl-C the moment it is printed, as its reader may send, is a stop too)
                print(f"serve: {url} (Ctrl-C to stop)", flush=True)
                server.serve_forever()
            except KeyboardInterrupt:  # how serve is meant to stop: not an interruption of work (a rebuild's files
                print("serve: stopped", flush=True)  # are each written whole, and the next build redoes the rest)
        finally:
            stop.set()
            builds.stop()
