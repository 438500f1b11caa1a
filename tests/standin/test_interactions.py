"""The stand-in against a real discord.py bot: registration, every callback type, components, modals."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest

from standin.driver import DriverError
from standin.gateway import Intent
from standin.server import StandIn
from standin.state import EPHEMERAL
from tests.standin.filmbot import FilmBot

pytestmark = pytest.mark.usefixtures("bot")


def dispatched(standin: StandIn, event: str) -> list[dict[str, object]]:
    """Every payload of ``event`` queued for the bot's shard 0 session."""
    return [data for name, data in standin.gateway.shards[0].events if name == event]


def never_dispatched(standin: StandIn, message_id: int) -> bool:
    ids = {m["id"] for e in ("MESSAGE_CREATE", "MESSAGE_UPDATE") for m in dispatched(standin, e)}
    return str(message_id) not in ids


async def test_start_up_registers_commands_globally_with_ids(standin: StandIn, bot: FilmBot) -> None:
    registered = {c.name: c for c in standin.state.global_commands.values()}
    assert set(registered) == {
        "film",
        "slow",
        "report",
        "double",
        "ping",
        "announce",
        "upload",
        "discuss",
        "party",
        "lifecycle",
    }
    film = registered["film"]
    assert [o["name"] for o in film.schema["options"]] == ["score", "info", "review"]
    assert all(c.application_id == standin.application_id for c in registered.values())
    session = standin.gateway.shards[0]
    assert session.intents == Intent.GUILDS | Intent.GUILD_MESSAGES | Intent.GUILD_SCHEDULED_EVENTS
    assert [g.id for g in bot.guilds] == [standin.guild().id]
    assert standin.unknown_routes == []


async def test_guild_sync_keeps_ids_when_synced_again(standin: StandIn, bot: FilmBot) -> None:
    guild = discord.Object(standin.guild().id)
    bot.tree.copy_global_to(guild=guild)
    first = await bot.tree.sync(guild=guild)
    second = await bot.tree.sync(guild=guild)
    bot.tree.clear_commands(guild=guild)
    assert {c.name for c in first} >= {"film", "slow"}
    assert [c.id for c in first] == [c.id for c in second]
    assert all(c.guild_id == guild.id for c in first)
    assert set(standin.guild().commands) == {c.id for c in second}
    # The person now sees the guild copy, and the bot answers it.
    ix = await standin.driver().slash("film info", film="Network")
    assert (await ix.message()).content == "info: Network"
    assert ix.record.data["guild_id"] == str(guild.id)
    await bot.tree.sync(guild=guild)  # empty again
    assert standin.guild().commands == {}


async def test_slash_reply_with_embed_and_components(standin: StandIn) -> None:
    driver = standin.driver()
    ix = await driver.slash("film score", film="Never Let Me Go", year=2010)
    response = await ix.response()
    assert response.type == 4
    message = response.message
    assert message is not None
    assert message.embeds[0]["title"] == "Never Let Me Go"
    assert message.embeds[0]["fields"] == [{"name": "Composer", "value": "Rachel Portman", "inline": True}]
    assert [c.get("label") for c in message.buttons()] == ["Upvote", "Details", "Review", "Vote 42", None]
    assert message.interaction_metadata is not None
    assert message.interaction_metadata["user"]["id"] == str(driver.default_user.id)
    created = [m for m in dispatched(standin, "MESSAGE_CREATE") if m["id"] == str(message.id)]
    assert len(created) == 1
    assert ix.record.payload["data"]["options"][0]["options"] == [
        {"type": 3, "name": "film", "value": "Never Let Me Go"},
        {"type": 4, "name": "year", "value": 2010},
    ]


async def test_button_click_updates_message_through_the_view(standin: StandIn) -> None:
    driver = standin.driver()
    card = await (await driver.slash("film score", film="Network")).message()
    click = await driver.click(card, "Upvote", user="bob")
    response = await click.response()
    assert response.type == 7
    assert response.message is card
    assert card.content == "upvoted by bob"
    assert len(card.edits) == 1
    assert card.edits[0].content == ""
    assert card.embeds[0]["title"] == "Network"  # untouched by the edit


