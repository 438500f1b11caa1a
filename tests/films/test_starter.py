"""Loading the starter catalogue: once per version, upgrades replace what changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from db import Database, checkpoints
from db.models import Credit, Film, FilmTitle, Person
from services.films.catalogue import FilmCatalogue
from services.films.starter import CHECKPOINT, load_starter
from tests.clock import FakeClock
from tests.films.lookups import resolve

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)

FIXTURE = Path(__file__).with_name("starter_fixture.json")


async def counts(db: Database) -> dict[str, int]:
    async with db.transaction() as session:
        return {
            model.__tablename__: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Film, FilmTitle, Person, Credit)
        }


async def test_loading_twice_changes_nothing(db: Database, starter_file: Path) -> None:
    stored = await load_starter(db, starter_file, now=NOW)
    assert stored > 0
    before = await counts(db)
    assert await load_starter(db, starter_file, now=NOW) == 0
    assert await counts(db) == before
    async with db.transaction() as session:
        assert (await checkpoints.get(session, CHECKPOINT) or {})["films"] == stored


async def test_a_new_version_replaces_changed_data(db: Database, tmp_path: Path) -> None:
    await load_starter(db, FIXTURE, now=NOW)
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data["version"] += 1
    never = next(f for f in data["films"] if f["key"] == "never-let-me-go-2010")
    never["cast"] = [c for c in never["cast"] if c["person"] != "ella-purnell"]
    never["runtime"] = 104
    data["films"] = [f for f in data["films"] if f["key"] != "chocolat-2000"]
    newer = tmp_path / "starter.json"
    newer.write_text(json.dumps(data), encoding="utf-8")

    assert await load_starter(db, newer, now=NOW) == len(data["films"])
    catalogue = FilmCatalogue(db, clock=FakeClock())
    details = await resolve(catalogue, "Never Let Me Go")
    assert details.runtime_minutes == 104
    assert "Ella Purnell" not in [member.name for member in details.cast]
    assert [member.name for member in (await catalogue.cast(details.film.id, "Ruth")).cast] == ["Keira Knightley"]
    async with db.transaction() as session:
        assert await session.scalar(select(Film).where(Film.slug == "chocolat-2000")) is None
        assert (await checkpoints.get(session, CHECKPOINT) or {})["version"] == data["version"]


async def test_a_missing_file_leaves_the_catalogue_empty(db: Database, tmp_path: Path) -> None:
    assert await load_starter(db, tmp_path / "absent.json", now=NOW) == 0
    assert (await counts(db))["films"] == 0
