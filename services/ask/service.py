"""Answering questions in members' own words, from the catalogue and this server's reviews. Discord-free.

``ask`` reads the sentence (services.ask.language), finds the film it names (services.ask.locate) or takes
it from the context (the command's film option, the review a message replies to, the member's previous
question in that channel or thread, the film a channel is about), and answers the first reading that
resolves. Two films or two parts that fit equally well come back as options, never as a guess.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from rapidfuzz import fuzz

from db import Database
from db.films import repository as repo
from db.films.keys import fold
from services.ask import phrasing
from services.ask.language import FILM, Reading, is_pronoun, readings, words
from services.ask.locate import Located, TitleWords, locate
from services.ask.memory import FollowUps
from services.ask.values import Answer, Asked, Intent, Option, Question, Quote
from services.clock import Clock
from services.errors import FilmClubError, NotFound
from services.films import search
from services.films.catalogue import FilmCatalogue
from services.films.values import Ambiguous, CastMember, FilmDetails, FilmSummary
from services.language_model import LanguageModel
from services.reviews.service import ReviewService
from services.reviews.values import stars

# The film a channel or thread is about (a watch party's thread knows its film), by (server, channel); None
# when it is about no film in particular. The composition root passes one in when a feature provides it.
ChannelFilm = Callable[[int | None, int], Awaitable[int | None]]

EXAMPLES = (
    "who played Ruth in Never Let Me Go?",
    "who composed the score of Vertigo?",
    "is it based on a book?",
    "what has Carey Mulligan been in?",
    "what did people think of the ending?",
)
NO_FILM = (
    "Which film do you mean? Name it in the question (e.g. “who directed Vertigo?”), pick it in the `film` "
    "option of `/ask`, or reply to a review of it."
)
CHOICES = 5
MODIFIERS = frozenset({"young", "younger", "old", "older", "little", "adult", "teenage", "teen", "child", "aged"})
TOP_CAST = 8
LISTED = 12
# Words that find what members said about a topic in their reviews, beyond the topic's own words.
TOPIC_WORDS = {
    "ending": "ending end ended finale final conclusion last",
    "end": "ending end ended finale final conclusion last",
    "score": "score music soundtrack composer",
    "music": "score music soundtrack composer song",
    "soundtrack": "score music soundtrack song",
    "acting": "acting performance performances cast actor actress",
    "cast": "acting performance performances cast",
    "performances": "acting performance performances cast",
    "story": "story plot narrative script",
    "plot": "story plot narrative script",
    "look": "cinematography visuals photography shot beautiful",
    "cinematography": "cinematography visuals photography shot",
}
_VERDICT = (
    "worth recommend must masterpiece love loved beautiful great best favourite brilliant stunning haunting "
    "powerful moving boring slow disappointing overrated underrated"
)
VERDICT_WORDS = _VERDICT.split()
JOB_WORDS = {
    "actor": "acted in",
    "director": "directed",
    "writer": "wrote",
    "composer": "scored",
    "producer": "produced",
}


class Unanswered(FilmClubError):
    """A reading of the question could not be resolved (no such person or part): try the next reading."""


def _names(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    bold = [f"**{item}**" for item in items]
    return bold[0] if len(bold) == 1 else ", ".join(bold[:-1]) + " and " + bold[-1]


def _played(member: CastMember) -> str:
    return f"{member.name} ({' / '.join(member.characters)})" if member.characters else member.name


def _base(character: str) -> str:
    """A part without its age ("Young Kathy" and "Kathy (aged 18)" are both "kathy")."""
    kept = [word for word in fold(character.split("(")[0]).split() if word not in MODIFIERS and not word.isdigit()]
    return " ".join(kept)


def _overlaps(part: str, wanted: str) -> bool:
    """Whether the words of one name hold the other's ("kane" and "charles foster kane")."""
    have, want = set(part.split()), set(wanted.split())
    return bool(have and want) and (want <= have or have <= want)


