"""Your own claims: an aggregate claims extract -> prevalence, LBP-linked medical cost, paid-to-allowed.

The extract is **aggregate** (one row per group and period, optionally per impact proxy), never
member-level. Template: ``assets/claims_template.csv``; user guide: docs/HEALTH_PLAN.md.

Privacy and safety rules (the same guards as the census reader, whose guarded file reader this
module uses):

* Size limit before anything is allocated; CSV, XLSX or Parquet recognised from the content.
* Any count cell (members, members with LBP, visits) from 1 to 10 is refused, and so is any cell
  that can be derived from the others and would be 1 to 10 (members without LBP = members - members
  with LBP; the impact-proxy rows against their group's ``all`` row) - CMS cell-size policy
  (ResDAC). The message names the row and the column.
* A column that identifies members (member id, name, date of birth ...) is refused.
* Text from cells is made safe (:func:`calculator.census.safe_label`) and is never markup or a
  formula; nothing is written to disk.
* A prevalence outside 3-30% of members gets a warning (plausibility).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from .evidence import library
from .scenario import Scenario, ScenarioError, apply_sets

__all__ = [
    "CATEGORIES",
    "IMPACT_PROXIES",
    "REQUIRED",
    "DEFAULT_MAX_BYTES",
    "ClaimsError",
    "ClaimsSummary",
    "code_groups",
    "code_set_versions",
    "template_columns",
    "read_claims",
    "apply_claims",
]

#: LBP-linked care categories of the template (allowed_*, paid_*, visits_* columns).
CATEGORIES = ("imaging", "pt", "chiropractic", "massage", "acupuncture", "injections", "surgery", "opioids")
#: Values of the optional ``impact_proxy`` column.
IMPACT_PROXIES = ("all", "low", "moderate", "high")
REQUIRED = ("group", "period", "months", "code_set_version", "members", "member_months", "members_with_lbp")
#: Largest claims file read [bytes]: an aggregate extract is small.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
_MAX_ROWS = 100_000
_IDENTIFYING = re.compile(r"member_?id|subscriber|ssn|social_security|first_?name|last_?name|birth|dob|"
                          r"patient_?id|mrn|address|zip|phone|email", re.I)
_MAX_LISTED = 12


class ClaimsError(ValueError):
    """A claims extract was refused; ``messages`` lists every problem (row and column named)."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        shown = self.messages[:_MAX_LISTED]
        more = len(self.messages) - len(shown)
        super().__init__("; ".join(shown) + (f"; and {more} more" if more > 0 else ""))


def template_columns() -> list[str]:
    """Every column of the claims template, in order."""
    cols = list(REQUIRED[:4]) + ["impact_proxy"] + list(REQUIRED[4:])
    for c in CATEGORIES:
        cols += [f"allowed_{c}", f"paid_{c}", f"visits_{c}"]
    return cols


@lru_cache(maxsize=1)
def code_groups() -> pd.DataFrame:
    """The versioned code-group table (``calculator/data/code_groups.csv``), validated."""
    path = resources.files("calculator") / "data" / "code_groups.csv"
    with path.open("rb") as fh:
        df = pd.read_csv(fh, dtype=str, keep_default_na=False)
    refs = library().references
    for i, r in enumerate(df.itertuples(index=False), start=2):
        for k in r.source_key.split(";"):
            if k not in refs:
                raise ClaimsError(f"code_groups.csv line {i}: unknown source key {k!r}")
    df["first_fiscal_year"] = df["first_fiscal_year"].astype(int)
    df["last_fiscal_year"] = pd.to_numeric(df["last_fiscal_year"].replace("", np.nan))
    df["default_on"] = df["default_on"] == "1"
    return df


def code_set_versions() -> list[str]:
    """Code-set versions a claims extract may name: FY2016 ... FY(latest + 1)."""
    cg = code_groups()
    last = int(max(cg["first_fiscal_year"].max(), cg["last_fiscal_year"].max())) + 2
    return [f"FY{y}" for y in range(int(cg["first_fiscal_year"].min()), last + 1)]


