"""Export the whole library as one JSON or ZIP file, and import such a file, validated like an upload.

The file (``library.json``, alone or inside a ZIP next to one canonical scenario file per name)::

    {"format": "backpain-roi-scenario-library", "format_version": 1, "exported_at": "...",
     "parameter_set": "...", "scenarios": [{"name": "...", "versions": [{"version": 1,
     "saved_at": "...", "tags": [...], "note": "...", "scenario": {...}, "sha256": "...",
     "parameters": {...} | null, ...}]}]}

Import checks everything before it writes anything: the byte limit (before reading), the ZIP's
member count and uncompressed sizes, JSON syntax, every scenario through the same validation as
an uploaded scenario file, names, tags, notes, times and each SHA-256. Results summaries are
recomputed, never trusted from the file. With problems, nothing is imported unless the caller
chooses ``skip_invalid=True``; then the valid entries are imported and the report lists every
skipped one with its reason.
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..evidence import library
from ..guards import InputError, loads_json
from ..scenario import ScenarioError, apply_sets, build, to_json
from .db import LibraryError
from .records import check_name, check_note, check_tags, name_slug, sha256
from .store import IfExists, ScenarioLibrary, _jsonable
from .summary import METRICS, headline

FORMAT = "backpain-roi-scenario-library"
FORMAT_VERSION = 1
#: Largest library file read (checked before reading). A saved scenario is about 3 kB with its
#: summary and parameter rows, so this holds thousands of versions.
MAX_IMPORT_BYTES = 50_000_000
MAX_ZIP_MEMBERS = 20_000
MAX_ENTRIES = 10_000
MAX_VERSIONS = 1_000
JSON_MEMBER = "library.json"


_EXISTS = "a scenario with this name is already in the library"


class ImportProblems(LibraryError):
    """The file has problems; nothing was imported. ``.problems`` lists each with its entry."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        exists = any(p.endswith(_EXISTS) for p in problems)
        hint = (" For a name already in the library choose what happens (if-exists: skip keeps the library's, "
                "new-version adds the file's versions)." if exists else "")
        super().__init__(f"{len(problems)} problem(s), nothing imported: " + "; ".join(problems[:5]) + more
                         + ". Fix the file, or import the valid entries only (skip invalid entries)." + hint)


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "entry N 'name': reason"


# -- export -------------------------------------------------------------------------------------


def export_data(lib: ScenarioLibrary) -> dict[str, Any]:
    """The whole library (every version of every name) as a JSON-ready dict."""
    entries = [{"name": s.name, "versions": [v.to_dict() for v in lib.history(s.name)]} for s in lib.list()]
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "exported_at": datetime.now(UTC).isoformat(),
            "parameter_set": library().version, "scenarios": entries}


def _slug(name: str) -> str:
    return name_slug(name) or "Default-scenario"


