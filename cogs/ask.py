"""`/ask` and mentions: members ask about films in their own words; the bot answers from the catalogue and the
server's reviews (services/ask does the understanding).

A message that mentions the bot is answered as a reply that pings nobody; other bots and `@everyone` pings
are ignored. Choices ("which Dune?") are buttons whose custom_id carries the whole question, so they work
after restarts; picking one replaces the choices with the answer.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs.ui.bot import ClubBot, Interaction
from cogs.ui.embeds import DESCRIPTION_LIMIT, OPTION_LABEL_LIMIT, clip, echo, fit, new_embed
from cogs.ui.film_option import FILM_DESCRIPTION, FilmOption
from cogs.ui.items import ReportsErrors
from cogs.ui.replies import NO_MENTIONS, answer, defer_thinking
from services.ask.values import Answer, Asked, Question
from services.errors import FilmClubError
from services.reviews.values import stars

log = logging.getLogger(__name__)

QUESTION_LIMIT = 300  # characters of a question; Discord enforces it on the option
BUTTON_LABEL_LIMIT = 80
CHOICE_PREFIX = "ask:"
FAILED = "Sorry, something went wrong on my side while answering that."
QuestionText = app_commands.Range[str, 1, QUESTION_LIMIT]


def quoted(text: str, author: str, rating: int, spoilers: bool) -> str:
    """A member's sentence as a quote with its author: their words escaped, spoilers hidden."""
    said = echo(text)
    return f"> {f'||{said}||' if spoilers else said}\n— **{echo(author)}** {stars(rating)}"


def render(result: Answer) -> dict[str, Any]:
    """The message for an answer: an embed (facts, then quotes), with buttons for options."""
    if result.phrased:  # the model's words (built from members' words: escaped), then what it cites, numbered
        parts = [echo(result.phrased), *(f"[{n}] {echo(line)}" for n, line in enumerate(result.context_lines(), 1))]
        parts += [quoted(q.text, q.author, q.rating, q.spoilers) for q in result.quotes if q.spoilers]
    else:
        parts = [result.text, *(quoted(q.text, q.author, q.rating, q.spoilers) for q in result.quotes)]
    title = result.film.label if result.film else "Film Club"
    embed = new_embed(title, ", ".join(result.sources) or None, clip("\n\n".join(parts), DESCRIPTION_LIMIT))
    message: dict[str, Any] = {"embed": fit(embed)}
    if result.options:
        view = discord.ui.View(timeout=None)
        for option in result.options:
            view.add_item(ChoiceButton(option.question.token(), clip(option.label, BUTTON_LABEL_LIMIT)))
        message["view"] = view
    return message


Button = discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]]


class ChoiceButton(ReportsErrors, Button, template=CHOICE_PREFIX + r"(?P<token>.+)"):
    """One of the answers to "which did you mean?": pressing it answers the question it carries in place."""

    def __init__(self, token: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label, min(BUTTON_LABEL_LIMIT, OPTION_LABEL_LIMIT)),
                style=discord.ButtonStyle.secondary,
                custom_id=CHOICE_PREFIX + token,
            )
        )
        self.token = token

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ChoiceButton:
        return cls(match["token"], getattr(item, "label", None) or "…")

    async def act(self, interaction: Interaction) -> None:
        try:
            question = Question.from_token(self.token)
        except ValueError:
            raise FilmClubError("Those choices are from an older version of Film Club. Please ask again.") from None
        channel_id = interaction.channel_id or 0
        result = await interaction.client.services.ask.choose(
            question, guild_id=interaction.guild_id, channel_id=channel_id, member_id=interaction.user.id
        )
        message = render(result)
        message.setdefault("view", None)  # the answer replaces the choices
        await interaction.response.edit_message(**message)


def question_text(message: discord.Message, bot_id: int) -> str:
    """The message without the bot's mention."""
    return re.sub(rf"<@!?{bot_id}>", " ", message.content).strip()


class Ask(commands.Cog):
    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ChoiceButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ChoiceButton)

    @app_commands.command(name="ask", description="Ask about a film in your own words: cast, music, crew, opinions")
    @app_commands.describe(
        question="e.g. who played Ruth in Never Let Me Go? / who composed the score? / is it worth watching?",
        film=FILM_DESCRIPTION + " (if the question doesn't name it)",
    )
    async def ask(self, interaction: Interaction, question: QuestionText, film: FilmOption | None = None) -> None:
        if self.bot.services.films.online is not None or self.bot.services.model is not None:
            await defer_thinking(interaction)  # an online title lookup or the language model may take a while
        asked = Asked(
            question,
            member_id=interaction.user.id,
            channel_id=interaction.channel_id or 0,
            guild_id=interaction.guild_id,
            film=film,
        )
        result = await self.bot.services.ask.ask(asked)
        await answer(interaction, allowed_mentions=NO_MENTIONS, **render(result))

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        me = self.bot.user
        if me is None or message.author.bot or message.guild is None or me not in message.mentions:
            return  # other bots, direct messages, and messages not for us (@everyone does not name us)
        reference = message.reference
        asked = Asked(
            question_text(message, me.id),
            member_id=message.author.id,
            channel_id=message.channel.id,
            guild_id=message.guild.id,
            replied_to=reference.message_id if reference is not None else None,
        )
        try:
            result = await self.bot.services.ask.ask(asked)
        except FilmClubError as error:
            result = Answer(str(error))
        except Exception:
            log.exception("answering message %s failed", message.id)
            result = Answer(FAILED)
        try:
            await message.reply(mention_author=False, allowed_mentions=NO_MENTIONS, **render(result))
        except discord.HTTPException:
            log.warning("could not answer message %s in channel %s", message.id, message.channel.id, exc_info=True)


async def setup(bot: ClubBot) -> None:
    await bot.add_cog(Ask(bot))
