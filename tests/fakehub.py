"""A loopback fake of the HF Papers API that replays recorded responses.

By default it serves the 11 days recorded in tests/fixtures/hf-api; `FakeHub(days=load_bundle())`
serves all 580 days of tests/data/daily_papers.jsonl.gz (2024-05-27 .. 2026-08-21) instead.
It is a real HTTP server on 127.0.0.1 (the code under test reaches it only through HF_ENDPOINT):
- GET /api/daily_papers?date=D&limit=L&p=N: the recorded day D in its recorded order (HF's),
  sliced by limit (default 50, at most 100) and page (from 0); a day with no recording (a weekend,
  a holiday, a day the recorder missed) is an empty list, as HF answers for a weekend.
- GET /api/papers/search?q=Q&limit=L: a keyword STAND-IN for HF's semantic search (no search answer
  was recorded): the served items holding every word of 4+ letters of Q, at most `limit` (<= 120).
- GET /api/papers/{id}: the recorded paper, or HF's 404 body.
Faults are injected per request with `FakeHub.inject(kind, match, times)`:
429 (Retry-After + RateLimit headers), 429-bare (only a RateLimit header), 500, slow (sleeps past
the client's timeout), malformed JSON, truncated body (Content-Length promises more than is sent),
empty (an empty list), redirect (a redirect to itself, for ever), gzip (a body that claims gzip and
is not), body (a 200 with the given raw bytes), 400 (an HTTP 400 with the given raw bytes), ratelimit (a good answer whose RateLimit header says
the quota is spent for `seconds`), trickle (a good answer sent a byte every `seconds`), bomb (`seconds` MiB of
spaces, gzipped), bomb-twice (the same, gzipped twice over).

Run `python tests/fakehub.py [--bundle] [PORT]` to serve it by hand; `python tests/replay.py` makes the
shipped content/ with it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from papermirror.content.paper import Paper

FIXTURES = Path(__file__).parent / "fixtures" / "hf-api"
BUNDLE = Path(__file__).parent / "data" / "daily_papers.jsonl.gz"
"""580 recorded days of /api/daily_papers, one JSON line a day (see SOURCE.md beside the fixtures)."""
FAULT_KINDS = (
    "429", "429-bare", "500", "slow", "malformed", "truncated", "empty", "redirect", "gzip", "body", "ratelimit",
    "trickle", "400", "elsewhere", "bomb", "bomb-twice", "reason", "trickle-head", "other-port", "503-quota-left", "503-retry-after", "redirect-quota-spent", "redirect-mailto",
)


def load_recorded_days(folder: Path = FIXTURES) -> dict[str, list[dict]]:
    """Read every recorded /api/daily_papers day: {'2024-05-27': [items...]}."""
    days = {}
    for path in sorted(folder.glob("daily_papers-date=*.json")):
        day = path.stem.split("=", 1)[1]
        days[day] = json.loads(path.read_text(encoding="utf-8"))
    return days


def load_bundle(path: Path = BUNDLE) -> dict[str, list[dict]]:
    """Read the recorded days of a JSON-lines bundle ({"date", "items", ...} a line): {'2024-05-27': [items...]}."""
    days = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            days[record["date"]] = record["items"]
    return days


def first_listings(path: Path = BUNDLE) -> dict[str, Paper]:
    """Every paper of a bundle normalised from its first listing, in listing order (the labelled samples of
    tests/data/labels/ were drawn this way); the stream's few unusable items are dropped quietly (topic_eval.py
    names them)."""
    from papermirror.fetch.normalise import normalise_item

    papers: dict[str, Paper] = {}
    logging.disable(logging.WARNING)
    try:
        for day, items in load_bundle(path).items():
            for item in items:
                paper = normalise_item(item, listed_on=day)
                if paper is not None:
                    papers.setdefault(paper.id, paper)
    finally:
        logging.disable(logging.NOTSET)
    return papers


class QuietServer(ThreadingHTTPServer):
    """A server that does not print a traceback when a client hangs up (as a timed-out one does)."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@dataclass
class Fault:
    kind: str
    match: str
    """A substring of the request path + query that the fault applies to ('' = every request)."""
    times: int
    """How many matching requests get the fault (-1 = all)."""
    seconds: float = 3.0
    """How long a 'slow' answer sleeps, the Retry-After of a '429', or a 'trickle' waits per byte."""
    body: bytes = b""
    """What a 'body' fault answers; the reason phrase of a 'reason' fault (403, or 503 with `times` > 1: retried)."""


