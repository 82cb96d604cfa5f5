"""Rendered view answers, kept by (the views' positions, request): views at given positions are a
pure function of the query, so an answer computed once serves every later identical read until
the views move on. Popular subjects are read far more often than they change."""

from __future__ import annotations

from collections import OrderedDict

Key = tuple[tuple[tuple[str, int], ...], str, str, tuple[tuple[str, str], ...]]  # view positions, path, format, query
Answer = tuple[bytes, str]  # body, ETag


class AnswerCache:
    """A small LRU of rendered answers, bounded in bytes, used on the event loop only (so it needs no lock).

    Answers for positions the views have left are never asked for again; they simply age out."""

    def __init__(self, max_bytes: int = 2 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._bytes = 0
        self._answers: OrderedDict[Key, Answer] = OrderedDict()

    def get(self, key: Key) -> Answer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: Key, answer: Answer) -> None:
        if len(answer[0]) > self.max_bytes // 4:
            return  # a very large answer (a whole export) would push out everything else
        if key in self._answers:
            self._bytes -= len(self._answers.pop(key)[0])
        self._answers[key] = answer
        self._bytes += len(answer[0])
        while self._bytes > self.max_bytes:
            self._bytes -= len(self._answers.popitem(last=False)[1][0])

    def __len__(self) -> int:
        return len(self._answers)
