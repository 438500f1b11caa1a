"""A local TMDB for tests: serves bodies in TMDB API v3's documented shapes from 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

NOT_FOUND = {"success": False, "status_code": 34, "status_message": "The resource you requested could not be found."}


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FakeTmdb:
    """Answers each path with its body in ``routes`` (404 otherwise); scripted replies go first, once each."""

    def __init__(self, routes: Mapping[str, Any]) -> None:
        self.routes = dict(routes)
        self.scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self.requests: list[web.Request] = []

    def script(self, path: str, *replies: Reply) -> None:
        self.scripts[path].extend(replies)

    def count(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append(request)
        scripted = self.scripts[request.path]
        if scripted:
            reply = scripted.popleft()
        elif request.path in self.routes:
            reply = Reply(body=self.routes[request.path])
        else:
            reply = Reply(404, NOT_FOUND)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)


@asynccontextmanager
async def serving(fake: FakeTmdb) -> AsyncIterator[str]:
    """Serve ``fake``; yields the base URL to configure as ``tmdb_base_url``."""
    app = web.Application()
    app.router.add_get("/{tail:.*}", fake.handle)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("/3"))
    finally:
        await server.close()
