"""Watch-party service fixtures: a party service over the starter catalogue, on every back end, on a fake clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from db import Database
from services.films.catalogue import FilmCatalogue
from services.films.values import FilmSummary
from services.parties.reminders import ReminderScheduler
from services.parties.service import NewParty, PartyService
from services.parties.when import read_when
from tests.clock import FakeClock

GUILD, OTHER_GUILD = 1, 2
HOST, ALICE, BOB, CAROL = 10, 11, 12, 13
CHANNEL = 100


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def scheduler(db: Database, clock: FakeClock, owner: str = "test") -> ReminderScheduler:
    return ReminderScheduler(
        db,
        clock=clock,
        grace=timedelta(minutes=30),
        lease=timedelta(minutes=2),
        poll=timedelta(seconds=30),
        owner=owner,
    )


@pytest.fixture
def parties(db: Database, clock: FakeClock) -> PartyService:
    return PartyService(db, clock=clock, reminders=scheduler(db, clock))


@pytest.fixture
async def film(catalogue: FilmCatalogue) -> FilmSummary:
    return await catalogue.find("Never Let Me Go")


def new_party(film: FilmSummary, clock: FakeClock, when: str = "friday 8pm", **extra: object) -> NewParty:
    fields: dict[str, object] = {"duration_minutes": 118, "channel_id": CHANNEL, **extra}
    return NewParty(film, read_when(when, "Europe/London", clock.now()), **fields)  # type: ignore[arg-type]


async def live_party(parties: PartyService, film: FilmSummary, clock: FakeClock, **extra: object) -> int:
    """A party announced in GUILD by HOST; returns its id."""
    draft = await parties.create(GUILD, HOST, new_party(film, clock, **extra))
    await parties.announced(GUILD, draft.id, message_id=500 + draft.id, thread_id=500 + draft.id)
    return draft.id
