"""`/watchparty` and `/settings`: schedule a viewing with RSVP buttons, a discussion thread, a Discord event and
reminders; and the time zones times are read in.

The announcement is the bot's own message with Join/Maybe/Leave buttons whose custom_ids carry the party, so they
work after restarts. Reminders are posted by the service's scheduler through `deliver`, in the party's thread,
mentioning only the members going. At the end the thread gets discussion prompts and a Write a review button:
the member picks stars, then writes in the review form of cogs/reviews.py (attendees' reviews are marked
"watched together"). Nothing needs a member's DMs: private answers are ephemeral.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from cogs.reviews import review_form
from cogs.ui.bot import ClubBot, Interaction
from cogs.ui.embeds import FIELD_LIMIT, MESSAGE_LIMIT, clip, echo, fit, listing, new_embed
from cogs.ui.film_option import FILM_DESCRIPTION, FilmOption
from cogs.ui.items import ReportsErrors
from cogs.ui.replies import NO_MENTIONS, answer, defer_thinking, send_private
from services.errors import InvalidInput, NotFound
from services.films import tmdb
from services.films.values import FilmDetails
from services.parties.calendar import ics
from services.parties.prompts import discussion_prompts
from services.parties.reminders import RetryLater, Undeliverable
from services.parties.service import NewParty, show_reminders
from services.parties.values import Answer, Due, Kind, Party
from services.parties.when import WHEN_LENGTH, describe, offset, zone_suggestions
from services.reviews.values import MAX_RATING, MIN_RATING, stars

log = logging.getLogger(__name__)

NAME_LIMIT = 100  # thread and scheduled event names
EVENT_DESCRIPTION_LIMIT = 1000
MENTIONS_PER_MESSAGE = 100  # Discord's limit on allowed_mentions.users
NONCE_LIMIT = 25
# What the bot needs in the announcement channel to announce a party and open its thread.
NEEDED = ("view_channel", "send_messages", "embed_links", "read_message_history", "create_public_threads",
          "send_messages_in_threads")  # fmt: skip
ANSWERS: dict[str, Answer | None] = {"join": Answer.GOING, "maybe": Answer.MAYBE, "leave": None}
BUTTONS = {
    "join": ("Join", discord.ButtonStyle.success),
    "maybe": ("Maybe", discord.ButtonStyle.secondary),
    "leave": ("Leave", discord.ButtonStyle.danger),
}
STATUS_TITLES = {"cancelled": "❌ Cancelled: ", "ended": "Ended: "}
WhenText = app_commands.Range[str, 1, WHEN_LENGTH]
NoteText = app_commands.Range[str, 1, 300]
Place = discord.VoiceChannel | discord.StageChannel
Button = discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]]


def stamp(moment: datetime, style: str) -> str:
    """A Discord timestamp: every member sees it in their own time zone."""
    return f"<t:{int(moment.timestamp())}:{style}>"


def permission_names(names: Sequence[str]) -> str:
    return ", ".join(name.replace("_", " ").title() for name in names)


def people(ids: Sequence[int]) -> str:
    return listing([f"<@{user_id}>" for user_id in ids], FIELD_LIMIT) if ids else "—"


def length(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def place(party: Party) -> str:
    """Where members watch: the voice or stage channel, else the note, else the thread."""
    if party.voice_channel_id is not None:
        return f"<#{party.voice_channel_id}>"
    return echo(party.note) if party.note else "see the thread"


def party_embed(party: Party, details: FilmDetails | None = None, poster: str | None = None) -> discord.Embed:
    """The announcement: the film, the host, when (in every reader's zone), where, and who is coming."""
    title = STATUS_TITLES.get(party.status, "🍿 Watch party: ") + party.film_label
    embed = new_embed(title, description=echo(party.note) if party.note else None)
    if party.status == "cancelled":
        embed.colour = discord.Colour.dark_grey()
    embed.add_field(name="When", value=f"{stamp(party.starts_at, 'F')}\n{stamp(party.starts_at, 'R')}")
    embed.add_field(name="Length", value=f"{length(party.duration_minutes)}, until {stamp(party.ends_at, 't')}")
    embed.add_field(name="Where", value=place(party))
    embed.add_field(name="Host", value=f"<@{party.host_id}>")
    if details is not None:
        facts = [f"Directed by {', '.join(details.directors[:2])}" if details.directors else ""]
        facts += [f"{details.runtime_minutes} min" if details.runtime_minutes else "", ", ".join(details.genres[:3])]
        if shown := " · ".join(fact for fact in facts if fact):
            embed.add_field(name="The film", value=clip(shown, FIELD_LIMIT))
    seats = f"{len(party.going)}/{party.capacity}" if party.capacity else str(len(party.going))
    embed.add_field(name=f"Going ({seats})", value=people(party.going), inline=False)
    if party.maybe:
        embed.add_field(name=f"Maybe ({len(party.maybe)})", value=people(party.maybe), inline=False)
    if party.waitlist:
        embed.add_field(name=f"Waitlist ({len(party.waitlist)})", value=people(party.waitlist), inline=False)
    if poster:
        embed.set_thumbnail(url=poster)
    embed.set_footer(text=f"Watch party {party.id} · times show in your own time zone")
    return fit(embed)


def rsvp_view(party_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for choice in ANSWERS:
        view.add_item(RsvpButton(choice, party_id))
    return view


def only(user_ids: Sequence[int]) -> discord.AllowedMentions:
    """Mentions that ping exactly these members: never everyone, roles or a replied-to author."""
    return discord.AllowedMentions(
        everyone=False, roles=False, replied_user=False, users=[discord.Object(u) for u in user_ids]
    )


def mention_messages(text: str, user_ids: Sequence[int]) -> list[tuple[str, list[int]]]:
    """``text`` followed by mentions of ``user_ids``, split into messages within Discord's limits."""
    messages: list[tuple[str, list[int]]] = []
    content, ids = text, list[int]()
    for user_id in user_ids:
        mention = f" <@{user_id}>"
        if len(content) + len(mention) > MESSAGE_LIMIT or len(ids) == MENTIONS_PER_MESSAGE:
            messages.append((content, ids))
            content, ids = mention.strip(), []
        else:
            content += mention
        ids.append(user_id)
    messages.append((content, ids))
    return messages


async def _guild(interaction: Interaction) -> discord.Guild:
    if interaction.guild is None:
        raise InvalidInput("Watch parties belong to a server: use this in one.")
    return interaction.guild


def _manager(interaction: Interaction) -> bool:
    return interaction.permissions.manage_events


class RsvpButton(ReportsErrors, Button, template=r"party:(?P<choice>join|maybe|leave):(?P<party>\d+)"):
    """Join, Maybe or Leave on an announcement."""

    def __init__(self, choice: str, party_id: int) -> None:
        label, style = BUTTONS[choice]
        super().__init__(discord.ui.Button(label=label, style=style, custom_id=f"party:{choice}:{party_id}"))
        self.choice, self.party_id = choice, party_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> RsvpButton:
        return cls(match["choice"], int(match["party"]))

    async def act(self, interaction: Interaction) -> None:
        guild = await _guild(interaction)
        cog = interaction.client.get_cog(WatchParties.__cog_name__)
        if not isinstance(cog, WatchParties):
            raise LookupError("the watch-party cog is not loaded")
        await cog.answered(interaction, guild, self.party_id, ANSWERS[self.choice])


class ReviewButton(ReportsErrors, Button, template=r"party:review:(?P<party>\d+)"):
    """Write a review of the party's film: first the stars (a button carries no rating), then the review form."""

    def __init__(self, party_id: int) -> None:
        super().__init__(
            discord.ui.Button(
                label="Write a review",
                emoji="✍️",
                style=discord.ButtonStyle.primary,
                custom_id=f"party:review:{party_id}",
            )
        )
        self.party_id = party_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ReviewButton:
        return cls(int(match["party"]))

    async def act(self, interaction: Interaction) -> None:
        guild = await _guild(interaction)
        party = await interaction.client.services.parties.get(guild.id, self.party_id)
        if party.film_id is None:
            raise NotFound(f"{party.film_label} is no longer in the catalogue, so it can't be reviewed here.")
        view = discord.ui.View(timeout=None)
        view.add_item(StarsSelect(self.party_id))
        await send_private(interaction, f"How many stars for {party.film_label}?", view=view)


class StarsSelect(
    ReportsErrors, discord.ui.DynamicItem[discord.ui.Select[discord.ui.View]], template=r"party:stars:(?P<party>\d+)"
):
    """The rating, then the review form (cogs/reviews.py's, whose custom_id carries film, rating and marks)."""

    def __init__(self, party_id: int) -> None:
        options = [
            discord.SelectOption(label=f"{stars(rating)}  {rating / 2:g}", value=str(rating))
            for rating in range(MAX_RATING, MIN_RATING - 1, -1)
        ]
        super().__init__(
            discord.ui.Select(custom_id=f"party:stars:{party_id}", placeholder="Your rating", options=options)
        )
        self.party_id = party_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StarsSelect:
        return cls(int(match["party"]))

    async def act(self, interaction: Interaction) -> None:
        guild = await _guild(interaction)
        services = interaction.client.services
        party = await services.parties.get(guild.id, self.party_id)
        if party.film_id is None:
            raise NotFound(f"{party.film_label} is no longer in the catalogue, so it can't be reviewed here.")
        [rating] = self.item.values
        together = "w" if party.answer_of(interaction.user.id) is Answer.GOING else ""
        draft = await services.reviews.draft(guild.id, interaction.user.id, party.film_id)
        custom_id = f"review:write:{party.film_id}:{int(rating)}:{together}"
        await interaction.response.send_modal(review_form(custom_id, party.film_label, draft))


@app_commands.guild_only()
class WatchParties(commands.GroupCog, group_name="watchparty", group_description="Watch a film together"):
    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(RsvpButton, ReviewButton, StarsSelect)
        self.bot.services.parties.reminders.start(self.deliver)

    async def cog_unload(self) -> None:
        await self.bot.services.parties.reminders.stop()
        self.bot.remove_dynamic_items(RsvpButton, ReviewButton, StarsSelect)

    async def party_autocomplete(self, interaction: Interaction, current: str) -> list[app_commands.Choice[int]]:
        if interaction.guild_id is None:
            return []
        found = await self.bot.services.parties.upcoming(interaction.guild_id)
        typed = current.lower().strip()
        return [
            app_commands.Choice(
                name=clip(f"#{p.id} {p.film_label}, {describe(p.starts_at, p.zone)}", NAME_LIMIT),
                value=p.id,
            )
            for p in found
            if typed in p.film_label.lower() or typed == str(p.id)
        ][:25]

    # Creating -----------------------------------------------------------------------------------------------

    @app_commands.command(name="create", description="Schedule a watch party: announcement, RSVP, thread, reminders")
    @app_commands.describe(
        film=FILM_DESCRIPTION,
        when='When it starts, in your time zone: "friday 8pm", "tomorrow 21:00", "2026-12-04 19:30", "in 2 hours"',
        duration="Minutes (default: the film's runtime plus a margin)",
        channel="Where to announce it (default: here)",
        voice="The voice or stage channel to watch in",
        capacity="How many seats; later joiners go on a waitlist",
        note="Anything else: where to stream it, what to bring",
    )
    async def create(
        self,
        interaction: Interaction,
        film: FilmOption,
        when: WhenText,
        duration: app_commands.Range[int, 10, 720] | None = None,
        channel: discord.TextChannel | None = None,
        voice: Place | None = None,
        capacity: app_commands.Range[int, 1, 1000] | None = None,
        note: NoteText | None = None,
    ) -> None:
        guild = await _guild(interaction)
        parties = self.bot.services.parties
        reading = await parties.read_when(guild.id, interaction.user.id, when)
        target = channel or interaction.channel
        if not isinstance(target, discord.TextChannel):
            raise InvalidInput("Announce a watch party in a text channel: pick one with the `channel` option.")
        missing = [name for name in NEEDED if not getattr(target.permissions_for(guild.me), name)]
        if missing:
            raise InvalidInput(
                f"I need the {permission_names(missing)} permission(s) in {target.mention} to announce a watch party "
                "and open its discussion thread. Ask a moderator to grant them; nothing was created."
            )
        await defer_thinking(interaction, private=True)
        details = await self.bot.services.films.details(film.id)
        new = NewParty(
            film=film,
            reading=reading,
            duration_minutes=parties.duration(details.runtime_minutes, duration),
            channel_id=target.id,
            voice_channel_id=voice.id if voice else None,
            capacity=capacity,
            note=note.strip() if note else None,
        )
        party = await parties.create(guild.id, interaction.user.id, new)
        party, message, thread = await self._announce(guild, target, party, details, interaction.user)
        event_note = await self._create_event(guild, party, message, voice)
        await send_private(
            interaction,
            f"Your watch party for {party.film_label} is up: {message.jump_url}. It starts "
            f"{stamp(party.starts_at, 'F')} (read as {describe(party.starts_at, party.zone)}). "
            f"Discussion and reminders: {thread.mention}.{event_note}",
        )

    async def _announce(
        self,
        guild: discord.Guild,
        channel: discord.TextChannel,
        party: Party,
        details: FilmDetails,
        host: discord.abc.User,
    ) -> tuple[Party, discord.Message, discord.Thread]:
        """Post the announcement and open its thread; if any step fails, undo the others (nothing half-made)."""
        undo: list[Callable[[], Awaitable[Any]]] = []
        try:
            message = await channel.send(
                embed=party_embed(party, details, self._poster(details)),
                view=rsvp_view(party.id),
                allowed_mentions=NO_MENTIONS,
            )
            undo.append(message.delete)
            thread = await message.create_thread(
                name=clip(f"🍿 {party.film_label} watch party", NAME_LIMIT), auto_archive_duration=10080
            )
            undo.append(thread.delete)
            await thread.add_user(host)
            party = await self.bot.services.parties.announced(
                guild.id, party.id, message_id=message.id, thread_id=thread.id
            )
        except BaseException as error:
            for step in reversed(undo):
                with contextlib.suppress(discord.HTTPException):
                    await step()
            await self.bot.services.parties.discard(guild.id, party.id)
            if isinstance(error, discord.Forbidden):
                raise InvalidInput(
                    f"Discord refused ({error.text}): I need the {permission_names(NEEDED)} permissions in "
                    f"{channel.mention}. Nothing was created."
                ) from error
            raise
        return party, message, thread

    async def _create_event(
        self, guild: discord.Guild, party: Party, message: discord.Message, voice: Place | None
    ) -> str:
        """Add the party to the server's Events when the bot may; returns a note for the host."""
        may = guild.me.guild_permissions
        if not (may.manage_events or may.create_events):
            return " It is not in the server's Events: I need the Manage Events permission for that (ask a moderator)."
        where: dict[str, Any] = {"location": clip(echo(party.note) if party.note else f"#{message.channel}", 100)}
        if isinstance(voice, discord.StageChannel):
            where = {"channel": voice, "entity_type": discord.EntityType.stage_instance}
        elif isinstance(voice, discord.VoiceChannel):
            where = {"channel": voice, "entity_type": discord.EntityType.voice}
        else:
            where["entity_type"] = discord.EntityType.external
        try:
            event = await guild.create_scheduled_event(
                name=clip(f"Watch party: {party.film_label}", NAME_LIMIT),
                start_time=party.starts_at,
                end_time=party.ends_at,
                privacy_level=discord.PrivacyLevel.guild_only,
                description=self._event_description(party, message.jump_url),
                **where,
            )
        except discord.HTTPException as error:
            log.warning("could not create the scheduled event of party %d: %s", party.id, error)
            return f" I couldn't add it to the server's Events ({error.text or error.status})."
        await self.bot.services.parties.set_event(guild.id, party.id, event.id)
        return " It is in the server's Events too."

    @staticmethod
    def _event_description(party: Party, link: str) -> str:
        return clip("\n\n".join(text for text in (party.note, f"RSVP: {link}") if text), EVENT_DESCRIPTION_LIMIT)

    def _poster(self, details: FilmDetails | None) -> str | None:
        """TMDB's poster, shown only while TMDB is configured (its images, its terms)."""
        return tmdb.poster_url(details.poster_path) if details and self.bot.services.tmdb else None

    async def _details(self, party: Party) -> FilmDetails | None:
        if party.film_id is None:
            return None
        try:
            return await self.bot.services.films.details(party.film_id)
        except NotFound:
            return None

    async def refresh(self, party: Party, *, ended: bool = False) -> None:
        """Make the announcement show the party as it is now (without buttons once it is over); it may be gone."""
        if party.message_id is None:
            return
        details = await self._details(party)
        open_ = party.status == "scheduled" and not ended
        message = self.bot.get_partial_messageable(party.channel_id).get_partial_message(party.message_id)
        with contextlib.suppress(discord.NotFound, discord.Forbidden):
            await message.edit(
                embed=party_embed(party, details, self._poster(details)), view=rsvp_view(party.id) if open_ else None
            )

    # Answering ----------------------------------------------------------------------------------------------

    async def answered(
        self, interaction: Interaction, guild: discord.Guild, party_id: int, choice: Answer | None
    ) -> None:
        """A Join, Maybe or Leave click: record it, update the announcement, add the member to the thread."""
        result = await self.bot.services.parties.rsvp(guild.id, party_id, interaction.user.id, choice)
        party = result.party
        details = await self._details(party)
        await interaction.response.edit_message(embed=party_embed(party, details, self._poster(details)))
        thread = await self._thread(guild, party.thread_id)
        if thread is not None and result.answer is not None and result.changed:  # (a repeated click: added already)
            with contextlib.suppress(discord.HTTPException):
                await thread.add_user(interaction.user)
        if thread is not None and result.promoted:
            with contextlib.suppress(discord.HTTPException):
                await thread.send(
                    " ".join(f"<@{u}>" for u in result.promoted) + " a seat opened up: you're going!",
                    allowed_mentions=only(result.promoted),
                )
        where = f" Discussion and reminders: {thread.mention}." if thread is not None else ""
        if not result.changed:
            text = {Answer.GOING: "You're already going.", Answer.MAYBE: "You're already down as maybe.",
                    Answer.WAITLIST: f"You're already on the waitlist (#{result.waitlist_place}).",
                    None: "You weren't on the list."}[result.answer]  # fmt: skip
        elif result.answer is Answer.GOING:
            text = f"You're going to {party.film_label}, {stamp(party.starts_at, 'F')}!{where}"
        elif result.answer is Answer.WAITLIST:
            text = (
                f"It's full: you're #{result.waitlist_place} on the waitlist. When a seat frees up it's yours, and "
                f"I'll mention you in the thread.{where}"
            )
        elif result.answer is Answer.MAYBE:
            text = f"Marked as maybe: reminders won't mention you.{where}"
        else:
            text = "You're off the list."
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def _thread(self, guild: discord.Guild | None, thread_id: int | None) -> discord.Thread | None:
        if thread_id is None:
            return None
        if guild is not None and (thread := guild.get_thread(thread_id)) is not None:
            return thread
        try:
            channel = await self.bot.fetch_channel(thread_id)
        except (discord.NotFound, discord.Forbidden):
            return None
        return channel if isinstance(channel, discord.Thread) else None

    # Listing, changing, exporting ---------------------------------------------------------------------------

    @app_commands.command(name="list", description="Upcoming watch parties in this server")
    async def list_(self, interaction: Interaction) -> None:
        guild = await _guild(interaction)
        found = await self.bot.services.parties.upcoming(guild.id)
        lines = []
        for party in found:
            link = f"https://discord.com/channels/{guild.id}/{party.channel_id}/{party.message_id}"
            seats = f"{len(party.going)}/{party.capacity}" if party.capacity else str(len(party.going))
            lines.append(
                f"**[{party.film_label}]({link})** · {stamp(party.starts_at, 'F')} ({stamp(party.starts_at, 'R')})"
                f" · host <@{party.host_id}> · {seats} going · #{party.id}"
            )
        embed = new_embed("Upcoming watch parties", description="\n".join(lines) if lines else None)
        if not lines:
            embed.description = "None yet: `/watchparty create` schedules one."
        await answer(interaction, embed=fit(embed), allowed_mentions=NO_MENTIONS)

    @app_commands.command(name="edit", description="Change a watch party's time, length, seats or note")
    @app_commands.describe(
        party="The party (suggested as you type)",
        when="The new start, in your time zone",
        duration="New length in minutes",
        capacity="New number of seats (more seats move the waitlist up)",
        note="New note (a single - clears it)",
    )
    @app_commands.autocomplete(party=party_autocomplete)
    async def edit(
        self,
        interaction: Interaction,
        party: int,
        when: WhenText | None = None,
        duration: app_commands.Range[int, 10, 720] | None = None,
        capacity: app_commands.Range[int, 1, 1000] | None = None,
        note: NoteText | None = None,
    ) -> None:
        guild = await _guild(interaction)
        parties = self.bot.services.parties
        if when is None and duration is None and capacity is None and note is None:
            raise InvalidInput("Say what to change: `when`, `duration`, `capacity` or `note`.")
        reading = await parties.read_when(guild.id, interaction.user.id, when) if when else None
        await defer_thinking(interaction, private=True)
        edited = await parties.edit(
            guild.id,
            party,
            by=interaction.user.id,
            manager=_manager(interaction),
            reading=reading,
            duration_minutes=duration,
            capacity=capacity,
            note=None if note is None else ("" if note.strip() == "-" else note),
        )
        now = edited.party
        await self.refresh(now)
        changes = []
        if now.starts_at != edited.before.starts_at:
            changes.append(f"now starts {stamp(now.starts_at, 'F')} ({stamp(now.starts_at, 'R')})")
        if now.duration_minutes != edited.before.duration_minutes:
            changes.append(f"now lasts {length(now.duration_minutes)}")
        if now.capacity != edited.before.capacity:
            changes.append(f"now has {now.capacity} seats")
        if now.note != edited.before.note:
            changes.append(f"note: {echo(now.note)}" if now.note else "no note any more")
        if not changes:
            await send_private(interaction, "That is how the party already is: nothing changed.")
            return
        text = f"🗓️ The {now.film_label} watch party {'; '.join(changes)}."
        if edited.promoted:
            text += " Moved up from the waitlist: " + " ".join(f"<@{u}>" for u in edited.promoted) + "."
        await self._tell(now, text, [*now.going, *now.maybe, *now.waitlist])
        if edited.moved and now.event_id is not None:
            await self._event_update(
                now,
                scheduled_start_time=now.starts_at.isoformat(),
                scheduled_end_time=now.ends_at.isoformat(),
            )
        await send_private(interaction, f"Done: the party {'; '.join(changes)}. Attendees were told in the thread.")

    @app_commands.command(name="cancel", description="Cancel a watch party (its host, or members who manage events)")
    @app_commands.describe(party="The party (suggested as you type)")
    @app_commands.autocomplete(party=party_autocomplete)
    async def cancel(self, interaction: Interaction, party: int) -> None:
        guild = await _guild(interaction)
        await defer_thinking(interaction, private=True)
        cancelled = await self.bot.services.parties.cancel(
            guild.id, party, by=interaction.user.id, manager=_manager(interaction)
        )
        await self.refresh(cancelled)
        await self._tell(
            cancelled,
            f"❌ The {cancelled.film_label} watch party ({stamp(cancelled.starts_at, 'F')}) is cancelled.",
            [*cancelled.going, *cancelled.maybe, *cancelled.waitlist],
        )
        if cancelled.event_id is not None:
            await self._event_update(cancelled, status=discord.EventStatus.cancelled.value)
        await send_private(interaction, f"Cancelled the {cancelled.film_label} watch party; attendees were told.")

    @app_commands.command(name="export", description="Add watch parties to your calendar (an .ics file)")
    @app_commands.describe(party="One party (suggested as you type); all upcoming ones if left out")
    @app_commands.autocomplete(party=party_autocomplete)
    async def export(self, interaction: Interaction, party: int | None = None) -> None:
        guild = await _guild(interaction)
        parties = self.bot.services.parties
        chosen = [await parties.get(guild.id, party)] if party is not None else await parties.upcoming(guild.id)
        if not chosen:
            raise NotFound("There are no upcoming watch parties here to export.")
        links = {
            p.id: f"https://discord.com/channels/{guild.id}/{p.channel_id}/{p.message_id}"
            for p in chosen
            if p.message_id
        }
        places = {p.id: self._place_name(guild, p) for p in chosen}
        data = ics(chosen, now=parties.clock.now(), links=links, places=places)
        name = f"watchparty-{party}.ics" if party is not None else "watchparties.ics"
        file = discord.File(io.BytesIO(data), filename=name)
        count = f"{len(chosen)} watch part{'y' if len(chosen) == 1 else 'ies'}"
        await interaction.response.send_message(
            f"{count} for your calendar (times in UTC; your calendar shows them in your zone).",
            file=file,
            ephemeral=True,
        )

    @staticmethod
    def _place_name(guild: discord.Guild, party: Party) -> str:
        if party.voice_channel_id is not None and (voice := guild.get_channel(party.voice_channel_id)):
            return f"{guild.name}: {voice.name}"
        return f"{guild.name} (Discord)" + (f": {party.note}" if party.note else "")

    # Telling attendees --------------------------------------------------------------------------------------

    async def _tell(self, party: Party, text: str, user_ids: Sequence[int]) -> None:
        """Post in the party's thread, mentioning exactly these members (the thread may be gone)."""
        if party.thread_id is None:
            return
        thread = self.bot.get_partial_messageable(party.thread_id, guild_id=party.guild_id)
        try:
            await self._post(thread, text, user_ids)
        except (discord.NotFound, discord.Forbidden):
            log.info("party %d's thread is gone; could not tell its attendees", party.id)

    @staticmethod
    async def _post(
        thread: discord.PartialMessageable,
        text: str,
        user_ids: Sequence[int],
        *,
        nonce: str | None = None,
        **extra: Any,
    ) -> None:
        """``text`` and mentions of ``user_ids`` (only those ping), split to fit; ``extra`` goes with the last.

        With a ``nonce`` Discord posts each part once even if this is sent again (a retry after a crash)."""
        parts = mention_messages(text, user_ids)
        for number, (content, ids) in enumerate(parts):
            options: dict[str, Any] = {"allowed_mentions": only(ids)}
            if nonce:
                options["nonce"] = f"{nonce}.{number}"[:NONCE_LIMIT]
            if number == len(parts) - 1:
                options.update(extra)
            await thread.send(content, **options)

    async def _event_update(self, party: Party, **payload: Any) -> None:
        """Keep the Discord event in step; it may have been deleted or be past changing."""
        assert party.event_id is not None
        try:
            await self.bot.http.edit_scheduled_event(party.guild_id, party.event_id, **payload)
        except discord.HTTPException as error:
            log.info("could not update the scheduled event of party %d: %s", party.id, error)

    async def deliver(self, due: Due) -> None:
        """Post one reminder (the scheduler records how it went): Discord's refusals that will not change become
        Undeliverable, passing trouble (rate limits, 5xx, the network) RetryLater."""
        try:
            await self._deliver(due)
        except NotFound as error:
            raise Undeliverable(str(error)) from error
        except discord.RateLimited as error:
            raise RetryLater(f"rate limited for {error.retry_after:.0f} s") from error
        except discord.HTTPException as error:
            reason = f"{error.status} {error.code} {error.text}"
            if error.status == 429 or error.status >= 500:
                raise RetryLater(reason) from error
            if error.status == 404 and error.code == 10003:  # Unknown Channel: the thread was deleted
                await self.bot.services.parties.forget_thread(due.guild_id, due.party_id)
            raise Undeliverable(reason) from error
        except (aiohttp.ClientError, OSError) as error:
            raise RetryLater(f"{type(error).__name__}: {error}") from error

    async def _deliver(self, due: Due) -> None:
        parties = self.bot.services.parties
        party = await parties.get(due.guild_id, due.party_id)
        if party.thread_id is None:
            raise Undeliverable("the party's thread is gone")
        if party.status == "cancelled" and due.kind is not Kind.ARCHIVE:
            raise Undeliverable("the party was cancelled")
        thread_id = party.thread_id
        thread = self.bot.get_partial_messageable(thread_id, guild_id=party.guild_id)
        nonce = f"wp{due.id}"
        match due.kind:
            case Kind.BEFORE:
                text = (
                    f"⏰ **{party.film_label}** starts {stamp(party.starts_at, 'R')} ({stamp(party.starts_at, 't')}),"
                    f" in {place(party)}."
                )
                await self._post(thread, text, party.going, nonce=nonce)
            case Kind.START:
                text = f"🎬 **{party.film_label}** is starting now in {place(party)}. Enjoy the film!"
                await self._post(thread, text, party.going, nonce=nonce)
                if party.event_id is not None:
                    await self._event_update(party, status=discord.EventStatus.active.value)
            case Kind.END:
                party = await parties.ended(party.guild_id, party.id)
                details = await self._details(party)
                prompts = discussion_prompts(details, party.film_label)
                embed = new_embed(f"What did you think of {party.film_label}?", description="\n".join(
                    f"• {prompt}" for prompt in prompts))  # fmt: skip
                view = discord.ui.View(timeout=None)
                view.add_item(ReviewButton(party.id))
                text = "🍿 That's a wrap! Thanks for watching together."
                await self._post(thread, text, party.going, nonce=nonce, embed=fit(embed), view=view)
                await self.refresh(party, ended=True)
                if party.event_id is not None:
                    await self._event_update(party, status=discord.EventStatus.completed.value)
            case Kind.ARCHIVE:
                await self.bot.http.edit_channel(thread_id, archived=True)


def _zone_choices(current: str, now: datetime) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=f"{zone} ({offset(now, zone)})", value=zone) for zone in zone_suggestions(current)]


