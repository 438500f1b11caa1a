"""Answering an interaction: publicly or only to the member, whether or not it was deferred."""

from __future__ import annotations

from typing import Any

import discord

from cogs.ui.embeds import MESSAGE_LIMIT, clip

NO_MENTIONS = discord.AllowedMentions.none()
PICKED = "picked"  # interaction.extras key: the label of the film a picker chose (see cogs.ui.film_option)


async def answer(interaction: discord.Interaction[Any], **message: Any) -> None:
    """The public answer: the response, or (after a defer) the follow-up that replaces "thinking".

    Answering a film picker's choice first turns the picker into a note of what was picked.
    """
    if not interaction.response.is_done():
        if (picked := interaction.extras.get(PICKED)) is None:
            await interaction.response.send_message(**message)
            return
        await interaction.response.edit_message(content=f"You picked {picked}.", view=None)
    await interaction.followup.send(**message)


async def defer_thinking(interaction: discord.Interaction[Any]) -> None:
    """Show "thinking…" publicly, for work that may outlast Discord's 3 seconds (an online lookup)."""
    if not interaction.response.is_done():
        await interaction.response.defer(thinking=True)


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
    if interaction.response.type is not discord.InteractionResponseType.deferred_channel_message:
        return
    original = await interaction.original_response()
    if original.flags.loading and not original.flags.ephemeral:
        await original.delete()
