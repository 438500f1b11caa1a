"""`filmclub console`: the real bot against a local Discord stand-in, typed at in a terminal.

Nobody needs a Discord account or token. The demo server keeps its ids between runs and the console
has its own database file, so what you do in one session is still there in the next.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from pydantic import SecretStr
from rich.console import Console

from bot.app import App, CannotStart
from bot.config import Settings
from standin import DEMO, StandIn
from standin.console import ConsoleError, LineSource, TerminalInput, open_console

log = logging.getLogger(__name__)

READY_TIMEOUT = 30.0


class NotInTheDemo(CannotStart):
    """``--user`` or ``--channel`` names nobody or nothing in the demo server (the message names the choices)."""

    exit_code = 2


def console_settings(settings: Settings, standin: StandIn) -> Settings:
    """The user's settings, pointed at the stand-in, with the console's own database: the demo server
    never writes into the database a real deployment may have configured."""
    database_url = f"sqlite+aiosqlite:///{(settings.data_dir / 'console.sqlite3').resolve()}"
    return settings.model_copy(
        update={
            "token": SecretStr(standin.token),
            "api_base_url": standin.api_base,
            "gateway_url": standin.gateway_url,
            "database_url": database_url,
            "dev_guild_ids": [standin.guild().id],  # sync to the demo server: instant, every start
            "shard_count": None,
            "shard_ids": None,
            "guild_ready_timeout": 0.05,
        }
    )


async def run_offline(
    settings: Settings,
    *,
    console: Console,
    make_input: Callable[[Console], LineSource] = TerminalInput,
    user: str = "alice",
    channel: str = "general",
) -> None:
    async with StandIn([DEMO], stable_ids=True) as standin:
        try:  # before starting the bot: an unknown --user or --channel ends here
            chat = open_console(
                standin,
                input=make_input(console),
                console=console,
                attachments_dir=settings.data_dir / "console-attachments",
                user=user,
                channel=channel,
            )
        except ConsoleError as error:
            raise NotInTheDemo(f"filmclub console: {error}") from error
        app = await App.open(console_settings(settings, standin))
        runner = asyncio.create_task(app.run(), name="filmclub-console-bot")
        try:
            with console.status("Starting Film Club against the local Discord stand-in..."):
                await app.until_ready(runner, READY_TIMEOUT)
            await chat.run()
        finally:
            await app.close()  # once the interactions still running have answered
            await runner
        chat.flush()  # those answers
