"""Discord snowflakes: 64-bit ids whose top 42 bits are milliseconds since the Discord epoch."""

from __future__ import annotations

import datetime as dt
import time

DISCORD_EPOCH_MS = 1_420_070_400_000


class Snowflakes:
    """Generates strictly increasing, timestamp-based ids, so id order is creation order.

    With ``frozen_at`` the clock stands still until `unfreeze()`: the same sequence of calls then
    gives the same ids on every run (the console's world keeps its ids between sessions).
    """

    def __init__(self, worker: int = 1, process: int = 0, *, frozen_at: dt.datetime | None = None) -> None:
        self._prefix = ((worker & 0x1F) << 17) | ((process & 0x1F) << 12)
        self._last = 0
        self._frozen_ms = int(frozen_at.timestamp() * 1000) if frozen_at else None

    def next(self) -> int:
        ms = self._frozen_ms if self._frozen_ms is not None else int(time.time() * 1000)
        candidate = ((ms - DISCORD_EPOCH_MS) << 22) | self._prefix
        self._last = max(candidate, self._last + 1)
        return self._last

    def unfreeze(self) -> None:
        self._frozen_ms = None


def snowflake_time(snowflake: int) -> dt.datetime:
    """When the id was made (UTC)."""
    return dt.datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, tz=dt.UTC)


def iso(moment: dt.datetime) -> str:
    """Discord's ISO-8601 timestamp format."""
    return moment.astimezone(dt.UTC).isoformat()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
