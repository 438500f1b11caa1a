"""Named progress markers (see models.Checkpoint), read and written inside the caller's session or connection."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.base import utcnow
from db.engine import upsert_insert
from db.models import Checkpoint


async def get(session: AsyncSession | AsyncConnection, name: str) -> dict[str, Any] | None:
    value = await session.scalar(select(Checkpoint.value).where(Checkpoint.name == name))
    return dict(value) if value is not None else None


async def put(session: AsyncSession | AsyncConnection, name: str, value: dict[str, Any]) -> None:
    """Set the checkpoint in one statement: processes that write the same new name at once both succeed."""
    insert = upsert_insert(session, Checkpoint).values(name=name, value=value, updated_at=utcnow())
    statement = insert.on_conflict_do_update(
        index_elements=[Checkpoint.name],
        set_={"value": insert.excluded.value, "updated_at": insert.excluded.updated_at},
    )
    await session.execute(statement)
