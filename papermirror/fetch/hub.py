"""Fetch from the Hugging Face Papers API: one httpx client, retries with backoff, a rate limit.

The base URL comes from HF_ENDPOINT (default https://huggingface.co, as in huggingface_hub), so tests
and forks can point the mirror at another host. HF_TOKEN, when set, is sent as a bearer token.

No answer can hold a run for long: every wait (backoff, Retry-After, RateLimit t=) is capped at
MAX_WAIT, and a request's whole answer, redirects and headers included, must arrive within DEADLINE_FACTOR
timeouts. An answer that cannot be read (bad JSON, bad gzip or UTF-8, a redirect loop) is retried like a 5xx,
never sooner than the backoff. Redirects are followed here (MAX_REDIRECTS), each one counted by the rate limit like
any request. An answer larger than MAX_ANSWER_BYTES (unpacked) and a redirect to another address than the
endpoint's (host, scheme and port; http to https on the same host is followed) are refused.
`max_requests` caps a run's requests (the details backfill's budget): past it, nothing is sent (BudgetSpent).
"""

from __future__ import annotations

import email.utils
import json
import logging
import math
import os
import random
import re
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx

from papermirror import USER_AGENT
from papermirror.content.paper import BIDI_CONTROLS
from papermirror.errors import FetchError, SettingError
from papermirror.files import write_text_atomic
from papermirror.processes import STOP, pause

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://huggingface.co"
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_TRIES = 5
BACKOFF_BASE = 1.0
"""Seconds before the first retry; doubled on each further try, plus up to 100% jitter."""
BACKOFF_CAP = 120.0
MAX_WAIT = 120.0
"""The longest wait the hub may ask for (Retry-After, RateLimit t=): more is capped, with a warning."""
DAY_PAGE_SIZE = 100
"""HF's largest page for /api/daily_papers."""
HUB_DEFAULT_PAGE = 50
"""HF's page when no limit is asked: a hub answering pages of this size did not take DAY_PAGE_SIZE (HF may lower
its largest page), so such a page is not taken for the day's last."""
MAX_DAY_PAGES = 50
"""A guard against a server that never sends a short page."""
MAX_PAGE_ITEMS = 10 * DAY_PAGE_SIZE
"""The most items a day's page may hold (a hub paging by more than asked is followed up to this): a page of 11
million odd items took a minute and a gigabyte to read through, item by item."""
RATE_LIMIT = (450, 300.0)
"""At most this many requests per this many seconds: under HF's anonymous 500 per 5 minutes."""
SAVE_WINDOW_EVERY = 25
"""Requests between two saves of WINDOW_FILE during a run (it is saved at the end too)."""
SAY_WAIT = 10.0
"""A wait for the rate limit this long or longer is said (once, whichever thread waits)."""
WINDOW_FILE = "hub-window.json"
"""In .cache/: when the last runs' requests to the endpoint were sent (Unix seconds, those within RATE_LIMIT's
period) and until when the hub asked to pause, so that one run's limiter takes over from the last: a snapshot
followed at once by `details` (the daily workflow) would otherwise send up to twice the quota in 5 minutes."""
MAX_ANSWER_BYTES = 32 * 2**20
"""The largest answer read, unpacked: a day's page of 100 papers is about 0.5 MB, a paper's object less. A gzip
bomb (2 MB that unpack to 2 GB) or an endless body would otherwise take the runner's memory."""
MAX_LISTING_BYTES = 8 * 2**20
"""The largest day's page or search answer read (a paper's object may list thousands of linked repos; a listing holds
at most 120 papers, about 1 MB): 32 MiB of `{},` parse to 11 million objects, a gigabyte, in each of the four days
fetched at once."""
DEFAULT_TIMEOUT = 30.0
DEADLINE_FACTOR = 2.0
"""A request's whole answer must arrive within this many timeouts (each read has one timeout); checked between
reads of the body and between redirects. Headers trickled a byte at a time beat both: a request still unanswered one
read timeout after its deadline has its client's connections closed (`_overran`), which ends it at its next read
(a closed socket does not wake a read already waiting): by its deadline plus two read timeouts at most."""
MAX_REDIRECTS = 5
"""Redirects followed for one request; more is taken for a loop."""


