"""A test-only extension with commands that fail, to prove the error handler end to end."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from services.errors import InvalidInput


class Faulty(commands.Cog):
    @app_commands.command(name="boom", description="Fails with a bug")
    async def boom(self, interaction: discord.Interaction) -> None:
        raise ZeroDivisionError("a bug")

    @app_commands.command(name="picky", description="Fails with a domain error after deferring")
    async def picky(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        raise InvalidInput("Ratings go from 0.5 to 5 stars, in half stars.")

    @app_commands.command(name="public-picky", description="Fails with a domain error after deferring publicly")
    async def public_picky(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        raise InvalidInput("x" * 2500)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Faulty())
