"""/watchparty end to end, on a clock the test moves: create, RSVP from the buttons, the thread and its members,
the Discord event, reminders that mention only attendees, the end with prompts and a review, 429s, edits,
cancelling, missing permissions, export, and things deleted by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import timedelta

import icalendar
import pytest

from bot.app import App
from services.parties.reminders import backoff
from standin.driver import Driver
from standin.permissions import BOT_DEFAULT, Permission
from standin.server import StandIn
from standin.state import Message
from standin.world import GuildSpec
from tests.clock import FakeClock
from tests.e2e.conftest import running_bot
from tests.e2e.parties import create, reminder_states, text_of, thread_messages, tick

NO_EVENTS = 2_000_000_000_000_000_000


@pytest.fixture(scope="module")
def clock(module_database_url: str) -> FakeClock:
    """A clock (and so a stand-in) per back end: each run starts from the same time and world."""
    return FakeClock()


@pytest.fixture(scope="module")
def world() -> Sequence[GuildSpec]:
    return [
        GuildSpec(name="Club A", channels=("general", "film-talk", "quiet"), voice_channels=("movie-night",)),
        GuildSpec(
            name="Club B",
            id=NO_EVENTS,
            bot_permissions=BOT_DEFAULT & ~Permission.MANAGE_EVENTS & ~Permission.CREATE_EVENTS,
        ),
    ]


@pytest.fixture(scope="module")
async def standin(world: Sequence[GuildSpec], clock: FakeClock) -> AsyncIterator[StandIn]:
    async with StandIn(world, clock=clock.now) as server:
        yield server


@pytest.fixture(scope="module")
async def film_club(standin: StandIn, module_database_url: str, clock: FakeClock) -> AsyncIterator[App]:
    async with running_bot(standin, module_database_url, clock=clock) as app:
        yield app


async def test_create_announces_with_buttons_a_thread_and_an_event(
    standin: StandIn, member: Callable[..., Driver]
) -> None:
    alice = member("alice", "film-talk")
    announcement, thread = await create(alice, "Never Let Me Go", "friday 8pm", voice="movie-night", capacity=2)
    [embed] = announcement.embeds
    assert embed["title"] == "🍿 Watch party: Never Let Me Go (2010)"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    start = 1795809600  # Friday 27 November 2026, 20:00 UTC (Alice set no zone: UTC)
    assert fields["When"] == f"<t:{start}:F>\n<t:{start}:R>"
    assert fields["Length"].startswith("1 h 58 min")  # the film's 103 minutes and the margin
    assert fields["Where"] == f"<#{alice.channel('movie-night').id}>"
    assert fields["Going (1/2)"] == f"<@{alice.user().id}>"
    assert [b["label"] for b in announcement.buttons()] == ["Join", "Maybe", "Leave"]
    assert announcement.pings.nobody
    assert thread.parent_id == alice.channel().id
    assert alice.user().id in thread.thread_members
    [event] = [e for e in alice.guild.scheduled_events.values() if "Never Let Me Go" in e.name]
    assert (event.entity_type, event.channel_id) == (2, alice.channel("movie-night").id)
    assert event.scheduled_start_time.startswith("2026-11-27T20:00:00")


async def test_buttons_rsvp_fill_seats_waitlist_and_promote(
    standin: StandIn, member: Callable[..., Driver], film_club: App
) -> None:
    alice, bob, carol = member("alice", "general"), member("bob", "general"), member("carol", "general")
    announcement, thread = await create(alice, "Vertigo", "saturday 21:00", capacity=2)
    joined = await (await bob.click(announcement, "Join")).followups()
    assert "You're going" in joined[0].content
    waiting = await (await carol.click(announcement, "Join")).followups()
    assert "#1 on the waitlist" in waiting[0].content
    shown = await bob.wait_for(lambda: "Waitlist (1)" in text_of(announcement) or None, what="the waitlist shown")
    assert shown
    assert {bob.user().id, carol.user().id} <= set(thread.thread_members)
    await (await bob.click(announcement, "Leave")).followups()
    [promoted] = await bob.wait_for(
        lambda: thread_messages(bob, thread, "a seat opened up") or None, what="the promotion in the thread"
    )
    assert promoted.pings.users == {carol.user().id}
    assert not promoted.pings.everyone
    assert not promoted.pings.roles
    assert "Going (2/2)" in text_of(announcement)
    assert f"<@{bob.user().id}>" not in text_of(announcement)


async def test_reminders_mention_only_attendees_then_the_end_brings_prompts_and_reviews(
    standin: StandIn, member: Callable[..., Driver], film_club: App, clock: FakeClock
) -> None:
    alice, bob, carol = member("alice", "general"), member("bob", "general"), member("carol", "general")
    announcement, thread = await create(alice, "Psycho", "in 3 hours", voice="movie-night")
    await (await bob.click(announcement, "Join")).followups()
    await (await carol.click(announcement, "Maybe")).followups()
    [event] = [e for e in alice.guild.scheduled_events.values() if "Psycho" in e.name]

    await tick(film_club, clock, hours=2, minutes=1)
    [before] = thread_messages(alice, thread, "⏰")
    assert before.pings.users == {alice.user().id, bob.user().id}  # going; not carol (maybe)
    assert before.allowed_mentions == {"parse": [], "users": [alice.user().id, bob.user().id]}
    await tick(film_club, clock, minutes=59)
    [start] = thread_messages(alice, thread, "is starting now")
    assert start.pings.users == {alice.user().id, bob.user().id}
    assert event.status == 2

    await tick(film_club, clock, hours=2, minutes=10)  # Psycho's 109 minutes and the margin
    [end] = thread_messages(alice, thread, "That's a wrap")
    assert "Alfred Hitchcock" in text_of(end)  # prompts about this film
    assert [b["label"] for b in end.buttons()] == ["Write a review"]
    assert announcement.buttons() == []  # RSVP closes when the party is over
    assert announcement.embeds[0]["title"] == "Ended: Psycho (1960)"
    assert event.status == 3
    await tick(film_club, clock, minutes=5)
    assert len(thread_messages(alice, thread, "⏰")) == 1  # each reminder once

    stars = await (await bob.click(end, "Write a review")).message()
    assert stars.ephemeral
    form = await bob.select(stars, stars.buttons()[0]["custom_id"], ["9"])
    submitted = await bob.submit_modal(form, {"text": "The shower scene still works."})
    assert "Posted your review" in (await submitted.message()).content
    review = await bob.wait_for_message(lambda m: "shower scene" in text_of(m), channel=thread)
    assert "Watched together" in text_of(review)
    assert review.embeds[0]["title"].startswith("★★★★½")
    maybe_form = await carol.select(
        await (await carol.click(end, "Write a review")).message(), stars.buttons()[0]["custom_id"], ["6"]
    )
    await (await carol.submit_modal(maybe_form, {"text": "Not for me."})).message()
    carols = await carol.wait_for_message(lambda m: "Not for me." in text_of(m), channel=thread)
    assert "Watched together" not in text_of(carols)

    await tick(film_club, clock, days=3)
    assert thread.archived
    assert ("archive", "sent") in await reminder_states(film_club, announcement)


async def test_a_rate_limited_reminder_backs_off_and_is_sent_once(
    standin: StandIn, member: Callable[..., Driver], film_club: App, clock: FakeClock
) -> None:
    alice = member("alice", "general")
    announcement, thread = await create(alice, "Solaris (1972)", "in 2 hours")
    limit = standin.rate_limit("POST", rf"/channels/{thread.id}/messages", times=5, retry_after=0.01)
    await tick(film_club, clock, hours=1, minutes=1)
    assert limit.times == 0  # discord.py tried five times, then gave up with the 429
    assert thread_messages(alice, thread, "⏰") == []
    assert ("before", "pending") in await reminder_states(film_club, announcement)
    await tick(film_club, clock, seconds=backoff(0).total_seconds())
    assert len(thread_messages(alice, thread, "⏰")) == 1
    assert ("before", "sent") in await reminder_states(film_club, announcement)


async def test_edit_moves_the_party_its_event_and_reminders_and_tells_attendees(
    standin: StandIn, member: Callable[..., Driver], film_club: App, clock: FakeClock
) -> None:
    alice, bob = member("alice", "general"), member("bob", "general")
    announcement, thread = await create(alice, "Roma", "tomorrow 20:00")
    await (await bob.click(announcement, "Join")).followups()
    [choice] = await alice.autocomplete("watchparty edit", "party", "rom")
    assert choice["value"] == _party_id(announcement)
    assert choice["name"].startswith(f"#{choice['value']} Roma (2018), ")
    refused = await (await bob.slash("watchparty edit", party=_party_id(announcement), note="mine now")).message()
    assert "Only the host" in refused.content
    done = await (await alice.slash("watchparty edit", party=_party_id(announcement), when="in 2 days")).message()
    assert "now starts" in done.content
    [told] = await alice.wait_for(lambda: thread_messages(alice, thread, "now starts") or None, what="the notice")
    assert told.pings.users == {alice.user().id, bob.user().id}
    new_start = (clock.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    assert f"<t:{int(new_start.timestamp())}:F>" in text_of(announcement)
    [event] = [e for e in alice.guild.scheduled_events.values() if "Roma" in e.name]
    assert event.scheduled_start_time.startswith(new_start.strftime("%Y-%m-%dT%H:%M"))
    await tick(film_club, clock, hours=44, minutes=30)  # past the old time ("tomorrow"): its reminders are gone
    assert thread_messages(alice, thread, "⏰") == []
    await tick(film_club, clock, hours=2, minutes=40)
    assert len(thread_messages(alice, thread, "⏰")) == 1


async def test_cancel_by_the_host_or_an_event_manager_only(
    standin: StandIn, member: Callable[..., Driver], film_club: App, clock: FakeClock
) -> None:
    bob, carol, alice = member("bob", "general"), member("carol", "general"), member("alice", "general")
    announcement, thread = await create(bob, "Jaws", "tomorrow 19:00")
    refused = await (await carol.slash("watchparty cancel", party=_party_id(announcement))).message()
    assert "Only the host or members with the Manage Events permission" in refused.content
    done = await (await alice.slash("watchparty cancel", party=_party_id(announcement))).message()  # a moderator
    assert "Cancelled" in done.content
    assert announcement.embeds[0]["title"] == "❌ Cancelled: Jaws (1975)"
    assert announcement.buttons() == []
    [event] = [e for e in alice.guild.scheduled_events.values() if "Jaws" in e.name]
    assert event.status == 4
    assert thread_messages(alice, thread, "is cancelled")
    await tick(film_club, clock, hours=44)
    assert thread_messages(alice, thread, "⏰") == []


async def test_missing_thread_permission_is_named_and_nothing_is_left_behind(
    standin: StandIn, member: Callable[..., Driver], film_club: App
) -> None:
    alice = member("alice", "quiet")
    quiet = alice.channel()
    standin.set_overwrite(quiet, standin.bot_role(alice.guild), deny=Permission.CREATE_PUBLIC_THREADS)
    events_before = len(alice.guild.scheduled_events)
    refused = await (await alice.slash("watchparty create", film="Amelie", when="tomorrow 20:00")).message()
    assert refused.ephemeral
    assert "Create Public Threads" in refused.content
    assert "nothing was created" in refused.content
    assert alice.messages(quiet, ephemeral=False) == []
    assert len(alice.guild.scheduled_events) == events_before
    listing = await (await alice.slash("watchparty list")).message()
    assert "Amelie" not in text_of(listing)


async def test_without_manage_events_the_party_is_made_and_the_host_told(member: Callable[..., Driver]) -> None:
    alice = member("alice", "general", guild="Club B")
    note = await (await alice.slash("watchparty create", film="Amelie", when="tomorrow 20:00")).message()
    assert "Your watch party" in note.content
    assert "Manage Events" in note.content
    assert alice.guild.scheduled_events == {}


async def test_times_are_read_in_the_members_zone_and_ambiguity_is_refused(member: Callable[..., Driver]) -> None:
    carol = member("carol", "general")
    choices = await carol.autocomplete("settings timezone", "zone", "new_yor")
    assert choices[0]["value"] == "America/New_York"
    saved = await (await carol.slash("settings timezone", zone="America/New_York")).message()
    assert "America/New_York" in saved.content
    refused = await (await carol.slash("watchparty create", film="Stalker", when="4/12 8pm")).message()
    assert refused.ephemeral
    assert "4 December or 12 April" in refused.content
    announcement, _ = await create(carol, "Stalker", "2026-12-04 20:00")
    assert "<t:1796432400:F>" in text_of(announcement)  # 20:00 in New York is 01:00 UTC the next day


async def test_export_gives_an_ics_file(member: Callable[..., Driver]) -> None:
    alice = member("alice", "general")
    announcement, _ = await create(alice, "Amelie", "tomorrow 18:00")
    reply = await (await alice.slash("watchparty export", party=_party_id(announcement))).message()
    assert reply.ephemeral
    [attachment] = reply.attachments
    assert attachment.filename.endswith(".ics")
    [event] = icalendar.Calendar.from_ical(attachment.data).walk("VEVENT")
    assert str(event["summary"]) == "Watch party: Amélie (2001)"
    assert str(announcement.id) in str(event["url"])
    everything = await (await alice.slash("watchparty export")).message()
    assert len(icalendar.Calendar.from_ical(everything.attachments[0].data).walk("VEVENT")) >= 1


async def test_a_thread_and_announcement_deleted_by_hand_or_the_bot_kicked_crash_nothing(
    standin: StandIn, member: Callable[..., Driver], film_club: App, clock: FakeClock
) -> None:
    alice = member("alice", "general")
    announcement, thread = await create(alice, "Taxi Driver", "in 2 hours")
    standin.core.delete_message(announcement)
    standin.delete_channel(thread)
    club_b = member("alice", "general", guild="Club B")
    announcement_b, _ = await create(club_b, "Psycho", "in 2 hours")
    standin.remove_bot(club_b.guild)
    await tick(film_club, clock, hours=1, minutes=1)
    assert ("before", "failed") in await reminder_states(film_club, announcement)
    assert ("before", "failed") in await reminder_states(film_club, announcement_b)
    reply = await (await alice.slash("watchparty list")).message()
    assert reply.embeds[0]["title"] == "Upcoming watch parties"


def _party_id(announcement: Message) -> int:
    return int(announcement.embeds[0]["footer"]["text"].split()[2])
