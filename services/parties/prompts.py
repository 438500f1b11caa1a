"""Discussion prompts for the end of a watch party, drawn from what the catalogue knows about the film."""

from __future__ import annotations

from services.films.values import FilmDetails

PROMPTS = 4


def discussion_prompts(details: FilmDetails | None, label: str) -> list[str]:
    """A few questions about the film: its performances, score, director, source and ending (the film's own
    facts first, general ones to fill up)."""
    found: list[str] = []
    if details is not None:
        cast = [member for member in details.top_cast[:3] if member.characters]
        if len(cast) >= 2:
            roles = ", ".join(f"{member.name} as {member.characters[0]}" for member in cast)
            found.append(f"Which performance stayed with you: {roles}?")
        if details.composers:
            found.append(f"What did {details.composers[0]}'s score add? Which moment would not work without it?")
        if details.based_on is not None:
            source = f"{details.based_on.kind or 'book'} *{details.based_on.title}*"
            by = f" by {details.based_on.author}" if details.based_on.author else ""
            found.append(f"It is based on the {source}{by}. If you know it, what changed on the way to the screen?")
        if details.directors:
            found.append(f"What felt most like {details.directors[0]} to you?")
        if details.film.year is not None:
            found.append(f"It came out in {details.film.year}. How has it aged?")
    general = [
        f"What will you remember about {label} in a week?",
        "What did you make of the ending?",
        "Which scene would you show someone to make them watch it?",
    ]
    return (found + general)[:PROMPTS]
