"""The reminder queue and scheduler on every back end: concurrent claimers never share a reminder, a dead
process's claims return, late reminders are skipped and recorded, failures back off without holding up others."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from db import Database
from db.parties import repository as repo
from services.films.values import FilmSummary
from services.parties.reminders import MAX_ATTEMPTS, RetryLater, Undeliverable, backoff
from services.parties.service import PartyService
from services.parties.values import Due, Kind
from tests.clock import FakeClock
from tests.parties.conftest import live_party, scheduler


async def claim(db: Database, clock: FakeClock, owner: str, limit: int = 20) -> list[int]:
    now = clock.now()
    async with db.transaction() as session:
        rows = await repo.claim_due(session, owner=owner, now=now, lease_until=now + timedelta(minutes=2), limit=limit)
        return [row.id for row in rows]


async def states(db: Database, party_id: int) -> dict[str, str]:
    async with db.transaction() as session:
        return {f"{r.kind}{r.minutes_before or ''}": r.state for r in await repo.reminders(session, party_id)}


async def test_two_concurrent_claimers_never_get_the_same_reminder(
    database_url: str, parties: PartyService, film: FilmSummary, clock: FakeClock
) -> None:
    for _ in range(6):
        await live_party(parties, film, clock)
    clock.advance(days=2)  # everything but the archives is due
    processes = [Database(database_url) for _ in range(2)]
    try:
        for _ in range(3):  # rounds of claiming, a few at a time
            got = await asyncio.gather(*(claim(db, clock, f"p{n}", limit=4) for n, db in enumerate(processes)))
            assert not set(got[0]) & set(got[1])
        rest = await asyncio.gather(*(claim(db, clock, f"p{n}") for n, db in enumerate(processes)))
        assert rest == [[], []]
    finally:
        for db in processes:
            await db.dispose()


async def test_one_wins_a_single_reminder(
    database_url: str, db: Database, parties: PartyService, film: FilmSummary, clock: FakeClock
) -> None:
    await parties.set_server_reminders(1, "none")
    party_id = await live_party(parties, film, clock)
    clock.advance(days=3)
    processes = [Database(database_url) for _ in range(4)]
    try:
        got = await asyncio.gather(*(claim(p, clock, f"p{n}") for n, p in enumerate(processes)))
    finally:
        for process in processes:
            await process.dispose()
    assert sorted(len(ids) for ids in got) == [0, 0, 0, 1]
    assert (await states(db, party_id))["end"] == "claimed"


async def test_a_claim_whose_lease_ran_out_is_claimed_again_and_the_old_owner_cannot_finish_it(
    db: Database, parties: PartyService, film: FilmSummary, clock: FakeClock
) -> None:
    await live_party(parties, film, clock)
    clock.advance(days=3)
    first = await claim(db, clock, "dead")
    assert await claim(db, clock, "alive") == []
    clock.advance(minutes=3)  # the dead process's lease ran out
    assert await claim(db, clock, "alive") == first
    async with db.transaction() as session:
        assert not await repo.finish(session, first[0], owner="dead", state="sent", at=clock.now())
        assert await repo.finish(session, first[0], owner="alive", state="sent", at=clock.now())


async def test_the_scheduler_delivers_each_due_reminder_once_skips_late_ones_and_records_why(
    db: Database, parties: PartyService, film: FilmSummary, clock: FakeClock
) -> None:
    party_id = await live_party(parties, film, clock)
    delivered: list[Due] = []

    async def deliver(due: Due) -> None:
        delivered.append(due)

    queue = scheduler(db, clock)
    queue.start(deliver)
    try:
        await queue.caught_up()
        assert delivered == []
        clock.advance(days=2, hours=7, minutes=1)  # 1 minute past the hour-before reminder
        queue.poke()
        await queue.caught_up()
        assert [d.kind for d in delivered] == [Kind.BEFORE]
        queue.poke()
        await queue.caught_up()
        assert len(delivered) == 1
        clock.advance(hours=3)  # the start reminder is now 2 hours late; the end 3 minutes
        queue.poke()
        await queue.caught_up()
        assert [d.kind for d in delivered] == [Kind.BEFORE, Kind.END]
    finally:
        await queue.stop()
    assert await states(db, party_id) == {"before60": "sent", "start": "skipped", "end": "sent", "archive": "pending"}


async def test_failures_back_off_never_hold_up_others_and_end_recorded(
    db: Database, parties: PartyService, film: FilmSummary, clock: FakeClock
) -> None:
    busy_party = await live_party(parties, film, clock)
    gone_party = await live_party(parties, film, clock)
    fine_party = await live_party(parties, film, clock)
    attempts: list[int] = []

    async def deliver(due: Due) -> None:
        if due.party_id == busy_party:
            attempts.append(due.attempts)
            raise RetryLater("429 Too Many Requests")
        if due.party_id == gone_party:
            raise Undeliverable("10003 Unknown Channel")

    queue = scheduler(db, clock)
    queue.start(deliver)
    try:
        clock.advance(days=2, hours=7, minutes=1)
        queue.poke()
        await queue.caught_up()
        assert (await states(db, fine_party))["before60"] == "sent"
        assert (await states(db, gone_party))["before60"] == "failed"
        assert (await states(db, busy_party))["before60"] == "pending"
        for tries in range(1, MAX_ATTEMPTS):
            clock.advance(seconds=backoff(tries - 1).total_seconds())
            queue.poke()
            await queue.caught_up()
    finally:
        await queue.stop()
    assert attempts == list(range(MAX_ATTEMPTS))
    assert (await states(db, busy_party))["before60"] == "failed"
    async with db.transaction() as session:
        [before, *_] = await repo.reminders(session, busy_party)
    assert before.last_error is not None
    assert "gave up after 5 tries" in before.last_error


async def test_stopping_gives_back_claims_of_a_delivery_that_hangs(
    db: Database, parties: PartyService, film: FilmSummary, clock: FakeClock, monkeypatch: object
) -> None:
    import services.parties.reminders as reminders

    party_id = await live_party(parties, film, clock)
    started = asyncio.Event()

    async def hang(due: Due) -> None:
        started.set()
        await asyncio.Event().wait()

    setattr(reminders, "STOP_PATIENCE", 0.05)  # noqa: B010
    try:
        queue = scheduler(db, clock)
        queue.start(hang)
        clock.advance(days=2, hours=7, minutes=1)
        queue.poke()
        await started.wait()
        await queue.stop()
    finally:
        setattr(reminders, "STOP_PATIENCE", 10.0)  # noqa: B010
    assert (await states(db, party_id))["before60"] == "pending"
