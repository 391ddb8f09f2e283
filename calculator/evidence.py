"""The evidence base: parameter, reference and therapy tables, loaded and validated.

Every default number the calculator uses lives in ``calculator/data/parameters.csv`` (one row per
parameter: base value, low/high range, unit, distribution, source keys, provenance and an evidence
note). Source keys resolve to full citations in ``references.csv``. The therapy catalogue
(``therapies.csv``) and the published follow-up points of each therapy's effect
(``therapy_evidence.csv``) sit beside them.

The tables are read once, validated, and cached. A broken file raises :class:`EvidenceError`
naming the file, the row and the problem, so a bad edit fails at import time and in the tests.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = [
    "DISTRIBUTIONS",
    "UNITS",
    "PROVENANCE",
    "EvidenceError",
    "Parameter",
    "Reference",
    "Therapy",
    "EvidencePoint",
    "Library",
    "library",
    "load_library",
    "PRICE_YEAR",
    "cpi_table",
    "cpi_factor",
]

#: Distributions a parameter may declare (for probabilistic sensitivity analysis).
DISTRIBUTIONS = ("beta", "gamma", "lognormal", "normal", "triangular", "uniform", "fixed")

#: Units a parameter may use. Adding a unit is a deliberate act: extend this list.
UNITS = (
    "count", "USD", "USD/h", "USD/yr", "USD/session", "USD/employee/month", "fraction",
    "fraction/yr", "fraction/RDQ point", "ratio", "days/yr", "h/yr", "h/day", "h/session",
    "sessions", "weeks", "months", "1/week", "RDQ points", "utility",
)

#: Provenance tags, as defined in the evidence review (docs/METHODS.md, "Provenance").
PROVENANCE = ("VERIFIED", "DERIVED", "ASSUMPTION", "RECALLED")

#: z-value of a central 95% interval; a range [low, high] is read as mean +/- Z95 * sd.
Z95 = 1.959963984540054


class EvidenceError(ValueError):
    """A data file of the parameter library is malformed."""


@dataclass(frozen=True)
class Reference:
    key: str
    authors: str
    year: int
    title: str
    journal: str
    volume_pages: str
    doi: str
    url: str

    @property
    def link(self) -> str:
        """A working address: the DOI resolver when a DOI is known, else the URL ('' if neither)."""
        return f"https://doi.org/{self.doi}" if self.doi else self.url

    def citation(self) -> str:
        """Vancouver-style one-line citation."""
        parts = [f"{self.authors}. {self.title}. {self.journal}"]
        tail = f" {self.year}"
        if self.volume_pages:
            tail += f";{self.volume_pages}"
        text = parts[0] + "." + tail + "."
        if self.doi:
            text += f" doi:{self.doi}"
        elif self.url:
            text += f" {self.url}"
        return text


@dataclass(frozen=True)
class Parameter:
    """One row of the parameter table.

    ``value`` is the base case; ``low``/``high`` the plausible range used for one-way sensitivity and
    to derive the distribution; ``min_allowed``/``max_allowed`` the hard bounds a user input must
    respect (validation, not evidence).
    """

    id: str
    label: str
    value: float
    low: float
    high: float
    unit: str
    distribution: str
    dist_params: str
    min_allowed: float
    max_allowed: float
    source_keys: tuple[str, ...]
    price_year: int | None
    provenance: str
    evidence_note: str

    @property
    def sd(self) -> float:
        """Standard deviation implied by the range, read as a central 95% interval [sd]."""
        return (self.high - self.low) / (2 * Z95)

    def distribution_parameters(self) -> dict[str, float]:
        """Parameters of :attr:`distribution`, explicit (``dist_params``) or derived from the range.

        Rules when ``dist_params`` is empty (documented in docs/METHODS.md):
        mean = ``value`` and sd = (high - low) / 3.92 for beta, gamma, lognormal and normal (method
        of moments); triangular(low, mode=value, high); uniform(low, high); fixed = ``value``.

        >>> from calculator.evidence import library
        >>> p = library().parameter("condition.presenteeism")
        >>> {k: round(v, 2) for k, v in p.distribution_parameters().items()}
        {'alpha': 6.05, 'beta': 54.42}
        """
        explicit = _parse_dist_params(self.dist_params) if self.dist_params else None
        if explicit is not None:
            return explicit
        mean, sd, d = self.value, self.sd, self.distribution
        if d == "fixed":
            return {"value": mean}
        if d == "triangular":
            return {"low": self.low, "mode": mean, "high": self.high}
        if d == "uniform":
            return {"low": self.low, "high": self.high}
        if d == "normal":
            return {"mean": mean, "sd": sd}
        if sd == 0:
            return {"value": mean}
        if d == "beta":
            common = mean * (1 - mean) / sd**2 - 1
            return {"alpha": mean * common, "beta": (1 - mean) * common}
        if d == "gamma":
            return {"shape": (mean / sd) ** 2, "scale": sd**2 / mean}
        if d == "lognormal":
            sigma2 = math.log(1 + (sd / mean) ** 2)
            return {"mu": math.log(mean) - sigma2 / 2, "sigma": math.sqrt(sigma2)}
        raise EvidenceError(f"{self.id}: unknown distribution {d!r}")  # pragma: no cover


@dataclass(frozen=True)
class Therapy:
    id: str
    label: str
    short_label: str
    comparator: str
    outcome: str
    trial_source_keys: tuple[str, ...]
    evidence_grade: str
    grade_basis: str
    delivery: str
    notes: str


@dataclass(frozen=True)
class EvidencePoint:
    """A published follow-up point of a therapy's effect (for the effect-over-time chart)."""

    therapy: str
    week: float
    rdq_difference: float
    low: float | None
    high: float | None
    source_key: str
    provenance: str
    note: str


