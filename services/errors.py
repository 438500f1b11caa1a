"""Domain errors. Each carries a message fit to show the person who caused it.

Services raise these for anything a user can fix or should know; the bot's error handler turns
them into friendly ephemeral replies. Any other exception is a bug: it is logged with an error id
and the user sees only that id.
"""

from __future__ import annotations


class FilmClubError(Exception):
    """Base class: ``str(error)`` is shown to the user as is."""


class NotFound(FilmClubError):
    """The thing asked for does not exist (or is not visible from this server)."""


class InvalidInput(FilmClubError):
    """The input cannot be used; the message says what is allowed."""