class RateLimiter:
    """A sliding window shared by every thread: at most `calls` requests per `period` seconds."""

    def __init__(self, calls: int, period: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.calls, self.period, self.clock = calls, period, clock
        self._sent: deque[float] = deque()
        self._paused_until = 0.0
        self._said_until = 0.0  # the end of the last wait said (SAY_WAIT), so that it is said once, not by each thread
        self._lock = threading.Lock()

    def wait(self, sleep: Callable[[float], None]) -> None:
        """Block until one more request fits in the window, then count it. A wait of SAY_WAIT or more is said:
        a run that holds still for minutes must not look hung."""
        while True:
            with self._lock:
                now = self.clock()
                while self._sent and now - self._sent[0] >= self.period:
                    self._sent.popleft()
                delay = max(self._paused_until - now, 0.0)
                if not delay and len(self._sent) >= self.calls:
                    delay = self._sent[0] + self.period - now
                if delay <= 0:
                    self._sent.append(now)
                    return
                if delay >= SAY_WAIT and now >= self._said_until:
                    self._said_until = now + delay
                    log.info("rate limit: %d requests sent in the last %d s (at most %d); waiting %.0f s "
                             "(Ctrl-C stops the run; every file written stays)", len(self._sent), self.period,
                             self.calls, delay)
            sleep(delay)

    def pause(self, seconds: float) -> None:
        """Hold every thread back for `seconds` (the server said the quota is spent)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self.clock() + seconds)

    def window(self, wall: float) -> dict[str, object]:
        """The requests within the period and the pause, in Unix seconds (`wall` is now), for the next run."""
        with self._lock:
            now = self.clock()
            return {"sent": [round(wall - (now - sent), 3) for sent in self._sent if now - sent < self.period],
                    "paused_until": round(wall + max(self._paused_until - now, 0.0), 3)}

    def take_over(self, sent: list[float], paused_until: float, wall: float) -> None:
        """Count an earlier run's requests (Unix seconds, `wall` is now) and its pause, as `window` gave them."""
        with self._lock:
            now = self.clock()
            earlier = sorted(now - (wall - when) for when in sent if 0 <= wall - when < self.period)
            self._sent = deque(sorted([*earlier, *self._sent]))
            self._paused_until = max(self._paused_until, now + min(max(paused_until - wall, 0.0), MAX_WAIT))


class Hub:
    """The Papers API of one endpoint, through a single shared httpx.Client."""

    def __init__(
        self,
        endpoint: str | None = None,
        token: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        tries: int = MAX_TRIES,
        backoff: float | None = None,
        sleep: Callable[[float], None] = pause,
        clock: Callable[[], float] = time.monotonic,
        window_file: Path | None = None,
        wall: Callable[[], float] = time.time,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
    ) -> None:
        self.endpoint = (endpoint or DEFAULT_ENDPOINT).rstrip("/")
        self.max_answer_bytes = max_answer_bytes
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._client_options = dict(base_url=self.endpoint, headers=headers, follow_redirects=False,
                                    timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                                    limits=httpx.Limits(max_connections=8))
        self.client = httpx.Client(**self._client_options)
        self._client_lock = threading.Lock()
        self._closed = False
        self.tries, self.sleep = tries, sleep
        self.deadline = DEADLINE_FACTOR * timeout
        self.backoff = BACKOFF_BASE if backoff is None else backoff
        self.limiter = RateLimiter(*RATE_LIMIT, clock=clock)
        self.requests = 0
        self.max_requests: int | None = None  # no request is sent once `requests` reaches it
        self._count_lock = threading.Lock()
        self.window_file, self.wall = window_file, wall
        if window_file is not None:
            self._take_over_window(window_file)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ, **kwargs: object) -> Hub:
        """Make a Hub from HF_ENDPOINT, HF_TOKEN and PAPERMIRROR_HTTP_TIMEOUT."""
        timeout = env.get("PAPERMIRROR_HTTP_TIMEOUT")
        if timeout:
            try:
                seconds = float(timeout)
            except ValueError:
                seconds = math.nan
            if not (math.isfinite(seconds) and seconds > 0):
                raise SettingError(f"PAPERMIRROR_HTTP_TIMEOUT: {timeout!r} is not a number of seconds above 0")
            kwargs.setdefault("timeout", seconds)
        endpoint = env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT
        folded = unicodedata.normalize("NFKC", endpoint)  # (a fullwidth ＠ is an @ to a URL parser)
        if "@" in folded:  # the request URLs go into error messages, the ledger's `failing` and the about page; the
            # message shows what follows the last @ alone (the workflow's log is public, and a password may hold
            # / ? # or @)
            shown = "…@" + folded.rsplit("@", 1)[1]
            raise SettingError(f"HF_ENDPOINT: {shown!r} holds a user name or password (an @), which every failure "
                               "would publish (the ledger and the about page name the address); give a Hugging Face "
                               "token as HF_TOKEN")
        if not endpoint.startswith(("http://", "https://")):
            raise SettingError(f"HF_ENDPOINT: {endpoint!r} must start with http:// or https://")
        address = re.split(r"[?#]", endpoint, maxsplit=1)[0]
        if address != endpoint:  # (what follows the ? may be a token: not shown)
            raise SettingError(f"HF_ENDPOINT: {address + '…'!r} holds a query or a fragment (? or #): the requests would "
                               "drop the API's paths, and every failure would publish it (the ledger and the about page "
                               f"name the address); give the hub's address alone, such as {DEFAULT_ENDPOINT}")
        if any(character.isspace() or not character.isprintable() for character in endpoint):
            raise SettingError(f"HF_ENDPOINT: {endpoint!r} holds a space or a control character")
        try:
            url = httpx.URL(endpoint)
        except httpx.InvalidURL as exc:
            raise SettingError(f"HF_ENDPOINT: {endpoint!r} is not a URL ({exc})") from None
        if not url.host:
            raise SettingError(f"HF_ENDPOINT: {endpoint!r} names no host")
        token = env.get("HF_TOKEN") or None
        if token is not None and not (token.isascii() and token.isprintable()):
            raise SettingError("HF_TOKEN: not a usable token (an HTTP header holds printable ASCII only); "
                             "copy it again from huggingface.co/settings/tokens")
        return cls(endpoint=endpoint, token=token, **kwargs)

    def close(self) -> None:
        with self._client_lock:
            self._closed = True  # a watchdog firing now makes no new client
            self.client.close()
        if self.window_file is not None and (self.requests or self.window_file.exists()):
            self._save_window()

    def _save_window(self) -> None:
        """Keep the requests of the rate limit's period for the next run (WINDOW_FILE)."""
        window = {"endpoint": self.endpoint, **self.limiter.window(self.wall())}
        try:
            write_text_atomic(self.window_file, json.dumps(window, indent=0) + "\n")
        except OSError as exc:
            log.warning("%s: cannot keep this run's requests for the next run's rate limit (%s)", self.window_file, exc)

    def _take_over_window(self, path: Path) -> None:
        """Count the last run's requests to this endpoint within the rate limit's period (WINDOW_FILE)."""
        try:
            window = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as exc:
            log.warning("%s: not readable (%s); the rate limit starts from none sent", path, exc)
            return
        sent = window.get("sent") if isinstance(window, dict) else None
        paused = window.get("paused_until") if isinstance(window, dict) else None
        if not (isinstance(sent, list) and all(isinstance(when, (int, float)) and math.isfinite(when) for when in sent)
                and isinstance(paused, (int, float)) and math.isfinite(paused)):
            log.warning("%s: not a record of requests sent; the rate limit starts from none sent", path)
            return
        if window.get("endpoint") == self.endpoint:
            self.limiter.take_over(sent, paused, self.wall())

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_json(self, path: str, params: Mapping[str, object], most_bytes: int | None = None) -> object:
        """GET `path` and parse JSON, retrying transient failures; raise FetchError naming the URL. An answer of more
        than `most_bytes` (unpacked; and never more than `max_answer_bytes`) is refused."""
        url = str(self.client.build_request("GET", path, params=params).url)
        problem = "no try made"
        for attempt in range(1, self.tries + 1):
            if STOP.is_set():  # the run was asked to stop (Ctrl-C, SIGTERM): no more requests
                raise KeyboardInterrupt()
            self._count_request(url)
            self.limiter.wait(self.sleep)
            try:
                return self._try(url, path, params, most_bytes)
            except Retry as retry:
                problem, wait = retry.problem, retry.wait
            if STOP.is_set():  # a request the stop cut short (the client closed under it) is no failure to retry
                raise KeyboardInterrupt()
            if wait is not None:  # kept after the last try too: the next request, or the next run, waits as asked
                wait = self._cap(wait, url, "Retry-After")
                self.limiter.pause(wait)
            if attempt == self.tries:
                break
            delay = max(wait or 0.0, self._backoff(attempt))  # "Retry-After: 0" five times would give up at once
            log.info("%s: %s; try %d of %d in %.1fs", url, problem, attempt + 1, self.tries, delay)
            self.sleep(delay)
        raise FetchError(f"{url}: {problem} (gave up after {self.tries} tries)")

    def _count_request(self, url: str) -> None:
        """Count one more request, or raise BudgetSpent when `max_requests` are spent. Every SAVE_WINDOW_EVERY
        requests the window is kept too: a run killed outright (SIGKILL) has left most of its requests counted."""
        with self._count_lock:
            if self.max_requests is not None and self.requests >= self.max_requests:
                raise BudgetSpent(f"{url}: not sent: this run's budget of {self.max_requests} requests is spent")
            self.requests += 1
            save = self.window_file is not None and self.requests % SAVE_WINDOW_EVERY == 0
        if save:
            self._save_window()

    def _try(self, url: str, path: str, params: Mapping[str, object], most_bytes: int | None = None) -> object:
        """Make one request (and its redirects); return the parsed answer, raise Retry (transient) or FetchError
        (final)."""
        client = self.client
        overran = threading.Event()
        try:
            return self._exchange(client, client.build_request("GET", path, params=params), url, overran, most_bytes)
        except OtherHost as exc:
            raise FetchError(f"{url}: redirected to another address, {exc}: refused; if the hub has moved, set "
                             "HF_ENDPOINT to its new address") from None
        except ValueError as exc:  # from decode_json
            raise Retry(f"the answer is not valid JSON ({exc})") from None
        except httpx.InvalidURL as exc:  # a redirect's Location httpx cannot follow (mailto:..., say): not the hub's
            raise FetchError(f"{url}: redirected to an address that cannot be asked ({exc}): refused") from None
        except (httpx.TransportError, RuntimeError) as exc:  # RuntimeError: a send on a client closed meanwhile
            if overran.is_set():
                raise Retry(f"the answer took longer than {self.deadline:g}s") from None
            if client.is_closed:  # closed by another request's watchdog (`_overran`), or by close() (a stop)
                raise Retry("the connections were closed" + ("" if self._closed else
                                                             " (another request had no answer in time)")) from None
            if isinstance(exc, RuntimeError):
                raise
            if isinstance(exc, httpx.TimeoutException):
                raise Retry("timed out") from None
            raise Retry(f"connection failed ({type(exc).__name__}: {exc})") from None
        except httpx.DecodingError as exc:
            raise Retry(f"the answer could not be decoded ({exc})") from None

    def _exchange(self, client: httpx.Client, request: httpx.Request, url: str, overran: threading.Event,
                  most_bytes: int | None = None) -> object:
        """Send `request`, following up to MAX_REDIRECTS redirects to the endpoint's address (each counted by the
        rate limit); return the parsed answer. The hub's answers, redirects included, must come by the deadline
        (a wait for the rate limit between two redirects is not counted); a request still unanswered one read
        timeout after it has its client's connections closed by a watchdog (`_overran`, which sets `overran`)."""
        deadline = time.monotonic() + self.deadline
        for hop in range(MAX_REDIRECTS + 1):
            if hop:  # a redirect is one more request to the hub
                if STOP.is_set():
                    raise KeyboardInterrupt()
                if time.monotonic() > deadline:
                    raise Retry(f"the answer took longer than {self.deadline:g}s")
                self._count_request(url)
                waiting = time.monotonic()
                self.limiter.wait(self.sleep)
                deadline += time.monotonic() - waiting
            watchdog = threading.Timer(max(deadline - time.monotonic(), 0.0) + client.timeout.read, self._overran,
                                       (client, url, overran))
            watchdog.daemon = True
            watchdog.start()
            try:
                response = client.send(request, stream=True)
                try:
                    self._note_quota(response, url)
                    if response.is_redirect and response.next_request is not None:
                        request = response.next_request
                        self._refuse_other_addresses(request.url)
                        continue
                    if response.status_code in RETRYABLE_STATUS:
                        raise Retry(f"HTTP {response.status_code} {clipped(response.reason_phrase)}", retry_after(response.headers))
                    if response.status_code == 404:
                        raise NotFound(f"{url}: HTTP 404 {clipped(response.reason_phrase)}")
                    if not response.is_success:
                        raise FetchError(f"{url}: HTTP {response.status_code} {clipped(response.reason_phrase)}{hub_says(response, deadline)}")
                    return decode_json(self._read(response, deadline, most_bytes))
                finally:
                    response.close()
            finally:
                watchdog.cancel()
        raise Retry(f"more than {MAX_REDIRECTS} redirects (the hub redirects in a loop)")

    def _overran(self, client: httpx.Client, url: str, overran: threading.Event) -> None:
        """A request is still unanswered past its deadline (headers trickled a byte at a time): close its client,
        which ends the request, and go on with a new one (the requests of other threads on the old one are
        retried)."""
        overran.set()
        log.info("%s: no answer after %gs; closing the connections to the hub", url, self.deadline)
        with self._client_lock:
            if self.client is client and not self._closed:
                self.client = httpx.Client(**self._client_options)
        client.close()

    def _read(self, response: httpx.Response, deadline: float, most_bytes: int | None = None) -> bytes:
        """Read the whole body by the request's deadline (a trickled body beats every per-read timeout), and no more
        than `max_answer_bytes` of it, unpacked. A body packed twice over is refused unread: httpx unpacks each
        piece of it whole before the size can be counted, and a piece of a few KB packed twice unpacks to gigabytes
        (packed once, a piece of the network's 64 KiB unpacks to 64 MiB at most)."""
        packed = content_codings(response)
        if len(packed) > 1:
            raise FetchError(f"{response.request.url}: the answer is packed {len(packed)} times over (Content-Encoding: "
                             f"{clipped(', '.join(packed))}): refused (the hub packs an answer once)")
        most = min(self.max_answer_bytes, most_bytes or self.max_answer_bytes)
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > most:
                raise FetchError(f"{response.request.url}: the answer is larger than {most / 2**20:g} MiB "
                                 "unpacked: refused (no listing is that large)")
            if time.monotonic() > deadline:
                raise Retry(f"the answer took longer than {self.deadline:g}s")
        return b"".join(chunks)

    def _refuse_other_addresses(self, url: httpx.URL) -> None:
        """Refuse a redirect to another address than the endpoint's: another host's papers would be filed as the
        hub's, another port is another server, and http after https would carry the answer in the clear. From
        http to https on the same host, both on their default ports, is followed."""
        base = self.client.base_url
        same = url.host == base.host and (url.scheme, url.port) == (base.scheme, base.port)
        upgrade = (url.host == base.host and (base.scheme, base.port) == ("http", None)
                   and url.scheme == "https" and url.port is None)
        if not (same or upgrade):
            raise OtherHost(clipped(str(url)))

    def _backoff(self, attempt: int) -> float:
        delay = min(self.backoff * 2 ** (attempt - 1), BACKOFF_CAP)
        return min(delay + random.uniform(0, delay), MAX_WAIT)

    def _cap(self, seconds: float, url: str, what: str) -> float:
        """Bound a wait the hub asks for by MAX_WAIT, saying so when it asked for more."""
        if seconds > MAX_WAIT:
            log.warning("%s: the hub asks to wait %.0fs (%s); waiting %.0fs", url, seconds, what, MAX_WAIT)
            return MAX_WAIT
        return seconds

    def _note_quota(self, response: httpx.Response, url: str) -> None:
        """Pause everyone when HF's RateLimit header says the quota is spent (r=0)."""
        remaining, reset = parse_ratelimit(response.headers.get("RateLimit", ""))
        if remaining == 0 and reset:
            pause = self._cap(float(reset), url, "RateLimit t=")
            log.info("%s: the quota is spent; pausing every request for %.0fs", url, pause)
            self.limiter.pause(pause)

    def fetch_day(self, day: str) -> list[object]:
        """Return every item HF lists for a Daily Papers day, page by page until a short page, or until a page
        lists no paper the earlier pages did not (a hub that ignores `p` would answer page 0 forever).

        Every item a page holds is kept, also beyond the limit asked for (they are papers of the day: a hub that
        pages by 150 would otherwise lose 50 of each page), and a first page of HUB_DEFAULT_PAGE items is not
        taken for a short one (a hub whose largest page is 50 would otherwise lose every paper after the 50th): the
        pages after a first page longer than asked, or of 50, are full at that size. A day of exactly 50 papers
        costs one request more."""
        items: list[object] = []
        seen: set[str] = set()
        full = DAY_PAGE_SIZE  # how many items a page that is not the last holds: page 0 may say otherwise
        for page in range(MAX_DAY_PAGES):
            params = {"date": day, "limit": DAY_PAGE_SIZE, "p": page}
            batch = self.get_json("/api/daily_papers", params, MAX_LISTING_BYTES)
            url = f"{self.endpoint}/api/daily_papers?date={day}&p={page}"
            if not isinstance(batch, list):
                raise FetchError(f"{url}: expected a list of papers, got {described(batch)}")
            if len(batch) > MAX_PAGE_ITEMS:
                raise FetchError(f"{url}: {len(batch):,} items on one page, for {DAY_PAGE_SIZE} asked: refused (no day "
                                 f"holds more than a few hundred papers; at most {MAX_PAGE_ITEMS:,} a page are taken)")
            ids = {found for found in map(item_id, batch) if found}
            if page and ids and ids <= seen:
                log.warning("%s: lists only papers of the day's earlier pages; taking the %d items of those", url, len(items))
                return items
            seen |= ids
            items.extend(batch)
            if page == 0 and (len(batch) > DAY_PAGE_SIZE or len(batch) == HUB_DEFAULT_PAGE):
                full = len(batch)
            if len(batch) < full:
                return items
        raise FetchError(f"{self.endpoint}/api/daily_papers?date={day}: more than {MAX_DAY_PAGES} pages")

    def search(self, query: str, limit: int) -> list[object]:
        """Return the items of one topic search (HF answers at most 120, with no paging)."""
        url = f"{self.endpoint}/api/papers/search?q={query}"
        items = self.get_json("/api/papers/search", {"q": query, "limit": limit}, MAX_LISTING_BYTES)
        if not isinstance(items, list):
            raise FetchError(f"{url}: expected a list of papers, got {described(items)}")
        return self._at_most(items, limit, url)

    @staticmethod
    def _at_most(items: list[object], limit: int, url: str) -> list[object]:
        """The first `limit` items of an answer asked for `limit`; more is the hub's slip, and is said."""
        if len(items) > limit:
            log.warning("%s: %d items for a limit of %d; taking the first %d", url, len(items), limit, limit)
        return items[:limit]

    def fetch_paper(self, paper_id: str) -> dict:
        """Return a paper's own object (its linked repos); raise NotFound (404) or FetchError."""
        answer = self.get_json(f"/api/papers/{paper_id}", {})
        if not isinstance(answer, dict):
            raise FetchError(f"{self.endpoint}/api/papers/{paper_id}: expected the paper's object, got {described(answer)}")
        return answer