def _parse_dist_params(text: str) -> dict[str, float]:
    out = {}
    for item in text.split(";"):
        name, _, val = item.partition("=")
        out[name.strip()] = float(val)
    return out


def _data_dir() -> Traversable:
    return resources.files("calculator") / "data"


def read_table(name: str, data_dir: Traversable | Path | None = None,
               error: type[Exception] = EvidenceError) -> list[dict[str, str]]:
    """Rows of a CSV file under ``calculator/data`` (or ``data_dir``); ``error`` for a ragged row."""
    path = (data_dir or _data_dir()) / name
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
    for i, row in enumerate(rows, start=2):
        if None in row or any(v is None for v in row.values()):
            raise error(f"{name} line {i}: wrong number of columns")
    return rows


def read_number(name: str, line: int, col: str, text: str, error: type[Exception] = EvidenceError) -> float:
    """A finite number from a data-file cell, or ``error`` naming the file, line and column."""
    try:
        val = float(text)
    except ValueError:
        raise error(f"{name} line {line}: column {col!r} is not a number: {text!r}") from None
    if not math.isfinite(val):
        raise error(f"{name} line {line}: column {col!r} is not finite: {text!r}")
    return val


_read, _num = read_table, read_number


def _check_parameter(p: Parameter, where: str) -> None:
    if not (p.low <= p.value <= p.high):
        raise EvidenceError(f"{where} ({p.id}): need low <= value <= high, got {p.low} / {p.value} / {p.high}")
    if not (p.min_allowed <= p.low and p.high <= p.max_allowed):
        raise EvidenceError(
            f"{where} ({p.id}): range {p.low}-{p.high} lies outside the allowed {p.min_allowed}-{p.max_allowed}"
        )
    if p.unit not in UNITS:
        raise EvidenceError(f"{where} ({p.id}): unknown unit {p.unit!r}; known units: {', '.join(UNITS)}")
    if p.distribution not in DISTRIBUTIONS:
        raise EvidenceError(f"{where} ({p.id}): unknown distribution {p.distribution!r}")
    if p.provenance not in PROVENANCE:
        raise EvidenceError(f"{where} ({p.id}): unknown provenance {p.provenance!r}")
    if not p.source_keys:
        raise EvidenceError(f"{where} ({p.id}): no source key")
    if p.unit.startswith("USD") and p.price_year is None and p.value != 0:
        raise EvidenceError(f"{where} ({p.id}): a money parameter needs its price year")
    d = p.distribution
    if d == "beta" and not (0 <= p.low and p.high <= 1):
        raise EvidenceError(f"{where} ({p.id}): a beta parameter must lie in [0, 1]")
    if d in ("gamma", "lognormal") and p.low < 0:
        raise EvidenceError(f"{where} ({p.id}): a {d} parameter cannot be negative")
    if d in ("triangular", "uniform", "normal", "beta", "gamma", "lognormal") and p.low == p.high:
        raise EvidenceError(f"{where} ({p.id}): a {d} distribution needs low < high (use 'fixed')")
    if d in ("beta", "gamma", "lognormal") and p.value <= 0:
        raise EvidenceError(f"{where} ({p.id}): a {d} distribution needs a positive mean")
    params = p.distribution_parameters()
    if d == "beta" and not (params.get("alpha", 1) > 0 and params.get("beta", 1) > 0):
        raise EvidenceError(
            f"{where} ({p.id}): the range is too wide for a beta distribution with mean {p.value}"
        )