def codes_for(version: str, groups: Iterable[str] | None = None) -> pd.DataFrame:
    """Codes in force in a fiscal-year code set (``FY2022``); ``groups`` None = the default-on groups.

    >>> sorted(codes_for("FY2021").query("group == 'lbp'")["code"])
    ['M54.5']
    >>> sorted(codes_for("FY2022").query("group == 'lbp'")["code"])
    ['M54.50', 'M54.51', 'M54.59']
    """
    if version not in code_set_versions():
        raise ClaimsError(f"unknown code-set version {version!r}; use one of {', '.join(code_set_versions())}")
    fy = int(version[2:])
    cg = code_groups()
    live = (cg["first_fiscal_year"] <= fy) & ~(cg["last_fiscal_year"] < fy)
    pick = cg["default_on"] if groups is None else cg["group"].isin(list(groups))
    return cg[live & pick].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Reading


def _show(value: str, limit: int = 40) -> str:
    """A cell for a message: control characters removed, cut to ``limit``, quoted (plain text)."""
    text = re.sub(r"[\x00-\x1f\x7f]", "", str(value))
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_")


_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")


def _number(text: str) -> float | None:
    """A cell -> float; '' -> nan; None when it is not a number ($ and thousands commas allowed)."""
    t = text.strip().replace("\u00a0", "")
    if t == "":
        return math.nan
    t = t.replace("$", "").replace("USD", "").strip()
    if re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", t):
        t = t.replace(",", "")
    return float(t) if _NUMBER.match(t) else None


@dataclass(frozen=True)
class ClaimsSummary:
    """What an extract says, plan-wide, and the scenario values it sets.

    ``prevalence``: members with LBP / members [fraction]; ``medical_per_lbp_member``: allowed
    LBP-linked cost per member with LBP per year [USD/yr]; ``paid_to_allowed``: paid / allowed;
    ``by_state``: the same by impact proxy (when the extract has proxy rows); ``categories``: one row
    per care category (allowed, paid, visits, per member with LBP); ``groups``: one row per group
    (labels made safe); ``warnings`` and ``notes``: plain-text messages.

    Across several periods ``members`` and ``members_with_lbp`` are averages per year enrolled (a
    member present in two periods counts once), ``member_months`` is the extract's total and
    ``years`` the span the periods cover (the sum of each period's longest ``months``), so
    ``member_months / years`` is the member months per plan year.
    """

    filename: str
    rows: int
    code_set_versions: tuple[str, ...]
    members: float
    member_months: float
    members_with_lbp: float
    prevalence: float
    medical_per_lbp_member: float | None
    paid_to_allowed: float | None
    by_state: pd.DataFrame = dataclasses.field(repr=False)
    categories: pd.DataFrame = dataclasses.field(repr=False)
    groups: pd.DataFrame = dataclasses.field(repr=False)
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    years: float = 1.0

    def scenario_sets(self) -> list[tuple[str, Any]]:
        """``(path, value)`` pairs the extract sets (each shown as "from your claims")."""
        sets: list[tuple[str, Any]] = [
            ("condition.prevalence", round(self.prevalence, 6)),
            ("plan.members", max(1, int(round(self.members)))),
            ("plan.member_months", round(self.member_months / self._years, 3)),
        ]
        mix = self.impact_mix()
        if mix is not None:
            sets += [(f"condition.impact_mix.{k}", v) for k, v in mix.items()]
        if self.medical_per_lbp_member is not None:
            sets.append(("condition.medical_excess_cost", round(self.medical_at_library_mix(), 2)))
        if self.paid_to_allowed is not None:
            sets.append(("condition.plan_paid_share", round(float(self.paid_to_allowed), 6)))
        return sets

    def impact_mix(self) -> dict[str, float] | None:
        """Shares of members with LBP by impact proxy (rounded; they sum to 1), or None without proxy rows."""
        if self.by_state.empty:
            return None
        share = self.by_state.set_index("impact_proxy")["share"]
        low, mod = round(float(share["low"]), 6), round(float(share["moderate"]), 6)
        return {"low": low, "moderate": mod, "high": round(1.0 - low - mod, 6)}

    def medical_at_library_mix(self) -> float:
        """The claims' medical cost per member with LBP, restated at the library's default impact mix.

        ``condition.medical_excess_cost`` is the level at the library's mix (the scenario's mix then
        weights the states), so a cost observed at the claims' own mix is divided by
        ``(claims mix . state cost) / (library mix . state cost)``; without proxy rows the two mixes are
        taken to be the same.
        """
        from .states import default_mix, mix_vector, state_values
        cost = float(self.medical_per_lbp_member or 0.0)
        mix = self.impact_mix()
        if mix is None:
            return cost
        med = state_values().medical
        own = float(np.dot(mix_vector(mix["low"], mix["moderate"], mix["high"]), med))
        lib = float(np.dot(default_mix(), med))
        return cost * lib / own if own > 0 else cost

    @property
    def _years(self) -> float:
        return max(self.years, 1e-9)

    def to_dict(self) -> dict[str, Any]:
        return {
            "filename": self.filename, "rows": self.rows, "code_set_versions": list(self.code_set_versions),
            "members": self.members, "member_months": self.member_months, "members_with_lbp": self.members_with_lbp,
            "years": self.years,
            "prevalence": self.prevalence, "medical_per_lbp_member": self.medical_per_lbp_member,
            "paid_to_allowed": self.paid_to_allowed, "by_state": self.by_state.to_dict(orient="records"),
            "categories": self.categories.to_dict(orient="records"), "groups": self.groups.to_dict(orient="records"),
            "sets": [{"path": p, "value": v} for p, v in self.scenario_sets()],
            "warnings": list(self.warnings), "notes": list(self.notes),
        }


