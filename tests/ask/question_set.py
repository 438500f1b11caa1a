"""The question set: conversations of members asking about catalogue films, with what a right answer says.

Each film below is asked about in several phrasings (rotating, so the set holds many ways of asking), with
typos and follow-ups; the expected facts come from the bundled starter catalogue, the curated source. Hand-
written conversations cover opinions against seeded reviews, ambiguity, context (a film option, a reply to a
review, a watch-party thread) and questions that must be declined. ``grade`` scores an answer: right or not,
and whether it is about the wrong film (which must never happen). Used by tests/ask and bench/ask.py.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from db import Database
from services.ask.service import AskService
from services.ask.values import Answer, Asked
from services.clock import Clock
from services.films.catalogue import FilmCatalogue
from services.films.starter import STARTER_FILE
from services.reviews.service import Content, ReviewService

# Films asked about: (title as members type it, a misspelling of it).
FILMS = (
    ("Never Let Me Go", "nevr let me go"),
    ("The Cider House Rules", "the cider house ruels"),
    ("Chocolat", "chocolatt"),
    ("Pride & Prejudice", "pride and prejudise"),
    ("Atonement", "attonement"),
    ("An Education", "an educaton"),
    ("Drive", "drive"),
    ("The Social Network", "the socal network"),
    ("The Remains of the Day", "remains of the dya"),
    ("The Godfather", "the godfahter"),
    ("Jaws", "jaws"),
    ("Schindler's List", "schindlers lsit"),
    ("Inception", "inceptoin"),
    ("The Lion King", "the lion kign"),
    ("Citizen Kane", "citizen kaen"),
    ("Vertigo", "vertgo"),
    ("Psycho", "pyscho"),
    ("Taxi Driver", "taxi drvier"),
    ("Spirited Away", "spirted away"),
    ("Parasite", "parasyte"),
    ("Amélie", "amelie"),
    ("Casablanca", "casablanka"),
    ("The Shining", "the shinning"),
    ("Get Out", "get out"),
    ("Toy Story", "toy stroy"),
    ("Seven Samurai", "seven samuri"),
    ("Metropolis", "metropolis"),
    ("Portrait of a Lady on Fire", "portrait of a lady on fier"),
)
DIRECTOR = ("who directed {t}?", "who was the director of {t}", "{t} director?", "who's the director of {t}?")
COMPOSER = (
    "who composed the score of {t}?",
    "who did the music for {t}",
    "who wrote the music in {t}?",
    "{t} soundtrack composer?",
)
YEAR = ("when did {t} come out?", "what year was {t} released?", "{t} release year", "when was {t} released")
RUNTIME = ("how long is {t}?", "what's the runtime of {t}", "how many minutes is {t}?", "{t} length?")
PART = ("who played {c} in {t}?", "who plays {c} in {t}", "who was {c} in {t}?", "who portrayed {c} in {t}?")
ROLE = ("who did {a} play in {t}?", "what role does {a} have in {t}?", "is {a} in {t}?", "who was {a} in {t}?")
CAST = ("who's in {t}?", "who stars in {t}", "cast of {t}", "who was in {t}?")
SOURCE = ("is {t} based on a book?", "what is {t} based on?", "who wrote the book {t} is based on?")
FOLLOW_UPS = (
    ("and who composed it?", "composer"),
    ("how long is it?", "runtime"),
    ("when did it come out", "year"),
    ("who directed it", "director"),
)


@dataclass(frozen=True, slots=True)
class Turn:
    """One question. ``film`` is the film a right answer is about (None: no film); ``says`` must all appear."""

    ask: str
    film: str | None = None
    says: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # a right answer offers exactly these options
    declined: bool = False  # a right answer says what the bot can answer (about no film)
    film_option: str | None = None  # the /ask command's film option
    reply_to: str | None = None  # the film of the review this replies to
    channel_film: str | None = None  # the film of the (watch-party) thread it is asked in


@dataclass(frozen=True, slots=True)
class Conversation:
    """Turns asked one after another by one member in one channel (follow-ups refer back)."""

    turns: tuple[Turn, ...]
    channel: int = 0  # filled in: every conversation has its own channel


@dataclass(frozen=True, slots=True)
class Facts:
    label: str
    directors: tuple[str, ...]
    composers: tuple[str, ...]
    year: int
    runtime: int
    author: str | None
    cast: tuple[tuple[str, tuple[str, ...]], ...]


def starter_facts() -> dict[str, Facts]:
    """The starter catalogue's facts by title, read from the bundled file (the curated truth)."""
    data = json.loads(Path(STARTER_FILE).read_text("utf-8"))
    names = {key: person["name"] for key, person in data["people"].items()}
    facts: dict[str, Facts] = {}
    for film in data["films"]:
        crew: dict[str, list[str]] = {}
        for credit in film["crew"]:
            crew.setdefault(credit["job"], []).append(names[credit["person"]])
        facts[film["title"]] = Facts(
            f"{film['title']} ({film['year']})",
            tuple(crew.get("director", [])),
            tuple(crew.get("composer", [])),
            film["year"],
            film["runtime"],
            (film.get("based_on") or {}).get("author"),
            tuple((names[c["person"]], tuple(c["characters"])) for c in film["cast"]),
        )
    return facts


