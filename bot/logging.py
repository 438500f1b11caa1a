"""Logging set-up: readable text or one JSON object per line, with secrets redacted."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][\w+.-]*://[^:/@\s]*):[^@\s]*@")


def hide_url_passwords(text: str) -> str:
    """``postgresql://user:secret@host/db`` -> ``postgresql://user:***@host/db``, anywhere in ``text``."""
    return _URL_PASSWORD.sub(r"\1:***@", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; ``extra={...}`` fields become top-level keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD_ATTRS})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class Redacting(logging.Formatter):
    """Wraps a formatter and replaces secrets (the bot token, API tokens, passwords in URLs) anywhere in
    its output, tracebacks and extra fields included."""

    def __init__(self, inner: logging.Formatter, secrets: list[str]) -> None:
        super().__init__()
        self.inner = inner
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = self.inner.format(record)
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return hide_url_passwords(text)


def _not_alembic_preamble(record: logging.LogRecord) -> bool:
    """Alembic announces its dialect ("Context impl SQLiteImpl.", "Will assume ... DDL.") every time it looks
    at a database: noise, unless debugging."""
    return not (
        record.name == "alembic.runtime.migration"
        and record.levelno == logging.INFO
        and record.msg.startswith(("Context impl", "Will assume"))
    )


def setup_logging(level: str, fmt: str, secrets: list[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if level != "DEBUG":
        handler.addFilter(_not_alembic_preamble)
    inner = JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    handler.setFormatter(Redacting(inner, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("discord").setLevel(max(logging.getLevelName(level), logging.INFO))
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
