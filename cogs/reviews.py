"""`/review`: members post what they thought of a film, edit and delete it, browse the server's reviews.

The review text is typed in a modal. Modal submissions are handled by a listener keyed on the modal's
custom_id (which carries the film, rating and marks), not by a Modal object in memory: a form opened before
a restart, or left open for an hour, still posts. Text that cannot be posted is kept as a draft and offered
back the next time the member writes about that film.
"""

from __future__ import annotations

import contextlib
import io
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from cogs.ui.bot import ClubBot, Interaction
from cogs.ui.embeds import DESCRIPTION_LIMIT, clip, echo, fit, listing, new_embed
from cogs.ui.film_option import FILM_DESCRIPTION, OPENS_MODAL, FilmOption
from cogs.ui.items import Page, ReportsErrors, register_book, send_book
from cogs.ui.replies import NO_MENTIONS, answer, defer_thinking, in_time, send_private
from services.errors import FilmClubError, InvalidInput
from services.films.values import FilmSummary
from services.language_model import citations
from services.reviews.service import Content, ReviewPage, Standing
from services.reviews.summary import FilmReport, ServerReport
from services.reviews.values import TEXT_LIMIT, Review, half_stars, stars

TEXT_FIELD = "text"
PREVIEW = 160  # characters of a review shown in lists
THREAD_NAME_LIMIT = 100
# Modal custom_ids: what the form is for travels with it (flags: s = spoilers, r = rewatch, l = liked; a new review
# may also carry w = watched together, set by a watch party's review button for its attendees).
WRITE_FORM = re.compile(r"review:write:(?P<film>\d+):(?P<rating>\d+):(?P<flags>[srlw]*)")
EDIT_FORM = re.compile(r"review:edit:(?P<review>\d+):(?P<film>\d+):(?P<rating>\d+):(?P<flags>[srl]*)")
Stars = app_commands.Range[float, 0.5, 5.0]
MODAL = {OPENS_MODAL: True}
CHART_FILE = "ratings.png"
BOOKS = {"film": "film-reviews", "member": "member-reviews", "recent": "recent-reviews"}


def _flags(spoilers: bool, rewatch: bool, liked: bool) -> str:
    return ("s" if spoilers else "") + ("r" if rewatch else "") + ("l" if liked else "")


def review_embed(review: Review) -> discord.Embed:
    """A posted review: film, reviewer, stars, marks, date and the whole text (spoiler-wrapped if flagged)."""
    text = f"||{review.text}||" if review.spoilers else review.text
    embed = new_embed(f"{review.stars}  {review.film_label}", description=clip(text, DESCRIPTION_LIMIT))
    embed.set_author(name=f"{review.author_name}'s review")
    embed.timestamp = review.updated_at
    marks = [
        mark
        for mark, on in (
            ("♥ Liked", review.liked),
            ("↻ Rewatch", review.rewatch),
            ("🍿 Watched together", review.watched_together),
            ("⚠ Spoilers", review.spoilers),
        )
        if on
    ]
    if marks:
        embed.add_field(name="\u200b", value="  ·  ".join(marks), inline=False)
    embed.set_footer(text=f"Review {review.id}")
    return fit(embed)


def preview(review: Review) -> str:
    """One line of a list: stars, who, and the start of the text (hidden behind a spoiler tag if flagged)."""
    start = clip(" ".join(review.text.split()), PREVIEW)
    shown = f"||{start}||" if review.spoilers else start
    return f"{review.stars} **{review.author_name}** on *{review.film_label}*: {shown}"


def page_embed(title: str, found: ReviewPage, empty: str) -> discord.Embed:
    embed = new_embed(title, description=listing([preview(r) for r in found.reviews], DESCRIPTION_LIMIT))
    if not found.reviews:
        embed.description = empty
    embed.set_footer(text=f"Page {found.page + 1} of {found.pages} · {found.total} review(s)")
    return fit(embed)


def standings_embed(title: str, found: list[Standing], empty: str, *, spread: bool = False) -> discord.Embed:
    lines = [
        f"**{s.film_label}**: {stars(round(s.mean))} ({s.mean / 2:.1f} from {s.count})"
        + (f", spread ±{s.spread / 2:.1f}★" if spread else "")
        for s in found
    ]
    return fit(new_embed(title, description=listing(lines, DESCRIPTION_LIMIT) if lines else empty))


