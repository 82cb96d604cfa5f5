"""The log head a read waits for: looked up after the read arrived, one look-up shared by a burst of reads."""

from __future__ import annotations

import asyncio
import threading

import pytest

from timeline.http.log_head import LogHead


class SlowStore:
    """A head that moves on each look-up; each look-up waits until the test lets it finish."""

    def __init__(self) -> None:
        self.calls = 0
        self.started = threading.Semaphore(0)
        self.release = threading.Semaphore(0)

    def head(self) -> int:
        self.calls += 1
        self.started.release()
        self.release.acquire(timeout=10)
        return self.calls * 10


async def test_reads_waiting_when_a_look_up_starts_share_it_and_later_ones_wait_for_the_next():
    store = SlowStore()
    head = LogHead(store.head)
    try:
        first = asyncio.create_task(head.since_now(10))
        await asyncio.to_thread(store.started.acquire)  # the first look-up is reading the store now
        late = [asyncio.create_task(head.since_now(10)) for _ in range(5)]  # they run before the answer is delivered
        store.release.release()  # the first look-up answers 10: too early for the late readers
        assert await first == 10
        await asyncio.to_thread(store.started.acquire)
        store.release.release()
        assert await asyncio.gather(*late) == [20] * 5  # one more look-up served all five
        assert store.calls == 2
    finally:
        head.close()


async def test_a_read_waits_no_longer_than_its_timeout():
    store = SlowStore()
    head = LogHead(store.head)
    try:
        with pytest.raises(TimeoutError):
            await head.since_now(0.05)
    finally:
        store.release.release()
        head.close()


async def test_no_look_up_runs_while_the_probe_says_nothing_was_committed_and_one_runs_once_it_does():
    commits = [7]
    calls = []

    def look_up() -> int:
        calls.append(1)
        return 100 + len(calls)

    head = LogHead(look_up, probe=lambda: commits[0])
    try:
        assert await head.since_now(10) == 101
        assert [await head.since_now(10) for _ in range(3)] == [101] * 3
        assert len(calls) == 1
        commits[0] += 1  # another connection committed
        assert await head.since_now(10) == 102
        assert len(calls) == 2
    finally:
        head.close()


async def test_a_probe_that_cannot_tell_never_stands_in_for_a_look_up():
    calls = []
    head = LogHead(lambda: calls.append(1) or len(calls), probe=lambda: None)
    try:
        assert [await head.since_now(10) for _ in range(3)] == [1, 2, 3]
    finally:
        head.close()
