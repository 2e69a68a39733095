"""hub: the one HTTP client against the loopback fake hub: paging, retries, faults, rate limit."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest
from fakehub import FakeHub, load_recorded_days

from papermirror import USER_AGENT
from papermirror.errors import FetchError, SettingError
from papermirror.fetch.hub import (
    MAX_DIGITS,
    MAX_WAIT,
    RATE_LIMIT,
    Hub,
    OtherHost,
    RateLimiter,
    decode_json,
    parse_ratelimit,
    retry_after,
)


class FakeClock:
    """A clock that only moves when someone sleeps: retries and rate limits cost no real time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def hub(fake_hub: FakeHub, clock: FakeClock):
    with Hub(endpoint=fake_hub.url, timeout=2.0, tries=4, backoff=0.5, sleep=clock.sleep, clock=clock) as client:
        yield client


def items(n: int) -> list[dict]:
    return [{"paper": {"id": f"2501.{i:05d}", "title": f"Paper {i}", "upvotes": n - i}} for i in range(n)]


def test_a_recorded_day_comes_back_whole(hub: Hub, fake_hub: FakeHub) -> None:
    day = hub.fetch_day("2025-09-30")
    assert len(day) == len(load_recorded_days()["2025-09-30"]) == 50
    # a first page of 50, HF's default page, may be a hub that pages by 50: the next page says it is not
    assert fake_hub.requests == [f"/api/daily_papers?date=2025-09-30&limit=100&p={p}" for p in (0, 1)]


@pytest.mark.parametrize("size, pages", [(250, 3), (100, 2), (0, 1)])
def test_busy_days_are_paged_until_a_short_page(size: int, pages: int, clock: FakeClock) -> None:
    with FakeHub(days={"2026-01-05": items(size)}) as fake, Hub(endpoint=fake.url, sleep=clock.sleep, clock=clock) as hub:
        day = hub.fetch_day("2026-01-05")
    assert [i["paper"]["id"] for i in day] == [i["paper"]["id"] for i in items(size)]
    assert fake.requests == [f"/api/daily_papers?date=2026-01-05&limit=100&p={p}" for p in range(pages)]


def test_a_hub_that_answers_page_0_for_every_page_costs_one_request_more_and_keeps_the_day(clock: FakeClock, caplog) -> None:
    """It cost 50 requests and the day failed (more than 50 pages), on every later run too."""
    import json

    with FakeHub(days={}) as fake, Hub(endpoint=fake.url, sleep=clock.sleep, clock=clock) as hub:
        fake.inject("body", match="date=2026-01-05", times=-1, body=json.dumps(items(100)).encode())
        day = hub.fetch_day("2026-01-05")
    assert [i["paper"]["id"] for i in day] == [i["paper"]["id"] for i in items(100)]
    assert len(fake.requests) == 2 and "lists only papers of the day's earlier pages" in caplog.text


def test_a_search_answer_longer_than_asked_is_cut_to_the_limit(clock: FakeClock, caplog) -> None:
    """A search answer of 5,000 items was kept whole (and each new paper's details fetched)."""
    import json

    with FakeHub(days={}) as fake, Hub(endpoint=fake.url, sleep=clock.sleep, clock=clock) as hub:
        fake.inject("body", match="/api/papers/search", times=1, body=json.dumps(items(500)).encode())
        found = hub.search("anything", 120)
    assert [i["paper"]["id"] for i in found] == [i["paper"]["id"] for i in items(500)[:120]]
    assert "500 items for a limit of 120" in caplog.text


@pytest.mark.parametrize(("page_size", "size", "pages"), [(150, 200, 2), (150, 150, 2), (50, 130, 3), (50, 100, 3),
                                                          (50, 50, 2), (50, 30, 1)])
def test_a_hub_whose_page_is_not_the_limit_loses_no_paper_of_the_day(page_size, size, pages, clock: FakeClock) -> None:
    """A hub paging by 150 lost 50 papers of each page (cut to the limit asked for), and one paging by 50, HF's
    default page (were HF to lower its largest), every paper after the 50th: both days were recorded as complete."""
    with FakeHub(days={"2026-01-05": items(size)}, page_size=page_size) as fake, \
            Hub(endpoint=fake.url, sleep=clock.sleep, clock=clock) as hub:
        day = hub.fetch_day("2026-01-05")
    assert [i["paper"]["id"] for i in day] == [i["paper"]["id"] for i in items(size)]
    assert fake.requests == [f"/api/daily_papers?date=2026-01-05&limit=100&p={p}" for p in range(pages)]


def test_search_sends_query_and_limit(hub: Hub, fake_hub: FakeHub) -> None:
    found = hub.search("masked image modeling", 120)
    assert isinstance(found, list)
    assert fake_hub.requests == ["/api/papers/search?q=masked+image+modeling&limit=120"]


