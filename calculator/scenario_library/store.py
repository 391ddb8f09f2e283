"""The scenario library: save, list, load, history, delete (with restore) on SQLite or PostgreSQL.

>>> import tempfile, os
>>> lib = open_library("sqlite:///" + os.path.join(tempfile.mkdtemp(), "doc.sqlite3"))
>>> from calculator import Scenario
>>> lib.save("Massage, 10 visits", Scenario(), tags=["massage"]).version
1
>>> lib.save("Massage, 10 visits", Scenario(), tags=["massage", "v2"], if_exists="new_version").version
2
>>> [(s.name, s.versions, s.tags) for s in lib.list()]
[('Massage, 10 visits', 2, ('massage', 'v2'))]
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc

from ..evidence import library
from ..scenario import Scenario, ScenarioError, apply_sets, to_json
from . import db
from .db import LibraryError
from .models import scenarios as S
from .models import versions as V
from .records import (
    NameExists,
    SavedScenario,
    check_name,
    check_note,
    check_tags,
    not_found,
    sha256,
    utc,
)
from .summary import headline, parameter_snapshot

T = TypeVar("T")
IfExists = Literal["error", "new_version"]
#: Attempts of a write that lost a race (unique-name insert, PostgreSQL deadlock) before giving up.
WRITE_ATTEMPTS = 8


def _jsonable(obj: Any) -> Any:
    """NaN/inf -> None so stored summaries are strict JSON."""
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def named(scenario: Scenario, name: str) -> Scenario:
    """The scenario carrying ``name`` and the parameter-set version in use (what a save stores)."""
    try:
        return apply_sets(scenario, [("name", json.dumps(name)), ("parameter_set", json.dumps(library().version))])
    except ScenarioError as err:
        raise LibraryError(f"the name {name!r} cannot be used: {err}") from None


def _prepare(scenario: Scenario, name: str, tags: Iterable[str], note: str | None) -> dict[str, Any]:
    """The column values of a new version (everything but ids, version number and time)."""
    s = named(scenario, check_name(name))
    text = to_json(s)
    return {"tags": json.dumps(list(check_tags(tags))), "note": check_note(note), "schema_version": s.schema_version,
            "parameter_set": library().version, "scenario_json": text,
            "summary_json": json.dumps(_jsonable(headline(s))), "sha256": sha256(text),
            "therapy": s.programs[0].therapy, "parameters_json": json.dumps(parameter_snapshot(s))}


class ScenarioLibrary:
    """A named-scenario library in one database. Open it with :func:`open_library`."""

    def __init__(self, url: str | None = None, *, busy_timeout: float = db.BUSY_TIMEOUT_S, migrate: bool = True):
        self.url = db.resolve_url(url)
        self.engine = db.make_engine(self.url, busy_timeout=busy_timeout)
        if migrate:
            with db.guarded(self.url, "opening the library"):
                db.migrate(self.engine)

    @property
    def where(self) -> str:
        """The database URL with any password hidden."""
        return db.display_url(self.url)

    def close(self) -> None:
        self.engine.dispose()

    # -- transactions -------------------------------------------------------------------------

    def _read(self, action: str, fn: Callable[[sa.Connection], T]) -> T:
        with db.guarded(self.url, action), self.engine.connect() as conn:
            out = fn(conn)
            conn.rollback()
            return out

    def _write(self, action: str, fn: Callable[[sa.Connection], T]) -> T:
        """Run ``fn`` in one write transaction; retry a lost race (unique insert, deadlock)."""
        last: Exception | None = None
        for _ in range(WRITE_ATTEMPTS):
            try:
                with db.guarded(self.url, action), self.engine.connect().execution_options(write=True) as conn:
                    with conn.begin():
                        return fn(conn)
            except LibraryError as err:
                cause = err.__cause__
                if isinstance(cause, exc.IntegrityError) or "deadlock" in str(cause).lower():
                    last = err
                    continue
                raise
        raise LibraryError(f"{action} kept colliding with other writers: {last}")

    # -- saving -------------------------------------------------------------------------------

    def save(self, name: str, scenario: Scenario, *, tags: Iterable[str] = (), note: str | None = None,
             if_exists: IfExists = "error") -> SavedScenario:
        """Save ``scenario`` as ``name``; an existing name raises :class:`NameExists` unless
        ``if_exists="new_version"``, which keeps every earlier version in the history."""
        if if_exists not in ("error", "new_version"):
            raise LibraryError(f"if_exists must be 'error' or 'new_version', got {if_exists!r}")
        row = _prepare(scenario, name, tags, note)
        name = check_name(name)
        return self._write(f"saving {name!r}", lambda c: self._insert(c, name, row, if_exists, None))

    def _insert(self, conn: sa.Connection, name: str, row: dict[str, Any], if_exists: IfExists,
                saved_at: datetime | None, created_at: datetime | None = None) -> SavedScenario:
        now = datetime.now(UTC)
        q = sa.select(S.c.id, S.c.latest_version, S.c.created_at).where(S.c.name == name)
        if conn.dialect.name == "postgresql":
            q = q.with_for_update()
        have = conn.execute(q).first()
        if have is None:
            sid = conn.execute(sa.insert(S).values(name=name, latest_version=1, created_at=created_at or now,
                                                   updated_at=saved_at or now).returning(S.c.id)).scalar_one()
            version = 1
        elif if_exists == "error":
            raise NameExists(f"a scenario called {name!r} is already saved (version {have.latest_version}); "
                             "save it as a new version (--new-version on the command line) or choose another name")
        else:
            sid, version = have.id, have.latest_version + 1
            conn.execute(sa.update(S).where(S.c.id == sid).values(latest_version=version, updated_at=saved_at or now))
        conn.execute(sa.insert(V).values(scenario_id=sid, version=version, saved_at=saved_at or now, **row))
        return self._get(conn, name, version)

    # -- reading ------------------------------------------------------------------------------

    def _query(self) -> sa.Select:
        return sa.select(S.c.name, S.c.latest_version, S.c.created_at, V).join(V, V.c.scenario_id == S.c.id)

    @staticmethod
    def _record(r: Any) -> SavedScenario:
        if sha256(r.scenario_json) != r.sha256:
            raise LibraryError(f"saved scenario {r.name!r} version {r.version} is damaged: its SHA-256 does "
                               "not match its content; restore the library from an export")
        return SavedScenario(
            name=r.name, version=r.version, versions=r.latest_version, tags=tuple(json.loads(r.tags)), note=r.note,
            created_at=utc(r.created_at), saved_at=utc(r.saved_at), schema_version=r.schema_version,
            parameter_set=r.parameter_set, scenario_json=r.scenario_json, sha256=r.sha256, therapy=r.therapy,
            summary=json.loads(r.summary_json),
            parameters=json.loads(r.parameters_json) if r.parameters_json else None)

    def _names(self, conn: sa.Connection) -> list[str]:
        return list(conn.execute(sa.select(S.c.name).order_by(S.c.name)).scalars())

    def _get(self, conn: sa.Connection, name: str, version: int | None) -> SavedScenario:
        q = self._query().where(S.c.name == name)
        q = q.where(V.c.version == (S.c.latest_version if version is None else version))
        r = conn.execute(q).first()
        if r is None:
            if version is not None and conn.execute(sa.select(S.c.id).where(S.c.name == name)).first():
                raise not_found(f"{name} (version {version})", [])
            raise not_found(name, self._names(conn))
        return self._record(r)

    def get(self, name: str, version: int | None = None) -> SavedScenario:
        """The newest (or the given) version of a saved scenario."""
        name = check_name(name)
        return self._read(f"reading {name!r}", lambda c: self._get(c, name, version))

    def load(self, name: str, version: int | None = None) -> Scenario:
        """The validated :class:`~calculator.Scenario` saved as ``name``."""
        return self.get(name, version).scenario

    def history(self, name: str) -> list[SavedScenario]:
        """Every version saved under ``name``, oldest first."""
        name = check_name(name)

        def run(conn: sa.Connection) -> list[SavedScenario]:
            rows = conn.execute(self._query().where(S.c.name == name).order_by(V.c.version)).all()
            if not rows:
                raise not_found(name, self._names(conn))
            return [self._record(r) for r in rows]
        return self._read(f"reading the history of {name!r}", run)

    def list(self, *, text: str | None = None, tag: str | None = None, therapy: str | None = None) -> list[SavedScenario]:
        """The newest version of every saved scenario, by name; filters combine (AND).

        ``text``: part of the name or note (any case); ``tag``: an exact tag (any case);
        ``therapy``: a therapy id such as ``yoga``.
        """
        q = self._query().where(V.c.version == S.c.latest_version).order_by(S.c.name)
        if therapy:
            q = q.where(V.c.therapy == therapy)
        if text:
            pat = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            q = q.where(sa.or_(S.c.name.ilike(pat, escape="\\"), V.c.note.ilike(pat, escape="\\")))
        rows = self._read("listing the library", lambda c: c.execute(q).all())
        out = [self._record(r) for r in rows]
        if tag:
            out = [s for s in out if tag.strip().casefold() in {t.casefold() for t in s.tags}]
        return out

    def names(self) -> list[str]:
        return self._read("listing the library", self._names)

    def tags(self) -> list[str]:
        """Every tag in use (newest versions), sorted."""
        return sorted({t for s in self.list() for t in s.tags}, key=str.casefold)

    # -- deleting and restoring -----------------------------------------------------------------

    def delete(self, name: str) -> dict[str, Any]:
        """Delete ``name`` and its history; returns the deleted entry for :meth:`restore` (undo)."""
        entry = {"name": check_name(name), "versions": [v.to_dict() for v in self.history(name)]}

        def run(conn: sa.Connection) -> None:
            sid = conn.execute(sa.select(S.c.id).where(S.c.name == entry["name"])).scalar()
            if sid is None:
                raise not_found(entry["name"], self._names(conn))
            conn.execute(sa.delete(V).where(V.c.scenario_id == sid))
            conn.execute(sa.delete(S).where(S.c.id == sid))
        self._write(f"deleting {name!r}", run)
        return entry

    def restore(self, entry: dict[str, Any]) -> SavedScenario:
        """Put back a deleted entry (every version, times and all); the name must be free again."""
        from .transfer import entry_rows
        name, rows = entry_rows(entry)

        def run(conn: sa.Connection) -> SavedScenario:
            if conn.execute(sa.select(S.c.id).where(S.c.name == name)).first():
                raise NameExists(f"{name!r} cannot be restored: a scenario with that name was saved since")
            return self.write_entry(conn, name, rows)
        return self._write(f"restoring {name!r}", run)

    def write_entry(self, conn: sa.Connection, name: str, rows: list[dict[str, Any]],
                    if_exists: IfExists = "error") -> SavedScenario:
        """Insert prepared version rows (from :mod:`.transfer`) under ``name``, oldest first."""
        out = None
        for i, row in enumerate(rows):
            row = dict(row)
            saved_at, created_at = row.pop("saved_at"), row.pop("created_at", None)
            out = self._insert(conn, name, row, "new_version" if i or if_exists == "new_version" else "error",
                               saved_at, created_at)
        assert out is not None
        return out


def open_library(url: str | None = None, *, busy_timeout: float = db.BUSY_TIMEOUT_S) -> ScenarioLibrary:
    """Open (creating and migrating as needed) the library at ``url``, ``$BACKPAIN_ROI_DB`` or the default."""
    return ScenarioLibrary(url, busy_timeout=busy_timeout)