def help_answer() -> Answer:
    examples = "\n".join(f"• {example}" for example in EXAMPLES)
    return Answer(
        "I answer questions about the films in my catalogue (cast and characters, score and music, director, "
        "writers, the book it is based on, year, runtime, people's other films) and about what members here said "
        f"in their reviews. For example:\n{examples}",
        understood=False,
    )


class AskService:
    def __init__(
        self,
        db: Database,
        films: FilmCatalogue,
        reviews: ReviewService,
        *,
        clock: Clock,
        channel_film: ChannelFilm | None = None,
        model: LanguageModel | None = None,
    ) -> None:
        self.db = db
        self.films = films
        self.reviews = reviews
        self.channel_film = channel_film
        self.model = model  # words answers when configured (services.ask.phrasing)
        self.follow_ups = FollowUps(clock)
        self.title_words = TitleWords()

    async def ask(self, asked: Asked) -> Answer:
        """Answer ``asked``: an answer, options to pick from, or what the bot can answer."""
        found = words(asked.text)
        located: Located | None = None
        if asked.film is None and found:
            at = await self.films.current_version()
            async with self.db.transaction() as session:
                try:
                    located = await locate(self.title_words.at(session, at), asked.text, found)
                except NotFound as error:
                    return Answer(str(error))
        candidates = readings(found, located.span if located else None)
        if located is not None and not candidates:  # the words were a part or a name, not the film asked about
            located, candidates = None, readings(found)
        if not candidates:
            return help_answer()
        problem: FilmClubError | None = None
        for reading in candidates:
            try:
                films = await self._films(reading, asked, located)
                if len(films) > 1:
                    return _choose_film(reading, films)
                question = _question(reading, films[0].id if films else None)
                answer = await self.answer(question, asked.guild_id)
            except (Unanswered, NotFound) as error:
                problem = problem or error
                continue
            self._remember(answer, asked.channel_id, asked.member_id)
            return await phrasing.phrase(self.model, asked.text, answer) if self.model else answer
        return Answer(str(problem)) if problem else help_answer()

    async def choose(self, question: Question, *, guild_id: int | None, channel_id: int, member_id: int) -> Answer:
        """Answer an option the member picked (remembered for follow-ups like an answer to a question)."""
        answer = await self.answer(question, guild_id)
        self._remember(answer, channel_id, member_id)
        return answer

    def _remember(self, answer: Answer, channel_id: int, member_id: int) -> None:
        """The film answered about is the member's context for a follow-up in this channel or thread."""
        if answer.film is not None and not answer.options:
            self.follow_ups.remember(channel_id, member_id, answer.film.id)

    # The film ---------------------------------------------------------------------------------------

    async def _films(self, reading: Reading, asked: Asked, located: Located | None) -> tuple[FilmSummary, ...]:
        """The film the reading is about (or the films to choose from); none when it needs none."""
        if asked.film is not None:
            return (asked.film,)
        if reading.film == FILM and located is not None:
            return (located.film,) if located.film else located.choices
        if reading.film and not is_pronoun(reading.film):
            try:
                return (await self.films.find(reading.film),)
            except Ambiguous as ambiguous:
                return ambiguous.choices
            except NotFound as error:
                raise Unanswered(str(error)) from None
        if not reading.intent.needs_film:
            return ()
        if (film_id := await self._context_film(asked)) is not None:
            return (await self.films.find(f"film:{film_id}"),)
        if reading.intent is Intent.CHARACTER:
            return await self._films_with_part(reading.character)
        raise Unanswered(NO_FILM)

    async def _context_film(self, asked: Asked) -> int | None:
        """The film the conversation is about: the review replied to, the member's previous question here,
        or the film the channel or thread is about."""
        if (
            asked.replied_to is not None
            and asked.guild_id is not None
            and (film_id := await self.reviews.film_of_message(asked.guild_id, asked.replied_to)) is not None
        ):
            return film_id
        if (film_id := self.follow_ups.recall(asked.channel_id, asked.member_id)) is not None:
            return film_id
        if self.channel_film is not None:
            return await self.channel_film(asked.guild_id, asked.channel_id)
        return None

    async def _films_with_part(self, character: str) -> tuple[FilmSummary, ...]:
        """Films among the most popular with a part called ``character``, most popular first."""
        wanted = fold(character)
        key = max((w for w in wanted.split() if w not in MODIFIERS and w.isascii()), key=len, default="")
        if not key:
            raise Unanswered(NO_FILM)
        async with self.db.transaction() as session:
            credits = await repo.cast_of_popular_films(session, key)
        films = {
            credit.film_id: (credit.film.popularity, search.film_summary(credit.film))
            for credit in credits
            if any(f" {wanted} " in f" {fold(part)} " for part in credit.characters)
        }
        if not films:
            raise Unanswered(f"I don't know which film has a part called “{character}”. {NO_FILM}")
        return tuple(film for _, film in sorted(films.values(), key=lambda pair: -pair[0]))[:CHOICES]

    # Answers ----------------------------------------------------------------------------------------

    async def answer(self, question: Question, guild_id: int | None) -> Answer:
        """The answer to an understood question (its film, if it needs one, resolved)."""
        if question.intent is Intent.FILMOGRAPHY:
            return await self._filmography(question.people[0], question.job)
        if question.intent is Intent.TOGETHER:
            return await self._together(question.people)
        if question.film_id is None:
            raise Unanswered(NO_FILM)
        if question.intent is Intent.CHARACTER:
            return await self._character(question.film_id, question)
        if question.intent is Intent.MUSIC:
            return await self._music(question.film_id)
        if question.intent is Intent.OPINION:
            film = await self.films.find(f"film:{question.film_id}")
            return await self._opinion(film, question.topic, guild_id)
        details = await self.films.details(question.film_id)
        if question.intent is Intent.ROLE:
            return await self._role(details, question.people[0], yes_no=question.yes_no)
        if question.intent is Intent.CREW:
            return await self._crew(details, question.job)
        return _fact(details, question.intent)

    async def _character(self, film_id: int, question: Question) -> Answer:
        try:
            found = await self.films.cast(film_id, question.character)
        except NotFound as error:
            raise Unanswered(str(error)) from None
        wanted, film = _base(question.character), found.film
        parts: dict[str, list[tuple[str, str]]] = {}  # the part without its age -> (part as credited, who)
        for member in found.cast:
            for part in member.characters:
                if _overlaps(_base(part), wanted):
                    parts.setdefault(_base(part), []).append((part, member.name))
        if len(parts) > 1 and wanted not in parts:
            options = tuple(
                Option(played[0][0], replace(question, character=played[0][0])) for played in parts.values()
            )
            return Answer(
                f"Several parts in {film.label} fit “{question.character}”: which one?",
                film=film,
                options=options[:CHOICES],
            )
        chosen = parts.get(wanted) or next(iter(parts.values()), [])
        if not chosen:  # matched by spelling only: say who, as the catalogue found them
            chosen = [(part, member.name) for member in found.cast for part in member.characters[:1]]
        lines = [f"**{part}** is played by **{name}**" for part, name in chosen]
        return Answer(f"In {film.label}, " + "; ".join(lines) + ".", film=film, sources=(found.source,))

    async def _role(self, details: FilmDetails, name: str, *, yes_no: bool) -> Answer:
        wanted = fold(name)
        credits = [(m.name, m.characters) for m in details.cast]
        crew = [(n, job) for job, names in _crew_jobs(details) for n in names]
        cast = [(n, parts) for n, parts in credits if _same_person(n, wanted)]
        jobs = [(n, job) for n, job in crew if _same_person(n, wanted)]
        film = details.film.label
        if cast:
            said = "; ".join(f"**{n}** plays **{' / '.join(parts) or 'a part'}**" for n, parts in cast)
            return Answer(
                ("Yes: " if yes_no else "") + f"{said} in {film}.", film=details.film, sources=(details.source,)
            )
        if jobs:
            said = "; ".join(f"**{n}** {JOB_WORDS.get(job, job)} it" for n, job in jobs)
            return Answer(
                f"{'Yes, though not on screen' if yes_no else 'Not on screen'}: in {film}, {said}.",
                film=details.film,
                sources=(details.source,),
            )
        if not yes_no:  # "who was Kathy in it?": perhaps a part, not a person
            raise Unanswered(f"I find nobody called “{name}” in {film}.")
        async with self.db.transaction() as session:
            try:
                person = await search.find_person(session, name)
            except NotFound as error:
                raise Unanswered(str(error)) from None
        return Answer(
            f"No: **{person.name}** is not in {film}, as far as my catalogue knows. Ask “what has {person.name} "
            "been in?” for their films.",
            film=details.film,
            sources=(details.source,),
        )

    async def _music(self, film_id: int) -> Answer:
        score = await self.films.score(film_id)
        film = score.film.label
        if score.composers:
            text = f"The score of {film} is by {_names([c.name for c in score.composers])}."
        else:
            text = f"I don't know who composed the score of {film}."
        for composer in score.composers:
            if composer.other_films:
                listed = ", ".join(f.label for f in composer.other_films[:LISTED])
                text += f"\n{composer.name} also scored {listed}."
        if score.music:
            pieces = [f"*{m.piece}*" + (f" by {m.performer}" if m.performer else "") for m in score.music]
            text += f"\nOther music: {', '.join(pieces)}."
        return Answer(text, film=score.film, sources=(score.source,))

    async def _crew(self, details: FilmDetails, job: str) -> Answer:
        async with self.db.transaction() as session:
            row = await repo.film_details(session, details.film.id)
        names = [c.name for c in (row.credits if row else []) if c.job == job]
        jobs = {"cinematographer": "shot", "editor": "edited", "producer": "produced"}
        if not names:
            return Answer(f"I don't know who {jobs.get(job, job)} {details.film.label}.", film=details.film)
        return Answer(
            f"{details.film.label} was {jobs.get(job, job)} by {_names(names)}.",
            film=details.film,
            sources=(details.source,),
        )

    async def _filmography(self, name: str, job: str) -> Answer:
        try:
            person = await self.films.person(name)
        except NotFound as error:
            raise Unanswered(str(error)) from None
        roles = [
            (j, roles)
            for j, roles in person.filmography
            if not job or j == job or (job == "writer" and j == "screenplay")
        ]
        if not roles:
            what = f" as {job}" if job else ""
            return Answer(f"I know no films of **{person.name}**{what} in my catalogue.", sources=person.sources)
        lines = []
        for j, credits in roles:
            listed = ", ".join(
                r.film.label + (f" as {' / '.join(r.characters)}" if r.characters else "") for r in credits[:LISTED]
            )
            more = f" and {len(credits) - LISTED} more" if len(credits) > LISTED else ""
            lines.append(f"{JOB_WORDS.get(j, j).capitalize()}: {listed}{more}.")
        return Answer(f"**{person.name}** in my catalogue:\n" + "\n".join(lines), sources=person.sources)

    async def _together(self, names: Sequence[str]) -> Answer:
        async with self.db.transaction() as session:
            try:
                people = [await search.find_person(session, name) for name in names]
            except NotFound as error:
                raise Unanswered(str(error)) from None
            films = await repo.films_with_all(session, [p.id for p in people])
        both = _names([p.name for p in people])
        if not films:
            return Answer(f"I know no film with both {both} in my catalogue.")
        listed = ", ".join(search.film_summary(f).label for f in films[:LISTED])
        return Answer(
            f"{both} are both in {listed}.", sources=tuple(dict.fromkeys(search.film_summary(f).source for f in films))
        )

    async def _opinion(self, film: FilmSummary, topic: str, guild_id: int | None) -> Answer:
        if guild_id is None:
            return Answer("Reviews belong to a server: ask me there about what its members thought.", film=film)
        query = " ".join(TOPIC_WORDS.get(word, word) for word in fold(topic).split()) or " ".join(VERDICT_WORDS)
        found = await self.reviews.opinions(guild_id, film.id, query.split())
        if not found.count or found.mean is None:
            return Answer(
                f"Nobody here has reviewed {film.label} yet, so I can't say what members think. "
                "`/review write` posts the first review.",
                film=film,
            )
        mean = found.mean
        verdict = "liked it" if mean >= 7 else "did not care for it" if mean <= 4 else "are divided"
        text = (
            f"{found.count} member{'s' if found.count != 1 else ''} reviewed {film.label} here: "
            f"{stars(round(mean))} {mean / 2:.1f}/5 on average, so they {verdict}."
        )
        if topic:
            text += f" What they said about “{topic}”:" if found.matched else f" Nobody mentioned “{topic}”; they said:"
        quotes = tuple(Quote(e.author_name, e.text, e.rating, e.spoilers) for e in found.excerpts)
        return Answer(text, film=film, sources=("this server's reviews",), quotes=quotes)


