"""Answers already given, kept while what they were made from is unchanged (for the catalogue: db.films.version),
and work under way that a second caller waits for rather than repeats."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Hashable
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

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


class Coalesced(Generic[K, V]):
    """One call per key at a time: whoever asks for a key whose call is under way awaits that call's outcome
    (fifty members asking for the same summary after a review changed start one summarising, not fifty).

    The call runs as a task of its own, so a caller that gives up (is cancelled) does not cancel it for the rest.
    """

    def __init__(self) -> None:
        self._running: dict[K, asyncio.Task[V]] = {}

    async def run(self, key: K, call: Callable[[], Coroutine[Any, Any, V]]) -> V:
        task = self._running.get(key)
        if task is None:
            task = asyncio.create_task(call())
            self._running[key] = task
            task.add_done_callback(lambda _: self._running.pop(key))
        return await asyncio.shield(task)


class Snapshot:
    """The catalogue version one interaction's answers are made at (None until first read)."""

    __slots__ = ("version",)

    def __init__(self) -> None:
        self.version: int | None = None


_SNAPSHOT: ContextVar[Snapshot | None] = ContextVar("catalogue_snapshot", default=None)


def one_version_per_task() -> None:
    """Answer the rest of this task (one interaction: its options, then its command) at one catalogue version:
    the version is read once and reused, instead of once per answer. Other tasks read it every time."""
    _SNAPSHOT.set(Snapshot())


def snapshot() -> Snapshot | None:
    """This task's snapshot, if it asked for one."""
    return _SNAPSHOT.get()


def catalogue_written() -> None:
    """This task changed the catalogue: its next answer reads the version again, and sees the change."""
    if (taken := _SNAPSHOT.get()) is not None:
        taken.version = None
