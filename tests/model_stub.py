"""A local stand-in of an OpenAI-compatible chat completions endpoint, on 127.0.0.1, for the language model paths
(/ask answers, review consensus lines).

``mode`` says how it behaves: "echo" answers from the first numbered line and cites it, "invent" names someone
who is in no line, "uncited" cites nothing, "fail" answers 500, "slow" answers after ``delay`` seconds, "fixed"
answers ``text``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from services.language_model import LanguageModel


class ModelStub:
    def __init__(self) -> None:
        self.mode = "echo"
        self.delay = 2.0
        self.text = ""
        self.requests: list[dict[str, Any]] = []
        self.url = ""

    async def complete(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        prompt = body["messages"][-1]["content"]
        first = re.search(r"^\[1\] (.*)$", prompt, flags=re.MULTILINE)
        line = first.group(1) if first else ""
        if self.mode == "fail":
            return web.json_response({"error": "overloaded"}, status=500)
        if self.mode == "slow":
            await asyncio.sleep(self.delay)
        text = {
            "invent": "It was directed by Meryl Streep [1].",
            "uncited": f"Here is what I know: {line}",
            "fixed": self.text,
        }.get(self.mode, f"In short: {line} [1]")
        return web.json_response({"choices": [{"index": 0, "message": {"role": "assistant", "content": text}}]})


@asynccontextmanager
async def model_stub() -> AsyncIterator[ModelStub]:
    stub = ModelStub()
    app = web.Application()
    app.router.add_post("/v1/chat/completions", stub.complete)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    stub.url = f"http://127.0.0.1:{port}/v1"
    try:
        yield stub
    finally:
        await runner.cleanup()


@pytest.fixture
async def stub() -> AsyncIterator[ModelStub]:
    """A stub endpoint for this test."""
    async with model_stub() as server:
        yield server


@pytest.fixture
async def model(stub: ModelStub) -> AsyncIterator[LanguageModel]:
    """A client of the test's stub that gives up after half a second."""
    client = LanguageModel(stub.url, "stub", api_key="k", timeout_seconds=0.5)
    yield client
    await client.close()
