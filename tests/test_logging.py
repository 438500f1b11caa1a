"""Logging: one JSON object per line when asked, and secrets never printed, tracebacks included."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logging import setup_logging

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
