"""One place that turns every failure of a command, button or modal into a friendly ephemeral reply."""

from __future__ import annotations

import logging
import secrets

import discord
from discord import app_commands

from cogs.ui.bot import Interaction
from cogs.ui.film_option import film_picker
from cogs.ui.replies import send_private
from services.errors import FilmClubError
from services.films.values import Ambiguous

log = logging.getLogger(__name__)


def unwrap(error: BaseException) -> BaseException:
    """The exception a command raised, not discord.py's wrapper around it."""
    if isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and error.__cause__:
        return error.__cause__
    return error


def describe(error: BaseException) -> tuple[str, bool]:
    """(the message for the user, whether it is a bug to log with a traceback)."""
    error = unwrap(error)
    if isinstance(error, FilmClubError):
        return str(error), False
    if isinstance(error, app_commands.CommandOnCooldown):
        return f"Easy there! Try again in {error.retry_after:.0f} seconds.", False
    if isinstance(error, app_commands.MissingPermissions):
        missing = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return f"You need the {missing} permission to do that.", False
    if isinstance(error, app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        return f"I need the {missing} permission here to do that. Ask a moderator to grant it.", False
    if isinstance(error, app_commands.NoPrivateMessage):
        return "That command only works in a server.", False
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use that command here.", False
    if isinstance(error, discord.Forbidden):
        return "Discord refused: I'm missing a permission in this channel. Ask a moderator to check my role.", False
    return "", True


async def reply_with_error(interaction: Interaction, error: BaseException) -> None:
    """Answer ``interaction`` ephemerally with what went wrong; log bugs with an id the user can quote."""
    message, is_bug = describe(error)
    if is_bug:
        error_id = secrets.token_hex(4)
        command = interaction.command.qualified_name if interaction.command else interaction.data
        log.error(
            "unhandled error %s in %s (guild %s, user %s)",
            error_id,
            command,
            interaction.guild_id,
            interaction.user.id,
            exc_info=unwrap(error),
            extra={"error_id": error_id},
        )
        message = f"Sorry, something went wrong on my side. If it keeps happening, quote error id `{error_id}`."
    extra = {}
    if isinstance(cause := unwrap(error), Ambiguous) and (picker := film_picker(interaction, cause)) is not None:
        extra["view"] = picker
    try:
        await send_private(interaction, message, **extra)
    except discord.HTTPException:
        log.warning("could not deliver an error reply for interaction %s", interaction.id, exc_info=True)