def export_bytes(lib: ScenarioLibrary, fmt: str = "json") -> bytes:
    """``json``: library.json; ``zip``: library.json plus ``scenarios/<name>.json`` (newest versions)."""
    data = export_data(lib)
    text = json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")
    if fmt == "json":
        return text
    if fmt != "zip":
        raise LibraryError(f"export format {fmt!r}: use json or zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(JSON_MEMBER, text)
        used: set[str] = set()
        for e in data["scenarios"]:
            base = _slug(e["name"])
            fname, n = base, 2
            while fname.casefold() in used:
                fname, n = f"{base}-{n}", n + 1
            used.add(fname.casefold())
            z.writestr(f"scenarios/{fname}.json", json.dumps(e["versions"][-1]["scenario"], indent=2,
                                                               ensure_ascii=False) + "\n")
    return buf.getvalue()


# -- import -------------------------------------------------------------------------------------


def read_bytes(data: bytes, filename: str = "library.json") -> dict[str, Any]:
    """Parse a library file (JSON, or a ZIP holding library.json) with size limits; a dict or an error."""
    if len(data) > MAX_IMPORT_BYTES:
        raise LibraryError(f"{filename}: the file is {len(data):,} bytes; a library file is at most "
                           f"{MAX_IMPORT_BYTES:,}")
    if data[:4] == b"PK\x03\x04":
        data = _zip_member(data, filename)
    try:  # guarded parse: depth, number length, duplicate keys and NaN refused before allocating
        doc = loads_json(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise LibraryError(f"{filename}: not UTF-8 text (a library file is JSON, or a ZIP holding "
                           f"{JSON_MEMBER})") from None
    except InputError as e:
        raise LibraryError(f"{filename}: {e}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise LibraryError(f"{filename}: not a backpain-roi scenario library (expected \"format\": \"{FORMAT}\"; "
                           "a single scenario file is loaded with 'Load scenario' instead)")
    if type(doc.get("format_version")) is not int or doc["format_version"] != FORMAT_VERSION:  # true == 1
        raise LibraryError(f"{filename}: format_version {doc.get('format_version')!r} is not supported "
                           f"(this version reads {FORMAT_VERSION})")
    if not isinstance(doc.get("scenarios"), list) or len(doc["scenarios"]) > MAX_ENTRIES:
        raise LibraryError(f"{filename}: \"scenarios\" must be a list of at most {MAX_ENTRIES:,} entries")
    return doc


def _zip_member(data: bytes, filename: str) -> bytes:
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise LibraryError(f"{filename}: a damaged ZIP file") from None
    infos = z.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise LibraryError(f"{filename}: {len(infos):,} files in the ZIP; at most {MAX_ZIP_MEMBERS:,}")
    info = next((i for i in infos if i.filename == JSON_MEMBER), None)
    if info is None:
        raise LibraryError(f"{filename}: the ZIP holds no {JSON_MEMBER}")
    if info.file_size > MAX_IMPORT_BYTES:
        raise LibraryError(f"{filename}: {JSON_MEMBER} unpacks to {info.file_size:,} bytes; at most "
                           f"{MAX_IMPORT_BYTES:,}")
    with z.open(info) as fh:
        out = fh.read(MAX_IMPORT_BYTES + 1)
    if len(out) > MAX_IMPORT_BYTES:
        raise LibraryError(f"{filename}: {JSON_MEMBER} unpacks to more than {MAX_IMPORT_BYTES:,} bytes")
    return out


def _time(value: Any, what: str) -> datetime:
    try:
        t = datetime.fromisoformat(str(value))
    except ValueError:
        raise LibraryError(f"{what} {str(value)[:40]!r} is not an ISO date and time") from None
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t


def _parameters(value: Any) -> str | None:
    if value is None:
        return None
    ok = isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, dict) and isinstance(v.get("value"), (int, float))
        and not isinstance(v.get("value"), bool) for k, v in value.items())
    if not ok:
        raise LibraryError("\"parameters\" must map parameter ids to rows with a numeric \"value\"")
    return json.dumps(value)


def _version_row(name: str, v: Any, created: datetime | None) -> dict[str, Any]:
    if not isinstance(v, dict) or not isinstance(v.get("scenario"), dict):
        raise LibraryError("each version needs a \"scenario\" object")
    if "name" in v and v["name"] != name:
        raise LibraryError(f"\"name\" {str(v['name'])[:60]!r} differs from the entry's name {name!r}")
    if "tags" in v and not isinstance(v["tags"], list):
        raise LibraryError(f"\"tags\" must be a list of words, got {type(v['tags']).__name__}")
    given = v["scenario"]
    try:
        s = build(given)
        if s.name != name:  # the entry's name wins over the name inside the scenario
            s = apply_sets(s, [("name", json.dumps(name))])
    except ScenarioError as err:
        raise LibraryError(f"scenario: {err}") from None
    # the SHA-256 covers the scenario text as exported (the stored canonical JSON), not a rebuild: a
    # rebuild adds fields a later schema introduced and would report an unchanged export as changed
    if v.get("sha256") is not None and sha256(json.dumps(given, indent=2, ensure_ascii=False) + "\n") != v["sha256"]:
        raise LibraryError("the scenario does not match its SHA-256 (it was changed after export)")
    text = to_json(s)
    summary = _summary(v.get("summary"), s)
    saved = _time(v.get("saved_at", datetime.now(UTC).isoformat()), "saved_at")
    return {"tags": json.dumps(list(check_tags(v.get("tags", [])))), "note": check_note(v.get("note", "")),
            "schema_version": s.schema_version, "parameter_set": str(s.parameter_set or v.get("parameter_set") or "unknown")[:64],
            "scenario_json": text, "summary_json": summary, "sha256": sha256(text),
            "therapy": s.programs[0].therapy, "parameters_json": _parameters(v.get("parameters")),
            "saved_at": saved, "created_at": created}


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if not isinstance(a, (int, float)) or isinstance(a, bool):
        return False
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)


