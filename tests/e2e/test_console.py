"""`filmclub console`: the real bot and the stand-in in one terminal session, scripted."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from rich.console import Console

from bot.config import Settings
from bot.console import run_offline
from standin import DEMO, StandIn
from standin.console import ScriptedInput
from tests.processes import run_filmclub


def recording() -> Console:
    return Console(record=True, width=120, color_system=None, force_terminal=False)


async def test_a_scripted_console_session(tmp_path: Path) -> None:
    console = recording()
    lines = [
        "/help",
        "/film cast film:Never Let Me Go character:kathy",
        "/film score film:never let me go 2010",
        "/as bob",
        "/film info film:Nevr Let Me Go",
        "/quit",
    ]
    settings = Settings(data_dir=tmp_path)
    await run_offline(settings, console=console, make_input=lambda c: ScriptedInput(lines, c))
    out = console.export_text()
    assert "/film cast" in out
    assert "film:string [character:string]" in out
    assert "Carey Mulligan" in out
    assert "Isobel Meikle-Small" in out
    assert "Rachel Portman" in out
    assert "bob in #general>" in out
    assert "Mark Romanek" in out
    assert (tmp_path / "console.sqlite3").exists()


def test_the_demo_world_keeps_its_ids_between_runs() -> None:
    first, second = StandIn([DEMO], stable_ids=True), StandIn([DEMO], stable_ids=True)
    assert first.guild().id == second.guild().id
    assert first.state.user_named("alice").id == second.state.user_named("alice").id
    assert [c.id for c in first.guild().channels.values()] == [c.id for c in second.guild().channels.values()]
    assert first.state.new_id() > first.guild().id  # later ids are time-based again


def test_filmclub_console_as_a_person_runs_it(tmp_path: Path) -> None:
    script = "/film cast film:Never Let Me Go character:ruth\n/quit\n"
    result = run_filmclub("console", env={"FILMCLUB_DATA_DIR": str(tmp_path), "COLUMNS": "120"}, input=script)
    assert result.returncode == 0, result.stderr
    assert "Keira Knightley" in result.stdout
    assert "Ella Purnell" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert (tmp_path / "console.sqlite3").exists()


async def test_the_bots_title_suggestions_are_a_question_mark_away(tmp_path: Path) -> None:
    console = recording()
    lines = ["/film info film:never le?", "pick 1", "/quit"]
    await run_offline(Settings(data_dir=tmp_path), console=console, make_input=lambda c: ScriptedInput(lines, c))
    out = console.export_text()
    assert "1. Never Let Me Go (2010)" in out
    assert "Mark Romanek" in out


async def test_buttons_and_menus_are_numbered_per_message(tmp_path: Path) -> None:
    console = recording()
    lines = ["/film score film:Solaris", "select 1 2", "select 1.1 1", "click 2.1", "/quit"]
    await run_offline(Settings(data_dir=tmp_path), console=console, make_input=lambda c: ScriptedInput(lines, c))
    out = console.export_text()
    assert "[1.1] Which film did you mean? (choose one)" in out
    assert "You picked Solaris (2002)." in out
    assert "message 1 has no button or menu 1: it has none any more" in out
    assert "there is no message 2 with buttons or menus" in out
    assert "film:pick" not in out, "no internal ids"


async def test_quitting_right_after_a_choice_still_shows_its_answer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    console = recording()
    lines = ["/film score film:Solaris", "select 1 2", "/quit"]
    await run_offline(Settings(data_dir=tmp_path), console=console, make_input=lambda c: ScriptedInput(lines, c))
    out = console.export_text()
    assert "You picked Solaris (2002)." in out
    assert "Cliff Martinez" in out, "the answer that follows the choice"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
