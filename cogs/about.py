"""`/about`: what the bot can do, its version, and its data sources with the attribution they require."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from cogs.ui.bot import ClubBot, Interaction
from cogs.ui.embeds import COLOUR
from services.films import imdb, tmdb

FEATURES = (
    ("Films", "Cast, characters, composers and directors: `/film info`, `/film cast`, `/film score`, `/film person`."),
    ("Reviews", "Rate films in half stars and say what you thought: `/review write`, `/review list`, `/review top`."),
    ("Watch parties", "Watch a film together: `/watchparty create` with RSVP buttons, a thread and reminders."),
    ("Questions", 'Ask in your own words: `/ask`, or mention me ("who composed the score of Vertigo?").'),
)


class About(commands.Cog):
    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot

    async def sources(self) -> list[str]:
        counts = await self.bot.services.films.films_per_source()
        sources = [f"Film Club's starter catalogue ({counts.get('starter', 0):,} films; facts only)."]
        if self.bot.services.tmdb is not None or counts.get("tmdb"):
            sources.append(f"TMDB, themoviedb.org ({counts.get('tmdb', 0):,} films). {tmdb.NOTICE}")
        if counts.get("imdb"):
            sources.append(f"IMDb datasets ({counts['imdb']:,} films). {imdb.ATTRIBUTION}")
        return sources

    @app_commands.command(name="about", description="What Film Club can do, its version and its data sources")
    async def about(self, interaction: Interaction) -> None:
        embed = discord.Embed(
            title="Film Club",
            description="A bot for talking about films together.",
            colour=COLOUR,
        )
        for name, text in FEATURES:
            embed.add_field(name=name, value=text, inline=False)
        embed.add_field(name="Data sources", value="\n".join(await self.sources()), inline=False)
        embed.set_footer(text=f"Film Club {self.bot.version}")
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: ClubBot) -> None:
    await bot.add_cog(About(bot))
