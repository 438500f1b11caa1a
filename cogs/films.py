"""`/film info|cast|score|person`: film facts from the catalogue, with title and name autocomplete."""

from __future__ import annotations

import math

import discord
from discord import app_commands
from discord.ext import commands

from cogs.ui.bot import ClubBot, Interaction
from cogs.ui.embeds import DESCRIPTION_LIMIT, FIELD_LIMIT, MAX_FIELDS, clip, echo, fit, listing, new_embed
from cogs.ui.film_option import FILM_DESCRIPTION, FilmOption, choices
from cogs.ui.items import Page, register_book, send_book
from cogs.ui.replies import answer
from services.films import tmdb
from services.films.values import CastAnswer, CastMember, FilmDetails, PersonAnswer, ScoreAnswer
from services.reviews.values import stars

CAST_PAGE_SIZE = 15
CAST_BOOK = "cast"
JOB_HEADINGS = {
    "actor": "Acting",
    "director": "Directing",
    "screenplay": "Screenplay",
    "writer": "Writing",
    "composer": "Music",
    "cinematographer": "Cinematography",
    "editor": "Editing",
    "producer": "Producing",
}
# Discord enforces these lengths on the options before the bot sees them.
NameText = app_commands.Range[str, 1, 100]


def played(member: CastMember) -> str:
    characters = " / ".join(member.characters)
    return f"**{member.name}** as {characters}" if characters else f"**{member.name}**"


def info_embed(details: FilmDetails, *, poster_url: str | None = None) -> discord.Embed:
    embed = new_embed(details.film.label, details.source, details.synopsis)
    if poster_url:
        embed.set_thumbnail(url=poster_url)
    facts = [
        ("Directed by", ", ".join(details.directors)),
        ("Written by", ", ".join(details.writers)),
        ("Music by", ", ".join(details.composers)),
    ]
    if details.based_on:
        based = details.based_on
        kind = f"the {based.kind}" if based.kind else ""
        by = f" by {based.author}" if based.author else ""
        year = f" ({based.year})" if based.year else ""
        facts.append(("Based on", f"{kind} *{based.title}*{by}{year}".strip()))
    facts.append(("Starring", listing([played(member) for member in details.top_cast])))
    facts.append(("Genres", ", ".join(details.genres)))
    if details.runtime_minutes:
        facts.append(("Runtime", f"{details.runtime_minutes} min"))
    also = [t for t in (details.original_title, *details.alternate_titles) if t]
    facts.append(("Also known as", listing(also)))
    for name, value in facts:
        if value and value != "—":
            embed.add_field(name=name, value=clip(value, FIELD_LIMIT), inline=name not in {"Starring", "Based on"})
    return fit(embed)


def cast_pages(answer: CastAnswer) -> int:
    """Pages of a whole cast; who played one character is always a single (short) page."""
    if answer.character:
        return 1
    return max(1, math.ceil(len(answer.cast) / CAST_PAGE_SIZE))


def cast_embed(answer: CastAnswer, page: int) -> discord.Embed:
    pages = cast_pages(answer)
    page = min(max(page, 0), pages - 1)
    if answer.character:
        title = f"Who played {echo(answer.character)} in {answer.film.label}"
    else:
        title = f"Cast of {answer.film.label}"
    members = answer.cast[page * CAST_PAGE_SIZE : (page + 1) * CAST_PAGE_SIZE] if pages > 1 else answer.cast
    embed = new_embed(title, answer.source, listing([played(m) for m in members], DESCRIPTION_LIMIT))
    if pages > 1:
        embed.set_footer(text=f"Page {page + 1} of {pages} · Source: {answer.source}")
    return fit(embed)


async def cast_page(interaction: Interaction, key: str, page: int) -> Page:
    """A page of a film's whole cast (the cast book: its buttons carry the film id)."""
    answer = await interaction.client.services.films.cast(int(key))
    return Page(cast_embed(answer, page), cast_pages(answer))


def score_embed(answer: ScoreAnswer) -> discord.Embed:
    embed = new_embed(f"Music of {answer.film.label}", answer.source)
    if answer.composers:
        embed.add_field(name="Score", value=listing([c.name for c in answer.composers]), inline=False)
    else:
        embed.description = "I don't know who composed the score."
    for composer in answer.composers:
        if composer.other_films and len(embed.fields) < MAX_FIELDS:
            embed.add_field(
                name=clip(f"Also scored by {composer.name}", 256),
                value=listing([film.label for film in composer.other_films]),
                inline=False,
            )
    if answer.music:
        lines = []
        for music in answer.music:
            line = f"*{music.piece}*" + (f" by {music.performer}" if music.performer else "")
            lines.append(line + (f": {music.note}" if music.note else ""))
        embed.add_field(name="Other music", value=listing(lines), inline=False)
    return fit(embed)


def person_embed(answer: PersonAnswer) -> discord.Embed:
    embed = new_embed(answer.name, ", ".join(answer.sources))
    for job, roles in answer.filmography[:MAX_FIELDS]:
        lines = [role.film.label + (f" as {' / '.join(role.characters)}" if role.characters else "") for role in roles]
        embed.add_field(name=JOB_HEADINGS.get(job, job.title()), value=listing(lines), inline=False)
    if not answer.filmography:
        embed.description = "No film credits in the catalogue yet."
    return fit(embed)


class Films(commands.GroupCog, group_name="film", group_description="Film facts: cast, characters, music, people"):
    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        register_book(CAST_BOOK, cast_page)

    async def person_autocomplete(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices(await self.bot.services.films.autocomplete_people(current))

    @app_commands.command(name="info", description="Director, cast, music, source novel and more about a film")
    @app_commands.describe(film=FILM_DESCRIPTION)
    async def info(self, interaction: Interaction, film: FilmOption) -> None:
        details = await self.bot.services.films.details(film.id)
        # Posters are TMDB's images: shown only while TMDB is configured (its terms, its attribution).
        poster = tmdb.poster_url(details.poster_path) if self.bot.services.tmdb else None
        embed = info_embed(details, poster_url=poster)
        if interaction.guild_id is not None:
            stats = await self.bot.services.reviews.film_stats(interaction.guild_id, film.id)
            if stats is not None:
                embed.insert_field_at(
                    0, name="This server", value=f"{stars(round(stats.mean))} {stats.mean / 2:.1f} from {stats.count}"
                )
        await answer(interaction, embed=fit(embed))

    @app_commands.command(name="cast", description="Who is in a film, or who played a character")
    @app_commands.describe(film=FILM_DESCRIPTION, character="A character, e.g. Kathy (younger versions are included)")
    async def cast(self, interaction: Interaction, film: FilmOption, character: NameText | None = None) -> None:
        if character is None:
            await send_book(interaction, CAST_BOOK, str(film.id))
            return
        await answer(interaction, embed=cast_embed(await self.bot.services.films.cast(film.id, character), 0))

    @app_commands.command(name="score", description="Who composed a film's score, and its other notable music")
    @app_commands.describe(film=FILM_DESCRIPTION)
    async def score(self, interaction: Interaction, film: FilmOption) -> None:
        await answer(interaction, embed=score_embed(await self.bot.services.films.score(film.id)))

    @app_commands.command(name="person", description="An actor's, director's or composer's films, by role")
    @app_commands.describe(name="A name, e.g. Carey Mulligan")
    @app_commands.autocomplete(name=person_autocomplete)
    async def person(self, interaction: Interaction, name: NameText) -> None:
        await answer(interaction, embed=person_embed(await self.bot.services.films.person(name)))


async def setup(bot: ClubBot) -> None:
    await bot.add_cog(Films(bot))