def summary_embed(film: FilmSummary, report: FilmReport) -> discord.Embed:
    """What the server thinks of a film: counts, stars, consensus (the language model's, with the lines it cites,
    when one is configured and grounded), themes and quotes (spoilers stay wrapped)."""
    embed = new_embed(f"What this server thinks of {film.label}")
    if not report.count or report.mean_rating is None:
        embed.description = "No reviews of it here yet: `/review write` posts the first."
        return embed
    lines = [report.consensus or report.note or ""]
    if report.phrased:  # the model's words (built from members' words: escaped), then the lines it cites
        context = report.context_lines()
        lines = [echo(report.phrased), *(f"[{n}] {echo(context[n - 1])}" for n in sorted(citations(report.phrased)))]
    elif not report.consensus and report.key_points:
        lines += [f"• {point}" for point in report.key_points]
    embed.description = clip("\n".join(line for line in lines if line), DESCRIPTION_LIMIT)
    mean = report.mean_rating
    embed.add_field(name="Reviews", value=f"{report.count} · {stars(round(mean))} {mean / 2:.1f} on average")
    embed.add_field(name="Feeling", value=f"{report.sentiment} · {report.positive_share:.0%} positive")
    if report.themes:
        themes = [f"**{t.label}**: {t.feeling} ({t.reviews} review(s))" for t in report.themes]
        embed.add_field(name="Themes", value=listing(themes), inline=False)
    if report.quotes:
        quotes = [f"> {q.text}\n— {echo(q.author_name)} {stars(q.rating)}" for q in report.quotes]
        embed.add_field(name="In their words", value=listing(quotes), inline=False)
    embed.set_image(url=f"attachment://{CHART_FILE}")
    return fit(embed)


def server_embed(report: ServerReport) -> discord.Embed:
    """The server's month in film."""
    embed = new_embed("This server's month in film")
    if not report.reviews:
        embed.description = "No reviews in the last 30 days: `/review write` posts one."
        return embed
    embed.description = f"{report.reviews} review(s) of {report.films} film(s) by {report.reviewers} member(s)."
    sections = (
        ("Most reviewed", [f"{f.film_label}: {f.reviews}" for f in report.most_reviewed]),
        ("Best rated", [f"{f.film_label}: {stars(round(f.mean_rating))}" for f in report.best_rated]),
        ("Most divisive", [f"{f.film_label}: ±{f.spread / 2:.1f}★" for f in report.most_divisive]),
        ("Most active", [f"{echo(r.author_name)}: {r.reviews}" for r in report.most_active]),
    )
    for name, lines in sections:
        if lines:
            embed.add_field(name=name, value=listing(lines), inline=False)
    return fit(embed)


def review_form(custom_id: str, film: FilmSummary | str, text: str | None) -> discord.ui.Modal:
    label = film.label if isinstance(film, FilmSummary) else film
    form = discord.ui.Modal(title=clip(f"Review: {label}", 45), custom_id=custom_id, timeout=600)
    form.add_item(
        discord.ui.TextInput(
            label="Your review",
            custom_id=TEXT_FIELD,
            style=discord.TextStyle.paragraph,
            placeholder="What did you think? Performances, music, the ending...",
            default=clip(text, TEXT_LIMIT) if text else None,
            min_length=1,
            max_length=TEXT_LIMIT,
        )
    )
    return form


def _submitted_text(interaction: Interaction) -> str:
    data: Any = interaction.data or {}
    for row in data.get("components", []):
        for component in row.get("components", [row.get("component", {})]):
            if component.get("custom_id") == TEXT_FIELD:
                return str(component.get("value") or "")
    return ""


def _guild_id(interaction: Interaction) -> int:
    if interaction.guild_id is None:
        raise InvalidInput("Reviews belong to a server: use this in one.")
    return interaction.guild_id


Button = discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]]