async def test_deferred_update_then_edit_original(standin: StandIn) -> None:
    driver = standin.driver()
    card = await (await driver.slash("film score", film="Network")).message()
    click = await driver.click(card, "film:details")
    assert (await click.response()).type == 6
    await driver.wait_for_edit(card)
    assert card.content == "details: 2010, Mark Romanek"


async def test_dynamic_item_button(standin: StandIn) -> None:
    driver = standin.driver()
    card = await (await driver.slash("film score", film="Network")).message()
    vote = await driver.click(card, "vote:42", user="carol")
    answer = await vote.message()
    assert answer.content == "vote recorded for film 42"
    assert answer.ephemeral
    assert never_dispatched(standin, answer.id)


async def test_select_values_reach_the_view(standin: StandIn) -> None:
    driver = standin.driver()
    card = await (await driver.slash("film score", film="Network")).message()
    picked = await driver.select(card, "film:cast", ["Ruth", "tommy"])
    answer = await picked.message()
    assert answer.content == "picked ruth, tommy"
    assert never_dispatched(standin, answer.id)
    with pytest.raises(DriverError, match="no option 'Miss Emily'"):
        await driver.select(card, "film:cast", ["Miss Emily"])
    with pytest.raises(DriverError, match="takes 1 to 2 values"):
        await driver.select(card, "film:cast", ["ruth", "kathy", "tommy"])


async def test_modal_from_slash_command(standin: StandIn) -> None:
    driver = standin.driver()
    ix = await driver.slash("film review")
    modal = await ix.modal()
    assert modal["title"] == "Review"
    submitted = await driver.submit_modal(ix, {"review:text": "Devastating.", "review:rating": "5"})
    assert (await submitted.message()).content == "thanks for reviewing: Devastating. (5)"
    with pytest.raises(DriverError, match="is required"):
        await driver.submit_modal(ix, {"review:rating": "5"})


async def test_modal_from_button_updates_the_message(standin: StandIn) -> None:
    driver = standin.driver()
    card = await (await driver.slash("film score", film="Network")).message()
    opened = await driver.click(card, "Review")
    submitted = await driver.submit_modal(opened, {"review:text": "Prescient."})
    response = await submitted.response()
    assert response.type == 7
    assert card.content == "thanks for reviewing: Prescient. (no rating)"
    assert card.components == []


async def test_autocomplete_returns_the_bots_choices(standin: StandIn) -> None:
    choices = await standin.driver().autocomplete("film info", "film", "nev")
    assert [c["name"] for c in choices] == ["Never Let Me Go", "Nevada Smith"]


async def test_deferred_ephemeral_followup_replaces_thinking_and_is_not_dispatched(standin: StandIn) -> None:
    driver = standin.driver()
    ix = await driver.slash("slow")
    response = await ix.response()
    assert response.type == 5
    assert response.message is not None
    assert response.message.ephemeral
    [followup] = await ix.followups(1)
    assert followup is response.message
    assert followup.content == "done thinking"
    assert not followup.loading
    assert followup.flags & EPHEMERAL
    assert never_dispatched(standin, followup.id)
    assert followup not in driver.messages(ephemeral=False)


async def test_public_defer_then_two_followups(standin: StandIn) -> None:
    driver = standin.driver()
    ix = await driver.slash("report")
    first, second = await ix.followups(2)
    assert first.id == ix.record.original_message_id
    assert (first.content, second.content) == ("report part 1", "report part 2")
    assert second.id != first.id
    updates = [m for m in dispatched(standin, "MESSAGE_UPDATE") if m["id"] == str(first.id)]
    assert updates[-1]["content"] == "report part 1"
    assert updates[-1]["flags"] == 0
    assert second.interaction_metadata is not None
    assert second.interaction_metadata["original_response_message_id"] == str(first.id)