def test_client_names_itself_and_sends_the_token(fake_hub: FakeHub) -> None:
    with Hub.from_env({"HF_ENDPOINT": fake_hub.url, "HF_TOKEN": "hf_secret"}) as hub:
        hub.fetch_day("2024-05-27")
    assert fake_hub.headers[0]["User-Agent"] == USER_AGENT
    assert fake_hub.headers[0]["Authorization"] == "Bearer hf_secret"
    with Hub.from_env({"HF_ENDPOINT": fake_hub.url}) as hub:
        hub.fetch_day("2024-05-27")
    assert "Authorization" not in fake_hub.headers[1]


@pytest.mark.parametrize("env, words", [
    ({"HF_ENDPOINT": "ftp://x"}, "HF_ENDPOINT: 'ftp://x' must start with http:// or https://"),
    ({"HF_ENDPOINT": "http://[::1"}, "HF_ENDPOINT: 'http://[::1' is not a URL"),
    ({"HF_ENDPOINT": "http://"}, "HF_ENDPOINT: 'http://' names no host"),
    # a failure names the request's URL in the ledger and on the about page: the password would be published
    ({"HF_ENDPOINT": "http://mirror:hf_s3cret@127.0.0.1:8080"}, "HF_ENDPOINT: '…@127.0.0.1:8080' holds a user name"),
    # and no message shows any of it, however it is written (the second and third diff reviews)
    *(({"HF_ENDPOINT": endpoint}, f"HF_ENDPOINT: '…@{host}' holds a user name") for endpoint, host in (
        ("HTTPS://mirror:hf_s3cret@host", "host"), ("http://mirror:hf_s3cret@[::1", "[::1"),
        (" http://mirror:hf_s3cret@host", "host"), ("https://mirror:hf_s3@cret@host", "host"),
        ("https://mirror:hf_s3/cret@host", "host"), ("https://mirror:hf_s3#cret@host", "host"),
        ("https:/mirror:hf_s3cret@host", "host"), ("https:mirror:hf_s3cret@host", "host"),
        ("https://mirror:hf_s3cret\uff20host", "host"))),
    # requests went to /?date=... (the API's paths dropped), and the query reached the ledger (the user-mistakes review)
    ({"HF_ENDPOINT": "http://127.0.0.1:8080/?token=hf_s3cret"}, "HF_ENDPOINT: 'http://127.0.0.1:8080/…' holds a query"),
    ({"HF_ENDPOINT": "https://huggingface.co#hf_s3cret"}, "HF_ENDPOINT: 'https://huggingface.co…' holds a query or a fragment"),
    ({"HF_ENDPOINT": "http://exa mple.com/"}, "HF_ENDPOINT: 'http://exa mple.com/' holds a space"),
    ({"HF_ENDPOINT": "http://example.com/\x1b"}, "HF_ENDPOINT: 'http://example.com/\\x1b' holds a space or a control"),
    ({"HF_TOKEN": "hf_\u00e9t\u00e9"}, "HF_TOKEN: not a usable token"),
    ({"HF_TOKEN": "hf_a\nb"}, "HF_TOKEN: not a usable token"),
    *(({"PAPERMIRROR_HTTP_TIMEOUT": value}, f"PAPERMIRROR_HTTP_TIMEOUT: {value!r} is not a number of seconds above 0")
      for value in ("soon", "nan", "inf", "-1", "0")),
])
def test_a_bad_setting_in_the_environment_is_named(env: dict, words: str) -> None:
    with pytest.raises(SettingError) as error:  # exit 2, a mistake in the setup (1 is a fetch that failed)
        Hub.from_env(env)
    assert error.value.exit_code == 2
    assert str(error.value).startswith(words)
    assert "hf_" not in str(error.value)  # the token is never printed


def test_a_number_too_long_to_read_is_a_missing_field_not_a_lost_day(hub: Hub, fake_hub: FakeHub) -> None:
    body = b'[{"paper": {"id": "2501.00001", "title": "Big", "upvotes": ' + b"9" * 5000 + b', "numComments": -7}}]'
    fake_hub.inject("body", "date=2024-06-17", times=-1, body=body)
    assert hub.fetch_day("2024-06-17") == [{"paper": {"id": "2501.00001", "title": "Big", "upvotes": None, "numComments": -7}}]
    assert decode_json(b"[" + b"1" * MAX_DIGITS + b", -" + b"2" * MAX_DIGITS + b", " + b"3" * (MAX_DIGITS + 1) + b"]") == [
        int("1" * MAX_DIGITS), -int("2" * MAX_DIGITS), None]


def test_429_waits_as_long_as_retry_after_says(hub: Hub, fake_hub: FakeHub, clock: FakeClock) -> None:
    fake_hub.inject("429", "daily_papers", times=2, seconds=7)
    assert len(hub.fetch_day("2024-05-27")) == 13
    assert fake_hub.count("daily_papers") == 3
    assert clock.sleeps.count(7.0) >= 2
    assert clock.now >= 14