class DiscussButton(ReportsErrors, Button, template=r"review:discuss:(?P<review>\d+)"):
    """Opens a thread on a posted review, or adds the member to the one that exists."""

    def __init__(self, review_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Discuss",
                emoji="💬",
                style=discord.ButtonStyle.secondary,
                custom_id=f"review:discuss:{review_id}",
            )
        )
        self.review_id = review_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> DiscussButton:
        return cls(int(match["review"]))

    async def act(self, interaction: Interaction) -> None:
        guild_id = _guild_id(interaction)
        reviews = interaction.client.services.reviews
        review = await reviews.get(guild_id, self.review_id)
        await defer_thinking(interaction, private=True)
        thread = await self._thread(interaction, review)
        if thread is None:
            if interaction.message is None:
                raise InvalidInput("I can't find the review's message any more.")
            name = f"{review.author_name} on {review.film_label}" + (" (spoilers)" if review.spoilers else "")
            try:
                thread = await interaction.message.create_thread(name=clip(name, THREAD_NAME_LIMIT))
            except discord.Forbidden as error:
                raise InvalidInput(
                    "I need the Create Public Threads permission here to open a discussion. Ask a moderator."
                ) from error
            await reviews.set_thread(guild_id, review.id, thread.id)
        await thread.add_user(interaction.user)
        await interaction.followup.send(f"Discussion: {thread.mention}", ephemeral=True, allowed_mentions=NO_MENTIONS)

    @staticmethod
    async def _thread(interaction: Interaction, review: Review) -> discord.Thread | None:
        if review.thread_id is None or interaction.guild is None:
            return None
        thread = interaction.guild.get_thread(review.thread_id)
        if thread is not None:
            return thread
        try:
            channel = await interaction.client.fetch_channel(review.thread_id)
        except discord.NotFound:
            return None
        return channel if isinstance(channel, discord.Thread) else None


class ForgetButton(ReportsErrors, Button, template=r"review:forget:(?P<member>\d+)"):
    """Confirms `/review forget-me`: deletes the member's reviews in this server."""

    def __init__(self, member_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Delete all my reviews here",
                style=discord.ButtonStyle.danger,
                custom_id=f"review:forget:{member_id}",
            )
        )
        self.member_id = member_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ForgetButton:
        return cls(int(match["member"]))

    async def act(self, interaction: Interaction) -> None:
        if interaction.user.id != self.member_id:
            raise InvalidInput("Only the member who asked can confirm this.")
        gone = await interaction.client.services.reviews.forget(_guild_id(interaction), self.member_id)
        await interaction.response.edit_message(content=f"Done: deleted {gone} review(s) of yours here.", view=None)


