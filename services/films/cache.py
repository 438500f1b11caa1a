"""Answers the catalogue already gave, kept while the catalogue is unchanged (see db.films.version)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class AnswerCache(Generic[K, V]):
    """At most ``size`` answers, all made at one catalogue version; the least recently used goes first.

    A lookup at another version empties the cache and moves it to that version; an answer stored for
    another version than the cache's is dropped. So an answer is only ever given at the version it was
    made at, whichever order concurrent callers read the version in.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.version: int | None = None
        self._answers: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, version: int, key: K) -> V | None:
        """The answer for ``key`` made at ``version``, if kept."""
        if version != self.version:
            self._answers.clear()
            self.version = version
            return None
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, version: int, key: K, answer: V) -> None:
        """Keep ``answer``, made at ``version``, for ``key``."""
        if version != self.version:
            return
        self._answers[key] = answer
        self._answers.move_to_end(key)
        if len(self._answers) > self.size:
            self._answers.popitem(last=False)