class Library:
    """The validated parameter library (parameters, references, therapies, evidence points)."""

    def __init__(
        self,
        parameters: Iterable[Parameter],
        references: Iterable[Reference],
        therapies: Iterable[Therapy],
        evidence_points: Iterable[EvidencePoint],
        fingerprint: str,
    ) -> None:
        self.parameters: dict[str, Parameter] = {p.id: p for p in parameters}
        self.references: dict[str, Reference] = {r.key: r for r in references}
        self.therapies: dict[str, Therapy] = {t.id: t for t in therapies}
        self.evidence_points: tuple[EvidencePoint, ...] = tuple(evidence_points)
        #: Short hash of the data files: the parameter-set version pinned in scenarios and reports.
        self.version = fingerprint

    def parameter(self, pid: str) -> Parameter:
        try:
            return self.parameters[pid]
        except KeyError:
            raise KeyError(f"unknown parameter {pid!r}") from None

    def value(self, pid: str) -> float:
        return self.parameter(pid).value

    def therapy(self, tid: str) -> Therapy:
        try:
            return self.therapies[tid]
        except KeyError:
            raise KeyError(
                f"unknown therapy {tid!r}; choose one of: {', '.join(self.therapies)}"
            ) from None

    def therapy_parameter(self, tid: str, name: str) -> Parameter:
        return self.parameter(f"therapy.{tid}.{name}")

    def citations(self, keys: Iterable[str]) -> list[Reference]:
        """References for the given source keys, de-duplicated, in first-seen order."""
        seen: dict[str, Reference] = {}
        for k in keys:
            if k not in seen:
                seen[k] = self.references[k]
        return list(seen.values())

    def points(self, tid: str) -> list[EvidencePoint]:
        return [e for e in self.evidence_points if e.therapy == tid]