@app_commands.guild_only()
class Reviews(commands.GroupCog, group_name="review", group_description="Post, read and browse film reviews"):
    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(DiscussButton, ForgetButton)
        register_book(BOOKS["film"], self._film_page)
        register_book(BOOKS["member"], self._member_page)
        register_book(BOOKS["recent"], self._recent_page)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(DiscussButton, ForgetButton)

    # Writing ------------------------------------------------------------------------------------

    @app_commands.command(
        name="write",
        description="Review a film: rate it in half stars, then write your review",
        extras={OPENS_MODAL: True},
    )
    @app_commands.describe(
        film=FILM_DESCRIPTION,
        rating="Stars from 0.5 to 5, in halves (e.g. 4.5)",
        spoilers="Does it give away the plot? Your text is then hidden behind a spoiler tag",
        rewatch="Is this a rewatch?",
        liked="Did you like it (a heart, apart from the stars)?",
    )
    async def write(
        self,
        interaction: Interaction,
        film: FilmOption,
        rating: Stars,
        spoilers: bool = False,
        rewatch: bool = False,
        liked: bool = False,
    ) -> None:
        guild_id = _guild_id(interaction)
        half = half_stars(rating)
        draft = await self.bot.services.reviews.draft(guild_id, interaction.user.id, film.id)
        custom_id = f"review:write:{film.id}:{half}:{_flags(spoilers, rewatch, liked)}"
        await interaction.response.send_modal(review_form(custom_id, film, draft))

    @app_commands.command(name="edit", description="Edit your review of a film", extras=MODAL)
    @app_commands.describe(film=FILM_DESCRIPTION, rating="New stars (keeps the old rating if left out)")
    async def edit(
        self,
        interaction: Interaction,
        film: FilmOption,
        rating: Stars | None = None,
        spoilers: bool | None = None,
        rewatch: bool | None = None,
        liked: bool | None = None,
    ) -> None:
        guild_id = _guild_id(interaction)
        review = await self.bot.services.reviews.mine(guild_id, interaction.user.id, film.id)
        if review is None:
            raise InvalidInput(f"You have no review of {film.label} here yet: `/review write` posts one.")
        half = half_stars(rating) if rating is not None else review.rating
        flags = _flags(
            review.spoilers if spoilers is None else spoilers,
            review.rewatch if rewatch is None else rewatch,
            review.liked if liked is None else liked,
        )
        custom_id = f"review:edit:{review.id}:{film.id}:{half}:{flags}"
        await interaction.response.send_modal(review_form(custom_id, film, review.text))

    @commands.Cog.listener()
    async def on_interaction(self, interaction: Interaction) -> None:
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: Any = interaction.data or {}
        custom_id = str(data.get("custom_id", ""))
        if not custom_id.startswith("review:"):
            return
        try:
            await self._submitted(interaction, custom_id)
        except Exception as error:
            await self.bot.report_error(interaction, error)

    async def _submitted(self, interaction: Interaction, custom_id: str) -> None:
        guild_id = _guild_id(interaction)
        reviews = self.bot.services.reviews
        text = _submitted_text(interaction)
        if form := WRITE_FORM.fullmatch(custom_id):
            film = await self.bot.services.films.find(f"film:{form['film']}", local_only=True)  # answer within 3 s
            content = Content(int(form["rating"]), text, *(f in form["flags"] for f in "srlw"))
            written = await reviews.write(guild_id, interaction.user.id, interaction.user.display_name, film, content)
            if not written.changed:
                await send_private(interaction, f"Your review of {film.label} is already posted; nothing changed.")
                return
            await self._post(interaction, written.review)
        elif form := EDIT_FORM.fullmatch(custom_id):
            content = Content(int(form["rating"]), text, *(f in form["flags"] for f in "srl"))
            review = await reviews.edit(guild_id, int(form["review"]), interaction.user.id, int(form["film"]), content)
            await self._follow(review)
            await send_private(interaction, f"Updated your review of {review.film_label}.")
        else:
            raise FilmClubError("That form is from an older version of Film Club. Please start again.")

    async def _post(self, interaction: Interaction, review: Review) -> None:
        """Post the review in the channel as the bot's own message (editable and deletable after the
        interaction's 15 minutes are over), and tell the member where it is."""
        channel = interaction.channel
        if not isinstance(channel, discord.abc.Messageable):
            raise InvalidInput("I can't post in this kind of channel.")
        view = discord.ui.View(timeout=None)
        view.add_item(DiscussButton(review.id))

        async def post() -> discord.Message:
            message = await channel.send(embed=review_embed(review), view=view, allowed_mentions=NO_MENTIONS)
            await self.bot.services.reviews.set_posted(review.guild_id, review.id, message.channel.id, message.id)
            return message

        message = await in_time(interaction, post(), private=True)
        await send_private(interaction, f"Posted your review of {review.film_label}: {message.jump_url}")

    async def _follow(self, review: Review) -> None:
        """Make the posted message show the review as it is now (it may be gone: then nothing to do)."""
        if review.channel_id is None or review.message_id is None:
            return
        message = self.bot.get_partial_messageable(review.channel_id).get_partial_message(review.message_id)
        with contextlib.suppress(discord.NotFound, discord.Forbidden):
            await message.edit(embed=review_embed(review))

    # Deleting -----------------------------------------------------------------------------------

    @app_commands.command(name="delete", description="Delete your review of a film (moderators: anyone's)")
    @app_commands.describe(film=FILM_DESCRIPTION, member="Whose review (needs Manage Messages); yours if left out")
    async def delete(self, interaction: Interaction, film: FilmOption, member: discord.Member | None = None) -> None:
        guild_id = _guild_id(interaction)
        author = member or interaction.user
        moderator = interaction.permissions.manage_messages
        review = await self.bot.services.reviews.delete(
            guild_id, author.id, film, by=interaction.user.id, moderator=moderator
        )
        if review.channel_id is not None and review.message_id is not None:
            message = self.bot.get_partial_messageable(review.channel_id).get_partial_message(review.message_id)
            with contextlib.suppress(discord.NotFound, discord.Forbidden):
                await message.delete()
        whose = "your" if author.id == interaction.user.id else f"{review.author_name}'s"
        await send_private(interaction, f"Deleted {whose} review of {review.film_label}.")

    @app_commands.command(name="forget-me", description="Delete all your reviews in this server (asks first)")
    async def forget_me(self, interaction: Interaction) -> None:
        _guild_id(interaction)
        view = discord.ui.View(timeout=None)
        view.add_item(ForgetButton(interaction.user.id))
        await send_private(
            interaction, "This deletes every review you wrote in this server, with its history. Sure?", view=view
        )

    # Browsing -----------------------------------------------------------------------------------

    @app_commands.command(name="list", description="The server's reviews of a film")
    @app_commands.describe(film=FILM_DESCRIPTION)
    async def list_(self, interaction: Interaction, film: FilmOption) -> None:
        await send_book(interaction, BOOKS["film"], str(film.id))

    @app_commands.command(name="member", description="A member's reviews in this server")
    async def member(self, interaction: Interaction, member: discord.Member) -> None:
        await send_book(interaction, BOOKS["member"], str(member.id))

    @app_commands.command(name="recent", description="The newest reviews in this server")
    async def recent(self, interaction: Interaction) -> None:
        await send_book(interaction, BOOKS["recent"], "all")

    async def _film_page(self, interaction: Interaction, key: str, page: int) -> Page:
        found = await self.bot.services.reviews.for_film(_guild_id(interaction), int(key), page)
        label = found.reviews[0].film_label if found.reviews else "this film"
        return Page(page_embed(f"Reviews of {label}", found, "No reviews of it here yet."), found.pages)

    async def _member_page(self, interaction: Interaction, key: str, page: int) -> Page:
        found = await self.bot.services.reviews.by_member(_guild_id(interaction), int(key), page)
        name = found.reviews[0].author_name if found.reviews else "this member"
        return Page(page_embed(f"Reviews by {name}", found, "No reviews by them here yet."), found.pages)

    async def _recent_page(self, interaction: Interaction, key: str, page: int) -> Page:
        found = await self.bot.services.reviews.recent(_guild_id(interaction), page)
        return Page(page_embed("Recent reviews", found, "No reviews here yet: `/review write` posts one."), found.pages)

    @app_commands.command(name="summary", description="What the server thinks of a film, or its month in film")
    @app_commands.describe(film="A film; leave it out for the server's month in film")
    async def summary(self, interaction: Interaction, film: FilmOption | None = None) -> None:
        guild_id = _guild_id(interaction)
        reviews = self.bot.services.reviews
        if film is None:
            await answer(interaction, embed=server_embed(await in_time(interaction, reviews.server_summary(guild_id))))
            return

        async def summarised() -> tuple[FilmReport, bytes | None]:
            report = await reviews.summary(guild_id, film)
            return report, await reviews.histogram(report) if report.count else None

        report, png = await in_time(interaction, summarised())  # kept until a review changes: mostly at once
        embed = summary_embed(film, report)
        if png is None:
            await answer(interaction, embed=embed)
            return
        await answer(interaction, embed=embed, file=discord.File(io.BytesIO(png), filename=CHART_FILE))

    @app_commands.command(name="top", description="The server's best-rated films")
    @app_commands.describe(min_reviews="Only films with at least this many reviews (default 2)")
    async def top(self, interaction: Interaction, min_reviews: app_commands.Range[int, 1, 1000] = 2) -> None:
        found = await self.bot.services.reviews.top(_guild_id(interaction), min_reviews)
        empty = f"No film has {min_reviews} review(s) here yet."
        await answer(interaction, embed=standings_embed("Best rated here", found, empty))

    @app_commands.command(name="divisive", description="Films the server disagrees about most")
    @app_commands.describe(min_reviews="Only films with at least this many reviews (default 2)")
    async def divisive(self, interaction: Interaction, min_reviews: app_commands.Range[int, 2, 1000] = 2) -> None:
        found = await self.bot.services.reviews.divisive(_guild_id(interaction), min_reviews)
        empty = "Nothing divides the server yet: no film has differing ratings."
        await answer(interaction, embed=standings_embed("Most divisive here", found, empty, spread=True))


async def setup(bot: ClubBot) -> None:
    await bot.add_cog(Reviews(bot))