def _about_film(index: int, title: str, typo: str, facts: Facts) -> list[Conversation]:
    label, (actor, parts), (second, second_parts) = facts.label, facts.cast[0], facts.cast[1]

    def pick(phrasings: tuple[str, ...], offset: int = 0) -> str:
        return phrasings[(index + offset) % len(phrasings)]

    def one(ask: str, *says: str) -> Conversation:
        return Conversation((Turn(ask, label, says),))

    singles = [
        one(pick(DIRECTOR).format(t=title), *facts.directors),
        one(pick(YEAR).format(t=title), str(facts.year)),
        one(pick(RUNTIME).format(t=title), str(facts.runtime)),
        one(pick(PART).format(t=title, c=second_parts[0]), second),
        one(pick(ROLE).format(t=title, a=actor), *parts[:1]),
        one(pick(CAST).format(t=title), actor, second),
        one(pick(DIRECTOR, 1).format(t=typo), *facts.directors),
        one(pick(SOURCE).format(t=title), facts.author or "no book"),
    ]
    if facts.composers:
        singles.append(one(pick(COMPOSER).format(t=title), *facts.composers))
    expected = {"composer": facts.composers, "runtime": (str(facts.runtime),), "year": (str(facts.year),)}
    expected["director"] = facts.directors
    follow = [Turn(pick(PART, 2).format(t=title, c=parts[0]), label, (actor,))]
    for ask, kind in (pick(FOLLOW_UPS), pick(FOLLOW_UPS, 1)):
        if expected[kind]:
            follow.append(Turn(ask, label, expected[kind]))
    return [*singles, Conversation(tuple(follow))]


