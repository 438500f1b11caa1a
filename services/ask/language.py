"""Reading a question: its words, misspelt question words corrected, and what it may mean.

Pure functions, no database: ``readings`` lists what a sentence may ask, most likely first, with the words
that name a film, a person or a character still as text. The service resolves those against the catalogue and
takes the first reading that resolves ("who is Kathy?" is a character if some film has a Kathy, else a person).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from db.films.keys import fold
from services.ask.values import Intent

FILM = "filmx"  # stands for the film named in the sentence once it is found
_WORD = re.compile(r"[\w'’]+|&")
_MENTION = re.compile(r"<[@#][!&]?\d+>|@(?:everyone|here)")
CORRECTION_CUTOFF = 80  # how close a misspelt question word must be to the word it is read as (0-100)


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


QUESTION_WORDS = _set(
    "who whos whom whose what whats which when where why how hows is isnt was wasnt are arent were do does did "
    "didnt dont doesnt has have had can could would will should s"
)
STOP_WORDS = _set(
    "the a an and or of in on at to for from with by it its this that these those i me my you your we us our they "
    "them he she his her their one please hey hi hello anyone someone somebody just really actually so also then "
    "there here be been being tell know ok okay btw any about like thing things"
)
PRONOUNS = ("it", "this", "that", "this film", "this movie", "that film", "that movie", "the film", "the movie")
# What opinions are about: never a title on their own ("the ending" is no film here).
TOPICS = _set(
    "ending end endings finale beginning twist acting performance performances plot pacing dialogue visuals effects "
    "scene scenes characters cinematography direction"
)
AUDIENCE = _set("people members everyone folks anybody everybody guys server club you y all others critics")
WATCHING = _set("watch watching watched see seeing seen worth film movie")
OPINION_WORDS = _set(
    "think thought thoughts worth good bad great liked likes love loved loves hate hated enjoy enjoyed opinion "
    "opinions review reviews reviewed rate rated rating ratings recommend recommended say said feel felt overrated "
    "underrated verdict consensus reaction reactions impressions best worst favourite favorite"
)
# Words that say what is asked, each with its intent (and job, for crew); checked in this order.
KEYWORDS: tuple[tuple[Intent, str, frozenset[str]], ...] = (
    (Intent.SOURCE, "", _set("based book books novel novels adaptation adapted adapt source author novelist memoir")),
    (
        Intent.MUSIC,
        "",
        _set("score scored scores music composer composers composed composes compose soundtrack song songs ost"),
    ),
    (Intent.DIRECTOR, "", _set("directed director directors direct directs directing helmed filmmaker")),
    (Intent.WRITER, "", _set("wrote written writer writers screenplay screenwriter script scripted write")),
    (Intent.CREW, "cinematographer", _set("shot cinematographer cinematography photographed camera dop")),
    (Intent.CREW, "editor", _set("edited editor editing")),
    (Intent.CREW, "producer", _set("produced producer producers")),
    (Intent.RUNTIME, "", _set("long runtime length minutes duration hours lengthy")),
    (Intent.YEAR, "", _set("when year released release came come premiered premiere old")),
    (Intent.GENRE, "", _set("genre genres")),
    (Intent.LANGUAGE, "", _set("language languages spoken subtitles")),
    (Intent.ABOUT, "", _set("plot synopsis premise storyline summary happens story")),
    (Intent.CAST, "", _set("cast actors actresses starring stars star starred actor actress acted")),
)
VERBS = _set(
    "played plays play playing portrayed portrays portray voiced voices voice role roles part parts character "
    "characters appear appears appeared appearing act acts acting feature features featured make made work worked "
    "been together both films movies else other done do"
)
LEXICON = QUESTION_WORDS | OPINION_WORDS | AUDIENCE | WATCHING | VERBS | frozenset().union(*(w for _, _, w in KEYWORDS))
_CORRECTABLE = sorted(word for word in LEXICON if len(word) >= 4)
_FILLERS = re.compile(
    r"^(?:(?:hey|hi|hello|ok|okay|so|and|but|also|then|btw|oh|quick question|question|um|well|"
    r"do you know|does anyone know|can you tell me|could you tell me|tell me|i wonder|any idea|"
    r"i m wondering|i was wondering|remind me)\s+)+"
)
_LEADING_FILM = re.compile(rf"(?:(?:in|for|about|from|on) )?{FILM} (?P<core>.+)")
_TRAILING_FILM = re.compile(rf"(?P<core>.+) {FILM}")
_LIKING = re.compile(r"\b(?:people|members|everyone|anyone|folks|you|guys|they|we|i) (?:really )?like\b")
_NOT_A_NAME = _set("in on of for from at it to by with")  # a slot starting with one of these is no name
_JOBS = (
    ("composer", _set("scored score composed compose composer")),
    ("director", _set("directed direct director")),
    ("writer", _set("written wrote write writer")),
    ("producer", _set("produced produce producer")),
    ("actor", _set("been acted act starred star appeared appear played play in")),
)


@dataclass(frozen=True, slots=True)
class Word:
    """A word as typed, where it is in the text, and folded for comparison."""

    text: str
    folded: str
    start: int
    end: int

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def words(text: str) -> list[Word]:
    """The words of ``text`` (mentions left out), "&" read as "and"."""
    found: list[Word] = []
    for match in _WORD.finditer(_MENTION.sub(" ", text)):
        folded = "and" if match.group() == "&" else fold(match.group())
        if folded:
            found.extend(
                Word(match.group() if len(folded.split()) == 1 else part, part, match.start(), match.end())
                for part in folded.split()
            )
    return found


def correct(word: str) -> str:
    """A misspelt question word read as the word it is close to ("composd" → "composed"); others unchanged."""
    if word in LEXICON or word in STOP_WORDS or len(word) < 4 or word.isdigit():
        return word
    found = process.extractOne(word, _CORRECTABLE, scorer=fuzz.ratio, score_cutoff=CORRECTION_CUTOFF)
    return found[0] if found else word


def is_question_word(word: str) -> bool:
    """Whether ``word`` (folded) is one of the words questions are made of rather than part of a name."""
    return word in LEXICON or word in STOP_WORDS


def is_pronoun(text: str) -> bool:
    """Whether a film slot points back at the film in context ("it", "this movie") instead of naming one."""
    return text in PRONOUNS


@dataclass(frozen=True, slots=True)
class Reading:
    """One thing a question may ask. Slots hold the words as typed (folded); ``film`` is FILM when the film was
    found in the sentence, a pronoun or "" when it comes from the context, else the words that name it."""

    intent: Intent
    film: str = ""
    people: tuple[str, ...] = ()
    character: str = ""
    job: str = ""
    topic: str = ""
    yes_no: bool = False


_FILM_TAIL = r"(?: (?:in|on|of|from|for) (?P<film>.+?))?"
# (what is asked, whether it is a yes/no question, the pattern of the whole sentence), most specific first.
_PATTERNS: tuple[tuple[Intent, bool, re.Pattern[str]], ...] = tuple(
    (intent, yes_no, re.compile(pattern))
    for intent, yes_no, pattern in (
        # Who a person played, and whether they are in a film.
        (
            Intent.ROLE,
            False,
            r"who (?:did|does|do|is|was|s) (?P<person>.+?) (?:play|plays|playing|portray|portraying|voice|voicing)"
            + _FILM_TAIL,
        ),
        (
            Intent.ROLE,
            False,
            r"(?:what|which|whats) (?:role|roles|part|parts|character|characters) (?:did|does|do|is|was|has|had|s) "
            r"(?P<person>.+?)(?: (?:play|playing|played|have|voice|voiced|portray|got))?" + _FILM_TAIL,
        ),
        (Intent.ROLE, False, r"who (?:is|was|s) (?P<person>.+?) (?:in|on) (?P<film>.+?)"),
        (
            Intent.ROLE,
            True,
            r"(?:is|was|isnt|wasnt|does|did|has|have|are|were) (?P<person>.+?) (?:in|appear in|appears in|"
            r"appearing in|star in|stars in|starring in|act in|acting in|play in|playing in|feature in|featured in|"
            r"been in|part of|in the cast of|on the cast of|a part of|in the cast for)(?: the (?:cast|film|movie))? "
            r"(?P<film>.+?)",
        ),
        (
            Intent.ROLE,
            True,
            r"(?:does|did|do) (?P<film>.+?) (?:star|stars|feature|features|have|has|include|includes) "
            r"(?P<person>.+?)(?: in it)?",
        ),
        # A person's films.
        (
            Intent.FILMOGRAPHY,
            False,
            r"(?:what|which|whats)(?: else| other)?(?: (?:films?|movies?|roles?|things|work|else))?(?: else)? "
            r"(?:has|have|did|does|do|is|was|s) (?P<person>.+?) (?P<verb>been in|be in|appeared in|appear in|"
            r"acted in|act in|starred in|star in|played in|play in|scored|score|composed|compose|composed for|written|"
            r"wrote|write|directed|direct|done|do|made|make|worked on|work on|produced|produce|known for|in)"
            r"(?: (?:else|before|since|too|also|lately|recently|other|besides|apart from this|apart from that))?",
        ),
        (
            Intent.FILMOGRAPHY,
            False,
            r"(?:films?|movies?|filmography|credits|work) (?:of|by|with|starring|featuring) (?P<person>.+?)",
        ),
        # The cast, and who played a part.
        (
            Intent.CAST,
            False,
            r"(?:who|whos|who s)(?: is| was| are| were)? (?:in|starring in|starred in|stars in|acting in|acted in|"
            r"acts in|appears in|appeared in|played in|plays in|playing in|in the cast of|on the cast of)"
            r"(?: the cast of)? (?P<film>.+?)",
        ),
        (
            Intent.CHARACTER,
            False,
            r"who (?:played|plays|play|portrayed|portrays|portray|voiced|voices|voice|is playing|was playing|"
            r"s playing|played as|acted as|was cast as|is cast as|starred as|stars as)"
            r"(?: the (?:role|part|character) of)? (?P<character>.+?)" + _FILM_TAIL,
        ),
        (Intent.CHARACTER, False, r"who (?:is|was|s) (?P<character>.+?) played by" + _FILM_TAIL),
        (
            Intent.CHARACTER,
            False,
            r"(?:which|what|who s|who is|who was) (?:the )?(?:actor|actress|person|one)(?: who| that)? "
            r"(?:played|plays|portrayed|voiced|was|is) (?P<character>.+?)" + _FILM_TAIL,
        ),
        (Intent.CHARACTER, False, r"(?:who is|who was|who s|whos) (?P<character>.+?)" + _FILM_TAIL),
        (Intent.ABOUT, False, r"(?:what|whats|what s)(?: is| s| was)? (?P<film>.+?) about"),
        (Intent.ABOUT, False, r"about (?P<film>.+?)"),  # "tell me about ..." (the filler is gone)
        (Intent.FILMOGRAPHY, False, r"(?:who is|who was|who s|whos|about) (?P<person>.+?)"),
    )
)


def _skeleton(found: Sequence[Word], film: tuple[int, int] | None) -> list[tuple[str, str]]:
    """(word as read, word as typed) pairs, the film's words replaced by FILM and misspellings corrected."""
    pairs: list[tuple[str, str]] = []
    for index, word in enumerate(found):
        if film is not None and film[0] <= index < film[1]:
            if index == film[0]:
                pairs.append((FILM, FILM))
            continue
        pairs.append((correct(word.folded), word.folded))
    return pairs


