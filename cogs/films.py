"""`/film info|cast|score|person`: film facts from the catalogue, with title autocomplete."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import FilmClubBot
from bot.errors import reply_with_error, send_private
from bot.services import Services
from services.films import tmdb
from services.films.catalogue import (
    Ambiguous,
    CastAnswer,
    CastMember,
    Choice,
    FilmCatalogue,
    FilmDetails,
    FilmSummary,
    PersonAnswer,
    ScoreAnswer,
)

log = logging.getLogger(__name__)

COLOUR = discord.Colour.dark_gold()
CAST_PAGE_SIZE = 15
FIELD_LIMIT = 1024
DESCRIPTION_LIMIT = 4096
EMBED_LIMIT = 6000
MAX_FIELDS = 25
MAX_OPTIONS = 25  # select menu options
CUSTOM_ID_LIMIT = 100
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
FilmText = app_commands.Range[str, 1, 200]
NameText = app_commands.Range[str, 1, 100]
FILM_OPTION = "A film title, with the year if you like, e.g. Never Let Me Go (2010)"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def listing(lines: Sequence[str], limit: int = FIELD_LIMIT) -> str:
    """Lines joined up to ``limit`` characters, ending with "…and N more" when some do not fit."""
    shown: list[str] = []
    for index, line in enumerate(lines):
        rest = len(lines) - index
        tail = f"\n…and {rest - 1} more" if rest > 1 else ""
        if len("\n".join([*shown, line])) + len(tail) > limit:
            shown.append(f"…and {rest} more")
            break
        shown.append(clip(line, limit))
    return "\n".join(shown) or "—"


def fit(embed: discord.Embed) -> discord.Embed:
    """Keep an embed within Discord's total size: shorten the description, then drop trailing fields."""
    if len(embed) > EMBED_LIMIT and embed.description:
        room = len(embed.description) - (len(embed) - EMBED_LIMIT)
        embed.description = clip(embed.description, max(room, 1))
    while len(embed) > EMBED_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    return embed


def new_embed(title: str, source: str, description: str | None = None) -> discord.Embed:
    embed = discord.Embed(
        title=clip(title, 256),
        description=clip(description, DESCRIPTION_LIMIT) if description else None,
        colour=COLOUR,
    )
    embed.set_footer(text=f"Source: {source}")
    return embed


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
        title = f"Who played {answer.character} in {answer.film.label}"
    else:
        title = f"Cast of {answer.film.label}"
    members = answer.cast[page * CAST_PAGE_SIZE : (page + 1) * CAST_PAGE_SIZE] if pages > 1 else answer.cast
    embed = new_embed(title, answer.source, listing([played(m) for m in members], DESCRIPTION_LIMIT))
    if pages > 1:
        embed.set_footer(text=f"Page {page + 1} of {pages} · Source: {answer.source}")
    return fit(embed)


class CastPageButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=r"film:cast:(\d+):(\d+)"):
    """Turns the page of a cast list; its custom_id holds the film and page, so it works after a restart."""

    def __init__(self, film_id: int, page: int, label: str, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"film:cast:{film_id}:{page}",
                disabled=disabled,
            )
        )
        self.film_id = film_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CastPageButton:
        return cls(int(match.group(1)), int(match.group(2)), getattr(item, "label", None) or "Page")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            await interaction.response.defer()  # the catalogue may refresh the film online first
            catalogue: FilmCatalogue = interaction.client.services.films
            answer = await catalogue.cast(f"film:{self.film_id}")
            await interaction.edit_original_response(
                embed=cast_embed(answer, self.page), view=cast_view(answer, self.page)
            )
        except Exception as error:  # dynamic items have no view error handler; answer like commands do
            await reply_with_error(interaction, error)


def cast_view(answer: CastAnswer, page: int) -> discord.ui.View | None:
    pages = cast_pages(answer)
    if pages == 1:
        return None
    view = discord.ui.View(timeout=None)
    # Disabled ends still need a valid page in their custom_id (the template takes no negative page).
    view.add_item(CastPageButton(answer.film.id, max(page - 1, 0), "◀ Previous", disabled=page <= 0))
    view.add_item(CastPageButton(answer.film.id, min(page + 1, pages - 1), "Next ▶", disabled=page >= pages - 1))
    return view


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


async def answer_autocomplete(
    complete: Callable[[str], Awaitable[list[Choice]]], current: str
) -> list[app_commands.Choice[str]]:
    """Discord's choices from a catalogue completion; an empty list rather than an error (it must answer)."""
    try:
        choices = await complete(current)
    except Exception:
        log.exception("autocomplete failed for %r", current)
        return []
    return [app_commands.Choice(name=choice.name, value=choice.value) for choice in choices]