@pytest.mark.parametrize("kind", ["500", "malformed", "truncated", "slow"])
def test_transient_faults_are_retried_with_backoff(kind: str, fake_hub: FakeHub, clock: FakeClock) -> None:
    fake_hub.inject(kind, "date=2024-05-27", times=2, seconds=1.5)
    with Hub(endpoint=fake_hub.url, timeout=0.5, tries=4, backoff=0.5, sleep=clock.sleep, clock=clock) as hub:
        assert len(hub.fetch_day("2024-05-27")) == 13
    assert fake_hub.count("date=2024-05-27") == 3
    assert 0.5 <= clock.sleeps[0] <= 1.0 and 1.0 <= clock.sleeps[1] <= 2.0


@pytest.mark.parametrize(
    "kind, words",
    [("500", "HTTP 500"), ("429", "HTTP 429"), ("malformed", "not valid JSON"), ("truncated", "connection failed")],
)
def test_after_the_last_try_the_error_names_url_and_status(kind: str, words: str, hub: Hub, fake_hub: FakeHub) -> None:
    fake_hub.inject(kind, "date=2024-06-17", times=-1, seconds=1)
    with pytest.raises(FetchError) as error:
        hub.fetch_day("2024-06-17")
    message = str(error.value)
    assert f"{fake_hub.url}/api/daily_papers?date=2024-06-17&limit=100&p=0" in message
    assert words in message and "gave up after 4 tries" in message
    assert fake_hub.count("date=2024-06-17") == 4


def test_a_timeout_every_time_is_named(fake_hub: FakeHub, clock: FakeClock) -> None:
    fake_hub.inject("slow", "date=2024-06-17", times=-1, seconds=1.0)
    with Hub(endpoint=fake_hub.url, timeout=0.2, tries=2, sleep=clock.sleep, clock=clock) as hub:
        with pytest.raises(FetchError, match="timed out"):
            hub.fetch_day("2024-06-17")


def test_client_errors_are_not_retried(hub: Hub, fake_hub: FakeHub) -> None:
    with pytest.raises(FetchError, match=r"/api/papers/9999\.99999: HTTP 404"):
        hub.get_json("/api/papers/9999.99999", {})
    assert len(fake_hub.requests) == 1


@pytest.mark.parametrize("body, says", [
    (b'{"error": "Invalid date format\\u001b[31m, expected\\nYYYY-MM-DD"}',
     re.escape("HTTP 400 Bad Request: the hub says 'Invalid date format [31m, expected YYYY-MM-DD'") + "$"),
    (b"<html><body>Bad request</body></html>", "HTTP 400 Bad Request$"),
    (b'{"error": "' + b"x" * 5000 + b'"}', r"HTTP 400 Bad Request$"),  # too long to hold a message
])
def test_a_client_error_says_what_the_hub_said_once(body: bytes, says: str, hub: Hub, fake_hub: FakeHub) -> None:
    fake_hub.inject("400", "date=2024-06-17", body=body)
    with pytest.raises(FetchError, match=r"date=2024-06-17.*: " + says) as raised:
        hub.fetch_day("2024-06-17")
    assert "\x1b" not in str(raised.value) and "\n" not in str(raised.value)
    assert len(fake_hub.requests) == 1


@pytest.mark.parametrize("times", [1, 3])
def test_a_reason_phrase_cannot_drive_the_terminal(times: int, hub: Hub, fake_hub: FakeHub, caplog) -> None:
    """A status line's reason phrase is the hub's text too: its escapes (clear the screen, set the window's title)
    reached the terminal through the error and the retries' warnings."""
    fake_hub.inject("reason", "date=2024-06-17", times=times, body=b"\x1b]0;PWNED\x07\x1b[2J\x1b[31mRED\x1b[0m")
    with caplog.at_level("INFO"):  # a retry's line is progress
        with pytest.raises(FetchError, match=r"date=2024-06-17.*: HTTP 403 \]0;PWNED \[2J \[31mRED \[0m$") as raised:
            hub.fetch_day("2024-06-17")
    said = [str(raised.value), *(r.getMessage() for r in caplog.records if r.name.startswith("papermirror"))]
    assert not any(set(line) & {"\x1b", "\x07"} for line in said), said
    assert len(fake_hub.requests) == times and sum("HTTP 503 ]0;PWNED" in line for line in said) == times - 1


@pytest.mark.parametrize("answer, got", [
    ({"error": "Repository not found"}, "got an object whose error says 'Repository not found'"),
    ({"items": [], "total": 3}, "got an object with the keys items, total$"),
    ({f"k{n}": n for n in range(12)}, "got an object with the keys k0, k1, k2, k3, k4, k5, k6, k7, ...$"),
    ({}, "got an empty object"),
    ("2401.00001", "got a string"),
    (None, "got null"),
])
def test_an_answer_of_the_wrong_shape_is_described(answer: object, got: str, hub: Hub, fake_hub: FakeHub) -> None:
    fake_hub.inject("body", "date=2024-06-17", body=json.dumps(answer).encode())
    with pytest.raises(FetchError, match=r"/api/daily_papers\?date=2024-06-17&p=0: expected a list of papers, " + got):
        hub.fetch_day("2024-06-17")
    fake_hub.inject("body", "papers/search", body=json.dumps(answer).encode())
    with pytest.raises(FetchError, match=r"/api/papers/search\?q=mae: expected a list of papers, " + got):
        hub.search("mae", 10)