# Asked in server 1, where the seeded reviews are (REVIEWS); server 2's reviews must never be quoted there.
REVIEWS = (
    (1, "Alice", "Never Let Me Go", 10, "A quiet heartbreaker. The ending left me in tears for an hour.", False),
    (1, "Bob", "Never Let Me Go", 6, "Too slow for me. Rachel Portman's score is gorgeous though.", False),
    (1, "Carol", "Never Let Me Go", 8, "Tommy's scream in the field at the end is devastating.", True),
    (1, "Alice", "Jaws", 9, "Still the best summer film. Quint's speech is the heart of it.", False),
    (1, "Bob", "Jaws", 8, "The shark looks fake but the music does all the work.", False),
    (1, "Carol", "Vertigo", 7, "Herrmann's score is hypnotic. The plot drags in the middle.", False),
    (2, "Dave", "Psycho", 2, "Overrated and dull; the shower scene is the only good bit.", False),
)
HAND_WRITTEN = (
    # The issue's own questions, as one conversation.
    Conversation(
        (
            Turn("who played Ruth in Never Let Me Go?", "Never Let Me Go (2010)", ("Keira Knightley",)),
            Turn("who's in Never Let Me Go", "Never Let Me Go (2010)", ("Carey Mulligan", "Andrew Garfield")),
            Turn("who did Andrew Garfield play in it?", "Never Let Me Go (2010)", ("Tommy",)),
            Turn("is Sally Hawkins in Never Let Me Go?", "Never Let Me Go (2010)", ("Yes", "Miss Lucy")),
            Turn("who plays young Kathy?", "Never Let Me Go (2010)", ("Isobel Meikle-Small",)),
            Turn("who composed the score of Never Let Me Go?", "Never Let Me Go (2010)", ("Rachel Portman",)),
            Turn("who did the music for it?", "Never Let Me Go (2010)", ("Rachel Portman",)),
            Turn("what else did Rachel Portman score?", None, ("Chocolat", "The Cider House Rules")),
            Turn("is it based on a book?", "Never Let Me Go (2010)", ("Kazuo Ishiguro",)),
            Turn("who wrote the book?", "Never Let Me Go (2010)", ("Kazuo Ishiguro",)),
            Turn("who wrote the screenplay?", "Never Let Me Go (2010)", ("Alex Garland",)),
            Turn("what has Carey Mulligan been in?", None, ("An Education", "Drive", "Never Let Me Go")),
            Turn("which films did Garfield and Mulligan make together?", None, ("Never Let Me Go",)),
            Turn("what did people think of the ending?", "Never Let Me Go (2010)", ("Alice", "tears")),
            Turn("is it worth watching?", "Never Let Me Go (2010)", ("3 members",)),
            Turn("was the score any good?", "Never Let Me Go (2010)", ("Bob", "gorgeous")),
        )
    ),
    # Casual phrasing and typos.
    Conversation((Turn("yo who composd the scroe for jaws", "Jaws (1975)", ("John Williams",)),)),
    Conversation((Turn("who dirceted the godfather??", "The Godfather (1972)", ("Francis Ford Coppola",)),)),
    Conversation((Turn("hey, how long is schindlers list", "Schindler's List (1993)", ("195",)),)),
    Conversation((Turn("Who played Norman Bates in Psycho", "Psycho (1960)", ("Anthony Perkins",)),)),
    Conversation((Turn("who plays woody in toy story", "Toy Story (1995)", ("Tom Hanks",)),)),
    Conversation((Turn("never let me go 2010: who directed it?", "Never Let Me Go (2010)", ("Mark Romanek",)),)),
    Conversation((Turn("who directed Dune (2021)?", "Dune (2021)", ("Denis Villeneuve",)),)),
    Conversation((Turn("who scored dune 1984", "Dune (1984)", ("Toto",)),)),
    Conversation((Turn("is Keira Knightley in Jaws?", "Jaws (1975)", ("No",)),)),
    Conversation((Turn("what has Rachel Portmann scored?", None, ("Chocolat",)),)),
    Conversation((Turn("what films has Bernard Herrmann scored", None, ("Vertigo", "Psycho", "Taxi Driver")),)),
    Conversation((Turn("what did Hitchcock direct?", None, ("Vertigo", "Psycho")),)),
    Conversation((Turn("which films did Keira Knightley and Joe Wright make together", None, ("Atonement",)),)),
    Conversation((Turn("who shot The Social Network?", "The Social Network (2010)", ("Jeff Cronenweth",)),)),
    Conversation((Turn("what is Parasite about?", "Parasite (2019)", ("Seoul",)),)),
    Conversation((Turn("what genre is Get Out", "Get Out (2017)", ("Horror",)),)),
    Conversation((Turn("In Vertigo, who plays Midge?", "Vertigo (1958)", ("Barbara Bel Geddes",)),)),
    Conversation((Turn("Jaws: who played Hooper?", "Jaws (1975)", ("Richard Dreyfuss",)),)),
    Conversation((Turn("who wrote Casablanca?", "Casablanca (1942)", ("Howard Koch",)),)),
    Conversation((Turn("who edited Drive", "Drive (2011)", ("Matthew Newman",)),)),
    Conversation((Turn("what language is Amélie in?", "Amélie (2001)", ("fr",)),)),
    Conversation((Turn("who played Jack in The Shining?", "The Shining (1980)", ("Jack Nicholson",)),)),
    Conversation(
        (Turn("did Stanley Kubrick write The Shining?", "The Shining (1980)", ("Stanley Kubrick", "Stephen King")),)
    ),
    # Opinions: from this server's reviews only.
    Conversation((Turn("is Jaws worth watching?", "Jaws (1975)", ("2 members",)),)),
    Conversation((Turn("what did people think of the music in Jaws?", "Jaws (1975)", ("Bob", "music")),)),
    Conversation((Turn("was the score of Vertigo any good?", "Vertigo (1958)", ("Carol", "hypnotic")),)),
    Conversation((Turn("what do members think of Psycho?", "Psycho (1960)", ("Nobody here has reviewed",)),)),
    Conversation((Turn("did people like Casablanca?", "Casablanca (1942)", ("Nobody here has reviewed",)),)),
    # Ambiguity gets choices, never a guess.
    Conversation((Turn("who directed Dune?", choices=("Dune (2021)", "Dune (1984)")),)),
    Conversation((Turn("who composed Solaris?", choices=("Solaris (1972)", "Solaris (2002)")),)),
    Conversation((Turn("who played Kathy?", choices=("Never Let Me Go (2010)", "Singin' in the Rain (1952)")),)),
    Conversation(
        (
            Turn(
                "who played Kane in Citizen Kane?",
                "Citizen Kane (1941)",
                choices=("Charles Foster Kane", "Susan Alexander Kane", "Mary Kane", "Emily Monroe Norton Kane"),
            ),
        )
    ),
    # Context: the film option, a reply to a review, a watch-party thread, follow-ups.
    Conversation((Turn("who composed it?", "Vertigo (1958)", ("Bernard Herrmann",), film_option="Vertigo"),)),
    Conversation((Turn("who plays Judy?", "Vertigo (1958)", ("Kim Novak",), film_option="vertigo 1958"),)),
    Conversation((Turn("is it worth watching?", "Jaws (1975)", ("2 members",), reply_to="Jaws"),)),
    Conversation((Turn("who directed it?", "Never Let Me Go (2010)", ("Mark Romanek",), reply_to="Never Let Me Go"),)),
    Conversation((Turn("who did the music?", "Psycho (1960)", ("Bernard Herrmann",), channel_film="Psycho"),)),
    Conversation((Turn("who plays Marion?", "Psycho (1960)", ("Janet Leigh",), channel_film="Psycho"),)),
    Conversation(
        (
            Turn("who directed Jaws?", "Jaws (1975)", ("Steven Spielberg",)),
            Turn("who played Quint?", "Jaws (1975)", ("Robert Shaw",)),
            Turn("is Roy Scheider in it?", "Jaws (1975)", ("Yes",)),
            Turn("what about Vertigo, who composed that?", "Vertigo (1958)", ("Bernard Herrmann",)),
            Turn("and how long is it?", "Vertigo (1958)", ("128",)),
        )
    ),
    # Declined: what the bot can answer instead.
    Conversation((Turn("what's the weather like?", declined=True),)),
    Conversation((Turn("tell me a joke", declined=True),)),
    Conversation((Turn("how do I bake bread?", declined=True),)),
    Conversation((Turn("what time is it", declined=True),)),
    Conversation((Turn("who won the match last night?", declined=True),)),
    Conversation((Turn("who directed it?", declined=True),)),  # no film anywhere: asks which
    Conversation((Turn("who directed Blorptastic Zorgon 3?", declined=True),)),
)


