"""Optional: a language model phrases an answer from the facts the bot found, and nothing else.

Any OpenAI-compatible chat endpoint works (a local Ollama, llama.cpp or vLLM server). The model gets the
question and the answer's facts and review excerpts as numbered lines, is told to answer only from them and
to cite them as [n]. Its reply is used only if it arrives in time, cites a line, and names no person or film
the lines do not name; otherwise the built-in answer stands. Not configured, nothing is ever sent.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import aiohttp

from services.ask.values import Answer

log = logging.getLogger(__name__)

INSTRUCTIONS = (
    "You answer questions in a film club's chat. Answer only from the numbered lines below, in one to three "
    "sentences, citing the lines you used as [1], [2]. Name no person or film the lines do not name. If the "
    "lines do not answer the question, say that you don't know."
)
REPLY_LIMIT = 1500  # characters kept of the model's reply
_CITATION = re.compile(r"\[(\d+)\]")
# Names as a model writes them: two or more capitalised words ("Carey Mulligan", "Never Let Me Go").
_NAME = re.compile(r"\b[A-Z][\w'’.-]*(?:\s+(?:[a-z]{1,3}\s+)?[A-Z][\w'’.-]*)+")


def grounded(reply: str, lines: Sequence[str], question: str) -> bool:
    """Whether ``reply`` cites the lines and names nothing beyond them (and the question)."""
    cited = {int(n) for n in _CITATION.findall(reply)}
    if not cited or not cited <= set(range(1, len(lines) + 1)):
        return False
    known = " ".join([*lines, question]).casefold()
    return all(name.casefold() in known for name in _NAME.findall(_CITATION.sub(" ", reply)))


class ModelPhrasing:
    """Phrases answers through an OpenAI-compatible chat completions endpoint; falls back on any doubt."""

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

    async def phrase(self, question: str, answer: Answer) -> Answer:
        """``answer`` phrased by the model, or ``answer`` itself if the model fails, is late or invents."""
        if answer.options or not answer.understood:
            return answer
        lines = answer.context_lines()
        try:
            reply = await asyncio.wait_for(self._complete(question, lines), self.timeout_seconds)
        except Exception:
            log.warning("the language model did not answer; using the built-in answer", exc_info=True)
            return answer
        reply = reply.strip()[:REPLY_LIMIT]
        if not reply or not grounded(reply, lines, question):
            log.info("the language model's answer was not grounded in its context; using the built-in answer")
            return answer
        return replace(answer, phrased=reply)

    async def _complete(self, question: str, lines: Sequence[str]) -> str:
        numbered = "\n".join(f"[{n}] {line}" for n, line in enumerate(lines, start=1))
        body: dict[str, Any] = {
            "model": self.model,
            "temperature": 0,
            "messages": [
                {"role": "system", "content": INSTRUCTIONS},
                {"role": "user", "content": f"Lines:\n{numbered}\n\nQuestion: {question}"},
            ],
        }
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.post(self.url, json=body, headers=headers) as response:
            response.raise_for_status()
            data = await response.json(content_type=None)
        return str(data["choices"][0]["message"]["content"])