def _columns(names: list[str]) -> tuple[dict[str, str], list[str]]:
    """Template field -> source column; refuses identifying and missing columns."""
    errors, mapping = [], {}
    known = set(template_columns())
    for src in names:
        key = _norm(src)
        if _IDENTIFYING.search(key):
            errors.append(f"column {src!r} looks like member-level data: the extract must be aggregate "
                          "(one row per group and period), with no identifier of any member")
        elif key in known:
            if key in mapping:
                errors.append(f"columns {mapping[key]!r} and {src!r} both mean {key}")
            mapping[key] = src
    missing = [c for c in REQUIRED if c not in mapping]
    if missing:
        errors.append(f"missing column(s) {', '.join(missing)} (template: assets/claims_template.csv)")
    if errors:
        raise ClaimsError(errors)
    return mapping, [c for c in names if _norm(c) not in mapping]


def _text_table(data: bytes, name: str, max_bytes: int) -> tuple[list[str], dict[str, list[str]], np.ndarray, list[str]]:
    """The census's guarded reader -> (columns, text cells by column, spreadsheet rows, notes).

    Accepts both shapes of :func:`calculator.census.read_table` (a text table with ``cells``, or a
    DataFrame of text cells with ``attrs["rows"]``), so the claims reader follows the census's.
    """
    from .census import CensusError, read_table
    try:
        t = read_table(data, name, max_bytes=max_bytes, max_rows=_MAX_ROWS)
    except CensusError as exc:
        raise ClaimsError(str(exc).replace("census", "claims extract")) from None
    if isinstance(t, pd.DataFrame):
        cols = [str(c) for c in t.columns]
        text = {c: ["" if v is None else str(v) for v in t[c].tolist()] for c in t.columns}
        rows = np.asarray(t.attrs.get("rows", range(2, len(t) + 2)), dtype=int)
        return cols, {str(k): v for k, v in text.items()}, rows, list(t.attrs.get("notes", []))
    if getattr(t, "broken", None):
        raise ClaimsError([f"row {r}: {m}" for r, m in t.broken])
    return list(t.columns), {c: t.cells[c].to_pylist() for c in t.columns}, np.asarray(t.rows), list(t.notes)


