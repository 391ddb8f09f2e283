"""Where the library lives, how to connect, and what to say when the database misbehaves.

* :func:`resolve_url`: ``--db`` / an explicit URL, else ``BACKPAIN_ROI_DB``, else SQLite in the
  user's data directory (``platformdirs.user_data_dir("backpain-roi")/scenarios.sqlite3``).
* :func:`make_engine`: SQLite in WAL mode with a busy timeout, every write transaction opened
  with ``BEGIN IMMEDIATE`` (so concurrent writers queue instead of dead-locking); PostgreSQL
  through psycopg 3 (``postgresql://`` is read as ``postgresql+psycopg://``) with a connect timeout.
* :func:`migrate`: Alembic upgrade to the newest revision, once, under a lock.
* :func:`translate`: a database exception as a :class:`LibraryError` a person can act on.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc

from .models import HEAD_REVISION

ENV_VAR = "BACKPAIN_ROI_DB"
APP_NAME = "backpain-roi"
SQLITE_FILE = "scenarios.sqlite3"
#: Seconds a writer waits for another writer before the library reports that it is locked.
BUSY_TIMEOUT_S = 30.0
#: Seconds to wait for a PostgreSQL server to answer before reporting it unreachable.
CONNECT_TIMEOUT_S = 5
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Key of the PostgreSQL advisory lock held while migrating (any constant; "bpro" in ASCII).
_PG_LOCK_KEY = 0x6270726F


class LibraryError(Exception):
    """The scenario library could not do what was asked; the message says why and what to do."""


class LibraryUnavailable(LibraryError):
    """The database cannot be reached or opened."""


class LibraryLocked(LibraryError):
    """Another program holds a lock for longer than the busy timeout."""


class LibraryReadOnly(LibraryError):
    """The database accepts reads but not writes."""


def default_url() -> str:
    """SQLite in the user's data directory (created on first use)."""
    import platformdirs
    return f"sqlite:///{Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / SQLITE_FILE}"


def resolve_url(url: str | None = None) -> str:
    """The URL to use: the argument, else ``$BACKPAIN_ROI_DB``, else :func:`default_url`."""
    if url is not None and not str(url).strip():  # --db "" is a mistake, not "use the default"
        raise LibraryError("the database URL is empty: give sqlite:///path/to/file.sqlite3 or "
                           "postgresql://user:password@host:5432/database, or leave --db out for the default")
    for candidate in (url, os.environ.get(ENV_VAR)):
        if candidate and candidate.strip():
            return candidate.strip()
    return default_url()


def _normalise(url: str) -> sa.URL:
    try:
        u = sa.make_url(url)
    except exc.ArgumentError:
        raise LibraryError(f"{url!r} is not a database URL: use sqlite:///path/to/file.sqlite3 or "
                           "postgresql://user:password@host:5432/database") from None
    if u.get_backend_name() not in ("sqlite", "postgresql", "postgres"):
        raise LibraryError(f"{u.get_backend_name()!r} databases are not supported: use SQLite or PostgreSQL")
    driver = u.get_driver_name() if "+" in u.drivername else None
    if u.get_backend_name() in ("postgresql", "postgres"):
        if driver not in (None, "psycopg", "psycopg2"):  # psycopg2 URLs are mapped to psycopg 3 (installed)
            raise LibraryError(f"the PostgreSQL driver {driver!r} is not supported: write postgresql://... "
                               "(backpain-roi connects with psycopg 3)")
        return u.set(drivername="postgresql+psycopg")
    if driver not in (None, "pysqlite"):
        raise LibraryError(f"the SQLite driver {driver!r} is not supported: write sqlite:///path/to/file.sqlite3")
    if not u.database or u.database == ":memory:" or "mode=memory" in str(u):
        raise LibraryError("an in-memory SQLite library is lost when the program ends: give a file, "
                           "sqlite:///path/to/library.sqlite3")
    return u


def display_url(url: str | sa.URL) -> str:
    """The URL with any password hidden (safe to print and to show on a page)."""
    try:
        return (url if isinstance(url, sa.URL) else sa.make_url(url)).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return "(not a database URL)"