def test_a_paper_answered_with_a_list_is_described(hub: Hub, fake_hub: FakeHub) -> None:
    fake_hub.inject("body", "/api/papers/2405.00001", body=b"[]")
    with pytest.raises(FetchError, match=r"/api/papers/2405\.00001: expected the paper's object, got a list$"):
        hub.fetch_paper("2405.00001")


def test_the_next_run_counts_this_run_s_requests_against_the_rate_limit(fake_hub: FakeHub, tmp_path, monkeypatch) -> None:
    """Each run has a limiter of its own: a snapshot then `details` (as the workflow runs them, one after the other)
    sent 671 requests in 11 s, past HF's 500 per 5 minutes. The window is now kept in .cache/ between runs."""
    monkeypatch.setattr("papermirror.fetch.hub.RATE_LIMIT", (4, 300.0))
    window = tmp_path / ".cache" / "hub-window.json"
    window.parent.mkdir()
    first, second = FakeClock(), FakeClock()
    with Hub(endpoint=fake_hub.url, sleep=first.sleep, clock=first, window_file=window, wall=lambda: 1_000_000.0) as hub:
        for _ in range(4):
            hub.fetch_day("2024-06-17")
    assert first.sleeps == [] and len(json.loads(window.read_text())["sent"]) == 4
    with Hub(endpoint=fake_hub.url, sleep=second.sleep, clock=second, window_file=window, wall=lambda: 1_000_010.0) as hub:
        hub.fetch_day("2024-06-17")
    assert second.sleeps == [pytest.approx(290.0)]  # the first run's first request leaves the window 300 s after it
    # five minutes on, another endpoint, or a file that is no record: nothing to wait for
    later = FakeClock()
    with Hub(endpoint=fake_hub.url, sleep=later.sleep, clock=later, window_file=window, wall=lambda: 1_000_700.0) as hub:
        hub.fetch_day("2024-06-17")
    other = FakeClock()
    with Hub(endpoint=fake_hub.url + "/", sleep=other.sleep, clock=other, window_file=window, wall=lambda: 1_000_700.0):
        pass
    assert later.sleeps == [] and other.sleeps == []


def test_the_requests_are_kept_during_the_run_too(fake_hub: FakeHub, tmp_path, monkeypatch) -> None:
    """Kept only when the hub was closed, a run killed outright (SIGKILL) left the next run to send a quota more."""
    monkeypatch.setattr("papermirror.fetch.hub.SAVE_WINDOW_EVERY", 2)
    window = tmp_path / "hub-window.json"
    clock = FakeClock()
    hub = Hub(endpoint=fake_hub.url, sleep=clock.sleep, clock=clock, window_file=window, wall=lambda: 7_000.0)
    for _ in range(3):
        hub.fetch_day("2024-06-17")
    assert len(json.loads(window.read_text())["sent"]) >= 1  # saved at the second request, the hub still open
    hub.close()
    assert len(json.loads(window.read_text())["sent"]) == 3


@pytest.mark.parametrize("text", ["{", '{"sent": "x", "paused_until": 0}', "[]", '{"sent": [1e999], "paused_until": 0}'])
def test_a_broken_rate_limit_record_is_said_and_replaced(text: str, fake_hub: FakeHub, tmp_path, caplog) -> None:
    window = tmp_path / "hub-window.json"
    window.write_text(text)
    clock = FakeClock()
    with Hub(endpoint=fake_hub.url, sleep=clock.sleep, clock=clock, window_file=window, wall=lambda: 5_000.0) as hub:
        hub.fetch_day("2024-06-17")
    assert clock.sleeps == [] and f"{window}: not" in caplog.text
    assert json.loads(window.read_text()) == {"endpoint": fake_hub.url, "sent": [5_000.0], "paused_until": 5_000.0}


def test_a_pause_the_hub_asked_for_holds_the_next_run_too(fake_hub: FakeHub, tmp_path) -> None:
    window = tmp_path / "hub-window.json"
    fake_hub.inject("ratelimit", "date=2024-06-17", times=1, seconds=55)
    first, second = FakeClock(), FakeClock()
    with Hub(endpoint=fake_hub.url, sleep=first.sleep, clock=first, window_file=window, wall=lambda: 9_000.0) as hub:
        hub.fetch_day("2024-06-17")
    with Hub(endpoint=fake_hub.url, sleep=second.sleep, clock=second, window_file=window, wall=lambda: 9_005.0) as hub:
        hub.fetch_day("2024-06-17")
    assert second.sleeps == [pytest.approx(50.0)]