def _parse(cells: dict[str, list[str]], rows: np.ndarray, mapping: dict[str, str]) -> tuple[pd.DataFrame, list[str]]:
    """Numbers and labels of every row; errors name the spreadsheet row and the column."""
    errors: list[str] = []
    text = {f: cells[src] for f, src in mapping.items()}
    data: dict[str, Any] = {"row": rows}
    from .census import safe_label
    for f in ("group", "period"):
        data[f] = [safe_label(v)[0] for v in text[f]]
    versions = code_set_versions()
    data["code_set_version"] = [v.strip().upper().replace(" ", "") for v in text["code_set_version"]]
    for r, v in zip(rows, data["code_set_version"], strict=True):
        if v not in versions:
            errors.append(f"row {r}, column {mapping['code_set_version']}: code-set version {_show(v)} "
                          f"is not one of {versions[0]} ... {versions[-1]}")
    proxy = [(v.strip().lower() or "all") for v in text.get("impact_proxy", ["all"] * len(rows))]
    for r, v in zip(rows, proxy, strict=True):
        if v not in IMPACT_PROXIES:
            errors.append(f"row {r}, column {mapping.get('impact_proxy', 'impact_proxy')}: {_show(v)} "
                          f"is not one of {', '.join(IMPACT_PROXIES)}")
    data["impact_proxy"] = proxy
    for f, src in mapping.items():
        if f in ("group", "period", "code_set_version", "impact_proxy"):
            continue
        vals = []
        for r, t in zip(rows, text[f], strict=True):
            x = _number(t)
            if x is None or (x is not None and not math.isnan(x) and (not math.isfinite(x) or x < 0)):
                errors.append(f"row {r}, column {src}: {_show(t)} is not a number of 0 or more")
                x = math.nan
            elif math.isnan(x) and f in REQUIRED:
                errors.append(f"row {r}, column {src}: empty (required)")
            vals.append(x)
        data[f] = np.array(vals, dtype=float)
    return pd.DataFrame(data), errors


def _counts_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c in ("members", "members_with_lbp") or c.startswith("visits_")]


def _check_rows(df: pd.DataFrame, mapping: dict[str, str], min_cell: int) -> list[str]:
    """Ranges, consistency, and small cells (direct and derivable)."""
    errors = []
    small = f"is a small cell (1 to {min_cell - 1}; CMS cell-size policy: {min_cell} or more, or 0)"
    for c in _counts_columns(df):
        x = df[c].to_numpy()
        for i in np.flatnonzero((x >= 1) & (x < min_cell)):
            errors.append(f"row {df['row'].iat[i]}, column {mapping[c]}: {x[i]:g} {small}; merge it with "
                          "another group or period")
        for i in np.flatnonzero(np.isfinite(x) & (x != np.round(x))):
            errors.append(f"row {df['row'].iat[i]}, column {mapping[c]}: {x[i]:g} is not a whole number")
    m, lbp, mm, months = (df[k].to_numpy() for k in ("members", "members_with_lbp", "member_months", "months"))
    for i in range(len(df)):
        r = df["row"].iat[i]
        if not 1 <= months[i] <= 12 or months[i] != round(months[i]):
            errors.append(f"row {r}, column {mapping['months']}: {months[i]:g} months; allowed 1 to 12")
        if lbp[i] > m[i]:
            errors.append(f"row {r}: {mapping['members_with_lbp']} ({lbp[i]:g}) exceeds {mapping['members']} ({m[i]:g})")
        elif 1 <= m[i] - lbp[i] < min_cell:
            errors.append(f"row {r}, columns {mapping['members']} - {mapping['members_with_lbp']}: the members "
                          f"without LBP ({m[i] - lbp[i]:g}) can be derived and {small}")
        if mm[i] > m[i] * months[i] * 1.0001 or mm[i] < m[i] * 0.5:
            errors.append(f"row {r}, column {mapping['member_months']}: {mm[i]:g} member months is not possible "
                          f"for {m[i]:g} members over {months[i]:g} months")
    for c in CATEGORIES:
        a, p = f"allowed_{c}", f"paid_{c}"
        if p in df and a not in df:
            errors.append(f"column {mapping[p]}: paid amounts need the allowed amounts beside them (add column "
                          f"allowed_{c}); paid-to-allowed cannot be computed without them")
        if a in df and p in df:  # a blank beside a filled cell would be summed as 0: refuse it by name
            pa, al = df[p].to_numpy(), df[a].to_numpy()
            for i in np.flatnonzero(np.isnan(al) != np.isnan(pa)):
                blank, filled = (a, p) if np.isnan(al[i]) else (p, a)
                errors.append(f"row {df['row'].iat[i]}, column {mapping[blank]}: empty while {mapping[filled]} is "
                              "filled; give both amounts (0 if none) or leave both empty")
            bad = np.flatnonzero(df[p].to_numpy() > df[a].to_numpy() * 1.0001)
            errors += [f"row {df['row'].iat[i]}: {mapping[p]} exceeds {mapping[a]} (paid cannot exceed allowed)"
                       for i in bad]
    return errors + _derivable(df, mapping, small, min_cell)


