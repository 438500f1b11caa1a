"""/review end to end: members write reviews in a modal, the bot posts them, and they are edited, deleted,
discussed and browsed; nothing crosses from one server to another."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from standin.driver import Driver, DriverError
from standin.state import Message
from standin.world import GuildSpec

SEED = (Path(__file__).resolve().parents[3] / "shared" / "seeds" / "never-let-me-go-review.txt").read_text("utf-8")


@pytest.fixture(scope="module")
def world() -> Sequence[GuildSpec]:
    return [GuildSpec(name="Club A"), GuildSpec(name="Club B", id=2_000_000_000_000_000_000)]


def text_of(message: Message) -> str:
    return json.dumps(message.embeds, ensure_ascii=False)


async def write(member: Driver, film: str, stars: float, text: str, **options: object) -> Message:
    """Write a review as ``member`` and return the posted message."""
    form = await member.slash("review write", film=film, rating=stars, **options)
    submitted = await member.submit_modal(form, {"text": text})
    note = await submitted.message()
    assert note.ephemeral
    assert "Posted your review" in note.content
    return await member.wait_for_message(lambda m: str(m.id) in note.content)


async def test_the_seed_review_is_posted_whole(member: Callable[..., Driver]) -> None:
    alice = member("alice", "general")
    posted = await write(alice, "Never Let Me Go", 5, SEED, liked=True)
    assert not posted.ephemeral
    [embed] = posted.embeds
    assert embed["title"] == "★★★★★  Never Let Me Go (2010)"
    assert embed["description"] == SEED.strip()  # whole, unaltered
    assert "Alice" in embed["author"]["name"]
    assert "♥ Liked" in text_of(posted)
    assert posted.buttons()[0]["label"] == "Discuss"


async def test_half_stars_spoilers_and_a_second_submit_of_the_same_form(member: Callable[..., Driver]) -> None:
    bob = member("bob", "general")
    form = await bob.slash("review write", film="Solaris (1972)", rating=3.5, spoilers=True)
    await (await bob.submit_modal(form, {"text": "Kelvin stays on the station at the end."})).message()
    first = await bob.wait_for_message(lambda m: bool(m.embeds) and "Solaris" in m.embeds[0]["title"])
    assert first.embeds[0]["title"].startswith("★★★½")
    assert first.embeds[0]["description"] == "||Kelvin stays on the station at the end.||"
    again = await (await bob.submit_modal(form, {"text": "Kelvin stays on the station at the end."})).message()
    assert again.ephemeral
    assert "already posted" in again.content


async def test_bad_ratings_and_empty_text_get_a_private_sentence(member: Callable[..., Driver]) -> None:
    carol = member("carol", "general")
    refused = await (await carol.slash("review write", film="Never Let Me Go", rating=3.3)).message()
    assert refused.ephemeral
    assert "half stars" in refused.content
    with pytest.raises(DriverError, match="outside"):
        await carol.slash("review write", film="Never Let Me Go", rating=7)
    form = await carol.slash("review write", film="Never Let Me Go", rating=4)
    empty = await (await carol.submit_modal(form, {"text": "   "})).message()
    assert empty.ephemeral
    assert "empty" in empty.content


async def test_edit_follows_the_posted_message_and_delete_removes_it(member: Callable[..., Driver]) -> None:
    carol = member("carol", "film-talk")
    posted = await write(carol, "Vertigo", 4, "Dizzying.")
    form = await carol.slash("review edit", film="Vertigo", rating=4.5)
    assert (await form.modal())["components"][0]["components"][0]["value"] == "Dizzying."  # prefilled
    saved = await (await carol.submit_modal(form, {"text": "Dizzying, and the score!"})).message()
    assert saved.ephemeral
    edited = await carol.wait_for_edit(posted)
    assert edited.embeds[0]["description"] == "Dizzying, and the score!"
    assert edited.embeds[0]["title"].startswith("★★★★½")
    gone = await (await carol.slash("review delete", film="Vertigo")).message()
    assert gone.ephemeral
    await carol.wait_for(lambda: posted.deleted or None, what="the posted review deleted")


async def test_editing_a_review_deleted_meanwhile_keeps_the_text_as_a_draft(member: Callable[..., Driver]) -> None:
    bob = member("bob", "film-talk")
    await write(bob, "Roma", 4, "Poems.")
    form = await bob.slash("review edit", film="Roma")
    await (await bob.slash("review delete", film="Roma")).message()
    lost = await (await bob.submit_modal(form, {"text": "Poems, and a bus."})).message()
    assert lost.ephemeral
    assert "deleted meanwhile" in lost.content
    again = await bob.slash("review write", film="Roma", rating=4)
    assert (await again.modal())["components"][0]["components"][0]["value"] == "Poems, and a bus."


async def test_only_moderators_remove_others_reviews(member: Callable[..., Driver]) -> None:
    carol = member("carol", "general")
    await write(carol, "Amelie", 3, "Whimsical.")
    refused = await (await member("bob").slash("review delete", film="Amelie", member="carol")).message()
    assert refused.ephemeral
    assert "only your own" in refused.content
    removed = await (await member("alice").slash("review delete", film="Amelie", member="carol")).message()
    assert "Deleted Carol's review" in removed.content


async def test_discuss_opens_a_thread_once_and_joins_others(member: Callable[..., Driver]) -> None:
    alice, bob = member("alice", "film-talk"), member("bob", "film-talk")
    posted = await write(alice, "Stalker", 5, "The Zone.", spoilers=True)
    opened = await (await alice.click(posted, posted.buttons()[0]["custom_id"])).message()
    assert opened.ephemeral
    thread = alice.guild.channels[posted.id]  # a thread on a message takes the message's id
    assert thread.is_thread
    assert "spoilers" in thread.name
    joined = await (await bob.click(posted, posted.buttons()[0]["custom_id"])).message()
    assert str(thread.id) in joined.content
    assert posted.thread_id == thread.id  # still the one thread
    assert bob.user().id in thread.thread_members


async def test_lists_are_paged_spoiler_safe_and_per_server(member: Callable[..., Driver]) -> None:
    for name in ("alice", "bob", "carol"):
        await write(member(name, "general"), "Taxi Driver", 4, f"{name} was puzzled. SECRET ending.")
    await write(member("bob", "general"), "Taxi Driver", 2, "Spoiler: SECRET dream.", spoilers=True)
    listing = await (await member("alice").slash("review list", film="Taxi Driver")).message()
    shown = text_of(listing)
    assert "||Spoiler: SECRET dream.||" in shown
    assert "3 review(s)" in shown  # bob's second review replaced his first
    recent = await (await member("alice").slash("review recent")).message()
    assert "Page 1 of" in text_of(recent)
    [next_page] = [b for b in recent.buttons() if "Next" in b["label"]]
    await (await member("alice").click(recent, next_page["custom_id"])).response()
    turned = await member("alice").wait_for_edit(recent)
    assert "Page 2 of" in text_of(turned)
    elsewhere = member("alice", "general", guild="Club B")
    other = await (await elsewhere.slash("review list", film="Taxi Driver")).message()
    assert "No reviews of it here yet" in text_of(other)
    assert "SECRET" not in text_of(other)


async def test_top_divisive_and_the_film_card_show_the_server(member: Callable[..., Driver]) -> None:
    alice = member("alice", "general")
    await write(member("alice"), "Psycho", 5, "Faces.")
    await write(member("bob"), "Psycho", 1, "Baffling.")
    top = text_of(await (await alice.slash("review top", min_reviews=2)).message())
    assert "Psycho (1960)" in top
    divisive = text_of(await (await alice.slash("review divisive")).message())
    assert "Psycho (1960)" in divisive
    card = text_of(await (await alice.slash("film info", film="Psycho")).message())
    assert "This server" in card
    assert "3.0 from 2" in card


async def test_forget_me_asks_then_deletes_only_in_this_server(member: Callable[..., Driver]) -> None:
    carol_a, carol_b = member("carol", "general"), member("carol", "general", guild="Club B")
    await write(carol_b, "Jaws", 4, "In space.")
    await write(carol_a, "Jaws", 5, "Perfect.")
    question = await (await carol_a.slash("review forget-me")).message()
    assert question.ephemeral
    await (await carol_a.click(question, question.buttons()[0]["custom_id"])).response()
    assert "deleted" in (await carol_a.wait_for_edit(question)).content
    mine_a = text_of(await (await carol_a.slash("review member", member="carol")).message())
    assert "No reviews by them here yet" in mine_a
    mine_b = text_of(await (await carol_b.slash("review member", member="carol")).message())
    assert "In space." in mine_b


async def test_summary_of_a_film_with_its_chart_and_no_spoilers_unwrapped(member: Callable[..., Driver]) -> None:
    await write(member("alice", "film-talk"), "Atonement", 5, SEED.replace("Never Let Me Go", "Atonement"))
    await write(member("bob", "film-talk"), "Atonement", 4, "The score is wonderful and the acting moving.")
    await write(member("carol", "film-talk"), "Atonement", 2, "Briony lies. ZEBRA twist at the end.", spoilers=True)
    summary = await (await member("bob", "film-talk").slash("review summary", film="Atonement")).message()
    assert not summary.ephemeral
    [embed] = summary.embeds
    card = text_of(summary)
    assert embed["title"] == "What this server thinks of Atonement (2007)"
    assert "3 · " in card
    assert embed["image"]["url"] == "attachment://ratings.png"
    [chart] = summary.attachments
    assert chart.filename == "ratings.png"
    assert chart.data.startswith(b"\x89PNG")
    for part in card.split("||")[::2]:  # outside spoiler tags
        assert "ZEBRA" not in part


async def test_summary_of_the_server_month(member: Callable[..., Driver]) -> None:
    month = await (await member("alice", "general").slash("review summary")).message()
    card = text_of(month)
    assert "month in film" in card
    assert "Most reviewed" in card
    nothing = await (
        await member("alice", "general", guild="Club B").slash("review summary", film="Inception")
    ).message()
    assert "No reviews of it here yet" in text_of(nothing)
