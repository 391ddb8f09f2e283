"""The saved scenario library: named, tagged, versioned scenarios in SQLite or PostgreSQL.

Storage is SQLAlchemy 2.x with Alembic migrations shipped in this package and run on open. By
default the library is SQLite in the user's data directory (WAL mode, busy timeout); any
``postgresql://`` URL works too, given as ``url``, ``--db`` or ``$BACKPAIN_ROI_DB`` (docs/LIBRARY.md)::

    from calculator.scenario_library import open_library
    lib = open_library()                              # or open_library("postgresql://...")
    lib.save("Yoga, 12 classes", scenario, tags=["yoga", "2026"], note="for the March review")
    lib.list(tag="yoga")                              # newest versions, filterable
    lib.load("Yoga, 12 classes")                      # the Scenario
    compare_scenarios([(n, lib.load(n)) for n in names])   # 2-4 side by side
    drift(lib.get("Yoga, 12 classes"))                # what today's parameter library changes
    export_bytes(lib, "zip"); import_bytes(lib, data)

Every failure is a :class:`LibraryError` whose message names the database and says what to do
(:class:`LibraryUnavailable`, :class:`LibraryLocked`, :class:`LibraryReadOnly`, :class:`NameExists`,
:class:`NotFound`, :class:`ImportProblems`). The package is named ``scenario_library`` because
``calculator.library`` is the parameter-library function.
"""

from .compare import MAX_COMPARE, MIN_COMPARE, Comparison, compare_scenarios
from .db import (
    ENV_VAR,
    LibraryError,
    LibraryLocked,
    LibraryReadOnly,
    LibraryUnavailable,
    default_url,
    resolve_url,
)
from .drift import Drift, drift
from .records import DEFAULT_NAME, NameExists, NotFound, SavedScenario, name_slug
from .store import ScenarioLibrary, open_library
from .summary import SUMMARY_DRAWS, SUMMARY_SEED, headline
from .transfer import ImportProblems, ImportReport, export_bytes, import_bytes

__all__ = [
    "DEFAULT_NAME", "ENV_VAR", "name_slug", "MAX_COMPARE", "MIN_COMPARE", "SUMMARY_DRAWS", "SUMMARY_SEED",
    "Comparison", "Drift", "ImportProblems", "ImportReport", "LibraryError", "LibraryLocked", "LibraryReadOnly",
    "LibraryUnavailable", "NameExists", "NotFound", "SavedScenario", "ScenarioLibrary",
    "compare_scenarios", "default_url", "drift", "export_bytes", "headline", "import_bytes", "open_library",
    "resolve_url",
]
