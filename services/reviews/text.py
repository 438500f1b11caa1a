"""Plain-text helpers for review summaries: sentences, words, spoiler tags and quoting (no NLTK data needed)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

# A full stop after these is not the end of a sentence ("Mr. Ripley", "J. K. Simmons", "vs. Predator").
_ABBREVIATIONS = ("mr", "mrs", "ms", "dr", "st", "vs", "jr", "sr", "prof", "mt", "vol", "e.g", "i.e")
_NOT_AFTER = "".join(rf"(?<!\b{re.escape(short)}\.)" for short in _ABBREVIATIONS) + r"(?<!\b[a-z]\.)"
_BOUNDARY = re.compile(rf"""(?:\.(?i:{_NOT_AFTER})|[!?…])[.!?…]*["'”’)\]]*\s+(?=["'“‘(\[]?[A-Z0-9])|\n\s*""")
_WORD = r"[^\W_]+(?:['\-][^\W_]+)*"
_WORDS = re.compile(_WORD)
_WORDS_AND_BREAKS = re.compile(rf"{_WORD}|\n")
_SPOILER_TAG = re.compile(r"\|\|.*?(?:\|\||$)", re.DOTALL)

SPOILER_MARK = "||"
WORD_BREAK = "\n"  # between sentences in word_stream


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, split at end punctuation before a capital or digit and at
    line breaks (so no sentence holds one), never after a common abbreviation or an initial."""
    start = 0
    for boundary in _BOUNDARY.finditer(text):
        sentence = text[start : boundary.start() + len(boundary.group().rstrip())].rstrip()
        if sentence:
            yield start, start + len(sentence)
        start = boundary.end()
    if text[start:].strip():
        yield start, len(text.rstrip())


def _folded(text: str) -> str:
    return text.lower().replace("’", "'")


def words(sentence: str) -> list[str]:
    """The lower-case words of ``sentence``; possessive 's dropped, inner hyphens and (straight) apostrophes kept."""
    return [word.removesuffix("'s") for word in _WORDS.findall(_folded(sentence))]


def word_stream(sentences: Sequence[str]) -> list[str]:
    """The words of all ``sentences`` (which hold no line break) in one pass, with WORD_BREAK between sentences.

    Possessive 's is kept: drop it per distinct word, as ``words`` does per occurrence.
    """
    return _WORDS_AND_BREAKS.findall(_folded(WORD_BREAK.join(sentences)))


def spoiler_tagged(text: str) -> list[tuple[int, int]]:
    """Spans of ``text`` inside Discord spoiler tags (an unclosed tag runs to the end)."""
    return [match.span() for match in _SPOILER_TAG.finditer(text)] if SPOILER_MARK in text else []


def without_spoiler_tags(text: str) -> str:
    """``text`` with everything inside spoiler tags removed."""
    return _SPOILER_TAG.sub(" ", text) if SPOILER_MARK in text else text


def clip(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters (ending "…" when cut)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = len(cut) if flat[limit - 1] == " " else cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:-—") + "…"


def shown(text: str, *, spoiler: bool, limit: int) -> str:
    """A snippet as a report shows it: clipped to ``limit`` characters, and wrapped in spoiler tags when it comes
    from spoiler text (its own pipes removed first, so the tags cannot be closed early)."""
    if not spoiler:
        return clip(text, limit)
    return f"{SPOILER_MARK}{clip(text.replace('|', ''), limit - 2 * len(SPOILER_MARK))}{SPOILER_MARK}"


# Words too common to say what a review is about (English function words and review filler).
_STOP = """a about above after again against all almost also although always am among an and another any anyone
    anything are aren't around as at away back be became because been before being below between both but by can
    can't cannot could couldn't did didn't do does doesn't doing don't done down during each either else enough
    even ever every everything few film films for from further get gets getting go goes going got had hadn't has
    hasn't have haven't having he he'd he's her here hers herself him himself his how however i i'd i'll i'm i've if
    in into is isn't it it's its itself just least less let like lot lots made make makes many may me might mine
    more most movie movies much must my myself near neither never no nor not nothing now of off often on once one
    only or other others our ours ourselves out over own perhaps quite rather really same see seen she she's should
    shouldn't since so some something still such than that that's the their theirs them themselves then there
    there's these they they're thing things this those though through thus to too toward towards under until up
    upon us very was wasn't watch watched watching way we we're we've well were weren't what what's when where
    whether which while who whole whom whose why will with within without won't would wouldn't yet you you'd you'll
    you're you've your yours yourself yourselves"""
STOP_WORDS = frozenset(_STOP.split())