async def test_second_acknowledgement_is_40060(standin: StandIn) -> None:
    driver = standin.driver()
    ix = await driver.slash("double")
    [report] = await ix.followups(1)
    assert report.content == "second ack failed: 40060"
    assert [m.content for m in driver.messages() if m.interaction_id == ix.id] == ["first ack", report.content]


async def test_late_acknowledgement_is_10062(standin: StandIn, bot: FilmBot) -> None:
    standin.config.ack_deadline = 0.0
    try:
        ix = await standin.driver().slash("ping")
        await standin.driver().wait_for(
            lambda: any(r.path.endswith("/callback") and r.status == 404 for r in standin.state.requests),
            what="the late callback",
        )
    finally:
        standin.config.ack_deadline = 3.0
    assert ix.record.callback is None
    error = await asyncio.wait_for(bot.errors.get(), 5)
    assert isinstance(error, discord.NotFound)
    assert error.code == 10062


async def test_missing_embed_links_is_403_for_channel_messages(standin: StandIn) -> None:
    driver = standin.driver()
    channel = driver.channel("general")
    standin.set_overwrite(channel, standin.bot_role(), deny=discord.Permissions(embed_links=True).value)
    try:
        answer = await (await driver.slash("announce")).message()
    finally:
        standin.set_overwrite(channel, standin.bot_role())
    assert answer.content == "forbidden 50013"
    assert not any(m.embeds and m.embeds[0].get("title") == "Watch party" for m in driver.messages())
    answer = await (await driver.slash("announce")).message()
    assert answer.content == "announced"


async def test_multipart_attachments_both_ways(standin: StandIn) -> None:
    driver = standin.driver()
    reply = await (await driver.slash("upload")).message()
    [cast] = reply.attachments
    assert (cast.filename, cast.data, cast.size) == ("cast.txt", b"cast list", 9)
    poster_message = await driver.wait_for_message(lambda m: m.content == "poster", after=reply)
    [poster] = poster_message.attachments
    assert poster.filename == "poster.png"
    assert poster.content_type == "image/png"
    async with aiohttp.ClientSession() as session, session.get(poster.url) as served:
        assert await served.read() == b"\x89PNG fake"


async def test_thread_from_message_with_members(standin: StandIn) -> None:
    driver = standin.driver()
    bob = driver.user("bob")
    ix = await driver.slash("discuss", topic="Ending", guest="bob")
    summary = await ix.message()
    guild = standin.guild()
    thread = next(c for c in guild.channels.values() if c.name == "Ending")
    starter = standin.state.messages[thread.id]
    assert starter.content == "Discussion: Ending"
    assert starter.thread_id == thread.id
    assert set(thread.thread_members) == {standin.bot.id, bob.id}
    welcome = driver.messages(thread)[-1]
    assert welcome.pings.users == {bob.id}
    side = next(c for c in guild.channels.values() if c.name == "Ending (spoilers)")
    assert side.archived
    assert set(side.thread_members) == {standin.bot.id}  # bob was added, then removed
    assert summary.content == f"thread {thread.id} with 2 members; side {side.id}"
    assert dispatched(standin, "THREAD_CREATE")
    assert dispatched(standin, "THREAD_UPDATE")
    # A person talking in the archived thread unarchives it, and joins it.
    await driver.say("more spoilers", channel=side, user="carol")
    reopened = standin.state.channel(side.id)
    assert not reopened.archived
    assert driver.user("carol").id in reopened.thread_members