def _typed(pairs: Sequence[tuple[str, str]], read: str, span: tuple[int, int]) -> str:
    """The words as typed behind ``span`` of ``read`` (the corrected sentence): slots keep names as typed."""
    start = read[: span[0]].count(" ")
    count = read[span[0] : span[1]].count(" ") + 1
    return " ".join(typed for _, typed in pairs[start : start + count])


def readings(found: Sequence[Word], film: tuple[int, int] | None = None) -> list[Reading]:
    """What the question may ask, most likely first. ``film`` is the span of words that named a film."""
    pairs = _skeleton(found, film)
    read = _FILLERS.sub("", " ".join(word for word, _ in pairs))
    pairs = pairs[len(pairs) - len(read.split()) :] if read else []
    vocabulary = set(read.split())
    results: list[Reading] = []
    if vocabulary & OPINION_WORDS or _LIKING.search(read):
        results.append(Reading(Intent.OPINION, film=_film_word(vocabulary), topic=_topic(pairs)))
    shared = vocabulary & {"together", "both"} or ("and" in vocabulary and vocabulary & {"films", "movies"})
    if shared and FILM not in vocabulary and (pair := _two_people(pairs)):
        results.append(Reading(Intent.TOGETHER, people=pair))
    matched = _matches(read, pairs)
    if not matched and (aside := _aside(read)):  # "In Vertigo, who plays Judy?", "who plays Judy, Vertigo"
        core, skipped = aside
        matched = [
            replace(r, film=r.film or FILM) for r in _matches(core, pairs[skipped : skipped + len(core.split())])
        ]
    results.extend(matched)
    for intent, job, keywords in KEYWORDS:
        if vocabulary & keywords:
            results.append(Reading(intent, film=_film_word(vocabulary), job=job))
    return _unique(results)


