"""Plain values the library hands out, and the checks on names, tags and notes."""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..scenario import Scenario, from_json
from .db import LibraryError

MAX_NAME = 200  # the Scenario.name limit
MAX_TAG = 40
MAX_TAGS = 20
MAX_NOTE = 5_000


class NameExists(LibraryError):
    """A scenario with this name is already saved (and no new version was asked for)."""


class NotFound(LibraryError):
    """No saved scenario has this name (or version)."""


def _controls(text: str) -> list[str]:
    return sorted({f"U+{ord(ch):04X}" for ch in text if ord(ch) < 32 or 127 <= ord(ch) < 160})


def check_name(name: Any) -> str:
    """A valid library name (surrounding blanks removed) or a :class:`LibraryError` saying why not."""
    if not isinstance(name, str) or not name.strip():
        raise LibraryError("a scenario name is required (1 to 200 characters of plain text)")
    name = name.strip()
    if len(name) > MAX_NAME:
        raise LibraryError(f"the name is {len(name)} characters long; at most {MAX_NAME} are allowed")
    if bad := _controls(name):
        raise LibraryError(f"the name contains control characters ({', '.join(bad)}); use plain text")
    return name


def check_tags(tags: Any) -> tuple[str, ...]:
    """Tags as a sorted, de-duplicated tuple; a tag is 1-40 characters of plain text, at most 20 tags."""
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, (list, tuple, set, frozenset)):
        raise LibraryError(f"tags must be a list of words, got {type(tags).__name__}")
    out = set()
    for t in tags:
        if not isinstance(t, str):
            raise LibraryError(f"tag {t!r} is not text")
        t = t.strip()
        if not t:
            continue
        if len(t) > MAX_TAG or _controls(t):
            raise LibraryError(f"tag {t[:50]!r}: a tag is 1 to {MAX_TAG} characters of plain text")
        out.add(t)
    if len(out) > MAX_TAGS:
        raise LibraryError(f"{len(out)} tags given; at most {MAX_TAGS} are allowed")
    return tuple(sorted(out, key=str.casefold))


def check_note(note: Any) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise LibraryError(f"the note must be text, got {type(note).__name__}")
    if len(note) > MAX_NOTE:
        raise LibraryError(f"the note is {len(note):,} characters long; at most {MAX_NOTE:,} are allowed")
    if bad := [c for c in _controls(note) if c not in ("U+000A", "U+000D", "U+0009")]:
        raise LibraryError(f"the note contains control characters ({', '.join(bad)})")
    return note


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc(dt: datetime) -> datetime:
    """Datetimes read back from SQLite have no zone; every stored time is UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def not_found(name: str, known: list[str]) -> NotFound:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else (
        "; the library is empty" if not known else "; list them with: backpain-roi scenarios list")
    return NotFound(f"no saved scenario is called {name!r}{hint}")


@dataclass(frozen=True)
class SavedScenario:
    """One saved version of a named scenario (``version`` of ``versions``)."""

    name: str
    version: int
    versions: int
    tags: tuple[str, ...]
    note: str
    created_at: datetime
    saved_at: datetime
    schema_version: int
    parameter_set: str
    scenario_json: str
    sha256: str
    therapy: str
    summary: dict[str, Any] = field(repr=False)
    parameters: dict[str, dict[str, Any]] | None = field(default=None, repr=False)

    @property
    def updated_at(self) -> datetime:
        return self.saved_at

    @property
    def scenario(self) -> Scenario:
        return from_json(self.scenario_json)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: metadata, the scenario as an object, the results summary, the parameter rows."""
        return {"name": self.name, "version": self.version, "versions": self.versions, "tags": list(self.tags),
                "note": self.note, "created_at": self.created_at.isoformat(), "saved_at": self.saved_at.isoformat(),
                "schema_version": self.schema_version, "parameter_set": self.parameter_set, "therapy": self.therapy,
                "sha256": self.sha256, "scenario": json.loads(self.scenario_json), "summary": self.summary,
                "parameters": self.parameters}


#: The name every new scenario starts with; it is left out of file names.
DEFAULT_NAME = "Default scenario"


def name_slug(name: str, max_len: int = 60) -> str:
    """A file-name part for a scenario name: ASCII letters, digits, ``-`` and ``_`` only.

    >>> name_slug("Yoga: 12 classes / warehouse (2026)"), name_slug("Default scenario"), name_slug("Été"), name_slug("日本")
    ('Yoga-12-classes-warehouse-2026', '', 'Ete', 'scenario')
    """
    if not name or name.strip() == DEFAULT_NAME:
        return ""
    import re
    import unicodedata
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^A-Za-z0-9_]+", "-", ascii_).strip("-_")[:max_len].strip("-_")
    return slug or "scenario"
