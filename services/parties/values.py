"""The plain values watch parties are handled as."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Answer(StrEnum):
    """What a member answered; "waitlist" is where "going" lands when the party is full."""

    GOING = "going"
    MAYBE = "maybe"
    WAITLIST = "waitlist"


class Kind(StrEnum):
    """What a reminder does: remind before the start, say it starts, open the discussion, archive the thread."""

    BEFORE = "before"
    START = "start"
    END = "end"
    ARCHIVE = "archive"


@dataclass(frozen=True, slots=True)
class Party:
    """A watch party as it stands, with who answered (each list in the order they answered)."""

    id: int
    guild_id: int
    host_id: int
    film_id: int | None
    film_label: str
    starts_at: datetime  # UTC
    duration_minutes: int
    zone: str  # the creator's IANA zone
    channel_id: int
    voice_channel_id: int | None
    capacity: int | None
    note: str | None
    status: str  # "draft", "scheduled", "cancelled", "ended"
    sequence: int
    message_id: int | None
    thread_id: int | None
    event_id: int | None
    created_at: datetime
    going: tuple[int, ...] = ()
    maybe: tuple[int, ...] = ()
    waitlist: tuple[int, ...] = ()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def full(self) -> bool:
        return self.capacity is not None and len(self.going) >= self.capacity

    def answer_of(self, user_id: int) -> Answer | None:
        for answer, people in (
            (Answer.GOING, self.going),
            (Answer.MAYBE, self.maybe),
            (Answer.WAITLIST, self.waitlist),
        ):
            if user_id in people:
                return answer
        return None


@dataclass(frozen=True, slots=True)
class Rsvp:
    """What a member's answer did: the party now, their answer in it (None: not coming), whether anything changed,
    and who moved up from the waitlist."""

    party: Party
    user_id: int
    answer: Answer | None
    changed: bool
    promoted: tuple[int, ...] = ()

    @property
    def waitlist_place(self) -> int | None:
        waiting = self.party.waitlist
        return waiting.index(self.user_id) + 1 if self.user_id in waiting else None


@dataclass(frozen=True, slots=True)
class Edited:
    """What an edit did: the party before and after, and who moved up from the waitlist (more seats)."""

    before: Party
    party: Party
    promoted: tuple[int, ...] = ()

    @property
    def moved(self) -> bool:
        return (self.before.starts_at, self.before.duration_minutes) != (
            self.party.starts_at,
            self.party.duration_minutes,
        )


@dataclass(frozen=True, slots=True)
class Due:
    """A claimed reminder, for the scheduler's delivery."""

    id: int
    party_id: int
    guild_id: int
    kind: Kind
    minutes_before: int
    due_at: datetime
    attempts: int