@app_commands.guild_only()
class Settings(commands.GroupCog, group_name="settings", group_description="Your and the server's settings"):
    """Time zones (for the times members type) and the server's reminders."""

    def __init__(self, bot: ClubBot) -> None:
        self.bot = bot

    async def zone_autocomplete(self, interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
        return _zone_choices(current, self.bot.services.parties.clock.now())

    @app_commands.command(name="timezone", description="Your time zone, for the times you type (every server)")
    @app_commands.describe(zone="An IANA zone such as Europe/London (suggested as you type); shows yours if left out")
    @app_commands.autocomplete(zone=zone_autocomplete)
    async def timezone(self, interaction: Interaction, zone: app_commands.Range[str, 1, 64] | None = None) -> None:
        parties = self.bot.services.parties
        now = parties.clock.now()
        if zone is None:
            mine = await parties.member_zone(interaction.user.id)
            used = await parties.zone_for(interaction.guild_id or 0, interaction.user.id)
            text = f"Your time zone is {mine}." if mine else f"You have not set one, so I read your times in {used}."
            await send_private(interaction, f"{text} It is {describe(now, used)} there now.")
            return
        saved = await parties.set_member_zone(interaction.user.id, zone)
        await send_private(interaction, f"Saved: I read the times you type in {saved} (now {describe(now, saved)}).")

    @app_commands.command(name="server-timezone", description="The server's time zone, for members who set none")
    @app_commands.describe(zone="An IANA zone such as America/New_York (suggested as you type)")
    @app_commands.autocomplete(zone=zone_autocomplete)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def server_timezone(self, interaction: Interaction, zone: app_commands.Range[str, 1, 64]) -> None:
        guild = await _guild(interaction)
        saved = await self.bot.services.parties.set_server_zone(guild.id, zone)
        await send_private(interaction, f"Saved: members who set no zone have their times read in {saved}.")

    @app_commands.command(name="reminders", description="When watch-party reminders go out in this server")
    @app_commands.describe(
        times='Before the start, e.g. "1h, 10m, 0" (0 = at the start) or "none"; shows them if left out'
    )
    @app_commands.checks.has_permissions(manage_events=True)
    async def reminders(self, interaction: Interaction, times: app_commands.Range[str, 1, 100] | None = None) -> None:
        guild = await _guild(interaction)
        parties = self.bot.services.parties
        if times is None:
            current = (await parties.server_settings(guild.id)).reminder_minutes
            await send_private(interaction, f"Watch-party reminders here: {show_reminders(current)}.")
            return
        saved = await parties.set_server_reminders(guild.id, times)
        await send_private(
            interaction, f"Saved: reminders {show_reminders(saved)} for parties created or moved from now on."
        )


async def setup(bot: ClubBot) -> None:
    await bot.add_cog(WatchParties(bot))
    await bot.add_cog(Settings(bot))