def _crew_jobs(details: FilmDetails) -> list[tuple[str, tuple[str, ...]]]:
    return [("director", details.directors), ("writer", details.writers), ("composer", details.composers)]


def _same_person(name: str, wanted: str) -> bool:
    """Whether ``wanted`` (folded, maybe misspelt, maybe only a first or last name) is ``name``."""
    folded = fold(name)
    if folded == wanted or set(wanted.split()) <= set(folded.split()):
        return True
    if len(wanted.split()) == 1:
        return any(fuzz.ratio(part, wanted) >= 85 for part in folded.split())
    return fuzz.ratio(folded, wanted) >= 85


def _fact(details: FilmDetails, intent: Intent) -> Answer:
    """Answers that are one fact of the film's details."""
    film = details.film.label
    text: str
    if intent is Intent.CAST:
        shown = [_played(m) for m in details.cast[:TOP_CAST]]
        more = f", and {len(details.cast) - TOP_CAST} more" if len(details.cast) > TOP_CAST else ""
        text = f"{film} stars {', '.join(shown)}{more}." if shown else f"I have no cast for {film}."
    elif intent is Intent.DIRECTOR:
        text = (
            f"{film} was directed by {_names(details.directors)}."
            if details.directors
            else f"I don't know who directed {film}."
        )
    elif intent is Intent.WRITER:
        text = (
            f"{film} was written by {_names(details.writers)}."
            if details.writers
            else f"I don't know who wrote {film}."
        )
        if details.based_on:
            text += " " + _based_on(details)
    elif intent is Intent.SOURCE:
        text = _based_on(details) if details.based_on else f"My catalogue lists no book or other source for {film}."
    elif intent is Intent.YEAR:
        text = (
            f"{film} came out in {details.film.year}." if details.film.year else f"I don't know when {film} came out."
        )
    elif intent is Intent.RUNTIME:
        minutes = details.runtime_minutes
        text = (
            f"{film} runs {minutes} minutes ({minutes // 60} h {minutes % 60:02d} min)."
            if minutes
            else f"I don't know how long {film} is."
        )
    elif intent is Intent.GENRE:
        text = f"{film}: {', '.join(details.genres)}." if details.genres else f"I have no genres for {film}."
    elif intent is Intent.LANGUAGE:
        text = (
            f"{film} is in {', '.join(details.languages)}."
            if details.languages
            else f"I don't know the language of {film}."
        )
    else:  # Intent.ABOUT
        text = f"{film}: {details.synopsis}" if details.synopsis else f"I have no synopsis of {film}."
    return Answer(text, film=details.film, sources=(details.source,))


def _based_on(details: FilmDetails) -> str:
    assert details.based_on is not None
    based = details.based_on
    by = f" by **{based.author}**" if based.author else ""
    year = f" ({based.year})" if based.year else ""
    return f"{details.film.label} is based on the {based.kind or 'work'} *{based.title}*{by}{year}."


def _question(reading: Reading, film_id: int | None) -> Question:
    return Question(
        reading.intent,
        film_id=film_id if reading.intent.needs_film else None,
        people=reading.people,
        character=reading.character,
        job=reading.job,
        topic=reading.topic,
        yes_no=reading.yes_no,
    )


def _choose_film(reading: Reading, films: Sequence[FilmSummary]) -> Answer:
    options = tuple(Option(film.label, _question(reading, film.id)) for film in films[:CHOICES])
    return Answer("Several films fit: which one do you mean?", options=options)
