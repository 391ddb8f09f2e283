"""backpain-roi: what chronic low back pain costs an employer, and whether covering a therapy pays back.

The public API::

    from calculator import Scenario, evaluate, compare
    result = evaluate(Scenario())          # defaults from the cited parameter library
    result.burden.total                     # USD per year
    result.program.roi                      # over the horizon
    compare(Scenario())                     # every therapy, one row each (DataFrame)
    psa(Scenario(), draws=10_000, seed=1)   # Monte Carlo uncertainty (tables in .summary ...)
    one_way(Scenario())                     # the tornado table
    portfolio(groups_df, draws=10_000, seed=1)  # a book of employer groups: (groups, totals)

``import calculator`` never imports streamlit; the dashboard lives in ``calculator.dashboard``.

The saved scenario library (docs/LIBRARY.md) is imported on first use::

    lib = calculator.open_library()         # SQLite in your data directory, or a URL / $BACKPAIN_ROI_DB
    lib.save("Yoga", scenario, tags=["yoga"]); calculator.compare_scenarios(...); calculator.drift(...)
"""

from .book import portfolio  # issue 12: book of business (module calculator.book)

# Health plan view (issue 11): budget impact PMPM, cost per QALY, your own claims
from .budget import budget_impact
from .cea import cea_psa, cost_effectiveness
from .claims import apply_claims, read_claims
from .evidence import EvidenceError, library
from .model import Result, build_inputs, compare, effect_curve, evaluate, input_table
from .scenario import (
    Scenario,
    ScenarioError,
    apply_sets,
    from_json,
    get_path,
    load,
    save,
    set_path,
    to_json,
)
from .sensitivity import apply_scenario_preset, compare_presets, one_way, two_way
from .uncertainty import psa, psa_compare

__version__ = "0.1.0"

__all__ = [
    "EvidenceError",
    "Result",
    "Scenario",
    "ScenarioError",
    "apply_sets",
    "build_inputs",
    "apply_scenario_preset",
    "compare",
    "compare_presets",
    "effect_curve",
    "evaluate",
    "from_json",
    "get_path",
    "input_table",
    "library",
    "load",
    "one_way",
    "portfolio",
    "psa",
    "psa_compare",
    "save",
    "set_path",
    "to_json",
    "two_way",
    "budget_impact",
    "cost_effectiveness",
    "cea_psa",
    "read_claims",
    "apply_claims",
]

# --- issue 10: the one stacking order of scenario values (calculator/assemble.py) ---
from .assemble import Assembled, assemble  # noqa: E402

__all__ += ["Assembled", "assemble"]
# --- the saved scenario library (issue 13): loaded on first use, so `import calculator` stays light ---
_LIBRARY_EXPORTS = ("open_library", "ScenarioLibrary", "SavedScenario", "LibraryError", "compare_scenarios",
                    "drift")
__all__ += list(_LIBRARY_EXPORTS)


def __getattr__(name: str):
    if name in _LIBRARY_EXPORTS:
        from . import scenario_library
        return getattr(scenario_library, name)
    raise AttributeError(f"module 'calculator' has no attribute {name!r}")
