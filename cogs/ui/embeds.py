"""Embeds within Discord's limits, in the house style."""

from __future__ import annotations

from collections.abc import Sequence

import discord

COLOUR = discord.Colour.dark_gold()
TITLE_LIMIT = 256
FIELD_NAME_LIMIT = 256
FIELD_LIMIT = 1024
DESCRIPTION_LIMIT = 4096
EMBED_LIMIT = 6000
MAX_FIELDS = 25
MAX_OPTIONS = 25  # select menu options
OPTION_LABEL_LIMIT = 100
CUSTOM_ID_LIMIT = 100
MESSAGE_LIMIT = 2000  # message content


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def echo(text: str) -> str:
    """Text a member typed, shown back as they typed it: no markdown, no mentions."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text.strip()))


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


def new_embed(title: str, source: str | None = None, description: str | None = None) -> discord.Embed:
    embed = discord.Embed(
        title=clip(title, TITLE_LIMIT),
        description=clip(description, DESCRIPTION_LIMIT) if description else None,
        colour=COLOUR,
    )
    if source:
        embed.set_footer(text=f"Source: {source}")
    return embed
