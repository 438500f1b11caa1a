"""Watch-party tables. A party, its attendees and its reminders belong to one server (``guild_id``); a member's
time zone is theirs in every server."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.reviews.models import LABEL_LENGTH

ZONE_LENGTH = 64  # IANA names are at most about 32 characters
NOTE_LENGTH = 300
OWNER_LENGTH = 64  # a scheduler's name: host, process and a random part


class WatchParty(Base):
    """A scheduled viewing. ``starts_at`` is a UTC instant; ``zone`` is the creator's IANA zone, kept to show and
    re-read times the way they were typed (a daylight-saving change never moves the instant)."""

    __tablename__ = "watch_parties"
    __table_args__ = (Index("ix_watch_parties_guild_status_starts", "guild_id", "status", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    guild_id: Mapped[int] = mapped_column(BigInteger)
    host_id: Mapped[int] = mapped_column(BigInteger)
    film_id: Mapped[int | None] = mapped_column(ForeignKey("films.id", ondelete="SET NULL"))
    film_label: Mapped[str] = mapped_column(String(LABEL_LENGTH))
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int]
    zone: Mapped[str] = mapped_column(String(ZONE_LENGTH))
    channel_id: Mapped[int] = mapped_column(BigInteger)  # where it is announced
    voice_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    capacity: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(String(NOTE_LENGTH))
    # "draft" while being announced, then "scheduled"; "cancelled" or "ended" at last.
    status: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(default=0)  # bumped by every edit (iCalendar's SEQUENCE)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    thread_id: Mapped[int | None] = mapped_column(BigInteger)
    event_id: Mapped[int | None] = mapped_column(BigInteger)  # the Discord scheduled event, when the bot may make one
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class PartyMember(Base):
    """Someone's answer to a party: "going", "maybe" or "waitlist" (in the order they asked)."""

    __tablename__ = "party_members"
    __table_args__ = (UniqueConstraint("party_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("watch_parties.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[datetime]


class PartyReminder(Base):
    """One thing to post for a party at a time: a reminder ``minutes_before`` the start ("before", "start"), the
    discussion at the end ("end") or archiving the thread ("archive").

    ``state`` goes pending -> claimed -> sent | skipped | failed | cancelled. A process claims a reminder atomically
    for a lease; a claim whose lease ran out (its process died) may be claimed again.
    """

    __tablename__ = "party_reminders"
    __table_args__ = (
        Index("ix_party_reminders_state_next_try", "state", "next_try_at"),
        Index("ix_party_reminders_party", "party_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("watch_parties.id", ondelete="CASCADE"))
    guild_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    minutes_before: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime]
    next_try_at: Mapped[datetime]  # due_at, or later after a failed try
    state: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str | None] = mapped_column(String(OWNER_LENGTH))
    lease_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]


class MemberZone(Base):
    """A member's time zone (IANA name), used to read the times they type, in every server."""

    __tablename__ = "member_zones"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    zone: Mapped[str] = mapped_column(String(ZONE_LENGTH))
    updated_at: Mapped[datetime]


class PartySettings(Base):
    """A server's watch-party settings: its default time zone and when reminders go out (minutes before the start,
    e.g. "60,0"); unset values fall back to the bot's configuration."""

    __tablename__ = "party_settings"

    guild_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    zone: Mapped[str | None] = mapped_column(String(ZONE_LENGTH))
    reminder_minutes: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime]
