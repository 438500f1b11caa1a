"""`/about`: what the bot can do, its version and its data sources."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import __version__
from bot.client import FilmClubBot

TMDB_NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."

FEATURES = (
    ("Films", "Cast, characters, composers and directors: `/film info`, `/film cast`, `/film score`, `/film person`."),
)


class About(commands.Cog):
    def __init__(self, bot: FilmClubBot) -> None:
        self.bot = bot

    @app_commands.command(name="about", description="What Film Club can do, its version and its data sources")
    async def about(self, interaction: discord.Interaction) -> None:
        embed = discord.Embed(
            title="Film Club",
            description="Talk about films together: reviews, summaries, cast and score questions, watch parties.",
            colour=discord.Colour.dark_gold(),
        )
        for name, text in FEATURES:
            embed.add_field(name=name, value=text, inline=False)
        sources = ["Bundled starter catalogue (facts only, curated by Film Club)."]
        if self.bot.settings.tmdb_token:
            sources.append(f"TMDB (themoviedb.org). {TMDB_NOTICE}")
        embed.add_field(name="Data sources", value="\n".join(sources), inline=False)
        embed.set_footer(text=f"Film Club {__version__}")
        await interaction.response.send_message(embed=embed, ephemeral=True)


async def setup(bot: FilmClubBot) -> None:
    await bot.add_cog(About(bot))
