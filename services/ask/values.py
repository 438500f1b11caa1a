"""The plain values of asking: what a member asked, where, what they meant, and the answer."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from services.films.values import FilmSummary

_MARKUP = re.compile(r"[*_|`>]")
TOKEN_LIMIT = 90  # a choice's token travels in a button's custom_id (Discord allows 100 characters with our prefix)


class Intent(StrEnum):
    """What a question is about. The values are short: they travel in the custom_id of a choice."""

    CAST = "cast"
    CHARACTER = "char"  # who played a part
    ROLE = "role"  # who a person played in a film (or whether they are in it)
    MUSIC = "music"
    DIRECTOR = "dir"
    WRITER = "writer"
    SOURCE = "source"  # the book it is based on
    YEAR = "year"
    RUNTIME = "runtime"
    ABOUT = "about"
    GENRE = "genre"
    LANGUAGE = "lang"
    CREW = "crew"  # cinematographer, editor, producer: ``job`` says which
    FILMOGRAPHY = "films"  # a person's films
    TOGETHER = "together"  # films two people share
    OPINION = "opinion"  # what members said in their reviews

    @property
    def needs_film(self) -> bool:
        return self not in (Intent.FILMOGRAPHY, Intent.TOGETHER)


@dataclass(frozen=True, slots=True)
class Asked:
    """A question and where it was asked. ``film`` is the film a member picked in the command's option."""

    text: str
    member_id: int
    channel_id: int
    guild_id: int | None = None
    film: FilmSummary | None = None
    replied_to: int | None = None  # the message id this question replies to (a posted review knows its film)


@dataclass(frozen=True, slots=True)
class Question:
    """What a question means once understood; ``film_id`` is filled from the sentence or the context."""

    intent: Intent
    film_id: int | None = None
    people: tuple[str, ...] = ()  # names as asked ("garfield"), resolved when answering
    character: str = ""
    job: str = ""  # FILMOGRAPHY: only this job's films; CREW: which crew job
    topic: str = ""  # OPINION: what about the film ("ending", "score"); empty for the film as a whole
    yes_no: bool = False  # ROLE: "is P in F?" rather than "who did P play in F?"

    def token(self) -> str:
        """The question in a few characters, for a button that answers it later (after restarts too)."""
        arg = self.character or self.topic or "|".join(self.people)
        flags = "y" if self.yes_no else ""
        return f"{self.intent.value}:{self.film_id or ''}:{self.job}:{flags}:{arg}"[:TOKEN_LIMIT]

    @staticmethod
    def from_token(token: str) -> Question:
        """The question a ``token`` carries; raises ValueError for a token this version cannot read."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise ValueError(f"not a question token: {token!r}")
        intent, arg = Intent(match["intent"]), match["arg"]
        return Question(
            intent,
            film_id=int(match["film"]) if match["film"] else None,
            people=tuple(p for p in arg.split("|") if p) if intent in _ABOUT_PEOPLE else (),
            character=arg if intent is Intent.CHARACTER else "",
            job=match["job"],
            topic=arg if intent is Intent.OPINION else "",
            yes_no="y" in match["flags"],
        )


_TOKEN = re.compile(r"(?P<intent>[a-z]+):(?P<film>\d*):(?P<job>[a-z]*):(?P<flags>[a-z]*):(?P<arg>.*)")
_ABOUT_PEOPLE = (Intent.ROLE, Intent.FILMOGRAPHY, Intent.TOGETHER)


@dataclass(frozen=True, slots=True)
class Quote:
    """A sentence of a member's review: their name and the sentence are member text (escape when shown)."""

    author: str
    text: str
    rating: int  # half stars
    spoilers: bool


@dataclass(frozen=True, slots=True)
class Option:
    """One answer to "which did you mean?": a label to show and the question it stands for."""

    label: str
    question: Question


@dataclass(frozen=True, slots=True)
class Answer:
    """What the bot says. ``text`` is built from catalogue facts (safe to show as is); quotes are members' words.

    With ``options`` it is a question back: the member picks one and that question is answered.
    """

    text: str
    film: FilmSummary | None = None
    sources: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    options: tuple[Option, ...] = ()
    understood: bool = True  # False: the bot could not tell what was asked and says what it can answer
    phrased: str = ""  # a language model's wording of it, citing context_lines as [n] (member-derived text)

    def context_lines(self) -> list[str]:
        """The facts and the excerpts without spoilers, one per line: what a language model may use and cite."""
        facts = [line.strip() for line in _MARKUP.sub("", self.text).splitlines() if line.strip()]
        quotes = [f"{q.author} ({q.rating / 2:g}/5) wrote: {q.text}" for q in self.quotes if not q.spoilers]
        sources = [f"Source: {', '.join(self.sources)}."] if self.sources else []
        return facts + quotes + sources
