"""Restart-safe components: buttons and menus whose custom_id carries everything they need, so they keep
working after the bot restarts, and whose errors reach the one error handler like a command's do.

Register each DynamicItem class with ``bot.add_dynamic_items`` in the owning cog's ``cog_load``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

import discord

from cogs.ui.bot import Interaction
from cogs.ui.replies import answer


class ReportsErrors:
    """Mixin for a DynamicItem: ``act`` does the work; what it raises is answered privately, like a command's
    errors (discord.py only logs a dynamic item's errors)."""

    async def act(self, interaction: Interaction) -> None:
        raise NotImplementedError

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        club = cast(Interaction, interaction)  # every interaction this bot receives is a ClubBot's
        try:
            await self.act(club)
        except Exception as error:
            await club.client.report_error(club, error)


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paged answer, and how many pages there are."""

    embed: discord.Embed
    pages: int


# A book renders page ``page`` of the thing ``key`` names (e.g. a film id) for whoever asked (the server
# comes from the interaction, never from the key); registered by name.
Book = Callable[[Interaction, str, int], Awaitable[Page]]
_BOOKS: dict[str, Book] = {}
_BOOK_NAME = r"[a-z][a-z0-9-]*"


def register_book(name: str, book: Book) -> None:
    """Make ``name`` a paged answer whose buttons work after restarts (call from the cog's ``cog_load``)."""
    if not re.fullmatch(_BOOK_NAME, name):
        raise ValueError(f"book names are lowercase words: {name!r}")
    _BOOKS[name] = book


PAGE_TEMPLATE = rf"page:(?P<book>{_BOOK_NAME}):(?P<key>[^:]*):(?P<page>\d+)"


class PageButton(ReportsErrors, discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=PAGE_TEMPLATE):
    """Turns to a page of a registered book; the custom_id holds the book, its key and the page."""

    def __init__(self, book: str, key: str, page: int, label: str, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"page:{book}:{key}:{page}",
                disabled=disabled,
            )
        )
        self.book, self.key, self.page = book, key, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        label = getattr(item, "label", None) or "Page"
        return cls(match["book"], match["key"], int(match["page"]), label)

    async def act(self, interaction: Interaction) -> None:
        await interaction.response.defer()  # a book may read the database (or the network) first
        page = await _BOOKS[self.book](interaction, self.key, self.page)
        await interaction.edit_original_response(embed=page.embed, view=page_view(self.book, self.key, self.page, page))


def page_view(book: str, key: str, page: int, shown: Page) -> discord.ui.View | None:
    """Previous/next buttons for ``shown`` (page ``page``); None for a single page."""
    if shown.pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    # Disabled ends still need a valid page in their custom_id (the template takes no negative page).
    view.add_item(PageButton(book, key, max(page - 1, 0), "◀ Previous", disabled=page <= 0))
    view.add_item(PageButton(book, key, min(page + 1, shown.pages - 1), "Next ▶", disabled=page >= shown.pages - 1))
    return view


async def send_book(interaction: Interaction, book: str, key: str, page: int = 0) -> None:
    """Answer with page ``page`` of ``book`` for ``key``, with buttons when there are more pages."""
    shown = await _BOOKS[book](interaction, key, page)
    view = page_view(book, key, page, shown)
    await answer(interaction, embed=shown.embed, view=view or discord.utils.MISSING)
