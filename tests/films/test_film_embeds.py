"""What /film renders: embeds within Discord's limits, and cast pages whose buttons survive restarts."""

from __future__ import annotations

import discord

from cogs.films import CAST_PAGE_SIZE, cast_embed, cast_pages, info_embed, person_embed, score_embed
from cogs.ui.items import Page, PageButton, page_view
from services.films.catalogue import FilmCatalogue
from services.films.values import CastAnswer, CastMember, FilmSummary
from tests.films.lookups import film_id, resolve


def within_limits(embed: discord.Embed) -> None:
    assert len(embed) <= 6000
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    assert all(len(field.value or "") <= 1024 for field in embed.fields)


async def test_info_embed(catalogue: FilmCatalogue) -> None:
    embed = info_embed(await resolve(catalogue, "Never Let Me Go"))
    within_limits(embed)
    fields = {field.name: field.value for field in embed.fields}
    assert embed.title == "Never Let Me Go (2010)"
    assert fields["Directed by"] == "Mark Romanek"
    assert fields["Music by"] == "Rachel Portman"
    assert "Kazuo Ishiguro" in (fields["Based on"] or "")
    assert "**Carey Mulligan** as Kathy" in (fields["Starring"] or "")
    assert embed.footer.text == "Source: starter catalogue"


async def test_score_and_person_embeds(catalogue: FilmCatalogue) -> None:
    score = score_embed(await catalogue.score(await film_id(catalogue, "Never Let Me Go")))
    within_limits(score)
    assert score.fields[0].value == "Rachel Portman"
    person = person_embed(await catalogue.person("Keira Knightley"))
    within_limits(person)
    assert person.fields[0].name == "Acting"
    assert "Never Let Me Go (2010) as Ruth" in (person.fields[0].value or "")


def test_long_casts_are_paged_with_restart_safe_buttons() -> None:
    members = tuple(CastMember(f"Actor {i}", (f"Character {i}" * 20,), i) for i in range(40))
    answer = CastAnswer(FilmSummary(7, "Crowded" * 30, 1999, "TMDB"), None, members)
    last = cast_embed(answer, 2)
    within_limits(last)
    assert "Actor 39" in (last.description or "")
    assert last.footer.text == "Page 3 of 3 · Source: TMDB"
    assert cast_pages(answer) == 3
    view = page_view("cast", "7", 1, Page(last, cast_pages(answer)))
    assert view is not None
    assert view.timeout is None
    ids = [getattr(item, "custom_id", "") for item in view.children]
    assert ids == ["page:cast:7:0", "page:cast:7:2"]
    assert all(PageButton.__discord_ui_compiled_template__.fullmatch(i) for i in ids)
    assert cast_pages(CastAnswer(answer.film, None, members[:CAST_PAGE_SIZE])) == 1
