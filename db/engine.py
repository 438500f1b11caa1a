"""The async engine and the session factory: one session per unit of work, opened by the caller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from db.base import Base

SQLITE_BUSY_TIMEOUT_MS = 5000


class DatabaseUnavailable(Exception):
    """The database cannot be reached, opened or written; the message says what failed and what to check."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def upsert_insert(
    session: AsyncSession | AsyncConnection, table: Table | type[Base]
) -> sqlite.Insert | postgresql.Insert:
    """An INSERT into ``table`` (a Table or mapped class) that takes ``on_conflict_do_nothing`` and
    ``on_conflict_do_update``, in the dialect of the session's (or connection's) back end (SQLite and PostgreSQL
    spell them alike).
    """
    if isinstance(session, AsyncConnection):
        dialect = session.dialect.name
    else:
        dialect = session.bind.dialect.name if session.bind else "sqlite"
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def sqlite_file(url: str | URL) -> Path | None:
    """The database file a SQLite URL names (``file:`` URIs too); None for PostgreSQL and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    uri = parsed.query.get("uri") in ("true", "1")
    return Path(parsed.database.removeprefix("file:") if uri else parsed.database)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error, what SQLAlchemy wrapped, and what caused or preceded each."""
    seen: set[int] = set()
    todo = [error]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo += [e for e in (getattr(current, "orig", None), current.__cause__, current.__context__) if e is not None]


@contextmanager
def explained(url: str) -> Iterator[None]:
    """Turn a failure to reach, open or write the database at ``url`` into DatabaseUnavailable, which says
    in a sentence what failed and what to check (never the password). Other errors pass unchanged."""
    try:
        yield
    except Exception as error:
        problem = _problem(url, error)
        if problem is None:
            raise
        raise DatabaseUnavailable(problem) from error


def _problem(url: str, error: BaseException) -> str | None:
    """What failed and what to check, if ``error`` (or what it wraps) is the database refusing or failing us."""
    parsed = make_url(url)
    where = f"PostgreSQL at {parsed.host or 'localhost'}:{parsed.port or 5432}"
    path = sqlite_file(url)
    for cause in _causes(error):
        state = getattr(cause, "sqlstate", None)  # asyncpg's server errors
        sqlite = getattr(cause, "sqlite_errorname", "")
        if state == "3D000":
            return (
                f'{where} has no database "{parsed.database}": create it (createdb {parsed.database}) '
                "or correct database_url."
            )
        if state in ("28P01", "28000"):
            return f"{where} refused user {parsed.username!r}: {cause}. Check the user and password in database_url."
        if isinstance(cause, OSError) and parsed.get_backend_name() == "postgresql":  # refused, unknown host, timeout
            return (
                f"Cannot reach {where} ({cause.strerror or cause or 'timed out'}): check that the server is running "
                "and that database_url names its host and port."
            )
        if sqlite.startswith("SQLITE_READONLY"):
            return (
                f"The SQLite database {path} is read-only: Film Club needs to write the file and its directory "
                "(SQLite keeps -wal and -shm files beside it). Check their permissions, or set data_dir elsewhere."
            )
        if sqlite.startswith("SQLITE_CANTOPEN"):
            return (
                f"Cannot open the SQLite database {path}: check that it is a file and that its directory is "
                "writable (SQLite keeps -wal and -shm files beside it), or set data_dir elsewhere."
            )
        if sqlite.startswith("SQLITE_BUSY"):
            return (
                f"The SQLite database {path} stayed locked by another program for "
                f"{SQLITE_BUSY_TIMEOUT_MS // 1000} s: close it (or stop the other Film Club process), then try again."
            )
        if sqlite.startswith("SQLITE_NOTADB"):
            return f"{path} is not a SQLite database: point database_url or data_dir elsewhere."
    return None


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An engine for ``sqlite+aiosqlite://`` or ``postgresql+asyncpg://`` URLs, tuned for each."""
    if make_url(url).get_backend_name() == "sqlite":
        if (path := sqlite_file(url)) is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise DatabaseUnavailable(
                    f"Cannot create the directory {path.parent} for the SQLite database ({error.strerror}): "
                    "check data_dir (or database_url)."
                ) from error
        engine = create_async_engine(url, echo=echo)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_async_engine(url, echo=echo, pool_size=5, max_overflow=5)
    event.listen(engine.sync_engine.pool, "checkout", _replace_closed)
    return engine


def _replace_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled PostgreSQL connection the server has closed (a restart, an idle timeout, a terminated backend) is
    replaced before it is used: asyncpg knows that without a round trip, where ``pool_pre_ping`` asks the server
    on every checkout (a round trip per unit of work, doubling the time of a short one)."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


class Database:
    """Owns the engine and hands out sessions; built once in ``main()`` and injected where needed."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine = create_engine(url, echo=echo)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed when the block ends, rolled back if it raises."""
        async with self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads that need no ORM objects: cheaper to open and end than a session (for the
        hot read paths). Nothing is committed; its transaction ends when the block does."""
        async with self.engine.connect() as connection:
            yield connection

    async def dispose(self) -> None:
        await self.engine.dispose()
