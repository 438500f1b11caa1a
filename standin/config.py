"""Settings of one stand-in instance."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from standin.snowflake import now

DEFAULT_TOKEN = "standin.bot.token"  # a fake token: the stand-in only compares it


@dataclass
class Config:
    """Tunables. ``ack_deadline`` is Discord's 3 s for the initial response; tests may shorten or extend it."""

    token: str = DEFAULT_TOKEN
    ack_deadline: float = 3.0
    token_lifetime: float = 15 * 60.0
    heartbeat_interval_ms: int = 41_250
    recommended_shards: int = 1
    attachment_size_limit: int = 10 * 1024 * 1024
    privileged_intents: bool = True
    """Whether the application may use GUILD_MEMBERS, GUILD_PRESENCES and MESSAGE_CONTENT (else close 4014)."""
    http_base: str = ""
    """``http://127.0.0.1:PORT``, known once the server listens."""
    clock: Callable[[], dt.datetime] = field(default=now)
    """What "now" is for Discord's checks on times (a scheduled event may not start in the past): the real time,
    or a test's clock, so a bot on a fake clock schedules events its Discord accepts."""
