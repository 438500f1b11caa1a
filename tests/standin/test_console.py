"""The console with scripted input and a recording rich Console, against the real test bot."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rich.console import Console

from standin.console import ScriptedInput, open_console, parse_slash
from standin.server import StandIn

pytestmark = pytest.mark.usefixtures("bot")


def recording() -> Console:
    return Console(record=True, width=110, color_system=None, force_terminal=False)


async def test_a_scripted_session(standin: StandIn, tmp_path: Path) -> None:
    console = recording()
    lines = [
        "/help",
        "/film score film:Never Let Me Go year:2010",
        "click 1",
        "select 1.5 1 3",
        "click 1.9",
        "select 1.1 1",
        "@Film Club who played Ruth?",
        "/film review",
        "Devastating.",
        "",
        "/slow",
        "/upload",
        "/film score title:Network",
        "/as bob",
        "/in #film-talk",
        "hello @alice",
        "/quit",
        "never read",
    ]
    await open_console(standin, input=ScriptedInput(lines, console), console=console, attachments_dir=tmp_path).run()
    out = console.export_text()
    assert "/film score" in out
    assert "film:string [year:integer]" in out
    assert "Never Let Me Go" in out
    assert "Rachel Portman" in out
    assert out.count("[1.1] Upvote") == 2, "the edited message keeps its numbers"
    assert "[1.5] Who do you want to know about? (choose 1 or 2)" in out
    assert "message 1 has no button or menu 9: it has 5 now" in out
    assert "1.1 is not a menu: click 1.1" in out
    assert "upvoted by alice" in out
    assert "(edited)" in out
    assert "picked ruth, tommy" in out
    assert "(only you can see this)" in out
    assert "You asked: who played Ruth?" in out
    assert "Your review (required): " in out
    assert "thanks for reviewing: Devastating. (no rating)" in out
    assert "done thinking" in out
    assert "has no option 'title'" in out
    assert "bob in #film-talk> hello @alice" in out
    assert "never read" not in out
    [cast] = [a for a in standin.state.attachments.values() if a.filename == "cast.txt"]
    saved = tmp_path / f"{cast.id}-cast.txt"
    assert await asyncio.to_thread(saved.read_bytes) == b"cast list"
    assert f"cast.txt (9 bytes) saved to {saved}" in out.replace("\n", "")
    said = standin.driver().messages("film-talk")[-1]
    assert said.content == f"hello {standin.driver().user('alice').mention}"
    assert said.author.username == "bob"


async def test_slash_parsing_follows_the_schema(standin: StandIn) -> None:
    driver = standin.driver()
    assert parse_slash(driver, '/film score film:"Star Wars: A New Hope" year: 1977') == (
        "film score",
        {"film": "Star Wars: A New Hope", "year": 1977},
    )
    assert parse_slash(driver, "/film score year:1977 film:Paris, Texas") == (
        "film score",
        {"year": 1977, "film": "Paris, Texas"},
    )
    assert parse_slash(driver, "/discuss topic:ending guest:@bob") == ("discuss", {"topic": "ending", "guest": "bob"})
    with pytest.raises(Exception, match="must be a number"):
        parse_slash(driver, "/film score film:x year:soon")
    with pytest.raises(Exception, match="write options as name:value"):
        parse_slash(driver, "/film score Network")


async def test_you_type_as_members_only(standin: StandIn, tmp_path: Path) -> None:
    console = recording()
    lines = [f"/as {standin.bot.username}", "/as guild-owner", "/as", "/in #nowhere", "hello", "/quit"]
    await open_console(standin, input=ScriptedInput(lines, console), console=console, attachments_dir=tmp_path).run()
    out = console.export_text()
    assert f"no member '{standin.bot.username}' to type as; choose alice, bob, carol" in out
    assert "no member 'guild-owner' to type as; choose alice, bob, carol" in out
    assert "as whom? alice, bob, carol" in out
    assert "no channel #nowhere in Film Club Test; choose #general, #film-talk" in out
    assert standin.driver().messages("general")[-1].author.username == "alice"


async def test_a_question_mark_asks_for_the_bots_suggestions(standin: StandIn, tmp_path: Path) -> None:
    console = recording()
    lines = ["pick 1", "/film info film:ne?", "pick 7", "pick 3", "/film score film:Why?", "/quit"]
    await open_console(standin, input=ScriptedInput(lines, console), console=console, attachments_dir=tmp_path).run()
    out = console.export_text()
    assert "nothing to pick from: end an option with ? first" in out
    assert "suggestions for film (pick N runs /film info with one):\n  1. Never Let Me Go\n  2. Nevada Smith" in out
    assert "pick a suggestion by its number, 1 to 3" in out
    assert "info: Network" in out
    assert "Why?" in out.split("/film score film:Why?")[1], "an option without suggestions keeps its question mark"
