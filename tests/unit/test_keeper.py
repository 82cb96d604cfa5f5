"""The keeper's loop: catch up first, tell readers, then refresh ready answers only while no write is waiting."""

from __future__ import annotations

import asyncio

from projections.keeper import Keeper


class Recording(Keeper):
    """A keeper whose work is a script: each catch-up may 'receive' a write meanwhile, each refresh may leave more."""

    def __init__(self, writes_during_catch_up: list[bool], parts_left: list[bool]) -> None:
        super().__init__(poll=60)  # never woken by the clock in these tests: only by wake()
        self.calls: list[str] = []
        self.writes_during_catch_up, self.parts_left = writes_during_catch_up, parts_left
        self.done = asyncio.Event()

    async def start(self) -> None:
        pass

    async def catch_up(self) -> dict[str, int]:
        self.calls.append("catch_up")
        if self.writes_during_catch_up.pop(0):
            self.wake()  # a write committed while the batch ran
        self._finish()
        return {"facts": self.calls.count("catch_up")}

    async def refresh(self) -> bool:
        self.calls.append("refresh")
        more = self.parts_left.pop(0)
        self._finish()
        return more

    def _finish(self) -> None:
        if not self.writes_during_catch_up and not self.parts_left:
            self.done.set()

    async def rebuild(self, name: str) -> int:
        raise NotImplementedError

    async def close(self) -> None:
        pass


async def _run(keeper: Recording) -> list[str]:
    keeper.wake()
    task = asyncio.create_task(keeper.run())
    try:
        await asyncio.wait_for(keeper.done.wait(), timeout=10)  # a bound, so that a loop that stops waiting fails
    finally:
        task.cancel()
    return keeper.calls


async def test_after_a_catch_up_with_no_write_waiting_the_keeper_refreshes_and_readers_were_told_first():
    keeper = Recording(writes_during_catch_up=[False], parts_left=[False])
    assert await _run(keeper) == ["catch_up", "refresh"]
    assert keeper.positions == {"facts": 1}


async def test_a_write_during_the_catch_up_is_applied_before_any_refresh():
    keeper = Recording(writes_during_catch_up=[True, False], parts_left=[False])
    assert await _run(keeper) == ["catch_up", "catch_up", "refresh"]


async def test_a_refresh_that_leaves_more_goes_on_after_the_next_catch_up():
    keeper = Recording(writes_during_catch_up=[False, False], parts_left=[True, False])
    assert await _run(keeper) == ["catch_up", "refresh", "catch_up", "refresh"]
