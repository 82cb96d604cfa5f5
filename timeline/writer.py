"""The single writer: commits every write waiting at a moment in one transaction, off the event loop.

The eventsourcing library is synchronous and SQLite wants one writer, so all writes go
through one thread. Requests that arrive while a group is committing wait together and
share the next commit (group commit): one fsync for many acknowledged writes. A request
is answered only after its group has committed, so an acknowledged write is durable.

The writer holds no rule: it hands each command of a group to the application
(`Timeline.execute`, as `Timeline.write` does for the CLI), then commits the group's unit of work.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from timeline import logs
from timeline.application import Timeline
from timeline.commands import Command, Pending
from timeline.errors import Conflict

log = logging.getLogger(__name__)
Authored = tuple[Command, str | None]  # a command, and the name of the token that sent it (None: no token)


class Writer:
    def __init__(self, timeline: Timeline, executor: ThreadPoolExecutor, max_group: int = 256) -> None:
        self.timeline = timeline
        self.max_group = max_group  # requests sharing one commit (not settings.max_batch: records in one POST)
        self._executor = executor
        self._queue: asyncio.Queue[tuple[Authored, asyncio.Future[Any], str | None]] = asyncio.Queue()
        self._listeners: list[Callable[[], None]] = []
        self._batch_listeners: list[Callable[[int], None]] = []
        self.batches = 0  # how many commits; with `writes`, shows how well writes are grouped
        self.writes = 0

    def on_commit(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def on_batch(self, listener: Callable[[int], None]) -> None:
        """Call `listener` with the number of requests each commit held (on the event loop, after the commit)."""
        self._batch_listeners.append(listener)

    async def submit(self, command: Command, by: str | None = None) -> Any:
        """Execute `command` in the next group; returns its outcome once that group has committed.

        `by` is the name of the token that sent it, recorded with the events it writes."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        await self._queue.put(((command, by), future, logs.REQUEST_ID.get()))
        return await future

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            group = [await self._queue.get()]
            while not self._queue.empty() and len(group) < self.max_group:
                group.append(self._queue.get_nowait())
            # What the commit logs names every request it holds (timeline.logs), comma-separated.
            context = contextvars.copy_context()
            context.run(logs.REQUEST_ID.set, ",".join(request_id for _, _, request_id in group if request_id is not None) or None)
            outcomes = await loop.run_in_executor(self._executor, context.run, self._commit, [command for command, _, _ in group])
            self.batches, self.writes = self.batches + 1, self.writes + len(group)
            for (_, future, _), outcome in zip(group, outcomes, strict=True):
                if future.done():  # the client went away
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)
            for listener in self._listeners:
                listener()
            for observe in self._batch_listeners:
                observe(len(group))

    def _commit(self, commands: list[Authored], retried: bool = False) -> list[Any]:
        unit = self.timeline.unit_of_work()
        staged: list[Any] = []
        try:
            self.timeline.look_ahead(unit, [command for command, _ in commands])
        except Exception as error:
            log.exception("reading the log failed; nothing of this batch was stored")
            return [error] * len(commands)
        for command, by in commands:
            unit.by = by
            try:
                staged.append(self.timeline.execute(unit, command))
            except Exception as error:  # noqa: BLE001 - a refused command stages nothing and fails alone
                staged.append(error)
        try:
            self.timeline.commit(unit)
        except Conflict as error:
            if len(commands) > 1:
                # Another process wrote first: retry each command alone, so only the clashing one fails.
                return [self._commit([command])[0] for command in commands]
            if retried:
                return [error]
            # Alone and clashing: if the other writer stored the very same record, running the command
            # again finds it stored and answers with its receipt, as any re-send does.
            return self._commit(commands, retried=True)
        except Exception as error:
            log.exception("commit failed; nothing of this batch was stored")
            return [error] * len(commands)
        return [item.result() if isinstance(item, Pending) else item for item in staged]
