"""Logging: one JSON object per line when asked, and secrets never printed, tracebacks included."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logging import hide_url_passwords, setup_logging

SECRET = "MTIz.very-secret.token"


@pytest.fixture
def restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secrets_are_redacted_everywhere(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", fmt, [SECRET])
    log = logging.getLogger("filmclub.test")
    try:
        raise RuntimeError(f"login failed for {SECRET}")
    except RuntimeError:
        log.exception("token %s rejected", SECRET, extra={"detail": SECRET})
    err = capsys.readouterr().err
    assert SECRET not in err
    assert "[redacted]" in err
    assert "RuntimeError" in err  # the traceback is still there
    if fmt == "json":
        entry = json.loads(err.strip().splitlines()[-1])
        assert entry["level"] == "ERROR"
        assert entry["detail"] == "[redacted]"
        assert entry["message"] == "token [redacted] rejected"


@pytest.mark.usefixtures("restore_logging")
def test_passwords_in_urls_are_hidden(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO", "text", [])
    logging.getLogger("filmclub.test").warning("cannot reach postgresql+asyncpg://filmclub:S3cretPw@db:5432/films")
    err = capsys.readouterr().err
    assert "S3cretPw" not in err
    assert "postgresql+asyncpg://filmclub:***@db:5432/films" in err


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postgresql://u:p@h/db and sqlite:///x:y@z", "postgresql://u:***@h/db and sqlite:///x:y@z"),
        ("https://example.com/a:b@c", "https://example.com/a:b@c"),  # no user:password before the host
        ("wss://user:pa/ss@host", "wss://user:***@host"),
    ],
)
def test_hide_url_passwords(text: str, shown: str) -> None:
    assert hide_url_passwords(text) == shown