def _derivable(df: pd.DataFrame, mapping: dict[str, str], small: str, min_cell: int) -> list[str]:
    """Impact-proxy rows against their group's ``all`` row: the remainder must not be a small cell."""
    errors = []
    key = ["group", "period"]
    for (g, per), part in df.groupby(key, sort=False):
        allrow = part[part["impact_proxy"] == "all"]
        states = part[part["impact_proxy"] != "all"]
        if len(allrow) > 1 or states["impact_proxy"].duplicated().any():
            errors.append(f"rows {', '.join(map(str, part['row']))}: group {g!r} period {per!r} repeats an "
                          "impact proxy")
            continue
        if allrow.empty or states.empty:
            continue
        for c in _counts_columns(df):
            if c == "members":
                continue
            rest = float(allrow[c].iat[0]) - float(states[c].sum())
            if 1 <= rest < min_cell:
                errors.append(f"rows {allrow['row'].iat[0]} and {', '.join(map(str, states['row']))}, column "
                              f"{mapping[c]}: the remainder ({rest:g}) can be derived and {small}")
            elif rest < 0:
                errors.append(f"rows {allrow['row'].iat[0]} and {', '.join(map(str, states['row']))}, column "
                              f"{mapping[c]}: the impact-proxy rows add up to more than the 'all' row")
    return errors


def _summarise(df: pd.DataFrame, filename: str, notes: list[str]) -> ClaimsSummary:
    lib = library()
    # Plan-wide totals come from the 'all' rows; a group with only proxy rows contributes their sum.
    has_all = df.groupby(["group", "period"])["impact_proxy"].transform(lambda s: (s == "all").any())
    total = df[(df["impact_proxy"] == "all") | ~has_all]
    years = total["months"] / 12.0
    # the span: each period's longest row, summed over periods (two plan years of 1,000 members are
    # 1,000 members and 12,000 member months a year, not 2,000 members)
    span = float((total.groupby("period")["months"].max() / 12.0).sum()) if len(total) else 1.0
    member_years = float((total["member_months"] / 12.0).sum())
    members = member_years / max(span, 1e-9) if len(total) else 0.0
    lbp_years = float((total["members_with_lbp"] * years).sum())
    prevalence = lbp_years / member_years if member_years > 0 else 0.0
    cat_rows, allowed_sum, paid_sum = [], 0.0, 0.0
    for c in CATEGORIES:
        a, p, v = (total[f"{k}_{c}"].sum() if f"{k}_{c}" in total else math.nan for k in ("allowed", "paid", "visits"))
        cat_rows.append({"category": c, "allowed": float(a), "paid": float(p), "visits": float(v),
                         "allowed_per_lbp_member_year": float(a) / lbp_years if lbp_years > 0 else math.nan})
        allowed_sum += 0.0 if math.isnan(a) else a
        paid_sum += 0.0 if math.isnan(p) else p
    has_money = any(f"allowed_{c}" in df for c in CATEGORIES)
    has_paid = any(f"paid_{c}" in df for c in CATEGORIES)
    warnings = []
    lo, hi = lib.value("claims.prevalence_low"), lib.value("claims.prevalence_high")
    if not lo <= prevalence <= hi:
        warnings.append(f"A low-back-pain prevalence of {prevalence:.1%} of members is outside the plausible "
                        f"{lo:.0%}-{hi:.0%}: check the code list, the period, and that no member is counted twice.")
    if (df["months"] < 12).any():
        warnings.append("Some rows cover fewer than 12 months: a prevalence over a shorter window understates "
                        "the yearly prevalence.")
    by_state = _by_state(df, lbp_years)
    per_period = total.groupby(["group", "period"], sort=False)[["members", "members_with_lbp"]].sum()
    groups = per_period.groupby(level="group", sort=False).mean().reset_index()  # average over periods
    return ClaimsSummary(
        filename=filename, rows=len(df), code_set_versions=tuple(sorted(set(df["code_set_version"]))),
        members=members, member_months=float(total["member_months"].sum()),
        members_with_lbp=lbp_years / max(span, 1e-9) if len(total) else 0.0, prevalence=prevalence,
        medical_per_lbp_member=allowed_sum / lbp_years if has_money and lbp_years > 0 else None,
        paid_to_allowed=paid_sum / allowed_sum if has_paid and allowed_sum > 0 else None,
        by_state=by_state, categories=pd.DataFrame(cat_rows), groups=groups,
        warnings=tuple(warnings), notes=tuple(notes), years=span)