def conversations() -> list[Conversation]:
    """The whole set; each conversation in its own channel."""
    facts = starter_facts()
    found: list[Conversation] = []
    for index, (title, typo) in enumerate(FILMS):
        found.extend(_about_film(index, title, typo, facts[title]))
    found.extend(HAND_WRITTEN)
    return [Conversation(c.turns, channel=1000 + i) for i, c in enumerate(found)]


@dataclass(slots=True)
class Score:
    asked: int = 0
    right: int = 0
    wrong_film: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.asked if self.asked else 0.0


def shown(answer: Answer) -> str:
    """Everything the member sees, as one text."""
    quotes = " ".join(f"{q.author}: {q.text}" for q in answer.quotes)
    options = " ".join(o.label for o in answer.options)
    return f"{answer.text} {quotes} {options}"


def grade(turn: Turn, answer: Answer, score: Score) -> None:
    """Count ``answer`` to ``turn``: right, or a miss (noted), and whether it is about the wrong film."""
    score.asked += 1
    about = answer.film.label if answer.film else None
    if about is not None and about != turn.film:
        score.wrong_film.append(f"{turn.ask!r}: answered about {about}, not {turn.film}")
    if turn.declined:
        right = about is None and not answer.options
    elif turn.choices:
        right = sorted(o.label for o in answer.options) == sorted(turn.choices)
    else:
        right = about == turn.film and not answer.options and all(s in shown(answer) for s in turn.says)
    if right:
        score.right += 1
    else:
        score.misses.append(f"{turn.ask!r} → {shown(answer)[:200]!r}")