async def film_answer(
    services: Services, kind: str, film: str, character: str | None = None
) -> tuple[discord.Embed, discord.ui.View | None]:
    """The embed (and view) answering `/film info|cast|score` for ``film``."""
    catalogue = services.films
    if kind == "info":
        details = await catalogue.resolve(film)
        # Posters are TMDB's images: shown only while TMDB is configured (its terms, its attribution).
        poster = tmdb.poster_url(details.poster_path) if services.tmdb else None
        return info_embed(details, poster_url=poster), None
    if kind == "cast":
        answer = await catalogue.cast(film, character)
        return cast_embed(answer, 0), cast_view(answer, 0)
    return score_embed(await catalogue.score(film)), None


class FilmPicker(
    discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]], template=r"film:pick:(info|cast|score):(.*)"
):
    """Offered when a title names several films: picking one answers the command that was asked."""

    def __init__(self, kind: str, character: str | None, options: Sequence[discord.SelectOption]) -> None:
        character = clip(character or "", CUSTOM_ID_LIMIT - len(f"film:pick:{kind}:"))
        super().__init__(
            discord.ui.Select(
                custom_id=f"film:pick:{kind}:{character}", placeholder="Which film did you mean?", options=list(options)
            )
        )
        self.kind = kind
        self.character = character or None

    @classmethod
    def for_choices(cls, kind: str, character: str | None, choices: Sequence[FilmSummary]) -> discord.ui.View:
        options = [discord.SelectOption(label=clip(c.label, 100), value=c.value) for c in choices[:MAX_OPTIONS]]
        view = discord.ui.View(timeout=None)
        view.add_item(cls(kind, character, options))
        return view

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FilmPicker:
        options = item.options if isinstance(item, discord.ui.Select) else []
        return cls(match.group(1), match.group(2) or None, options)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            [film] = self.item.values
            embed, view = await film_answer(interaction.client.services, self.kind, film, self.character)
            picked = next((o.label for o in self.item.options if o.value == film), "that film")
            await interaction.response.edit_message(content=f"You picked {picked}.", view=None)
            await interaction.followup.send(embed=embed, view=view or discord.utils.MISSING)
        except Exception as error:  # dynamic items have no view error handler; answer like commands do
            await reply_with_error(interaction, error)


class Films(commands.GroupCog, group_name="film", group_description="Film facts: cast, characters, music, people"):
    def __init__(self, bot: FilmClubBot) -> None:
        self.bot = bot

    @property
    def catalogue(self) -> FilmCatalogue:
        return self.bot.services.films

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(CastPageButton, FilmPicker)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(CastPageButton, FilmPicker)

    async def film_autocomplete(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return await answer_autocomplete(self.catalogue.autocomplete, current)

    async def person_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await answer_autocomplete(self.catalogue.autocomplete_people, current)

    async def _defer_if_online(self, interaction: discord.Interaction) -> None:
        """An online lookup may take longer than Discord's 3 seconds; a local answer never does."""
        if self.catalogue.online is not None:
            await interaction.response.defer(thinking=True)

    @staticmethod
    async def _send(interaction: discord.Interaction, **message: Any) -> None:
        """The answer, as the response or (after a defer) as the follow-up that replaces "thinking"."""
        if interaction.response.is_done():
            await interaction.followup.send(**message)
        else:
            await interaction.response.send_message(**message)

    async def _answer(
        self, interaction: discord.Interaction, kind: str, film: str, character: str | None = None
    ) -> None:
        await self._defer_if_online(interaction)
        try:
            embed, view = await film_answer(self.bot.services, kind, film, character)
        except Ambiguous as ambiguous:
            picker = FilmPicker.for_choices(kind, character, ambiguous.choices)
            await send_private(interaction, str(ambiguous), view=picker)
            return
        await self._send(interaction, embed=embed, view=view or discord.utils.MISSING)

    @app_commands.command(name="info", description="Director, cast, music, source novel and more about a film")
    @app_commands.describe(film=FILM_OPTION)
    @app_commands.autocomplete(film=film_autocomplete)
    async def info(self, interaction: discord.Interaction, film: FilmText) -> None:
        await self._answer(interaction, "info", film)

    @app_commands.command(name="cast", description="Who is in a film, or who played a character")
    @app_commands.describe(film=FILM_OPTION, character="A character, e.g. Kathy (younger versions are included)")
    @app_commands.autocomplete(film=film_autocomplete)
    async def cast(self, interaction: discord.Interaction, film: FilmText, character: NameText | None = None) -> None:
        await self._answer(interaction, "cast", film, character)

    @app_commands.command(name="score", description="Who composed a film's score, and its other notable music")
    @app_commands.describe(film=FILM_OPTION)
    @app_commands.autocomplete(film=film_autocomplete)
    async def score(self, interaction: discord.Interaction, film: FilmText) -> None:
        await self._answer(interaction, "score", film)

    @app_commands.command(name="person", description="An actor's, director's or composer's films, by role")
    @app_commands.describe(name="A name, e.g. Carey Mulligan")
    @app_commands.autocomplete(name=person_autocomplete)
    async def person(self, interaction: discord.Interaction, name: NameText) -> None:
        await self._send(interaction, embed=person_embed(await self.catalogue.person(name)))


async def setup(bot: FilmClubBot) -> None:
    await bot.add_cog(Films(bot))
