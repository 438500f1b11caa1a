"""/film commands end to end: members ask, the real bot answers from the catalogue it loaded at start-up."""

from __future__ import annotations

import json

import pytest

from standin.driver import Driver, DriverError


def text_of(embed: dict[str, object]) -> str:
    return json.dumps(embed, ensure_ascii=False)


async def test_film_option_autocompletes_title_and_year(alice: Driver) -> None:
    choices = await alice.autocomplete("film info", "film", "never let")
    assert choices, "no choices"
    assert choices[0]["name"] == "Never Let Me Go (2010)"
    assert len(choices) <= 25
    typo = await alice.autocomplete("film cast", "film", "nevr let me")
    assert typo[0]["name"] == "Never Let Me Go (2010)"


async def test_autocompleted_value_answers_the_command(alice: Driver) -> None:
    [first, *_] = await alice.autocomplete("film info", "film", "never let me go")
    reply = await (await alice.slash("film info", film=first["value"])).message()
    [embed] = reply.embeds
    card = text_of(embed)
    assert embed["title"].startswith("Never Let Me Go (2010)")
    for fact in ("Mark Romanek", "Rachel Portman", "Carey Mulligan", "Kazuo Ishiguro", "Alex Garland"):
        assert fact in card, fact
    assert not reply.ephemeral


async def test_who_played_a_character_including_younger_versions(alice: Driver) -> None:
    reply = await (await alice.slash("film cast", film="Never Let Me Go (2010)", character="kathy")).message()
    card = text_of(reply.embeds[0])
    assert "Carey Mulligan" in card
    assert "Isobel Meikle-Small" in card
    assert "Keira Knightley" not in card
    ruth = await (await alice.slash("film cast", film="never let me go 2010", character="Ruth")).message()
    assert "Keira Knightley" in text_of(ruth.embeds[0])


async def test_who_composed_the_score(alice: Driver) -> None:
    reply = await (await alice.slash("film score", film="Never Let Me Go")).message()
    card = text_of(reply.embeds[0])
    assert "Rachel Portman" in card
    assert "starter catalogue" in card  # answers name their source


async def test_who_an_actor_played(alice: Driver) -> None:
    reply = await (await alice.slash("film person", name="Andrew Garfield")).message()
    card = text_of(reply.embeds[0])
    assert "Never Let Me Go (2010) as Tommy" in card
    assert "The Social Network" in card


async def test_an_unknown_film_gets_closest_matches_privately(alice: Driver) -> None:
    reply = await (await alice.slash("film info", film="Nevre Lett Mi Goo Zzz")).message()
    assert reply.ephemeral
    assert "Never Let Me Go (2010)" in reply.content
    assert "Traceback" not in reply.content


async def test_a_title_several_films_share_is_offered_as_a_choice(alice: Driver) -> None:
    question = await (await alice.slash("film score", film="Solaris")).message()
    assert question.ephemeral
    assert "Solaris (1972)" in question.content
    assert "Solaris (2002)" in question.content
    [picker] = question.buttons()
    assert [option["label"] for option in picker["options"]] == ["Solaris (1972)", "Solaris (2002)"]
    value_2002 = picker["options"][1]["value"]
    await (await alice.select(question, picker["custom_id"], [value_2002])).response()
    answer = await alice.wait_for_message(lambda m: bool(m.embeds) and "Solaris (2002)" in m.embeds[0]["title"])
    assert not answer.ephemeral
    assert "Cliff Martinez" in text_of(answer.embeds[0])
    assert (await alice.wait_for_edit(question)).content == "You picked Solaris (2002)."


async def test_person_names_autocomplete_and_answer(alice: Driver) -> None:
    choices = await alice.autocomplete("film person", "name", "rachel port")
    assert [c["name"] for c in choices] == ["Rachel Portman"]
    reply = await (await alice.slash("film person", name=choices[0]["value"])).message()
    card = text_of(reply.embeds[0])
    assert "Never Let Me Go (2010)" in card
    assert "Chocolat (2000)" in card
    assert await alice.autocomplete("film person", "name", "r") == []  # too short to be useful


async def test_options_are_length_limited_as_registered(alice: Driver) -> None:
    schema = {o["name"]: o for o in alice.command("film").schema["options"]}
    [film_option] = [o for o in schema["info"]["options"] if o["name"] == "film"]
    assert film_option["max_length"] == 200
    with pytest.raises(DriverError, match="outside its length limits"):
        await alice.slash("film info", film="x" * 201)


async def test_picking_a_film_runs_the_command_again_with_its_other_options(alice: Driver) -> None:
    question = await (await alice.slash("film cast", film="Solaris", character="kelvin")).message()
    [picker] = question.buttons()
    value_1972 = picker["options"][0]["value"]
    await (await alice.select(question, picker["custom_id"], [value_1972])).response()
    answer = await alice.wait_for_message(lambda m: bool(m.embeds) and "Solaris (1972)" in m.embeds[0]["title"])
    card = text_of(answer.embeds[0])
    assert answer.embeds[0]["title"].startswith("Who played")
    assert "Donatas Banionis" in card
    assert "George Clooney" not in card