def _by_state(df: pd.DataFrame, lbp_years: float) -> pd.DataFrame:
    st = df[df["impact_proxy"] != "all"]
    if st.empty:
        return pd.DataFrame(columns=["impact_proxy", "members_with_lbp", "share", "allowed_per_member_year"])
    allowed = [c for c in st.columns if c.startswith("allowed_")]
    rows = []
    for s in IMPACT_PROXIES[1:]:
        part = st[st["impact_proxy"] == s]
        yrs = float((part["members_with_lbp"] * part["months"] / 12.0).sum())
        money = float(part[allowed].sum().sum()) if allowed else math.nan
        rows.append({"impact_proxy": s, "members_with_lbp": float(part["members_with_lbp"].sum()),
                     "share": yrs / float((st["members_with_lbp"] * st["months"] / 12.0).sum()),
                     "allowed_per_member_year": money / yrs if yrs > 0 and allowed else math.nan})
    return pd.DataFrame(rows)


def read_claims(data: bytes, filename: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ClaimsSummary:
    """Bytes of an aggregate claims extract (CSV, XLSX, Parquet) -> :class:`ClaimsSummary`.

    Raises :class:`ClaimsError` listing every problem (row and column named): small or derivable
    cells, member-level columns, bad numbers, impossible counts. Nothing is written to disk.
    """
    name = filename or "claims"
    if isinstance(data, (bytes, bytearray, memoryview)) and len(data) > max_bytes:
        raise ClaimsError(f"the file is {len(data) / 1048576:,.1f} MB, over the {max_bytes / 1048576:,.1f} MB "
                          "limit of a claims extract (aggregate rows only)")
    columns, cells, rows, notes = _text_table(data, name, max_bytes)
    mapping, unused = _columns(columns)
    df, errors = _parse(cells, rows, mapping)
    if df.empty:
        raise ClaimsError("the file has a header but no rows")
    if not errors:
        errors = _check_rows(df, mapping, int(library().value("claims.min_cell")))
    if errors:
        raise ClaimsError(errors)
    if unused:
        notes.append("columns not used: " + ", ".join(repr(c) for c in unused))
    return _summarise(df, name, notes)


def apply_claims(scenario: Scenario, summary: ClaimsSummary) -> tuple[Scenario, pd.DataFrame]:
    """The scenario with the claims' values set and marked ``from your claims``; and what changed.

    Returns the new scenario (``plan.from_claims`` lists the paths, ``plan.claims_file`` the file)
    and a table: path, before, after.
    """
    from .census import safe_label
    from .scenario import get_path
    sets = summary.scenario_sets()
    before = {p: get_path(scenario, p) for p, _ in sets}
    marks = sorted(set(scenario.plan.from_claims) | {p for p, _ in sets})
    try:
        out = apply_sets(scenario, sets)
        out = out.model_copy(update={"plan": out.plan.model_copy(update={
            "from_claims": marks, "claims_file": safe_label(summary.filename)[0][:200]})})
    except ScenarioError as exc:
        raise ClaimsError([f"your claims give a value outside the allowed range: {m}" for m in exc.messages]) from None
    changes = pd.DataFrame([{"path": p, "before": before[p], "after": v, "source": "from your claims"}
                            for p, v in sets])
    return out, changes
