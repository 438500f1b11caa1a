"""The watch-party repository. Every function takes the caller's session (one unit of work) and none commits.
Party queries name their server; the reminder queue is shared by every process of the bot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import upsert_insert
from db.parties.models import MemberZone, PartyMember, PartyReminder, PartySettings, WatchParty

PENDING, CLAIMED = "pending", "claimed"


async def add_party(session: AsyncSession, **fields: Any) -> WatchParty:
    party = WatchParty(**fields)
    session.add(party)
    await session.flush()
    return party


async def party(session: AsyncSession, guild_id: int, party_id: int) -> WatchParty | None:
    return await session.scalar(select(WatchParty).where(WatchParty.guild_id == guild_id, WatchParty.id == party_id))


async def film_of_thread(session: AsyncSession, guild_id: int, thread_id: int) -> int | None:
    """The film of the party whose thread ``thread_id`` is (its newest, should a thread ever hold two)."""
    return await session.scalar(
        select(WatchParty.film_id)
        .where(WatchParty.guild_id == guild_id, WatchParty.thread_id == thread_id)
        .order_by(WatchParty.id.desc())
        .limit(1)
    )


async def lock_party(session: AsyncSession, guild_id: int, party_id: int) -> WatchParty | None:
    """The party, locked for this unit of work: its first statement writes the row, so concurrent changes to the
    same party (two clicks on Join for the last seat) take turns on PostgreSQL and SQLite alike."""
    touched = await session.execute(
        update(WatchParty)
        .where(WatchParty.guild_id == guild_id, WatchParty.id == party_id)
        .values(sequence=WatchParty.sequence)
        .execution_options(synchronize_session=False)
    )
    if not getattr(touched, "rowcount", 0):
        return None
    return await session.scalar(
        select(WatchParty).where(WatchParty.id == party_id).execution_options(populate_existing=True)
    )


async def upcoming(session: AsyncSession, guild_id: int, now: datetime, limit: int) -> list[WatchParty]:
    """Scheduled parties of the server that have not ended, soonest first."""
    rows = await session.scalars(
        select(WatchParty)
        .where(WatchParty.guild_id == guild_id, WatchParty.status == "scheduled", WatchParty.starts_at > now)
        .order_by(WatchParty.starts_at, WatchParty.id)
        .limit(limit)
    )
    return list(rows)


async def remove_party(session: AsyncSession, party: WatchParty) -> None:
    await session.delete(party)
    await session.flush()


async def members(session: AsyncSession, party_ids: Sequence[int]) -> list[PartyMember]:
    """Everyone who answered these parties, in the order they answered."""
    rows = await session.scalars(
        select(PartyMember).where(PartyMember.party_id.in_(party_ids)).order_by(PartyMember.answered_at, PartyMember.id)
    )
    return list(rows)


async def member(session: AsyncSession, party_id: int, user_id: int) -> PartyMember | None:
    return await session.scalar(
        select(PartyMember).where(PartyMember.party_id == party_id, PartyMember.user_id == user_id)
    )


def add_member(session: AsyncSession, party_id: int, user_id: int, status: str, at: datetime) -> PartyMember:
    row = PartyMember(party_id=party_id, user_id=user_id, status=status, answered_at=at)
    session.add(row)
    return row


async def remove_member(session: AsyncSession, row: PartyMember) -> None:
    await session.delete(row)
    await session.flush()


# The reminder queue ----------------------------------------------------------------------------------


def add_reminders(session: AsyncSession, rows: Sequence[PartyReminder]) -> None:
    session.add_all(rows)


async def cancel_pending(session: AsyncSession, party_id: int, at: datetime) -> None:
    """Cancel the party's reminders no process has claimed (a claimed one finishes on its own)."""
    await session.execute(
        update(PartyReminder)
        .where(PartyReminder.party_id == party_id, PartyReminder.state == PENDING)
        .values(state="cancelled", done_at=at)
        .execution_options(synchronize_session=False)
    )


def _claimable(now: datetime) -> Any:
    return and_(
        PartyReminder.next_try_at <= now,
        or_(
            PartyReminder.state == PENDING,
            and_(PartyReminder.state == CLAIMED, PartyReminder.lease_until < now),  # its process died
        ),
    )


