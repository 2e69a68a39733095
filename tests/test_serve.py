"""serve: site/ under the configured sub-path on a loopback port; rebuilds when the sources change."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import ROOT

from papermirror.ops.serve import built_base_path, is_source_change, watch_and_rebuild


@pytest.fixture
def site(mirror: Path) -> Path:
    """A tiny hand-made site/ for a mirror whose base_url lives under /mirror/."""
    (mirror / "site" / "papers").mkdir(parents=True)
    (mirror / "site" / "index.html").write_text("<!doctype html><title>home</title><a href='/mirror/papers/a.html'>a</a>")
    (mirror / "site" / "papers" / "a.html").write_text("<!doctype html><title>paper a</title>")
    (mirror / "site" / "404.html").write_text("<!doctype html><title>Not found</title>")
    return mirror


@pytest.fixture
def server(site: Path):
    """`build.py serve --port 0 --no-build` as a real process; yields its URL."""
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--config", str(site / "mirror.yml"),
                                "serve", "--port", "0", "--no-build"], stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("serve: http://127.0.0.1:"), line
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_answers_under_the_sub_path_only(server: str) -> None:
    assert server.endswith("/mirror/")
    root = server.removesuffix("mirror/")
    with httpx.Client(timeout=10) as client:
        home = client.get(server)
        assert home.status_code == 200 and "<title>home</title>" in home.text
        paper = client.get(server + "papers/a.html")
        assert paper.status_code == 200 and "paper a" in paper.text
        missing = client.get(server + "papers/missing.html")
        assert missing.status_code == 404 and "<title>Not found</title>" in missing.text  # the site's own 404.html
        assert client.get(root).status_code == 404
        assert client.get(root + "papers/a.html").status_code == 404
        redirect = client.get(root + "mirror")
        assert redirect.status_code == 301 and redirect.headers["location"] == "/mirror/"
        assert client.get(server + "%2e%2e/mirror.yml").status_code == 404
        assert client.get(server + "%00").status_code == 404 and client.get(server + "papers/a%00.html").status_code == 404
        # a folder without an index.html is not listed (GitHub Pages lists none): the site's 404 page
        folder = client.get(server + "papers/")
        assert folder.status_code == 404 and "<title>Not found</title>" in folder.text and "a.html" not in folder.text


def test_serve_without_a_site_says_what_to_do(mirror: Path, run_cli) -> None:
    code, _, err = run_cli("serve", "--port", "0", "--no-build", config=mirror / "mirror.yml")
    assert code == 2 and "run `python build.py build` first" in err


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "http"])
def test_a_port_out_of_range_is_a_usage_error_not_a_traceback(mirror: Path, run_cli, capsys, port: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run_cli("serve", "--port", port, "--no-build", config=mirror / "mirror.yml")
    assert exit_info.value.code == 2
    assert f"argument --port: '{port}' is not a port number from 0 to 65535" in capsys.readouterr().err


def test_only_sources_count_as_changes(mirror: Path) -> None:
    config = mirror / "mirror.yml"
    assert is_source_change(config, str(mirror / "mirror.yml"))
    assert is_source_change(config, str(mirror / "content" / "papers" / "2503" / "2503.02130.md"))
    assert is_source_change(config, str(mirror / "layouts" / "paper.html"))
    assert not is_source_change(config, str(mirror / "site" / "index.html"))
    assert not is_source_change(config, str(mirror / "content" / "papers" / "2503" / ".x.md.abc.tmp"))
    assert not is_source_change(config, str(mirror / "README.md"))
    papers = mirror / "content" / "papers" / "2503"
    for editor_file in (".#2503.02130.md", "2503.02130.md~", ".2503.02130.md.swp", "4913", "#2503.02130.md#",
                        ".~lock.mirror.yml#", "sedWHmlMS"):  # sed -i's temp file
        assert not is_source_change(config, str(papers / editor_file)), editor_file
    assert not is_source_change(config, str(mirror / "layouts" / ".paper.html.swo"))


@pytest.mark.parametrize("linked", [False, True])
def test_a_change_to_content_triggers_one_rebuild(mirror: Path, tmp_path_factory, linked: bool) -> None:
    """... also when content/ is a link to a folder outside the mirror's, which every command reads through: serve saw
    no change there and never rebuilt (the ops review)."""
    if linked:
        elsewhere = tmp_path_factory.mktemp("elsewhere")
        assert not elsewhere.is_relative_to(mirror)
        (mirror / "content").rename(elsewhere / "content")
        (mirror / "content").symlink_to(elsewhere / "content")
    (mirror / "site").mkdir()
    rebuilt = threading.Event()
    calls: list[float] = []
    stop = threading.Event()

    def rebuild() -> None:
        calls.append(time.monotonic())
        rebuilt.set()

    watcher = threading.Thread(target=watch_and_rebuild, args=(mirror / "mirror.yml", rebuild, stop), daemon=True)
    watcher.start()
    try:
        time.sleep(0.5)  # let the watcher start
        (mirror / "site" / "index.html").write_text("built output is not a source")
        time.sleep(1.0)
        assert not calls
        (mirror / "content" / "papers" / "2503").mkdir(parents=True)
        for n in range(5):  # a burst, as a snapshot writes it, is one rebuild
            (mirror / "content" / "papers" / "2503" / f"2503.0000{n}.md").write_text("---\n")
        assert rebuilt.wait(10), "no rebuild after content/ changed"
        time.sleep(1.0)
        assert len(calls) == 1
    finally:
        stop.set()
        watcher.join(10)


def test_a_failed_rebuild_says_what_the_preview_holds(mirror: Path, caplog) -> None:
    """It said "still serving the previous site/", though the pages drawn before the error were new (the ops review)."""
    import logging

    failed = threading.Event()
    stop = threading.Event()

    def rebuild() -> bool:
        failed.set()
        return False

    watcher = threading.Thread(target=watch_and_rebuild, args=(mirror / "mirror.yml", rebuild, stop), daemon=True)
    with caplog.at_level(logging.INFO):
        watcher.start()
        try:
            time.sleep(0.5)
            (mirror / "content" / "2503.00001.md").write_text("---\n")
            assert failed.wait(10), "no rebuild after content/ changed"
            deadline = time.monotonic() + 5
            while "the preview keeps what the failed build left" not in caplog.text and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            stop.set()
            watcher.join(10)
    assert "serve: 1 change(s) (content/2503.00001.md); rebuilding" in caplog.text
    assert "serve: the preview keeps what the failed build left (the pages it drew before the error are new" in caplog.text
    assert "still serving" not in caplog.text


def test_serve_builds_its_preview_aside_and_leaves_site_alone(mirror: Path) -> None:
    from samples import make_paper, write_archive

    write_archive(mirror, [make_paper("2503.00001", "A paper to preview")])
    # a --config relative to where serve runs (the preview build, run in the mirror's folder, took it from there)
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--config", f"{mirror.name}/mirror.yml", "-q",
                                "serve", "--port", "0"], stdout=subprocess.PIPE, text=True, cwd=mirror.parent)
    try:
        line = process.stdout.readline()
        while line and not line.startswith("serve: "):  # the preview build's own lines come first
            line = process.stdout.readline()
        assert line.startswith("serve: http://127.0.0.1:"), line
        url = line.split()[1]
        with httpx.Client(timeout=10) as client:
            paper = client.get(url + "papers/2503.00001/")
            assert paper.status_code == 200 and "A paper to preview" in paper.text
            missing = client.get(url + "papers/2503.99999/")
            assert missing.status_code == 404 and "<h1>" in missing.text
    finally:
        process.terminate()
        process.wait(timeout=10)
    preview = mirror / ".cache" / "preview" / "site" / "index.html"
    assert url.removesuffix("mirror/") in preview.read_text(encoding="utf-8")  # the preview links its own URL
    assert not (mirror / "site").exists()  # site/ is never built for 127.0.0.1


@pytest.mark.parametrize("when", ["while it serves", "as it prints its address"])
def test_ctrl_c_stops_serve_quietly_with_exit_0(site: Path, tmp_path_factory, when: str) -> None:
    """Ctrl-C is how serve is meant to stop: not an 'interrupted' error. Also the moment serve has printed its address
    (what a reader of it may stop it on): a loaded CI machine stopped it before it was back from printing, and serve
    said "interrupted" with exit 130. A sitecustomize holds serve in its print of the address here."""
    import os
    import signal

    env = dict(os.environ)
    if when == "as it prints its address":
        hook = tmp_path_factory.mktemp("hook")
        (hook / "sitecustomize.py").write_text(
            "import builtins, time\n"
            "_print = builtins.print\n"
            "def held(*args, **kwargs):\n"
            "    _print(*args, **kwargs)\n"
            "    if args and str(args[0]).startswith('serve: http'):\n"
            "        time.sleep(30)\n"
            "builtins.print = held\n", encoding="utf-8")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))
    # As from a terminal: SIGINT not ignored. A test run started in the background by a shell without job
    # control inherits SIGINT ignored, which a child keeps, and Python then installs no KeyboardInterrupt
    # handler (serve would not stop). A signal with a handler here is back to its default in the child.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--config", str(site / "mirror.yml"),
                                    "serve", "--port", "0", "--no-build"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env=env)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        assert process.stdout.readline().startswith("serve: http://127.0.0.1:")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 0 and out.strip() == "serve: stopped" and "interrupted" not in err


def test_a_new_sub_path_is_named_while_the_preview_stays_where_it_is(mirror: Path, caplog) -> None:
    from papermirror.ops.serve import warn_if_moved

    config = mirror / "mirror.yml"
    config.write_text("site:\n  base_url: https://alice.github.io/asr-mirror/\n", encoding="utf-8")
    with caplog.at_level("WARNING"):
        warn_if_moved(config, "/asr-mirror/")
        assert caplog.records == []  # the same sub-path: nothing to say
        config.write_text("site:\n  base_url: https://alice.github.io/other/\n", encoding="utf-8")
        warn_if_moved(config, "/asr-mirror/")
        config.write_text("site:\n  base_url: 12\n  title: [\n", encoding="utf-8")
        warn_if_moved(config, "/asr-mirror/")  # a broken mirror.yml: the rebuild names it, not this
    assert [record.getMessage() for record in caplog.records] == [
        "serve: site.base_url's sub-path is now /other/; the preview stays under /asr-mirror/ until you stop serve "
        "(Ctrl-C) and start it again"]


def test_a_site_built_for_another_sub_path_is_served_where_its_links_lead(site: Path) -> None:
    """`build --base-url https://bob.github.io/repo/` then `serve --no-build` served site/ under mirror.yml's
    sub-path: every link of every page was a 404, without a word."""
    (site / "site" / "index.html").write_text(
        '<!doctype html><title>home</title><link rel="stylesheet" href="/repo/static/style.css?v=1">'
        "<a href='/repo/papers/a.html'>a</a>")
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--config", str(site / "mirror.yml"),
                                "serve", "--port", "0", "--no-build"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("serve: http://127.0.0.1:") and line.split()[1].endswith("/repo/"), line
        with httpx.Client(timeout=10) as client:
            assert client.get(line.split()[1] + "papers/a.html").status_code == 200
    finally:
        process.terminate()
        _out, err = process.communicate(timeout=10)
    assert "was built for the sub-path /repo/ (build --base-url), not site.base_url's /mirror/" in err


def test_the_sub_path_a_site_was_built_for_is_read_as_its_links_mean_it(tmp_path: Path) -> None:
    """"/r&amp;d/" in the page's HTML is the sub-path /r&d/: read as written, it served a site built for /r&d/ under
    /r&amp;d/ (a review of the change)."""
    (tmp_path / "index.html").write_text('<link rel="stylesheet" href="/r&amp;d/static/style.css?v=1">')
    assert built_base_path(tmp_path) == "/r&d/"
    (tmp_path / "index.html").write_text("<!doctype html><title>no stylesheet</title>")
    assert built_base_path(tmp_path) is None and built_base_path(tmp_path / "missing") is None


def test_a_second_serve_of_one_mirror_is_refused(mirror: Path) -> None:
    """Two serves of one mirror built by turns into its one preview folder, so that one served the other's port in
    every link (the ops review). (A process of its own: a serve that is not refused serves until stopped.)"""
    from papermirror.processes import exclusive_run

    with exclusive_run(mirror / ".cache", "serve"):
        done = subprocess.run([sys.executable, str(ROOT / "build.py"), "--config", str(mirror / "mirror.yml"), "serve",
                               "--port", "0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and not done.stdout
    assert f"another `build.py serve` is running in {mirror}" in done.stderr and "Traceback" not in done.stderr


def is_running(pid: int) -> bool:
    """Tell whether the process is alive (a zombie no one reaps yet, in a container whose init reaps none, is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.parametrize("during, stop", [("the first build", "SIGTERM"), ("a rebuild", "SIGTERM"),
                                          ("the first build", "SIGKILL"), ("a rebuild", "SIGKILL"),
                                          ("the first build", "SIGHUP")])
def test_sigterm_stops_serve_and_the_build_it_runs(mirror: Path, tmp_path_factory, during: str, stop: str) -> None:
    """A SIGTERM to serve (`kill`, a service manager) ended serve alone: its build went on writing into the preview
    for as long as it took (the ops review); so did a SIGKILL or a SIGHUP, and the build's lock then kept a new serve
    from starting (the review of that change). A build made slow on purpose (a sitecustomize that sleeps in a process
    whose arguments hold --output, which only serve's builds have) shows whether serve's end ends it."""
    import os
    import signal

    from samples import make_paper, write_archive

    write_archive(mirror, [make_paper("2503.00001", "A paper to preview")])
    hook = tmp_path_factory.mktemp("hook")
    slow, started = hook / "slow", hook / "started"
    (hook / "sitecustomize.py").write_text(
        "import os, sys, time\n"
        f"if '--output' in sys.argv and os.path.exists({str(slow)!r}):\n"
        f"    open({str(started)!r}, 'w').write(str(os.getpid()))\n"
        "    time.sleep(120)\n", encoding="utf-8")
    if during == "the first build":
        slow.touch()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))}
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--config", str(mirror / "mirror.yml"), "-q",
                                "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    build_pid = None
    try:
        if during == "a rebuild":
            line = process.stdout.readline()
            while line and not line.startswith("serve: "):
                line = process.stdout.readline()
            assert line.startswith("serve: http://127.0.0.1:"), line
            slow.touch()
            time.sleep(0.5)  # the watcher is watching
            write_archive(mirror, [make_paper("2503.00001", "A paper to preview, edited")])
        deadline = time.monotonic() + 60
        while not started.exists() or not started.read_text():
            assert time.monotonic() < deadline and process.poll() is None, "no build started"
            time.sleep(0.05)
        build_pid = int(started.read_text())
        process.send_signal(getattr(signal, stop))
        out, err = process.communicate(timeout=30)
        deadline = time.monotonic() + 10  # SIGKILL, SIGHUP: the kernel ends the build as serve dies (PR_SET_PDEATHSIG)
        while is_running(build_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not is_running(build_pid), "serve stopped and left its build running"
    finally:
        process.kill()
        if build_pid and is_running(build_pid):
            os.kill(build_pid, signal.SIGKILL)
    if stop != "SIGTERM":
        assert process.returncode == -getattr(signal, stop)
        return
    assert "Traceback" not in err and "failed" not in err, err
    if during == "a rebuild":
        assert process.returncode == 0 and out.strip().endswith("serve: stopped")
    else:
        assert process.returncode == 143 and "interrupted" in err
