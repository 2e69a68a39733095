"""fetch_in_order: answers handled in the order asked whatever order they arrive in; a stop asks no more."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future

import pytest

from papermirror.fetch.inorder import fetch_in_order


def test_answers_are_handled_in_the_order_asked_whichever_arrives_first():
    def fetch(key: int) -> int:
        time.sleep(0.01 * (5 - key % 5))  # later keys of each batch answer first
        return key * key

    handled: list[tuple[int, int]] = []
    fetch_in_order(fetch, range(12), 4, lambda key, future: handled.append((key, future.result())) is None)
    assert handled == [(key, key * key) for key in range(12)]


def test_no_more_than_workers_requests_run_at_once():
    running, most, lock = 0, 0, threading.Lock()

    def fetch(key: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.005)
        with lock:
            running -= 1
        return key

    fetch_in_order(fetch, range(20), 3, lambda key, future: True)
    assert most <= 3


def test_a_stop_asks_no_more_but_hands_over_what_was_asked():
    asked: list[int] = []
    handled: list[int] = []

    def fetch(key: int) -> int:
        asked.append(key)
        return key

    def handle(key: int, future: Future) -> bool:
        handled.append(key)
        return key != 2  # stop at key 2

    fetch_in_order(fetch, range(100), 4, handle)
    assert sorted(asked) == [0, 1, 2, 3, 4, 5]  # 4 at first, one more after each of keys 0 and 1
    assert handled == sorted(asked)


def test_a_failed_fetch_reaches_the_handler_as_its_future():
    def fetch(key: int) -> int:
        if key == 1:
            raise ValueError("no answer for 1")
        return key

    errors: list[str] = []

    def handle(key: int, future: Future) -> bool:
        if future.exception() is not None:
            errors.append(f"{key}: {future.exception()}")
        return True

    fetch_in_order(fetch, range(3), 2, handle)
    assert errors == ["1: no answer for 1"]
    with pytest.raises(ValueError):
        fetch_in_order(fetch, range(3), 2, lambda key, future: future.result() is not None)