def test_rate_limiter_keeps_every_window_under_the_quota(clock: FakeClock) -> None:
    calls, period = RATE_LIMIT
    limiter = RateLimiter(calls, period, clock=clock)
    sent = []
    for _ in range(1000):
        limiter.wait(clock.sleep)
        sent.append(clock.now)
    assert sent[calls - 1] == 0.0, "a short backfill should not wait at all"
    for i in range(len(sent) - calls):
        assert sent[i + calls] - sent[i] >= period
    assert calls < 500 and period == 300


def test_rate_limiter_pause_holds_every_caller(clock: FakeClock) -> None:
    limiter = RateLimiter(10, 1.0, clock=clock)
    limiter.pause(55)
    limiter.wait(clock.sleep)
    assert clock.now == 55


def test_ratelimit_and_retry_after_headers() -> None:
    assert parse_ratelimit('"api";r=0;t=55') == (0, 55)
    assert parse_ratelimit("") == (None, None)
    assert retry_after({"Retry-After": "12"}) == 12
    assert retry_after({"RateLimit": '"api";r=0;t=55'}) == 55
    assert retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0
    assert retry_after({}) is None


def test_a_spent_quota_on_a_good_answer_pauses_the_next_request(hub: Hub, fake_hub: FakeHub, clock: FakeClock) -> None:
    fake_hub.inject("ratelimit", "date=2024-05-27", times=1, seconds=30)
    assert len(hub.fetch_day("2024-05-27")) == 13
    assert clock.now == 0
    hub.fetch_day("2024-06-17")
    assert clock.now == 30


