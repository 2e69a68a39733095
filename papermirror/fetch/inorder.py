"""A few requests at once, their answers handled one by one in the order asked.

Both the days of a snapshot and the paper objects of `details` are fetched this way: the hub's rate
limiter keeps the total under HF's quota, and handling answers in a fixed order keeps the archive the
same whichever answer came first (and a killed run has written a prefix of the work, never a hole).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

Key = TypeVar("Key")
Answer = TypeVar("Answer")


def fetch_in_order(fetch: Callable[[Key], Answer], keys: Iterable[Key], workers: int,
                   handle: Callable[[Key, Future[Answer]], bool], name: str = "fetch") -> None:
    """Call `fetch(key)` for each key, `workers` at a time, and pass each key with its future to `handle` in
    the order of `keys`. Once `handle` returns False nothing more is asked; the answers already asked for
    are still handed over (they cost a request each, and what they hold is good). Interrupted (Ctrl-C, SIGTERM) or
    failing, it returns at once without waiting for the requests in flight: what they would hand over is not written."""
    pending = iter(keys)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
    try:
        running: deque[tuple[Key, Future[Answer]]] = deque(
            (key, pool.submit(fetch, key)) for key in itertools.islice(pending, workers))
        go_on = True
        while running:
            key, future = running.popleft()
            go_on = handle(key, future) and go_on
            if go_on:
                for following in itertools.islice(pending, 1):
                    running.append((following, pool.submit(fetch, following)))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # the caller's clean-up (the hub's record) comes first
        raise
    pool.shutdown(wait=True)
