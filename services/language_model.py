"""Optional: a language model words what the bot found (an answer, a review consensus) from that and nothing else.

Any OpenAI-compatible chat endpoint works (a local Ollama, llama.cpp or vLLM server). The model gets numbered
lines (facts, figures, spoiler-free review excerpts) and is told to use only them and to cite them as [n]. Its
reply counts only if it arrives in time, cites a line, and names no person or film and states no number that the
lines (and the request) do not; otherwise the caller keeps its built-in wording. Not configured, nothing is sent.
Shared by the features that word things (services.ask, services.reviews); it imports none of them.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

REPLY_LIMIT = 1500  # characters kept of the model's reply
_CITATION = re.compile(r"\[(\d+)\]")
# Names as a model writes them: two or more capitalised words ("Carey Mulligan", "Never Let Me Go").
_NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:[a-z]{1,3}\s+)?[A-Z][\w'’.-]*)+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def citations(reply: str) -> set[int]:
    """The line numbers ``reply`` cites as [n]."""
    return {int(n) for n in _CITATION.findall(reply)}


def grounded(reply: str, lines: Sequence[str], request: str) -> bool:
    """Whether ``reply`` cites the lines and names nothing, and states no number, beyond them (and the request)."""
    cited = citations(reply)
    if not cited or not cited <= set(range(1, len(lines) + 1)):
        return False
    known = " ".join([*lines, request])
    said = _CITATION.sub(" ", reply)
    folded = known.casefold()
    names = all(name.casefold() in folded for name in _NAME.findall(said))
    return names and set(_NUMBER.findall(said)) <= set(_NUMBER.findall(known))


class LanguageModel:
    """An OpenAI-compatible chat completions endpoint, asked to word numbered lines; None on any doubt."""

    def __init__(self, base_url: str, model: str, *, api_key: str | None = None, timeout_seconds: float = 4.0) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.timeout_seconds = timeout_seconds
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def word(self, instructions: str, lines: Sequence[str], request: str) -> str | None:
        """The model's reply to ``request`` from the numbered ``lines``, if it is in time and grounded in them."""
        try:
            reply = await asyncio.wait_for(self._complete(instructions, lines, request), self.timeout_seconds)
        except Exception:
            log.warning("the language model did not answer; using the built-in wording", exc_info=True)
            return None
        reply = reply.strip()[:REPLY_LIMIT]
        if not reply or not grounded(reply, lines, request):
            log.info("the language model's reply was not grounded in its lines; using the built-in wording")
            return None
        return reply

    async def _complete(self, instructions: str, lines: Sequence[str], request: str) -> str:
        numbered = "\n".join(f"[{n}] {line}" for n, line in enumerate(lines, start=1))
        body: dict[str, Any] = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": instructions},
                {"role": "user", "content": f"Lines:\n{numbered}\n\n{request}"},
            ],
        }
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.post(self.url, json=body, headers=headers) as response:
            response.raise_for_status()
            data = await response.json(content_type=None)
        return str(data["choices"][0]["message"]["content"])