GUILD = 1
MEMBER = 11


async def seed_reviews(films: FilmCatalogue, reviews: ReviewService) -> dict[str, int]:
    """Write REVIEWS; each is posted as a message whose id is returned by film title (server 1's)."""
    posted: dict[str, int] = {}
    for number, (guild, author, title, rating, text, spoilers) in enumerate(REVIEWS, start=1):
        film = await films.find(title)
        written = await reviews.write(guild, number, author, film, Content(rating, text, spoilers=spoilers))
        message_id = 900_000 + number
        await reviews.set_posted(guild, written.review.id, 800_000, message_id)
        if guild == GUILD:
            posted.setdefault(title, message_id)
    return posted


@dataclass(slots=True)
class Timed:
    """Answer times in milliseconds, in order: wall-clock, and this process's CPU (what a busy machine hides)."""

    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


async def run(
    db: Database, films: FilmCatalogue, reviews: ReviewService, clock: Clock, timed: Timed | None = None
) -> Score:
    """Ask the whole set (reviews must be seeded) and grade every answer."""
    posted = await seed_reviews(films, reviews)
    thread_films: dict[int, int] = {}

    async def channel_film(guild_id: int | None, channel_id: int) -> int | None:
        return thread_films.get(channel_id)

    service = AskService(db, films, reviews, clock=clock, channel_film=channel_film)
    score = Score()
    for conversation in conversations():
        for turn in conversation.turns:
            if turn.channel_film:
                thread_films[conversation.channel] = (await films.find(turn.channel_film)).id
            asked = Asked(
                turn.ask,
                member_id=MEMBER,
                channel_id=conversation.channel,
                guild_id=GUILD,
                film=await films.find(turn.film_option) if turn.film_option else None,
                replied_to=posted[turn.reply_to] if turn.reply_to else None,
            )
            started, cpu = time.perf_counter(), time.process_time()
            answer = await service.ask(asked)
            if timed is not None:
                timed.times.append((time.perf_counter() - started) * 1000)
                timed.cpu.append((time.process_time() - cpu) * 1000)
            grade(turn, answer, score)
    return score
