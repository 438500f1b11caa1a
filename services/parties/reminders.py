"""The reminder scheduler: posts each party reminder once, whichever bot process gets to it, surviving restarts.

Reminders are rows in the database (db.parties). A pass claims the due ones atomically for a lease, hands each to
the delivery (the Discord side, given by the cog), and records how it ended: sent; failed for good (the thread or
server is gone); skipped (later than the grace period, e.g. after downtime); or given back with a backoff to try
again (Discord busy or rate limiting). Deliveries run side by side, so one slow or failing reminder never holds
up the others. Claims of a process that died run out with their lease and are claimed again.

Between passes the scheduler sleeps until the next reminder is due by the injected clock (at most ``poll``, to
see reminders other processes add); ``poke()`` wakes it early, and ``caught_up()`` waits for a pass that started
after the last poke, which is how tests driving a fake clock synchronise with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from db import Database
from db.parties import repository as repo
from db.parties.models import PartyReminder
from services.clock import Clock
from services.parties.values import Due, Kind

log = logging.getLogger(__name__)

BATCH = 20  # reminders claimed (and delivered side by side) at once
MAX_ATTEMPTS = 5
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MOST = timedelta(minutes=15)
STOP_PATIENCE = 10.0  # seconds a stopping scheduler lets deliveries under way finish


class RetryLater(Exception):
    """The delivery failed for now (Discord busy or rate limiting): try again after a backoff."""


class Undeliverable(Exception):
    """The delivery can never succeed (the thread, channel or server is gone): record it as failed."""


Deliver = Callable[[Due], Awaitable[None]]


def backoff(attempts: int) -> timedelta:
    """How long to wait before try number ``attempts + 1``: 30 s, 1 min, 2 min... at most 15 min."""
    return min(BACKOFF_FIRST * (1 << min(attempts, 10)), BACKOFF_MOST)


def _due(row: PartyReminder) -> Due:
    return Due(row.id, row.party_id, row.guild_id, Kind(row.kind), row.minutes_before, row.due_at, row.attempts)


class ReminderScheduler:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        grace: timedelta,
        lease: timedelta,
        poll: timedelta,
        owner: str | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.grace = grace
        self.lease = lease
        self.poll = poll
        self.owner = owner or f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._deliver: Deliver | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._requested = 0  # pokes so far
        self._finished = -1  # pokes seen by the last finished pass (-1: none finished yet)
        self._passed = asyncio.Condition()

    # Life cycle --------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, deliver: Deliver) -> None:
        """Start passing over due reminders in the background, delivering each with ``deliver``."""
        if self.running:
            raise RuntimeError("the reminder scheduler is already running")
        self._deliver = deliver
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name=f"party-reminders-{self.owner}")

    async def stop(self) -> None:
        """Stop: let deliveries under way finish (a little while), then give back any claim still held."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_PATIENCE)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        finally:
            try:
                async with self.db.transaction() as session:
                    released = await repo.release(session, self.owner)
                if released:
                    log.info("gave back %d reminder claim(s) on stopping", released)
            except Exception:
                log.exception("could not give back reminder claims; they return when their lease runs out")

    def poke(self) -> None:
        """Look at the queue now (a party was created or changed, or a test moved the clock)."""
        self._requested += 1
        self._wake.set()

    async def caught_up(self) -> None:
        """Wait until a pass that started after the last ``poke()`` has finished."""
        target = self._requested
        async with self._passed:
            await self._passed.wait_for(lambda: self._finished >= target or not self.running)

    # Passes -------------------------------------------------------------------------------------------------

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            started = self._requested
            try:
                await self.run_due()
                delay = await self._delay()
            except Exception:
                log.exception("reminder pass failed; trying again in %s", self.poll)
                delay = self.poll.total_seconds()
            async with self._passed:
                self._finished = started
                self._passed.notify_all()
            if self._stopping.is_set():
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def _delay(self) -> float:
        """Seconds until the next pending reminder, at most ``poll``."""
        async with self.db.transaction() as session:
            due = await repo.next_due(session)
        most = self.poll.total_seconds()
        if due is None:
            return most
        return min(max((due - self.clock.now()).total_seconds(), 0.0), most)

    async def run_due(self) -> int:
        """Claim and deliver everything due now, a batch at a time; returns how many were handled."""
        if self._deliver is None:
            raise RuntimeError("start() the scheduler with a delivery first")
        handled = 0
        while not self._stopping.is_set():
            now = self.clock.now()
            async with self.db.transaction() as session:
                rows = await repo.claim_due(
                    session, owner=self.owner, now=now, lease_until=now + self.lease, limit=BATCH
                )
                claimed = [_due(row) for row in rows]
            if not claimed:
                break
            await asyncio.gather(*(self._handle(due) for due in claimed))
            handled += len(claimed)
        return handled

    async def _handle(self, due: Due) -> None:
        """Deliver one claimed reminder and record the outcome; never raises."""
        assert self._deliver is not None
        try:
            late = self.clock.now() - due.due_at
            if due.kind is not Kind.ARCHIVE and late > self.grace:
                await self._finish(due, "skipped", f"{late} late, past the grace period of {self.grace}")
                return
            try:
                await asyncio.wait_for(self._deliver(due), self.lease.total_seconds() / 2)
            except Undeliverable as error:
                await self._finish(due, "failed", str(error) or type(error).__name__)
            except (RetryLater, TimeoutError) as error:
                await self._again(due, f"{type(error).__name__}: {error}")
            except Exception as error:
                log.exception("delivering reminder %d (party %d, %s) failed", due.id, due.party_id, due.kind)
                await self._again(due, f"{type(error).__name__}: {error}")
            else:
                await self._finish(due, "sent")
        except Exception:
            log.exception("could not record how reminder %d ended; its claim runs out with the lease", due.id)

    async def _finish(self, due: Due, state: str, error: str | None = None) -> None:
        async with self.db.transaction() as session:
            kept = await repo.finish(session, due.id, owner=self.owner, state=state, at=self.clock.now(), error=error)
        if not kept:
            log.warning("reminder %d was claimed elsewhere before it was recorded %s", due.id, state)
        elif state != "sent":
            log.warning("reminder %d (party %d, %s) %s: %s", due.id, due.party_id, due.kind, state, error)

    async def _again(self, due: Due, error: str) -> None:
        if due.attempts + 1 >= MAX_ATTEMPTS:
            await self._finish(due, "failed", f"gave up after {MAX_ATTEMPTS} tries; last: {error}")
            return
        later = self.clock.now() + backoff(due.attempts)
        async with self.db.transaction() as session:
            await repo.retry_later(session, due.id, owner=self.owner, next_try_at=later, error=error)
        log.info("reminder %d will be tried again at %s: %s", due.id, later.isoformat(), error)