def _matches(read: str, pairs: Sequence[tuple[str, str]]) -> list[Reading]:
    found: list[Reading] = []
    for intent, yes_no, pattern in _PATTERNS:
        if (match := pattern.fullmatch(read)) is not None:
            found.extend(_from_match(intent, yes_no, match, pairs, read))
    return found


def _aside(read: str) -> tuple[str, int] | None:
    """The question proper when the film is named before or after it, and how many words come before it."""
    if leading := _LEADING_FILM.fullmatch(read):
        return leading["core"], read[: leading.start("core")].count(" ")
    if trailing := _TRAILING_FILM.fullmatch(read):
        return trailing["core"], 0
    return None


def _film_word(vocabulary: set[str]) -> str:
    return FILM if FILM in vocabulary else ""


def _from_match(
    intent: Intent, yes_no: bool, match: re.Match[str], pairs: Sequence[tuple[str, str]], read: str
) -> Iterator[Reading]:
    groups = match.groupdict()
    slot = {name: _typed(pairs, read, match.span(name)) for name, value in groups.items() if value}
    film = slot.get("film", "")
    person = slot.get("person", "")
    if FILM in person or is_pronoun(person) or person in QUESTION_WORDS or _first(person) in _NOT_A_NAME:
        return  # "is it in english": not a person
    if film and FILM in film and film != FILM:
        return  # the film's words split across slots: another pattern reads it better
    reading = Reading(intent, film=film, yes_no=yes_no)
    if intent is Intent.FILMOGRAPHY:
        verb = set(str(groups.get("verb") or "").split())
        job = next((name for name, verbs in _JOBS if verb & verbs), "")
        yield replace(reading, people=(person,), job=job)
    elif "person" in groups:
        yield replace(reading, people=(person,))
        if intent is Intent.ROLE and not reading.yes_no:
            yield replace(reading, intent=Intent.CHARACTER, character=person)  # "who is Kathy in it?"
    elif "character" in groups:
        character = slot.get("character", "")
        if character and FILM not in character and not is_pronoun(character) and _first(character) not in _NOT_A_NAME:
            yield replace(reading, character=character)
    else:
        yield reading


def _first(text: str) -> str:
    return text.split(" ", 1)[0]


def _topic(pairs: Sequence[tuple[str, str]]) -> str:
    """What an opinion question is about: its words that are not question, opinion or audience words."""
    ignored = QUESTION_WORDS | STOP_WORDS | OPINION_WORDS | AUDIENCE | WATCHING | {FILM}
    return " ".join(typed for read, typed in pairs if read not in ignored and typed not in ignored)


def _two_people(pairs: Sequence[tuple[str, str]]) -> tuple[str, str] | None:
    """The names either side of "and" in "did Garfield and Mulligan make anything together?"."""
    read = [word for word, _ in pairs]
    if "and" not in read:
        return None
    middle = read.index("and")

    def run(indexes: range) -> str:
        taken: list[str] = []
        for index in indexes:
            if is_question_word(read[index]) or read[index] == FILM:
                break
            taken.append(pairs[index][1])
        return " ".join(taken)

    before = " ".join(reversed(run(range(middle - 1, -1, -1)).split()))
    after = run(range(middle + 1, len(read)))
    return (before, after) if before and after else None


def _unique(found: list[Reading]) -> list[Reading]:
    return list(dict.fromkeys(found))