class NotFound(FetchError):
    """The hub answered 404: it has no such page (not worth another try in this run)."""


class BudgetSpent(FetchError):
    """A request was not sent: the run's `max_requests` are spent."""


class OtherHost(Exception):
    """A redirect led to another address than the endpoint's (the message is where)."""


class Retry(Exception):
    """One try failed in a way worth another try: `problem` says how, `wait` is what the hub asked for."""

    def __init__(self, problem: str, wait: float | None = None) -> None:
        super().__init__(problem)
        self.problem, self.wait = problem, wait


HUB_MESSAGE_BYTES = 4096
"""The most of an error answer's body read for the hub's own message (`hub_says`)."""
HUB_MESSAGE_CHARS = 200
_UNPRINTABLE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}]+")


def hub_says(response: httpx.Response, deadline: float) -> str:
    """The hub's own message from an error answer's body, `{"error": "..."}`, as the end of a sentence ("" for none,
    and for a body longer than HUB_MESSAGE_BYTES or not read whole by the request's `deadline`)."""
    body = b""
    if len(content_codings(response)) > 1:  # see Hub._read
        return ""
    try:
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) >= HUB_MESSAGE_BYTES or time.monotonic() > deadline:
                return ""  # a long page (HTML, say) holds no short message; a trickled one is not waited for
        answer = decode_json(body)
    except (httpx.HTTPError, ValueError):
        return ""
    error = answer.get("error") if isinstance(answer, dict) else None
    return f": the hub says {clipped(error)!r}" if isinstance(error, str) and error.strip() else ""