UNREADABLE = {
    "redirect": ("redirect", b"", "redirect"),
    "bad gzip": ("gzip", b"", "could not be decoded"),
    "bad utf-8": ("body", b'[{"paper": {"id": "2501.00001", "title": "\xff\xfe"}}]', "not valid JSON"),
    "deep nesting": ("body", b"[" * 100_000, "not valid JSON"),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_an_answer_that_cannot_be_read_is_retried_then_named(case: str, hub: Hub, fake_hub: FakeHub) -> None:
    kind, body, words = UNREADABLE[case]
    fake_hub.inject(kind, "date=2024-06-17", times=-1, body=body)
    with pytest.raises(FetchError) as error:
        hub.fetch_day("2024-06-17")
    message = str(error.value)
    assert f"{fake_hub.url}/api/daily_papers?date=2024-06-17&limit=100&p=0: " in message
    assert words in message and "gave up after 4 tries" in message
    assert len(message) < 400


@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_an_answer_that_cannot_be_read_once_is_survived(case: str, hub: Hub, fake_hub: FakeHub) -> None:
    kind, body, _ = UNREADABLE[case]
    fake_hub.inject(kind, "date=2024-05-27", times=1, body=body)
    assert len(hub.fetch_day("2024-05-27")) == 13


@pytest.mark.parametrize(
    "kind, seconds",
    [("ratelimit", 100_000), ("429-bare", 100_000), ("429", 600)],
)
def test_every_wait_the_hub_asks_for_is_capped_and_logged(
    kind: str, seconds: int, hub: Hub, fake_hub: FakeHub, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake_hub.inject(kind, "date=2024-05-27", times=1, seconds=seconds)
    with caplog.at_level("INFO", logger="papermirror.fetch.hub"):
        assert len(hub.fetch_day("2024-05-27")) == 13
        assert len(hub.fetch_day("2024-06-17")) == 18
    assert clock.sleeps and max(clock.sleeps) <= MAX_WAIT
    assert clock.now <= 2 * MAX_WAIT
    assert f"{seconds}" in caplog.text and f"{MAX_WAIT:.0f}" in caplog.text


def test_a_trickled_answer_is_cut_at_the_request_deadline(fake_hub: FakeHub, clock: FakeClock) -> None:
    fake_hub.inject("trickle", "date=2024-05-27", times=-1, seconds=0.02)
    started = time.monotonic()
    with Hub(endpoint=fake_hub.url, timeout=0.4, tries=2, backoff=0.1, sleep=clock.sleep, clock=clock) as hub:
        with pytest.raises(FetchError, match=r"date=2024-05-27.*longer than 0\.8s"):
            hub.fetch_day("2024-05-27")
    assert time.monotonic() - started < 2 * (0.8 + 0.4) + 1.0
    assert fake_hub.count("date=2024-05-27") == 2


def test_an_answer_too_large_unpacked_is_refused_at_once(fake_hub: FakeHub, clock: FakeClock) -> None:
    """A gzip bomb: 4 MiB of JSON in a few KB. Read whole, 2 MB of it that unpacked to 2 GiB took 4 GB of memory."""
    fake_hub.inject("bomb", "date=2024-05-27", times=-1, seconds=4)
    with Hub(endpoint=fake_hub.url, tries=4, sleep=clock.sleep, clock=clock, max_answer_bytes=2**20) as hub:
        with pytest.raises(FetchError) as error:
            hub.fetch_day("2024-05-27")
        fake_hub.inject("bomb", "date=2024-06-17", times=1, seconds=0.5)  # under the cap: read (and it is JSON)
        assert hub.fetch_day("2024-06-17") == []
    assert str(error.value) == (f"{fake_hub.url}/api/daily_papers?date=2024-05-27&limit=100&p=0: the answer is larger "
                                "than 1 MiB unpacked: refused (no listing is that large)")
    assert fake_hub.count("date=2024-05-27") == 1 and not clock.sleeps  # not retried: it would come again


def test_a_listing_answer_is_capped_lower_than_a_paper_s_object(fake_hub: FakeHub, clock: FakeClock) -> None:
    """A day's page or a search answer holds at most 120 papers (about 1 MB); 32 MiB of `{},` parsed to 11 million
    objects, a gigabyte, in each of the days fetched at once (the hostile-hub review). A paper's object, which may
    list thousands of linked repos, keeps the 32 MiB cap."""
    from papermirror.fetch.hub import MAX_LISTING_BYTES

    size = MAX_LISTING_BYTES // 2**20 + 1
    fake_hub.inject("bomb", "date=2024-05-27", times=-1, seconds=size)
    fake_hub.inject("bomb", "papers/search", times=-1, seconds=size)
    fake_hub.inject("bomb", "/api/papers/2510.04871", times=-1, seconds=size)
    with Hub(endpoint=fake_hub.url, tries=4, sleep=clock.sleep, clock=clock) as hub:
        for fetch in (lambda: hub.fetch_day("2024-05-27"), lambda: hub.search("masked autoencoder", 120)):
            with pytest.raises(FetchError) as error:
                fetch()
            assert f"the answer is larger than {MAX_LISTING_BYTES // 2**20} MiB unpacked: refused" in str(error.value)
        with pytest.raises(FetchError) as error:
            hub.fetch_paper("2510.04871")  # read whole: it is a list, not the paper's object
        assert "expected the paper's object, got a list" in str(error.value)


def test_an_answer_packed_twice_over_is_refused_unread(fake_hub: FakeHub, clock: FakeClock) -> None:
    """httpx unpacks each piece of a body whole before the cap can count it: 3 KB gzipped twice over, 2 GiB of
    spaces, took 4 GB of memory before it was refused as too large (the hostile-hub review)."""
    fake_hub.inject("bomb-twice", "date=2024-05-27", times=-1, seconds=16)
    with Hub(endpoint=fake_hub.url, tries=4, sleep=clock.sleep, clock=clock, max_answer_bytes=2**20) as hub:
        with pytest.raises(FetchError) as error:
            hub.fetch_day("2024-05-27")
    assert str(error.value) == (f"{fake_hub.url}/api/daily_papers?date=2024-05-27&limit=100&p=0: the answer is packed "
                                "2 times over (Content-Encoding: gzip, gzip): refused (the hub packs an answer once)")
    assert fake_hub.count("date=2024-05-27") == 1 and not clock.sleeps  # not retried: it would come again


def test_a_day_s_page_of_far_more_items_than_asked_is_refused(fake_hub: FakeHub, clock: FakeClock) -> None:
    """A page of 11 million odd items (32 MiB of `{},`) was read through item by item: a minute, a gigabyte and a
    warning each (the hostile-hub review). A page of up to MAX_PAGE_ITEMS is still taken whole."""
    from papermirror.fetch.hub import MAX_PAGE_ITEMS

    fake_hub.inject("body", "date=2024-05-27", times=-1, body=b"[" + b",".join([b"{}"] * (MAX_PAGE_ITEMS + 1)) + b"]")
    with Hub(endpoint=fake_hub.url, tries=4, sleep=clock.sleep, clock=clock) as hub:
        with pytest.raises(FetchError) as error:
            hub.fetch_day("2024-05-27")
        fake_hub.inject("body", "date=2024-06-17", times=1, body=b"[" + b",".join([b"{}"] * MAX_PAGE_ITEMS) + b"]")
        assert len(hub.fetch_day("2024-06-17")) >= MAX_PAGE_ITEMS
    assert str(error.value) == (f"{fake_hub.url}/api/daily_papers?date=2024-05-27&p=0: 1,001 items on one page, for 100 "
                                "asked: refused (no day holds more than a few hundred papers; at most 1,000 a page are taken)")


@pytest.mark.parametrize("header, codings", [
    ("gzip", ["gzip"]), (" GZIP , Identity", ["gzip"]), ("gzip, gzip", ["gzip", "gzip"]), ("deflate,gzip", ["deflate", "gzip"]),
    ("gzip, x-custom", ["gzip"]), ("identity", []), ("", []),  # a coding httpx does not know it passes over: not packed
])
def test_the_codings_counted_are_those_httpx_unpacks(header: str, codings: list[str]) -> None:
    from papermirror.fetch.hub import content_codings

    assert content_codings(httpx.Response(200, headers={"Content-Encoding": header} if header else {})) == codings


def test_a_redirect_to_another_host_is_refused(fake_hub: FakeHub, clock: FakeClock) -> None:
    """Followed, another host's papers were filed as the hub's, the day marked fetched."""
    fake_hub.inject("elsewhere", "date=2024-05-27", times=-1)
    with Hub(endpoint=fake_hub.url, tries=4, sleep=clock.sleep, clock=clock) as hub:
        with pytest.raises(FetchError) as error:
            hub.fetch_day("2024-05-27")
        fake_hub.inject("redirect", "date=2024-06-17", times=1)  # to the same host: followed
        assert len(hub.fetch_day("2024-06-17")) == 18
    port = fake_hub.url.rsplit(":", 1)[1]
    assert str(error.value) == (
        f"{fake_hub.url}/api/daily_papers?date=2024-05-27&limit=100&p=0: redirected to another address, "
        f"http://127.0.0.2:{port}/api/daily_papers?date=2024-05-27&limit=100&p=0: refused; if the hub has moved, "
        "set HF_ENDPOINT to its new address")
    assert fake_hub.count("date=2024-05-27") == 1


def test_a_redirect_to_another_port_or_scheme_is_refused(fake_hub: FakeHub, clock: FakeClock) -> None:
    """Only the host was compared: another port of it (another server) was followed and its listing taken, and so
    would be an https endpoint's redirect to http, the answer in the clear (the snapshot review). From http to https on
    the same host is followed."""
    fake_hub.inject("other-port", "date=2024-05-27", times=-1)
    with Hub(endpoint=fake_hub.url, tries=4, sleep=clock.sleep, clock=clock) as hub:
        with pytest.raises(FetchError, match=r"redirected to another address, http://127\.0\.0\.1:\d+/api/daily_papers"):
            hub.fetch_day("2024-05-27")
    assert fake_hub.count("date=2024-05-27") == 1
    with Hub(endpoint="https://hub.example", sleep=clock.sleep, clock=clock) as hub:
        for refused in ("http://hub.example/x", "https://hub.example:8443/x", "https://other.example/x"):
            with pytest.raises(OtherHost):
                hub._refuse_other_addresses(httpx.URL(refused))
        hub._refuse_other_addresses(httpx.URL("https://hub.example:443/x"))  # the same address: no error
    with Hub(endpoint="http://hub.example", sleep=clock.sleep, clock=clock) as hub:
        hub._refuse_other_addresses(httpx.URL("https://hub.example/x"))  # http to https, same host: followed
        with pytest.raises(OtherHost):
            hub._refuse_other_addresses(httpx.URL("https://hub.example:8443/x"))
    with Hub(endpoint="http://hub.example:8080", sleep=clock.sleep, clock=clock) as hub:  # :443 is another server
        with pytest.raises(OtherHost):
            hub._refuse_other_addresses(httpx.URL("https://hub.example/x"))


def test_every_redirect_is_a_request_the_rate_limit_counts(fake_hub: FakeHub, clock: FakeClock) -> None:
    """httpx followed up to 20 redirects a try, which the limiter counted as one request: a hub redirecting in a loop
    got 735 requests in 70 s while the limiter counted 35 (the snapshot review); HF's limit counts every one."""
    fake_hub.inject("redirect", "date=2024-06-17", times=2)
    fake_hub.inject("redirect", "date=2024-05-27", times=-1)
    with Hub(endpoint=fake_hub.url, tries=2, backoff=0.1, sleep=clock.sleep, clock=clock) as hub:
        assert len(hub.fetch_day("2024-06-17")) == 18
        assert hub.requests == fake_hub.count("date=2024-06-17") == 3
        with pytest.raises(FetchError, match=r"more than 5 redirects \(the hub redirects in a loop\) \(gave up after 2 tries\)"):
            hub.fetch_day("2024-05-27")
        assert fake_hub.count("date=2024-05-27") == 12 and hub.requests == 15
        assert len(hub.limiter.window(0.0)["sent"]) == 15


def test_a_wait_for_the_rate_limit_between_redirects_is_not_the_hub_s_slowness(fake_hub: FakeHub) -> None:
    """A redirect whose answer said the quota was spent (t=2) made the next hop wait 2 s, which the deadline (0.8 s)
    and its watchdog counted: the request failed, and the watchdog closed the client every thread shares (the review
    of the hand-made redirects). Real time here: the watchdog runs on it."""
    fake_hub.inject("redirect-quota-spent", "date=2024-06-17", times=1, seconds=2)
    with Hub(endpoint=fake_hub.url, timeout=0.4, tries=1) as hub:
        client = hub.client
        started = time.monotonic()
        assert len(hub.fetch_day("2024-06-17")) == 18
        assert time.monotonic() - started >= 2 and hub.client is client and not client.is_closed


def test_a_redirect_to_an_address_httpx_cannot_ask_is_named_not_a_traceback(hub: Hub, fake_hub: FakeHub) -> None:
    """`Location: mailto:...` raised httpx.InvalidURL out of the run (a review); refused at once, as a redirect to
    another host is."""
    fake_hub.inject("redirect-mailto", "date=2024-05-27", times=-1)
    with pytest.raises(FetchError, match=r"date=2024-05-27.*: redirected to an address that cannot be asked \(.*\): refused$"):
        hub.fetch_day("2024-05-27")
    assert fake_hub.count("date=2024-05-27") == 1


def test_headers_trickled_a_byte_at_a_time_are_cut_at_the_request_deadline(fake_hub: FakeHub, clock: FakeClock) -> None:
    """Every byte came within the read timeout, so the request waited forever (the deadline was checked only while the
    body was read): one stuck day stopped the run until the job's time limit (the snapshot review)."""
    fake_hub.inject("trickle-head", "date=2024-05-27", times=-1, seconds=0.05)
    started = time.monotonic()
    with Hub(endpoint=fake_hub.url, timeout=0.4, tries=2, backoff=0.1, sleep=clock.sleep, clock=clock) as hub:
        with pytest.raises(FetchError, match=r"date=2024-05-27.*longer than 0\.8s \(gave up after 2 tries\)"):
            hub.fetch_day("2024-05-27")
        assert len(hub.fetch_day("2024-06-17")) == 18  # the connections opened again serve the next request
    assert time.monotonic() - started < 2 * (0.8 + 0.4) + 2.0
    assert fake_hub.count("date=2024-05-27") == 2


def test_a_ratelimit_header_with_quota_left_is_no_wait(fake_hub: FakeHub, clock: FakeClock) -> None:
    """HF sends RateLimit on every answer; its t= (when the window resets) was taken for a Retry-After even with
    requests left, so a 503 held every thread 100 s (the snapshot review). Only a spent quota (r=0) is waited for."""
    assert retry_after({"RateLimit": '"api";r=480;t=100'}) is None
    assert retry_after({"RateLimit": '"api";r=0;t=100'}) == retry_after({"RateLimit": '"api";t=100'}) == 100
    fake_hub.inject("503-quota-left", "date=2024-05-27", times=1, seconds=100)
    with Hub(endpoint=fake_hub.url, tries=4, backoff=0.5, sleep=clock.sleep, clock=clock) as hub:
        assert len(hub.fetch_day("2024-05-27")) == 13
    assert clock.sleeps and max(clock.sleeps) <= 1.0


def test_the_last_try_s_retry_after_is_kept_for_the_next_request(fake_hub: FakeHub, clock: FakeClock) -> None:
    """The wait the hub asked for with its last answer was dropped (the loop ended first), so the next request, and the
    next run through the window file, came at once (the snapshot review)."""
    fake_hub.inject("503-retry-after", "date=2024-05-27", times=2, seconds=20)
    with Hub(endpoint=fake_hub.url, tries=2, backoff=0.1, sleep=clock.sleep, clock=clock) as hub:
        with pytest.raises(FetchError, match="HTTP 503"):
            hub.fetch_day("2024-05-27")
        assert hub.limiter.window(1000.0)["paused_until"] == pytest.approx(1000.0 + 20, abs=0.01)
        before = clock.now
        assert len(hub.fetch_day("2024-06-17")) == 18
    assert clock.now - before == pytest.approx(20, abs=0.01)


def test_a_retry_after_of_0_waits_the_backoff_still(fake_hub: FakeHub, clock: FakeClock) -> None:
    """Taken at its word, five tries went in 0.04 s and a short burst of 429s lost the day."""
    fake_hub.inject("429", "date=2024-05-27", times=3, seconds=0)
    with Hub(endpoint=fake_hub.url, tries=4, backoff=0.5, sleep=clock.sleep, clock=clock) as hub:
        assert len(hub.fetch_day("2024-05-27")) == 13
    assert len(clock.sleeps) == 3
    assert all(low <= slept <= 2 * low for low, slept in zip([0.5, 1.0, 2.0], clock.sleeps))


def test_absurd_rate_limit_headers_do_not_crash() -> None:
    assert parse_ratelimit('"api";r=0;t=' + "9" * 5000)[0] == 0
    assert retry_after({"Retry-After": "9" * 5000}) >= MAX_WAIT
    assert retry_after({"Retry-After": "-5"}) is None


def test_backoff_with_its_jitter_never_waits_past_the_cap(fake_hub: FakeHub, clock: FakeClock) -> None:
    fake_hub.inject("500", "date=2024-06-17", times=-1)
    with Hub(endpoint=fake_hub.url, tries=4, backoff=100.0, sleep=clock.sleep, clock=clock) as hub:
        with pytest.raises(FetchError):
            hub.fetch_day("2024-06-17")
    assert len(clock.sleeps) == 3 and max(clock.sleeps) <= MAX_WAIT
