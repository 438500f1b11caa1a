"""What the error handler tells users, for each kind of failure (end-to-end delivery is in tests/e2e)."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from bot.errors import describe
from services.errors import InvalidInput, NotFound


def test_domain_errors_are_shown_as_they_are() -> None:
    assert describe(NotFound("No film called Dnue. Did you mean Dune (2021)?")) == (
        "No film called Dnue. Did you mean Dune (2021)?",
        False,
    )


def test_domain_errors_raised_inside_a_command_are_unwrapped() -> None:
    @app_commands.command()
    async def rate(interaction: discord.Interaction) -> None: ...

    wrapped = app_commands.CommandInvokeError(rate, InvalidInput("Ratings go from 0.5 to 5."))
    wrapped.__cause__ = wrapped.original
    assert describe(wrapped) == ("Ratings go from 0.5 to 5.", False)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (app_commands.MissingPermissions(["manage_events"]), "You need the manage events permission"),
        (app_commands.BotMissingPermissions(["create_public_threads"]), "I need the create public threads permission"),
        (app_commands.NoPrivateMessage(), "only works in a server"),
        (app_commands.CommandOnCooldown(app_commands.Cooldown(1, 30), 12.2), "Try again in 12 seconds"),
    ],
)
def test_discord_check_failures_get_friendly_words(error: Exception, expected: str) -> None:
    message, is_bug = describe(error)
    assert expected in message
    assert not is_bug


def test_anything_else_is_a_bug() -> None:
    assert describe(ZeroDivisionError()) == ("", True)