def content_codings(response: httpx.Response) -> list[str]:
    """The codings an answer's body is packed in that httpx unpacks (Content-Encoding, every header line of it): not
    identity, nor a coding it does not know, which it passes over."""
    codings = (coding.strip().lower() for coding in response.headers.get_list("content-encoding", split_commas=True))
    return [coding for coding in codings if coding in UNPACKED and coding != "identity"]


UNPACKED = frozenset(getattr(httpx._decoders, "SUPPORTED_DECODERS", ("gzip", "deflate", "br", "zstd")))
"""The codings httpx unpacks (brotli and zstd only with their packages installed)."""


def described(answer: object) -> str:
    """What a JSON answer of the wrong shape is, for a message: an object's error or keys, else its type."""
    if isinstance(answer, dict):
        error = answer.get("error")
        if isinstance(error, str) and error.strip():
            return f"an object whose error says {clipped(error)!r}"
        keys = ", ".join(clipped(str(key)) for key in list(answer)[:8])
        return f"an object with the keys {keys}{', ...' if len(answer) > 8 else ''}" if answer else "an empty object"
    return {list: "a list", str: "a string", bool: "true or false", int: "a number", float: "a number",
            type(None): "null"}.get(type(answer), type(answer).__name__)


def clipped(text: str) -> str:
    """Text from the hub made safe and short for a message: controls dropped, spaces folded, cut at HUB_MESSAGE_CHARS."""
    text = " ".join(_UNPRINTABLE.sub(" ", text).split())
    return text if len(text) <= HUB_MESSAGE_CHARS else text[: HUB_MESSAGE_CHARS - 3] + "..."