class FakeHub:
    """Start with `with FakeHub() as hub:`; `hub.url` is the HF_ENDPOINT to use."""

    def __init__(self, days: dict[str, list[dict]] | None = None, port: int = 0, page_size: int | None = None) -> None:
        self.days = load_recorded_days() if days is None else days
        self.page_size = page_size
        """None: a day's pages hold `limit` items, as HF's; a number: they hold that many whatever the limit (a hub
        that lowered or raised its page)."""
        self.papers = {
            json.loads(p.read_text())["id"]: json.loads(p.read_text()) for p in FIXTURES.glob("papers-*.json")
        }
        self.faults: list[Fault] = []
        self.requests: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._lock = threading.Lock()
        self.server = QuietServer(("127.0.0.1", port), self._handler_class())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def inject(self, kind: str, match: str = "", times: int = 1, seconds: float = 3.0, body: bytes = b"") -> None:
        """Answer the next `times` requests whose path+query holds `match` with fault `kind`."""
        assert kind in FAULT_KINDS, kind
        with self._lock:
            self.faults.append(Fault(kind, match, times, seconds, body))

    def count(self, fragment: str) -> int:
        """How many requests so far held `fragment` in their path+query."""
        with self._lock:
            return sum(fragment in r for r in self.requests)

    def _take_fault(self, target: str) -> Fault | None:
        with self._lock:
            self.requests.append(target)
            for fault in self.faults:
                if fault.times != 0 and fault.match in target:
                    fault.times -= 1
                    return fault
        return None

    # --- the API --------------------------------------------------------------------------------

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, object]:
        """Return (status, JSON body) for one request, as HF would."""
        arg = {k: v[0] for k, v in query.items()}
        if path == "/api/daily_papers":
            try:
                limit, page = int(arg.get("limit", 50)), int(arg.get("p", 0))
            except ValueError:
                return 400, {"error": "limit and p must be integers"}
            if not 1 <= limit <= 100 or page < 0:
                return 400, {"error": "limit must be between 1 and 100"}
            items = self.days.get(arg.get("date", ""), [])
            size = self.page_size or limit
            return 200, items[page * size : (page + 1) * size]
        if path == "/api/papers/search":
            q = arg.get("q", "")
            limit = int(arg.get("limit", 50))
            if not q or len(q) > 250 or not 1 <= limit <= 120:
                return 400, {"error": "q (<= 250 chars) and limit (1-120) are required"}
            return 200, self.search(q)[:limit]
        match = re.fullmatch(r"/api/papers/(.+)", path)
        if match and match.group(1) in self.papers:
            return 200, self.papers[match.group(1)]
        return 404, {"error": "Sorry, we can't find the page you are looking for."}

    def search(self, q: str) -> list[dict]:
        """A keyword STAND-IN for HF's semantic search: items holding every word (4+ letters) of q.

        Best first by upvotes, then id; each paper once. Not what huggingface.co would answer.
        """
        words = [w for w in re.findall(r"\w+", q.lower()) if len(w) > 3]
        scored, seen = [], set()
        for items in self.days.values():
            for item in items:
                paper = item.get("paper", item)
                if paper.get("id") in seen:
                    continue
                text = f"{paper.get('title', '')} {paper.get('summary', '')}".lower()
                score = sum(w in text for w in words)
                if words and score == len(words):
                    seen.add(paper.get("id"))
                    scored.append((-score, -(paper.get("upvotes") or 0), paper.get("id", ""), item))
        return [entry[-1] for entry in sorted(scored, key=lambda e: e[:3])]

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                with hub._lock:
                    hub.headers.append(dict(self.headers.items()))
                fault = hub._take_fault(self.path)
                status, body = hub.answer(parts.path, parse_qs(parts.query))
                data = encode_json(body)
                headers = {"Content-Type": "application/json; charset=utf-8"}
                if fault is not None:
                    status, data = self._apply(fault, status, data, headers)
                    if status is None:
                        return
                self.send_response(status, fault.body.decode("latin-1") if fault and fault.kind == "reason" else None)
                headers.setdefault("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _apply(self, fault: Fault, status: int, data: bytes, headers: dict) -> tuple[int | None, bytes]:
                if fault.kind in ("429", "429-bare"):
                    if fault.kind == "429":
                        headers["Retry-After"] = str(int(fault.seconds))
                    headers["RateLimit"] = f'"api";r=0;t={int(fault.seconds)}'
                    return 429, b'{"error":"Too Many Requests"}'
                if fault.kind == "ratelimit":
                    headers["RateLimit"] = f'"api";r=0;t={int(fault.seconds)}'
                    return status, data
                if fault.kind == "redirect":
                    headers["Location"] = self.path
                    return 302, b""
                if fault.kind == "elsewhere":  # the same path on another host (127.0.0.2: loopback, nothing listens)
                    headers["Location"] = f"http://127.0.0.2:{self.server.server_address[1]}{self.path}"
                    return 302, b""
                if fault.kind == "redirect-quota-spent":  # a redirect to the same path, with HF's header: wait t= first
                    headers["Location"] = self.path
                    headers["RateLimit"] = f'"api";r=0;t={int(fault.seconds)}'
                    return 302, b""
                if fault.kind == "redirect-mailto":  # a Location httpx cannot make a request of
                    headers["Location"] = "mailto:hub@example.org"
                    return 302, b""
                if fault.kind == "other-port":  # the same host and path, another port (another server)
                    headers["Location"] = f"http://127.0.0.1:{self.server.server_address[1] + 1}{self.path}"
                    return 302, b""
                if fault.kind == "503-quota-left":  # HF's header on any answer: r= requests left, t= until the window resets
                    headers["RateLimit"] = f'"api";r=480;t={int(fault.seconds)}'
                    return 503, b'{"error":"Service Unavailable"}'
                if fault.kind == "503-retry-after":  # a wait asked for without HF's RateLimit header
                    headers["Retry-After"] = str(int(fault.seconds))
                    return 503, b'{"error":"Service Unavailable"}'
                if fault.kind == "trickle-head":  # the status line, then a header a byte at a time: no read waits long
                    self.close_connection = True
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    try:
                        for _ in range(int(60 / fault.seconds)):
                            self.wfile.write(b"X")
                            self.wfile.flush()
                            time.sleep(fault.seconds)
                    except OSError:
                        pass  # the client closed the connection
                    return None, b""
                if fault.kind == "gzip":
                    headers["Content-Encoding"] = "gzip"
                    return 200, b"this is not gzip"
                if fault.kind == "bomb":  # `seconds` MiB of spaces, gzipped: a few KB that unpack to much more
                    headers["Content-Encoding"] = "gzip"
                    return 200, gzip.compress(b"[" + b" " * int(fault.seconds * 2**20) + b"]", compresslevel=9)
                if fault.kind == "bomb-twice":  # the same, gzipped twice over: a few hundred bytes
                    headers["Content-Encoding"] = "gzip, gzip"
                    once = gzip.compress(b"[" + b" " * int(fault.seconds * 2**20) + b"]", compresslevel=9)
                    return 200, gzip.compress(once, compresslevel=9)
                if fault.kind == "reason":
                    return 403 if fault.times == 0 else 503, data
                if fault.kind in ("body", "400"):
                    return 200 if fault.kind == "body" else 400, fault.body
                if fault.kind == "trickle":
                    self._trickle(data, fault.seconds)
                    return None, b""
                if fault.kind == "500":
                    return 500, b'{"error":"Internal Error"}'
                if fault.kind == "slow":
                    time.sleep(fault.seconds)
                    return status, data
                if fault.kind == "malformed":
                    return 200, b'[{"paper": {"id": "2401.0'
                if fault.kind == "truncated":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data) + 1000))
                    self.end_headers()
                    self.wfile.write(data[: len(data) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return None, b""
                return 200, b"[]"  # empty

            def _trickle(self, data: bytes, seconds: float) -> None:
                """Send a good answer a byte at a time: every read is quick, the whole is slow."""
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.close_connection = True
                for byte in data:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(seconds)

        return Handler


def encode_json(body: object) -> bytes:
    """UTF-8 JSON as HF sends it; a lone surrogate (which UTF-8 cannot hold) goes out as a \\ud800 escape."""
    try:
        return json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return json.dumps(body).encode()


def main(argv: list[str] | None = None) -> None:
    """Serve the fixtures' 11 days (or, with --bundle, the 580 days of the bundle) until Ctrl-C."""
    parser = argparse.ArgumentParser(description="A loopback fake of the HF Papers API, replaying recorded days.")
    parser.add_argument("port", nargs="?", type=int, default=8765, help="port on 127.0.0.1 (default: %(default)s)")
    parser.add_argument("--bundle", action="store_true", help="serve the 580 days of tests/data/daily_papers.jsonl.gz")
    args = parser.parse_args(argv)
    days = load_bundle() if args.bundle else None
    with FakeHub(days=days, port=args.port) as running:
        print(f"fake hub on {running.url}, {len(running.days)} recorded days (Ctrl-C to stop)", flush=True)
        try:
            running._thread.join()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
