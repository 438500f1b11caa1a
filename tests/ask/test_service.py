"""The ask service on every back end: opinions stay in their server and hide spoilers, the context hooks (a reply
to a review, a thread's film, the previous question) give the film, choices answer, and the memory is bounded."""

from __future__ import annotations

import pytest

from db import Database
from db.films import repository as repo
from db.films.records import CreditRecord, ExternalIds, FilmRecord, PersonRecord
from services.ask.memory import FollowUps
from services.ask.service import AskService
from services.ask.values import Asked, Intent, Question
from services.films.catalogue import FilmCatalogue
from services.reviews.service import Content, ReviewService
from tests.clock import FakeClock

HERE, ELSEWHERE = 1, 2


@pytest.fixture
def service(db: Database, catalogue: FilmCatalogue, reviews: ReviewService, clock: FakeClock) -> AskService:
    return AskService(db, catalogue, reviews, clock=clock)


def asked(text: str, **where: object) -> Asked:
    return Asked(text, **{"member_id": 11, "channel_id": 5, "guild_id": HERE, **where})  # type: ignore[arg-type]


async def test_opinions_quote_this_server_only_and_hide_spoilers(
    service: AskService, catalogue: FilmCatalogue, reviews: ReviewService
) -> None:
    film = await catalogue.find("Never Let Me Go")
    await reviews.write(HERE, 11, "Alice", film, Content(9, "The ending is devastating.", spoilers=True))
    await reviews.write(ELSEWHERE, 12, "Mallory", film, Content(2, "The ending is silly."))
    answer = await service.ask(asked("what did people think of the ending of Never Let Me Go?"))
    assert [(q.author, q.spoilers) for q in answer.quotes] == [("Alice", True)]
    assert "1 member reviewed" in answer.text
    elsewhere = await service.ask(asked("is Never Let Me Go worth watching?", guild_id=ELSEWHERE))
    assert [q.author for q in elsewhere.quotes] == ["Mallory"]


async def test_a_reply_to_a_review_is_about_its_film(
    service: AskService, catalogue: FilmCatalogue, reviews: ReviewService
) -> None:
    film = await catalogue.find("Jaws")
    written = await reviews.write(HERE, 11, "Alice", film, Content(8, "Quint!"))
    await reviews.set_posted(HERE, written.review.id, 77, 4242)
    answer = await service.ask(asked("who directed it?", replied_to=4242))
    assert answer.film == film
    assert "Steven Spielberg" in answer.text
    another_server = asked("who directed it?", replied_to=4242, guild_id=ELSEWHERE, channel_id=6)
    assert (await service.ask(another_server)).film is None


async def test_a_channel_about_a_film_gives_it_and_a_follow_up_prefers_the_last_question(
    db: Database, catalogue: FilmCatalogue, reviews: ReviewService, clock: FakeClock
) -> None:
    psycho = await catalogue.find("Psycho")

    async def party_film(guild_id: int | None, channel_id: int) -> int | None:
        return psycho.id if channel_id == 99 else None

    service = AskService(db, catalogue, reviews, clock=clock, channel_film=party_film)
    assert "Bernard Herrmann" in (await service.ask(asked("who did the music?", channel_id=99))).text
    await service.ask(asked("who directed Jaws?", channel_id=99))
    assert "John Williams" in (await service.ask(asked("and the music?", channel_id=99))).text
    clock.advance(hours=3)  # the follow-up memory has faded: the thread's film again
    assert "Bernard Herrmann" in (await service.ask(asked("who scored it?", channel_id=99))).text


async def test_a_picked_choice_is_answered_and_remembered(service: AskService, catalogue: FilmCatalogue) -> None:
    choices = await service.ask(asked("who directed Dune?"))
    assert [o.label for o in choices.options] == ["Dune (2021)", "Dune (1984)"]
    picked = Question.from_token(choices.options[1].question.token())
    answer = await service.choose(picked, guild_id=HERE, channel_id=5, member_id=11)
    assert "David Lynch" in answer.text
    assert "Toto" in (await service.ask(asked("who composed it?"))).text


async def test_an_unknown_film_is_said_not_guessed(service: AskService) -> None:
    answer = await service.ask(asked("who played Ruth in Nevr Lte Mee Goo Blorp?"))
    assert answer.film is None
    assert not answer.options


async def test_the_film_option_wins(service: AskService, catalogue: FilmCatalogue) -> None:
    vertigo = await catalogue.find("Vertigo")
    answer = await service.ask(asked("who played Kathy?", film=vertigo))  # not Never Let Me Go's Kathy
    assert "Vertigo (1958)" in answer.text
    assert "Carey Mulligan" not in answer.text


def test_the_follow_up_memory_is_bounded(clock: FakeClock) -> None:
    memory = FollowUps(clock, entries=2)
    memory.remember(1, 1, 10)
    memory.remember(2, 1, 20)
    memory.remember(3, 1, 30)
    assert memory.recall(1, 1) is None
    assert (memory.recall(2, 1), memory.recall(3, 1)) == (20, 30)
    assert memory.recall(3, 2) is None  # another member's previous question is not theirs


def test_every_intent_but_people_needs_a_film() -> None:
    assert {i for i in Intent if not i.needs_film} == {Intent.FILMOGRAPHY, Intent.TOGETHER}


async def test_title_words_kept_between_questions_follow_catalogue_changes(
    db: Database, service: AskService, clock: FakeClock
) -> None:
    """A title the catalogue lacked is found as soon as it is added (by this process or another: the catalogue
    version is read before each question), although the question's words were looked up and kept before."""
    question = asked("who directed Zyzzyva Quarry?")
    assert (await service.ask(question)).film is None
    director = CreditRecord(PersonRecord("Imogen Testwright", ExternalIds(imdb="nm9999991")), "director")
    record = FilmRecord("Zyzzyva Quarry", "tmdb", 2019, ids=ExternalIds(imdb="tt9999991"), credits=(director,))
    async with db.transaction() as session:
        await repo.upsert_film(session, record, now=clock.now())
    answer = await service.ask(question)
    assert answer.film is not None
    assert answer.film.title == "Zyzzyva Quarry"
    assert "Imogen Testwright" in answer.text
