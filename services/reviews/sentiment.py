"""Sentiment of review text: VADER (its lexicon ships in the vaderSentiment wheel) tuned for film reviews."""

from __future__ import annotations

from functools import cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# Words that say what a film shows or makes you feel, not whether it is good: "a heartbreaking ending" and "a
# haunting score" are praise in a review, and a villain, a death or a horror film are no complaint.
_DEPICTED = (
    "haunting haunted heartbreaking heartbreak devastating devastated melancholy melancholic tragic tragedy sad "
    "sadness grief despair hopeless helpless tears cried cry crying weep wept sob eerie unease tense tension "
    "terrifying scary disturbing grim bleak dark death dies die kill killer killing killed villain villains evil "
    "violent violence horror dread creepy chilling unsettling harrowing sinister"
)
# Film criticism's own words, which VADER's general lexicon lacks or scores as everyday language.
_FILM_VALENCE: dict[str, float] = {
    "unforgettable": 2.5,
    "stellar": 2.5,
    "gripping": 2.2,
    "riveting": 2.2,
    "mesmerising": 2.3,
    "mesmerizing": 2.3,
    "engrossing": 2.2,
    "immersive": 1.8,
    "poignant": 1.6,
    "moving": 1.8,
    "touching": 1.6,
    "nuanced": 1.5,
    "must-watch": 2.5,
    "gem": 2.3,
    "masterful": 2.8,
    "sublime": 2.8,
    "thought-provoking": 1.8,
    "overrated": -1.8,
    "underwhelming": -1.8,
    "forgettable": -1.8,
    "bloated": -1.5,
    "overlong": -1.5,
    "tedious": -1.8,
    "wooden": -1.5,
    "clunky": -1.5,
    "cheesy": -1.2,
    "predictable": -1.2,
    "meandering": -1.2,
    "stilted": -1.5,
    "convoluted": -1.5,
    "hammy": -1.3,
    "plodding": -1.5,
    "pretentious": -1.5,
    "miscast": -1.5,
    "uneven": -1.0,
    "formulaic": -1.3,
    "contrived": -1.5,
    "cliched": -1.3,
    "clichéd": -1.3,
    "lifeless": -1.8,
    "slog": -1.8,
    "drags": -1.2,
    "incoherent": -1.8,
    "muddled": -1.5,
    "unwatchable": -2.5,
    "mediocre": -1.8,
    "shallow": -1.3,
}


@cache
def _analyser() -> SentimentIntensityAnalyzer:
    analyser = SentimentIntensityAnalyzer()
    analyser.lexicon.update(dict.fromkeys(_DEPICTED.split(), 0.0))
    analyser.lexicon.update(_FILM_VALENCE)
    return analyser


def polarity(text: str) -> float:
    """VADER's compound score of ``text`` with the film lexicon: -1 (negative) to 1 (positive)."""
    return float(_analyser().polarity_scores(text)["compound"])