def load_library(data_dir: Path | None = None) -> Library:
    """Read and validate all data files; raise :class:`EvidenceError` on the first problem.

    ``data_dir`` defaults to the package's own ``calculator/data`` (shipped in the wheel).
    """
    base = data_dir or _data_dir()
    digest = hashlib.sha256()
    for name in ("parameters.csv", "references.csv", "therapies.csv", "therapy_evidence.csv"):
        digest.update((base / name).read_bytes())

    refs = []
    for i, r in enumerate(_read("references.csv", base), start=2):
        if not r["key"] or not r["title"] or not r["authors"]:
            raise EvidenceError(f"references.csv line {i}: key, authors and title are required")
        refs.append(Reference(r["key"], r["authors"], int(_num("references.csv", i, "year", r["year"])),
                              r["title"], r["journal"], r["volume_pages"], r["doi"], r["url"]))
    ref_keys = {r.key for r in refs}
    if len(ref_keys) != len(refs):
        raise EvidenceError("references.csv: duplicate keys")

    def keys_of(text: str, where: str) -> tuple[str, ...]:
        keys = tuple(k.strip() for k in text.split(";") if k.strip())
        missing = [k for k in keys if k not in ref_keys]
        if missing:
            raise EvidenceError(f"{where}: source key(s) {', '.join(missing)} not in references.csv")
        return keys

    params = []
    seen = set()
    for i, r in enumerate(_read("parameters.csv", base), start=2):
        where = f"parameters.csv line {i}"
        if r["id"] in seen:
            raise EvidenceError(f"{where}: duplicate id {r['id']!r}")
        seen.add(r["id"])
        f = {c: _num("parameters.csv", i, c, r[c]) for c in ("value", "low", "high", "min_allowed", "max_allowed")}
        p = Parameter(
            id=r["id"], label=r["label"], unit=r["unit"], distribution=r["distribution"],
            dist_params=r["dist_params"], source_keys=keys_of(r["source_keys"], where),
            price_year=int(r["price_year"]) if r["price_year"] else None,
            provenance=r["provenance"], evidence_note=r["evidence_note"], **f,
        )
        _check_parameter(p, where)
        params.append(p)

    therapies = []
    for i, r in enumerate(_read("therapies.csv", base), start=2):
        where = f"therapies.csv line {i}"
        t = Therapy(r["id"], r["label"], r["short_label"], r["comparator"], r["outcome"],
                    keys_of(r["trial_source_keys"], where), r["evidence_grade"], r["grade_basis"],
                    r["delivery"], r["notes"])
        for name in ("sessions", "course_weeks", "price_per_session", "effect_size",
                     "decay_per_week", "session_hours"):
            if f"therapy.{t.id}.{name}" not in seen:
                raise EvidenceError(f"{where}: therapy {t.id!r} has no parameter therapy.{t.id}.{name}")
        therapies.append(t)

    points = []
    tids = {t.id for t in therapies}
    for i, r in enumerate(_read("therapy_evidence.csv", base), start=2):
        where = f"therapy_evidence.csv line {i}"
        if r["therapy"] not in tids:
            raise EvidenceError(f"{where}: unknown therapy {r['therapy']!r}")
        keys_of(r["source_key"], where)
        if r["provenance"] not in PROVENANCE:
            raise EvidenceError(f"{where}: unknown provenance {r['provenance']!r}")
        points.append(EvidencePoint(
            r["therapy"], _num("therapy_evidence.csv", i, "week", r["week"]),
            _num("therapy_evidence.csv", i, "rdq_difference", r["rdq_difference"]),
            _num("therapy_evidence.csv", i, "low", r["low"]) if r["low"] else None,
            _num("therapy_evidence.csv", i, "high", r["high"]) if r["high"] else None,
            r["source_key"], r["provenance"], r["note"]))

    return Library(params, refs, therapies, points, digest.hexdigest()[:12])


@lru_cache(maxsize=1)
def library() -> Library:
    """The shipped library, loaded and validated once per process."""
    return load_library()


# --- price year and CPI-U conversion (issue 9) -------------------------------------------------

def _load_price_year() -> int:
    rows = {r["key"]: r["value"] for r in read_table("metadata.csv")}
    try:
        return int(rows["price_year"])
    except (KeyError, ValueError) as exc:  # pragma: no cover - a broken shipped file
        raise EvidenceError("metadata.csv: need an integer 'price_year' row") from exc


#: The library's price year: every money default is in US dollars of this year (metadata.csv).
PRICE_YEAR: int = _load_price_year()


@lru_cache(maxsize=1)
def cpi_table() -> dict[int, float]:
    """CPI-U annual averages by year (``calculator/data/cpi.csv``) [index 1982-84 = 100]."""
    out: dict[int, float] = {}
    for i, r in enumerate(read_table("cpi.csv"), start=2):
        year = int(read_number("cpi.csv", i, "year", r["year"]))
        out[year] = read_number("cpi.csv", i, "cpi_u", r["cpi_u"])
    if PRICE_YEAR not in out:
        raise EvidenceError(f"cpi.csv: no CPI-U row for the price year {PRICE_YEAR}")
    return out


def cpi_factor(from_year: int, to_year: int | None = None) -> float:
    """Multiplier that turns ``from_year`` dollars into ``to_year`` dollars (default PRICE_YEAR).

    >>> round(cpi_factor(2015), 4)
    1.3235
    >>> cpi_factor(2024)
    1.0
    """
    table = cpi_table()
    to = PRICE_YEAR if to_year is None else to_year
    for y in (from_year, to):
        if y not in table:
            raise EvidenceError(f"no CPI-U value for {y}; years in cpi.csv: {min(table)}-{max(table)}")
    return table[to] / table[from_year]