def _summary(given: Any, s: Any) -> str:
    """The stored results summary: recomputed when the file has none; else checked, never replaced silently.

    Saved under this parameter set, every result must match a recomputation (the PSA is seeded);
    saved under another, the file's results are kept (drift compares them with today's) after a
    check that each is a number or null.
    """
    fresh = _jsonable(headline(s))
    if given is None:
        return json.dumps(fresh)
    if not isinstance(given, dict):
        raise LibraryError(f"\"summary\" must be an object of results, got {type(given).__name__}")
    if given.get("parameter_set") == fresh["parameter_set"]:
        bad = [k for k, _, _ in METRICS if not _same(given.get(k), fresh[k])]
        if bad:
            k = bad[0]
            raise LibraryError(f"\"summary\" does not match the scenario's results ({k}: file "
                               f"{str(given.get(k))[:30]}, recomputed {fresh[k]}); remove \"summary\" to recompute it")
        return json.dumps(fresh)
    bad = [k for k, _, _ in METRICS if k not in given or not (given[k] is None or (
        isinstance(given[k], (int, float)) and not isinstance(given[k], bool) and math.isfinite(given[k])))]
    if bad:
        raise LibraryError(f"\"summary\" {bad[0]} must be a number or null (got {str(given.get(bad[0]))[:30]})")
    return json.dumps(given)


def entry_rows(entry: Any) -> tuple[str, list[dict[str, Any]]]:
    """Validate one library entry: its name and version rows ready to insert (oldest first)."""
    if not isinstance(entry, dict):
        raise LibraryError("an entry must be an object with \"name\" and \"versions\"")
    name = check_name(entry.get("name"))
    vs = entry.get("versions")
    if not isinstance(vs, list) or not 1 <= len(vs) <= MAX_VERSIONS:
        raise LibraryError(f"\"versions\" must be a list of 1 to {MAX_VERSIONS} versions")
    created = _time(vs[0]["created_at"], "created_at") if isinstance(vs[0], dict) and vs[0].get("created_at") else None
    rows, last = [], 0
    for i, v in enumerate(vs, start=1):
        try:
            num = v.get("version", last + 1) if isinstance(v, dict) else None
            if type(num) is not int or num <= last:
                raise LibraryError(f"\"version\" {str(num)[:20]} must be a whole number above the previous "
                                   f"version ({last}); versions are listed oldest first")
            last = num
            rows.append(_version_row(name, v, created))
        except LibraryError as err:
            raise LibraryError(f"version {i}: {err}") from None
    return name, rows


def import_data(lib: ScenarioLibrary, doc: dict[str, Any], *, skip_invalid: bool = False,
                if_exists: IfExists | str = "error") -> ImportReport:
    """Import a parsed library file (see :func:`read_bytes`); all-or-nothing unless ``skip_invalid``.

    ``if_exists``: ``error`` (a name already in the library is a problem), ``skip`` (keep the
    library's, report it) or ``new_version`` (add the file's versions after the library's).
    """
    if if_exists not in ("error", "skip", "new_version"):
        raise LibraryError(f"if_exists must be error, skip or new_version, got {if_exists!r}")
    report, good, seen = ImportReport(), [], set()
    existing = set(lib.names())
    for i, entry in enumerate(doc["scenarios"], start=1):
        label = f"entry {i}" + (f" {entry.get('name')!r}" if isinstance(entry, dict) and entry.get("name") else "")
        try:
            name, rows = entry_rows(entry)
            if name in seen:
                raise LibraryError("the name appears twice in the file")
            seen.add(name)
            if name in existing and if_exists == "skip":
                report.skipped.append(f"{label}: already in the library (kept the library's)")
                continue
            if name in existing and if_exists == "error":
                raise LibraryError(_EXISTS)
            good.append((name, rows))
        except LibraryError as err:
            report.skipped.append(f"{label}: {err}")
    problems = [p for p in report.skipped if "kept the library's" not in p]
    if problems and not skip_invalid:
        raise ImportProblems(problems)

    def run(conn: Any) -> None:
        for name, rows in good:
            lib.write_entry(conn, name, rows, "new_version" if if_exists == "new_version" else "error")
    lib._write("importing a library file", run)
    report.imported = [n for n, _ in good]
    return report


def import_bytes(lib: ScenarioLibrary, data: bytes, filename: str = "library.json", *,
                 skip_invalid: bool = False, if_exists: str = "error") -> ImportReport:
    """Read (:func:`read_bytes`) and import (:func:`import_data`) a library file."""
    return import_data(lib, read_bytes(data, filename), skip_invalid=skip_invalid, if_exists=if_exists)
