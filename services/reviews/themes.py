"""The themes members talk about in reviews, each recognised by a small hand-made word list."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Theme:
    """A theme: ``words`` are single words (as ``text.words`` gives them), ``phrases`` word pairs."""

    key: str
    label: str
    words: frozenset[str]
    phrases: frozenset[tuple[str, str]] = frozenset()


def _theme(key: str, label: str, words: str, phrases: str = "") -> Theme:
    pairs = (phrase.split() for phrase in phrases.split(",") if phrase.strip())
    return Theme(key, label, frozenset(words.split()), frozenset((first, second) for first, second in pairs))


THEMES: tuple[Theme, ...] = (
    _theme(
        "story",
        "Story & writing",
        "story stories storyline storytelling plot plots plotting script scripts screenplay writing written writer "
        "writers dialogue dialog narrative premise subplot twist twists exposition character characters "
        "characterisation characterization adaptation underwritten",
        "plot holes, plot hole",
    ),
    _theme(
        "performances",
        "Performances",
        "performance performances acting acted actor actors actress actresses cast casting portrayal portrays "
        "portrayed role roles miscast chemistry leads performer performers",
        "voice work, lead actor, lead actress, supporting cast",
    ),
    _theme(
        "music",
        "Score & music",
        "score scores music musical soundtrack composer composers song songs melody melodies orchestral orchestra "
        "strings piano jazz sound",
        "sound design, sound mix",
    ),
    _theme(
        "visuals",
        "Visuals & cinematography",
        "cinematography cinematographer visual visuals visually photography photographed camera camerawork shot "
        "shots frame frames framing lighting lit colour colours color colors palette imagery images image "
        "landscapes look looks looked gorgeous design sets costumes",
        "production design, set design, beautifully shot",
    ),
    _theme(
        "pacing",
        "Pacing & length",
        "pacing pace paced slow slowly drags drag dragged dragging runtime overlong bloated tedious sluggish "
        "plodding brisk meandering endless length boring",
        "slow burn, running time, too long",
    ),
    _theme(
        "ending",
        "Ending",
        "ending endings finale conclusion climax denouement",
        "final scene, final act, final shot, final image, final moments, last act, last scene, last shot, "
        "third act, the end",
    ),
    _theme(
        "emotion",
        "Emotional impact",
        "emotional emotionally emotions emotion moving moved touching tears teared cried cry crying sob "
        "sobbing weep wept heartbreaking heartbreak heart poignant affecting affected devastating",
    ),
    _theme(
        "tone",
        "Tone & atmosphere",
        "tone tones atmosphere atmospheric mood moody melancholy melancholic haunting eerie tension tense suspense "
        "dread creepy claustrophobic gloomy bleak unease unsettling",
    ),
    _theme(
        "ideas",
        "Ideas & meaning",
        "human humanity humane themes meaning ethics ethical identity mortality philosophical philosophy question "
        "questions message soul existence morality thought-provoking ideas idea",
    ),
    _theme(
        "humour",
        "Humour",
        "funny funnier funniest humour humor humorous jokes joke laugh laughs laughed laughing laughter comedy "
        "comedic comic hilarious witty gags gag slapstick",
    ),
    _theme(
        "direction",
        "Direction",
        "director directors directed direction directing directs filmmaker filmmakers filmmaking helmed",
    ),
    _theme(
        "action",
        "Action & effects",
        "action effects cgi vfx stunt stunts fight fights chase chases explosions choreography choreographed",
        "set piece, set pieces, special effects, practical effects",
    ),
)

THEME_KEYS: tuple[str, ...] = tuple(theme.key for theme in THEMES)