def decode_json(data: bytes) -> object:
    """Parse a JSON answer; raise ValueError with a short reason for anything that cannot be read.

    An integer of more than MAX_DIGITS digits is read as None (a field missing), not refused: Python
    refuses to read one of more than 4,300, and one odd number must not cost a whole day's answer."""
    try:
        return json.loads(data, parse_int=_small_int)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{exc.msg} at byte {exc.pos}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 at byte {exc.start}") from None
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except ValueError as exc:  # e.g. a number of more than 4300 digits
        raise ValueError(str(exc)[:80]) from None


MAX_DIGITS = 30
"""Digits of the longest integer read from an answer (upvotes, stars and counts have a handful)."""


def _small_int(digits: str) -> int | None:
    return int(digits) if len(digits.lstrip("-")) <= MAX_DIGITS else None


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from Retry-After (seconds or an HTTP date), or RateLimit's t= when its r= says the quota is
    spent (r=0, or no r=: a t= sent with quota left is when the window resets, no reason to wait), else None
    (uncapped)."""
    value = headers.get("Retry-After", "").strip()
    if re.fullmatch(r"[0-9]+", value):
        return float(_seconds(value))
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
            return max(0.0, when.timestamp() - time.time())
        except (TypeError, ValueError, OverflowError):
            pass
    remaining, reset = parse_ratelimit(headers.get("RateLimit", ""))
    return float(reset) if reset is not None and not remaining else None


def item_id(item: object) -> str | None:
    """The paper id of a raw listing item (`paper.id`, or `id` at the top), if it has one."""
    if not isinstance(item, dict):
        return None
    paper = item.get("paper")
    found = paper.get("id") if isinstance(paper, dict) else item.get("id")
    return found if isinstance(found, str) else None


def parse_ratelimit(value: str) -> tuple[int | None, int | None]:
    """Parse HF's `RateLimit: "api";r=0;t=55` into (remaining, seconds to reset)."""
    found = dict(re.findall(r";\s*([rt])=([0-9]+)", value))
    remaining, reset = found.get("r"), found.get("t")
    return (_seconds(remaining) if remaining else None, _seconds(reset) if reset else None)


def _seconds(digits: str) -> int:
    """Read a header's whole number; past ten digits it is only 'very long' (and int() refuses 4300+)."""
    return int(digits) if len(digits) <= 10 else 10**10
