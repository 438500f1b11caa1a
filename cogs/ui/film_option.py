"""The `film` option every command shares: it autocompletes titles and hands the command a resolved film.

Declare it as ``film: FilmOption`` (the parameter must be called ``film``). When a title names several films
equally well, the member gets a private menu of them; picking one runs the same command again with that film
and the other options as first given, so "picking a film" leads to whatever the command does.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from cogs.ui.bot import ClubBot, Interaction
from cogs.ui.embeds import CUSTOM_ID_LIMIT, MAX_OPTIONS, OPTION_LABEL_LIMIT, clip
from cogs.ui.items import ReportsErrors
from cogs.ui.replies import PICKED, defer_thinking
from services.errors import FilmClubError
from services.films.values import Ambiguous, Choice, FilmSummary

FILM_PARAMETER = "film"
FILM_DESCRIPTION = "A film title, with the year if you like, e.g. Never Let Me Go (2010)"
TITLE_LENGTH = 200  # Discord enforces it on the option before the bot sees it
# Commands whose first answer is a modal say so: ``@app_commands.command(..., extras={OPENS_MODAL: True})``.
OPENS_MODAL = "opens_modal"
MODAL_PATIENCE = 2.0  # seconds such a command waits for an online lookup (Discord allows 3 to answer)
_PLAIN = (str, int, float, bool)


def choices(found: Sequence[Choice]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=choice.name, value=choice.value) for choice in found]


class FilmTransformer(app_commands.Transformer[ClubBot]):
    """Title text (or an autocomplete value) in, a FilmSummary out; raises Ambiguous or NotFound."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def max_value(self) -> int:
        return TITLE_LENGTH

    @property
    def min_value(self) -> int:
        return 1

    async def transform(self, interaction: Interaction, value: Any, /) -> FilmSummary:
        films = interaction.client.services.films
        if films.online is None:
            return await films.find(str(value))
        command = interaction.command
        if command is None or not command.extras.get(OPENS_MODAL):
            await defer_thinking(interaction)  # an unknown title may be looked up online
            return await films.find(str(value))
        # A modal must be the first answer, so no "thinking" first: wait as long as Discord allows, and if
        # the online lookup takes longer, let it finish in the background for the member's next try.
        try:
            return await asyncio.wait_for(asyncio.shield(films.find(str(value))), MODAL_PATIENCE)
        except TimeoutError:
            raise FilmClubError("I'm still looking that film up online: try again in a few seconds.") from None

    async def autocomplete(
        self, interaction: Interaction, value: int | float | str, /
    ) -> list[app_commands.Choice[int | float | str]]:
        found = await interaction.client.services.films.autocomplete(str(value))
        return [app_commands.Choice(name=choice.name, value=choice.value) for choice in found]


FilmOption = app_commands.Transform[FilmSummary, FilmTransformer]


PICK_TEMPLATE = r"pick:(?P<command>[a-z0-9 _-]+):(?P<options>\{.*\})"


class FilmPicker(ReportsErrors, discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]], template=PICK_TEMPLATE):
    """A menu of the films a title named: picking one runs ``command`` with it and the other ``options``."""

    def __init__(self, custom_id: str, options: Sequence[discord.SelectOption]) -> None:
        super().__init__(
            discord.ui.Select(custom_id=custom_id, placeholder="Which film did you mean?", options=list(options))
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> FilmPicker:
        options = item.options if isinstance(item, discord.ui.Select) else []
        return cls(match.group(0), options)

    async def act(self, interaction: Interaction) -> None:
        match = self.__discord_ui_compiled_template__.fullmatch(self.custom_id)
        command = _command(interaction.client, match["command"]) if match else None
        if match is None or command is None:
            raise LookupError(f"no command for film picker {self.custom_id!r}")
        [value] = self.item.values
        # Nothing has answered yet and Discord waits 3 s: the film picked by id, as stored (no online refresh).
        film = await interaction.client.services.films.find(value, local_only=True)
        interaction.extras[PICKED] = film.label
        arguments = {**json.loads(match["options"]), FILM_PARAMETER: film}
        binding = (command.binding,) if command.binding is not None else ()
        await command.callback(*binding, interaction, **arguments)


def _command(bot: ClubBot, qualified_name: str) -> app_commands.Command[Any, ..., Any] | None:
    found = bot.tree.get_command(qualified_name.split(" ")[0])
    for name in qualified_name.split(" ")[1:]:
        found = found.get_command(name) if isinstance(found, app_commands.Group) else None
    return found if isinstance(found, app_commands.Command) else None


def film_picker(interaction: Interaction, ambiguous: Ambiguous) -> discord.ui.View | None:
    """The menu for a command whose `film` option was ambiguous; None when it cannot be offered (the
    message then lists the films and asks for the year)."""
    command = interaction.command
    if not isinstance(command, app_commands.Command) or FILM_PARAMETER not in command._params:
        return None
    options: dict[str, Any] = {}
    for parameter in command.parameters:
        value = getattr(interaction.namespace, parameter.name, None)
        if parameter.name == FILM_PARAMETER or value is None:
            continue
        if not isinstance(value, _PLAIN):
            return None
        options[parameter.name] = value
    custom_id = f"pick:{command.qualified_name}:{json.dumps(options, separators=(',', ':'))}"
    if len(custom_id) > CUSTOM_ID_LIMIT:
        return None
    menu = [
        discord.SelectOption(label=clip(c.label, OPTION_LABEL_LIMIT), value=c.value)
        for c in ambiguous.choices[:MAX_OPTIONS]
    ]
    view = discord.ui.View(timeout=None)
    view.add_item(FilmPicker(custom_id, menu))
    return view
