"""Named progress markers (see models.Checkpoint), read and written inside the caller's session."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Checkpoint


async def get(session: AsyncSession, name: str) -> dict[str, Any] | None:
    row = await session.get(Checkpoint, name)
    return dict(row.value) if row else None


async def put(session: AsyncSession, name: str, value: dict[str, Any]) -> None:
    row = await session.get(Checkpoint, name)
    if row is None:
        session.add(Checkpoint(name=name, value=value))
    else:
        row.value = value
