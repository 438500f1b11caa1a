"""Sentences, words, spoiler tags and quoting for the summaries."""

from __future__ import annotations

import pytest

from services.reviews.text import clip, sentence_spans, shown, spoiler_tagged, without_spoiler_tags, words


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in sentence_spans(text)]


def test_sentences_split_at_end_punctuation_before_a_capital_and_at_line_breaks() -> None:
    text = 'It was great! Was it? "Yes." (Mostly.) 10/10 would watch again\nNew paragraph here...\n\n  Last one'
    assert sentences(text) == [
        "It was great!",
        "Was it?",
        '"Yes."',
        "(Mostly.)",
        "10/10 would watch again",
        "New paragraph here...",
        "Last one",
    ]


def test_sentences_do_not_split_after_abbreviations_or_initials() -> None:
    text = "J.K. Simmons and Mr. Dafoe are great. Dr. Strange vs. Predator, e.g. Round 2. The end."
    assert sentences(text) == [
        "J.K. Simmons and Mr. Dafoe are great.",
        "Dr. Strange vs. Predator, e.g. Round 2.",
        "The end.",
    ]


def test_sentences_of_blank_text() -> None:
    assert sentences("") == []
    assert sentences(" \n\n ") == []


def test_words_lowercase_keep_inner_hyphens_and_drop_possessives() -> None:
    assert words("Rachel Portman’s must-watch SCORE, isn't it? Göransson's") == [
        "rachel",
        "portman",
        "must-watch",
        "score",
        "isn't",
        "it",
        "göransson",
    ]


def test_spoiler_tags_and_an_unclosed_tag_running_to_the_end() -> None:
    text = "Fine. ||He dies.|| Then ||she"
    assert [text[a:b] for a, b in spoiler_tagged(text)] == ["||He dies.||", "||she"]
    assert without_spoiler_tags(text).split() == ["Fine.", "Then"]
    assert spoiler_tagged("no tags") == []


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("one two   three\nfour", 40, "one two three four"),
        ("the quick brown fox jumps over", 16, "the quick brown…"),
    ],
)
def test_clip_cuts_at_a_word_boundary(text: str, limit: int, expected: str) -> None:
    assert clip(text, limit) == expected
    assert len(clip(text, limit)) <= limit


def test_shown_wraps_spoilers_and_removes_their_pipes() -> None:
    assert shown("He || dies |", spoiler=True, limit=100) == "||He dies||"
    assert shown("Fine", spoiler=False, limit=100) == "Fine"
    wrapped = shown("word " * 100, spoiler=True, limit=50)
    assert len(wrapped) <= 50
    assert wrapped.startswith("||")
    assert wrapped.endswith("…||")