def _sqlite_engine(u: sa.URL, busy_timeout: float) -> sa.Engine:
    db = u.database or ""
    if db and db != ":memory:" and not db.startswith("file:"):
        path = Path(db).expanduser()
        if str(path.parent) == str(Path(default_url()[len("sqlite:///"):]).parent):
            path.parent.mkdir(parents=True, exist_ok=True)  # only our own data directory is created
        u = u.set(database=str(path))
    engine = sa.create_engine(u, connect_args={"timeout": busy_timeout}, poolclass=sa.pool.NullPool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cur.execute("PRAGMA foreign_keys = ON")
        if u.query.get("mode") != "ro":  # a read-only open cannot switch the journal mode
            cur.execute("PRAGMA journal_mode = WAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return engine


def make_engine(url: str | None = None, *, busy_timeout: float = BUSY_TIMEOUT_S) -> sa.Engine:
    """An engine for the library at ``url`` (see :func:`resolve_url`); nothing is connected yet."""
    u = _normalise(resolve_url(url))
    if u.get_backend_name() == "sqlite":
        return _sqlite_engine(u, busy_timeout)
    args = {"connect_timeout": CONNECT_TIMEOUT_S,
            "options": f"-c lock_timeout={int(busy_timeout * 1000)}"}
    return sa.create_engine(u, connect_args=args, pool_pre_ping=True, pool_size=2, max_overflow=4)


_LOCKED = ("database is locked", "database table is locked", "lock timeout", "lock_not_available",
           "canceling statement due to lock timeout")
_READ_ONLY = ("readonly database", "read-only", "read only", "permission denied", "readonly")
_UNREACHABLE = ("unable to open database file", "connection refused", "could not connect", "timeout expired",
                "could not translate host name", "name or service not known", "connection failed",
                "password authentication failed", "does not exist", "no such host", "server closed")


def translate(err: BaseException, url: str | sa.URL, action: str) -> LibraryError:
    """A database exception while ``action`` as a :class:`LibraryError` naming the database."""
    where = display_url(url)
    text = str(getattr(err, "orig", None) or err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    low = text.lower()
    keep = "Your current scenario is unchanged and the rest of the calculator keeps working."
    if any(k in low for k in _LOCKED):
        return LibraryLocked(f"The scenario library at {where} is locked by another program, so {action} "
                             f"waited and gave up ({text}). Try again in a moment. {keep}")
    if any(k in low for k in _READ_ONLY):
        return LibraryReadOnly(f"The scenario library at {where} is read-only, so {action} is not possible "
                               f"({text}). Point --db or {ENV_VAR} at a library you can write to. {keep}")
    if any(k in low for k in _UNREACHABLE) or isinstance(err, exc.InterfaceError):
        return LibraryUnavailable(f"The scenario library at {where} cannot be reached, so {action} failed "
                                  f"({text}). Check the address, that the server is running, and the "
                                  f"permissions of the folder. {keep}")
    if "file is not a database" in low:
        return LibraryUnavailable(f"{where} is not a scenario library (the file is not an SQLite database). {keep}")
    return LibraryError(f"The scenario library at {where} failed while {action}: {text}. {keep}")


@contextmanager
def guarded(url: str | sa.URL, action: str) -> Iterator[None]:
    """Run a block of database work; any driver error becomes a :class:`LibraryError`."""
    try:
        yield
    except LibraryError:
        raise
    except (exc.DBAPIError, exc.SQLAlchemyError, OSError) as err:
        raise translate(err, url, action) from err


def _alembic_config(conn: sa.Connection) -> Any:
    from alembic.config import Config
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def current_revision(conn: sa.Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext
    return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: sa.Engine, target: str = "head") -> None:
    """Upgrade the schema to ``target`` (default the newest); a no-op when it is already there.

    The upgrade runs in one write transaction (``BEGIN IMMEDIATE`` on SQLite; an advisory lock on
    PostgreSQL), so concurrent first opens migrate once and a failed upgrade leaves nothing behind.
    """
    from alembic import command
    with engine.connect() as conn:
        have = current_revision(conn)
        conn.rollback()
    if have == HEAD_REVISION and target == "head":
        return
    if have is not None and have not in _known_revisions():
        raise LibraryError(f"the library at {display_url(engine.url)} was written by a newer version of "
                           f"backpain-roi (schema revision {have}; this version knows up to {HEAD_REVISION}). "
                           "Upgrade backpain-roi to open it.")
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")
        command.upgrade(_alembic_config(conn), target)


def _known_revisions() -> set[str]:
    return {p.name.split("_", 1)[0] for p in (MIGRATIONS / "versions").glob("[0-9]*.py")}
