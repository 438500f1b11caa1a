"""Answering an interaction: publicly or only to the member, whether or not it was deferred."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, TypeVar

import discord

from cogs.ui.embeds import MESSAGE_LIMIT, clip

NO_MENTIONS = discord.AllowedMentions.none()
PICKED = "picked"  # interaction.extras key: the label of the film a picker chose (see cogs.ui.film_option)
NOTE = "note"  # interaction.extras key: a remark the answer carries, e.g. that the film is from another year
THINKING = "thinking"  # interaction.extras key: how the interaction was deferred, "public" or "private"
SLOW_AFTER = 1.5  # seconds of work before "thinking…" is shown (Discord wants a response within 3)

T = TypeVar("T")


async def answer(interaction: discord.Interaction[Any], **message: Any) -> None:
    """The public answer: the response, or (after a defer) the follow-up that replaces "thinking".

    Answering a film picker's choice first turns the picker into a note of what was picked. A note an
    option left (see NOTE) comes first in the answer's text.
    """
    if (note := interaction.extras.pop(NOTE, None)) is not None:
        message["content"] = "\n".join(filter(None, [note, message.get("content")]))
    if not interaction.response.is_done():
        if (picked := interaction.extras.get(PICKED)) is None:
            await interaction.response.send_message(**message)
            return
        await interaction.response.edit_message(content=f"You picked {picked}.", view=None)
    await interaction.followup.send(**message)


async def defer_thinking(interaction: discord.Interaction[Any], *, private: bool = False) -> None:
    """Show "thinking…" (publicly, or with ``private`` only to the member), for work that may outlast
    Discord's 3 seconds (an online lookup)."""
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=private, thinking=True)
        interaction.extras[THINKING] = "private" if private else "public"


async def in_time(interaction: discord.Interaction[Any], work: Awaitable[T], *, private: bool = False) -> T:
    """What ``work`` returns, showing "thinking…" first only if it takes longer than SLOW_AFTER seconds.

    Most answers are ready at once and then need one request to Discord rather than a defer and a follow-up.
    """
    task = asyncio.ensure_future(work)
    try:
        done, _ = await asyncio.wait({task}, timeout=SLOW_AFTER)
        if not done:
            await defer_thinking(interaction, private=private)
        return await task
    finally:
        task.cancel()  # (a no-op once done) the interaction's handler was cancelled: so is its work


async def send_private(interaction: discord.Interaction[Any], content: str, **extra: Any) -> None:
    """Answer only the person who asked (ephemeral), whether or not the interaction was deferred."""
    content = clip(content, MESSAGE_LIMIT)
    if not interaction.response.is_done():
        await interaction.response.send_message(content, ephemeral=True, allowed_mentions=NO_MENTIONS, **extra)
        return
    await _drop_public_placeholder(interaction)
    await interaction.followup.send(content, ephemeral=True, allowed_mentions=NO_MENTIONS, **extra)


async def _drop_public_placeholder(interaction: discord.Interaction[Any]) -> None:
    """After a public defer, the first follow-up replaces the "thinking" message and cannot be private;
    delete that placeholder first, so the error goes only to the person who asked."""
    thinking = interaction.extras.get(THINKING)  # None: deferred without defer_thinking, or not at all
    if thinking == "private" or (
        thinking is None and interaction.response.type is not discord.InteractionResponseType.deferred_channel_message
    ):
        return  # the follow-up is private anyway, or there is no placeholder
    original = await interaction.original_response()
    if original.flags.loading and not original.flags.ephemeral:
        await original.delete()
