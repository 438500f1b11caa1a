"""Persistence: models, engine and sessions, repositories, migrations."""

from db.engine import Database

__all__ = ["Database"]
