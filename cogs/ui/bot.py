"""The bot as cogs see it: discord.py's bot with the domain services and the one error handler.

bot.client.FilmClubBot implements it; cogs depend on this, never on the bot package.
"""

from __future__ import annotations

from typing import TypeAlias

import discord
from discord.ext import commands

from services.registry import Services


class ClubBot(commands.AutoShardedBot):
    services: Services
    version: str  # Film Club's release, e.g. "0.1.0"

    async def report_error(self, interaction: Interaction, error: BaseException) -> None:
        """Answer ``interaction`` privately with what went wrong (the one error handler)."""
        raise NotImplementedError


Interaction: TypeAlias = discord.Interaction[ClubBot]
