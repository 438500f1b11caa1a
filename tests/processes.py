"""Running `filmclub` as a person would: a real process, in the repository, with chosen settings.

The session fixture in conftest.py has already removed FILMCLUB_* settings and DISCORD_TOKEN from
this process's environment, so a child sees only what a test passes in ``env``.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_filmclub(
    *args: str, env: dict[str, str] | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` to completion (at most 90 s)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        input=input,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


async def start_filmclub(*args: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    """`python -m bot ARGS` in the background, so this event loop (and a stand-in on it) keeps running."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        env={**os.environ, **(env or {})}, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
