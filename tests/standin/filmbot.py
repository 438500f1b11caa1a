"""A small, real discord.py AutoShardedBot for proving the stand-in: each command exercises one path."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from standin.server import StandIn

FILMS = ["Never Let Me Go", "Nevada Smith", "Network", "Nomadland", "Paris, Texas"]


def intents(*, message_content: bool = False) -> discord.Intents:
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.guild_scheduled_events = True
    wanted.message_content = message_content
    return wanted


class ReviewModal(discord.ui.Modal, title="Review"):
    text: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
        label="Your review", custom_id="review:text", style=discord.TextStyle.paragraph, max_length=400
    )
    rating: discord.ui.TextInput[ReviewModal] = discord.ui.TextInput(
        label="Rating", custom_id="review:rating", required=False
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        reply = f"thanks for reviewing: {self.text.value} ({self.rating.value or 'no rating'})"
        if interaction.message is not None:  # opened from a button: update that message
            await interaction.response.edit_message(content=reply, view=None)
        else:
            await interaction.response.send_message(reply)


class FilmView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Upvote", custom_id="film:upvote", style=discord.ButtonStyle.primary)
    async def upvote(self, interaction: discord.Interaction, button: discord.ui.Button[FilmView]) -> None:
        await interaction.response.edit_message(content=f"upvoted by {interaction.user.name}")

    @discord.ui.button(label="Details", custom_id="film:details")
    async def details(self, interaction: discord.Interaction, button: discord.ui.Button[FilmView]) -> None:
        await interaction.response.defer()
        await interaction.edit_original_response(content="details: 2010, Mark Romanek")

    @discord.ui.button(label="Review", custom_id="film:review")
    async def review(self, interaction: discord.Interaction, button: discord.ui.Button[FilmView]) -> None:
        await interaction.response.send_modal(ReviewModal())

    @discord.ui.select(
        custom_id="film:cast",
        placeholder="Who do you want to know about?",
        max_values=2,
        options=[
            discord.SelectOption(label="Ruth", value="ruth"),
            discord.SelectOption(label="Kathy", value="kathy"),
            discord.SelectOption(label="Tommy", value="tommy"),
        ],
    )
    async def cast(self, interaction: discord.Interaction, select: discord.ui.Select[FilmView]) -> None:
        await interaction.response.send_message(f"picked {', '.join(select.values)}", ephemeral=True)


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"vote:(?P<film>[0-9]+)"):
    def __init__(self, film: int) -> None:
        super().__init__(discord.ui.Button(label=f"Vote {film}", custom_id=f"vote:{film}"))
        self.film = film

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls(int(match["film"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"vote recorded for film {self.film}", ephemeral=True)


film = app_commands.Group(name="film", description="Films")


@film.command(name="score", description="Show a film's score card")
async def film_score(interaction: discord.Interaction, film: str, year: int | None = None) -> None:
    embed = discord.Embed(title=film, description=f"Score card ({year or 'any year'})")
    embed.add_field(name="Composer", value="Rachel Portman")
    embed.set_footer(text="Film Club")
    view = FilmView()
    view.add_item(VoteButton(42))
    await interaction.response.send_message(embed=embed, view=view)


@film.command(name="info", description="Look a film up")
async def film_info(interaction: discord.Interaction, film: str) -> None:
    await interaction.response.send_message(f"info: {film}")


@film_info.autocomplete("film")
async def film_info_autocomplete(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=f, value=f) for f in FILMS if f.lower().startswith(current.lower())]


@film.command(name="review", description="Write a review")
async def film_review(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(ReviewModal())


@app_commands.command(name="slow", description="Thinks, then answers privately")
async def slow(interaction: discord.Interaction) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    await interaction.followup.send("done thinking", ephemeral=True)


@app_commands.command(name="report", description="Thinks, then answers in public twice")
async def report(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True)
    await interaction.followup.send("report part 1")
    await interaction.followup.send("report part 2")


@app_commands.command(name="double", description="Acknowledges twice (a bug on purpose)")
async def double(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("first ack")
    interaction.response._response_type = None  # pretend we forgot, as a buggy bot would
    try:
        await interaction.response.send_message("second ack")
    except discord.HTTPException as error:
        await interaction.followup.send(f"second ack failed: {error.code}", ephemeral=True)


@app_commands.command(name="ping", description="Answers, reporting any error code")
async def ping(interaction: discord.Interaction) -> None:
    try:
        await interaction.response.send_message("pong")
    except discord.HTTPException as error:
        interaction.client.errors.put_nowait(error)  # type: ignore[attr-defined]


@app_commands.command(name="announce", description="Posts an embed in this channel (needs Embed Links)")
async def announce(interaction: discord.Interaction) -> None:
    channel = interaction.channel
    assert isinstance(channel, discord.TextChannel)
    try:
        await channel.send(embed=discord.Embed(title="Watch party", description="Friday 8pm"))
    except discord.Forbidden as error:
        await interaction.response.send_message(f"forbidden {error.code}", ephemeral=True)
    else:
        await interaction.response.send_message("announced", ephemeral=True)


@app_commands.command(name="upload", description="Sends files both ways")
async def upload(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("here", file=discord.File(io.BytesIO(b"cast list"), "cast.txt"))
    channel = interaction.channel
    assert isinstance(channel, discord.TextChannel)
    await channel.send("poster", file=discord.File(io.BytesIO(b"\x89PNG fake"), "poster.png"))


@app_commands.command(name="discuss", description="Opens a discussion thread")
async def discuss(interaction: discord.Interaction, topic: str, guest: discord.Member) -> None:
    channel = interaction.channel
    assert isinstance(channel, discord.TextChannel)
    await interaction.response.defer()
    starter = await channel.send(f"Discussion: {topic}")
    thread = await starter.create_thread(name=topic)
    await thread.add_user(guest)
    await thread.send(f"Welcome {guest.mention}", allowed_mentions=discord.AllowedMentions(users=[guest]))
    side = await channel.create_thread(name=f"{topic} (spoilers)", type=discord.ChannelType.public_thread)
    await side.add_user(guest)
    await side.remove_user(guest)
    await side.edit(archived=True)
    members = await thread.fetch_members()
    await interaction.followup.send(f"thread {thread.id} with {len(members)} members; side {side.id}")


@app_commands.command(name="lifecycle", description="Edits and deletes its messages every way")
async def lifecycle(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("v1")
    original = await interaction.original_response()
    await interaction.edit_original_response(content=f"v2 (was {original.content})")
    note = await interaction.followup.send("note", wait=True)
    await note.edit(content="note, edited")
    await note.delete()
    channel = interaction.channel
    assert isinstance(channel, discord.TextChannel)
    posted = await channel.send("posted")
    await posted.edit(content="posted, edited")
    fetched = await channel.fetch_message(posted.id)
    await fetched.add_reaction("🎬")
    await fetched.delete()


@app_commands.command(name="party", description="Schedules a watch party")
async def party(interaction: discord.Interaction, name: str, description: str = "", hours: int = 24) -> None:
    guild = interaction.guild
    assert guild is not None
    start = discord.utils.utcnow() + dt.timedelta(hours=hours)
    try:
        event = await guild.create_scheduled_event(
            name=name,
            description=description,
            start_time=start,
            end_time=start + dt.timedelta(hours=2),
            entity_type=discord.EntityType.external,
            location="Cinema 1",
            privacy_level=discord.PrivacyLevel.guild_only,
        )
    except discord.HTTPException as error:
        await interaction.response.send_message(f"rejected {error.code}: {error.text}", ephemeral=True)
        return
    await event.edit(description="Bring snacks")
    await interaction.response.send_message(f"event {event.id}")


COMMANDS: list[app_commands.Command[Any, Any, Any] | app_commands.Group] = [
    film,
    slow,
    report,
    double,
    ping,
    announce,
    upload,
    discuss,
    party,
    lifecycle,
]


class FilmBot(commands.AutoShardedBot):
    def __init__(self, **options: Any) -> None:
        options.setdefault("intents", intents())
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            chunk_guilds_at_startup=False,
            guild_ready_timeout=0.05,
            **options,
        )
        self.errors: asyncio.Queue[Exception] = asyncio.Queue()
        self.ready = asyncio.Event()

    async def setup_hook(self) -> None:
        for command in COMMANDS:
            self.tree.add_command(command)
        self.add_dynamic_items(VoteButton)
        self.add_view(FilmView())
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5 s pause between shards' IDENTIFYs: the stand-in has no identify rate limit."""

    async def on_ready(self) -> None:
        self.ready.set()

    async def on_message(self, message: discord.Message) -> None:
        if self.user is not None and self.user in message.mentions and message.author != self.user:
            await message.reply(f"You asked: {message.content.replace(self.user.mention, '').strip()}")


@asynccontextmanager
async def running(standin: StandIn, **options: Any) -> AsyncIterator[FilmBot]:
    """Start a FilmBot against the stand-in; yields once on_ready fired; closes it afterwards."""
    standin.configure_discord_py()
    bot = FilmBot(**options)
    task = asyncio.create_task(bot.start(standin.token), name="filmbot")
    try:
        ready = asyncio.create_task(bot.ready.wait())
        done, _ = await asyncio.wait({ready, task}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
        assert ready in done, "the bot did not become ready within 10 s"
        yield bot
    finally:
        await bot.close()
        await task