async def claim_due(
    session: AsyncSession, *, owner: str, now: datetime, lease_until: datetime, limit: int
) -> list[PartyReminder]:
    """Claim up to ``limit`` due reminders for ``owner`` in one conditional UPDATE.

    Concurrent claimers never get the same reminder: on PostgreSQL the candidate rows are locked with
    ``FOR UPDATE SKIP LOCKED`` (a row another claimer holds is skipped, and the condition is checked again on the
    row as committed); on SQLite the statement holds the database's write lock. The outer WHERE repeats the
    condition, so a row claimed meanwhile is never taken twice.
    """
    candidates = (
        select(PartyReminder.id)
        .where(_claimable(now))
        .order_by(PartyReminder.next_try_at, PartyReminder.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = await session.scalars(
        update(PartyReminder)
        .where(PartyReminder.id.in_(candidates.scalar_subquery()), _claimable(now))
        .values(state=CLAIMED, claimed_by=owner, lease_until=lease_until)
        .returning(PartyReminder)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return sorted(claimed, key=lambda r: (r.next_try_at, r.id))


async def finish(
    session: AsyncSession, reminder_id: int, *, owner: str, state: str, at: datetime, error: str | None = None
) -> bool:
    """Record how a claimed reminder ended; False when ``owner`` no longer holds the claim."""
    result = await session.execute(
        update(PartyReminder)
        .where(PartyReminder.id == reminder_id, PartyReminder.state == CLAIMED, PartyReminder.claimed_by == owner)
        .values(state=state, done_at=at, last_error=error, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def retry_later(
    session: AsyncSession, reminder_id: int, *, owner: str, next_try_at: datetime, error: str
) -> bool:
    """Give a claimed reminder back to the queue for another try at ``next_try_at``, counting the attempt."""
    result = await session.execute(
        update(PartyReminder)
        .where(PartyReminder.id == reminder_id, PartyReminder.state == CLAIMED, PartyReminder.claimed_by == owner)
        .values(
            state=PENDING,
            claimed_by=None,
            lease_until=None,
            next_try_at=next_try_at,
            attempts=PartyReminder.attempts + 1,
            last_error=error,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def release(session: AsyncSession, owner: str) -> int:
    """Give back every claim ``owner`` holds (a process stopping)."""
    result = await session.execute(
        update(PartyReminder)
        .where(PartyReminder.state == CLAIMED, PartyReminder.claimed_by == owner)
        .values(state=PENDING, claimed_by=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def next_due(session: AsyncSession) -> datetime | None:
    """When the next pending reminder is due (None when nothing is pending)."""
    return await session.scalar(select(func.min(PartyReminder.next_try_at)).where(PartyReminder.state == PENDING))


async def reminders(session: AsyncSession, party_id: int) -> list[PartyReminder]:
    rows = await session.scalars(
        select(PartyReminder).where(PartyReminder.party_id == party_id).order_by(PartyReminder.due_at, PartyReminder.id)
    )
    return list(rows)


# Time settings ----------------------------------------------------------------------------------------


async def member_zone(session: AsyncSession, user_id: int) -> str | None:
    return await session.scalar(select(MemberZone.zone).where(MemberZone.user_id == user_id))


async def set_member_zone(session: AsyncSession, user_id: int, zone: str, at: datetime) -> None:
    insert = upsert_insert(session, MemberZone).values(user_id=user_id, zone=zone, updated_at=at)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=["user_id"], set_={"zone": insert.excluded.zone, "updated_at": insert.excluded.updated_at}
        )
    )


async def settings(session: AsyncSession, guild_id: int) -> PartySettings | None:
    return await session.scalar(
        select(PartySettings).where(PartySettings.guild_id == guild_id).execution_options(populate_existing=True)
    )


async def set_settings(session: AsyncSession, guild_id: int, at: datetime, **values: str | None) -> None:
    """Set some of a server's settings in one statement (the others keep their values)."""
    insert = upsert_insert(session, PartySettings).values(guild_id=guild_id, updated_at=at, **values)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=["guild_id"],
            set_={name: getattr(insert.excluded, name) for name in [*values, "updated_at"]},
        )
    )