async def test_scheduled_event_created_and_validated(standin: StandIn) -> None:
    driver = standin.driver()
    made = await (await driver.slash("party", name="Never Let Me Go night")).message()
    [event] = [e for e in standin.guild().scheduled_events.values() if e.name == "Never Let Me Go night"]
    assert made.content == f"event {event.id}"
    assert event.entity_type == 3
    assert event.entity_metadata == {"location": "Cinema 1"}
    assert event.description == "Bring snacks"
    names = [n for n, _ in standin.gateway.shards[0].events if n.startswith("GUILD_SCHEDULED_EVENT")]
    assert names[-2:] == ["GUILD_SCHEDULED_EVENT_CREATE", "GUILD_SCHEDULED_EVENT_UPDATE"]
    too_long = await (await driver.slash("party", name="x" * 101)).message()
    assert too_long.content.startswith("rejected 50035")
    in_the_past = await (await driver.slash("party", name="Yesterday", hours=-30)).message()
    assert in_the_past.content.startswith("rejected 50035")
    await driver.interested(event, user="bob")
    assert event.user_ids == [driver.user("bob").id]


async def test_mention_reply_pings_nobody_and_plain_messages_hide_content(standin: StandIn, bot: FilmBot) -> None:
    driver = standin.driver()
    seen = asyncio.create_task(bot.wait_for("message", check=lambda m: m.author.name == "bob", timeout=5))
    plain = await driver.say("nobody asked the bot", user="bob")
    received = await seen
    assert received.id == plain.id
    assert received.content == ""
    question = await driver.say(f"{standin.bot.mention} who played Ruth?")
    reply = await driver.wait_for_message(author=standin.bot, after=question)
    assert reply.content == "You asked: who played Ruth?"
    assert reply.message_reference is not None
    assert reply.message_reference["message_id"] == str(question.id)
    assert reply.allowed_mentions == {"parse": []}  # discord.py's AllowedMentions.none()
    assert reply.pings.nobody
    assert question.pings.users == {standin.bot.id}


async def test_dropped_connection_resumes_and_replays(standin: StandIn, bot: FilmBot) -> None:
    driver = standin.driver()
    resumed = asyncio.create_task(bot.wait_for("resumed", timeout=10))
    session = await standin.drop_connection(0, wait_resumed=False)
    said = await driver.say(f"{standin.bot.mention} still there?")  # queued while the socket is down
    await resumed
    reply = await driver.wait_for_message(author=standin.bot, after=said)
    assert reply.content == "You asked: still there?"
    assert session.resumes == 1
    assert standin.gateway.shards[0] is session
    ix = await driver.slash("film info", film="Network")
    assert (await ix.message()).content == "info: Network"


async def test_webhook_and_channel_message_lifecycle(standin: StandIn) -> None:
    driver = standin.driver()
    ix = await driver.slash("lifecycle")
    original = await ix.message()
    posted = await driver.wait_for_message(lambda m: m.content.startswith("posted"), after=original)
    await driver.wait_for(lambda: posted.deleted, what="the posted message to be deleted")
    assert original.content == "v2 (was v1)"
    assert [r.content for r in original.edits] == ["v1"]
    [note] = await ix.followups(1)
    assert note.deleted
    assert [r.content for r in note.edits] == ["note"]
    assert note.content == "note, edited"
    assert [r.content for r in posted.edits] == ["posted"]
    assert posted.reactions == {"🎬": [standin.bot.id]}
    deleted = {m["id"] for m in dispatched(standin, "MESSAGE_DELETE")}
    assert {str(note.id), str(posted.id)} <= deleted


async def test_driver_errors_name_what_exists(standin: StandIn) -> None:
    driver = standin.driver()
    with pytest.raises(DriverError, match=r"no /films registered .* \['announce'"):
        await driver.slash("films score")
    with pytest.raises(DriverError, match=r"has no option 'title'; it has \['film', 'year'\]"):
        await driver.slash("film score", title="Network")
    with pytest.raises(DriverError, match="needs a subcommand"):
        await driver.slash("film")
    with pytest.raises(DriverError, match="takes a number"):
        await driver.slash("film score", film="Network", year="2010")
    with pytest.raises(DriverError, match=r"needs option\(s\) \['film'\]"):
        await driver.slash("film score")


async def test_no_unknown_routes_were_called(standin: StandIn) -> None:
    assert standin.unknown_routes == []
