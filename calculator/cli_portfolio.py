"""``backpain-roi portfolio GROUPS``: a book of business, every group with its own PSA (docs/PORTFOLIO.md).

Rows stream to ``--out`` (CSV, Parquet or XLSX) as groups finish; ``--out book.pdf`` writes the
one-page book summary instead. JSON goes to stdout: run metadata, book totals, the groups where
P(ROI > 0) >= 0.8 and, without ``--out``, every group's row. A progress bar (tqdm) goes to stderr.
Ctrl-C stops after the chunk in progress: the file keeps every row finished so far (exit 130).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Any

from . import cli
from .book import BookError, BookResult, read_groups, run
from .scenario import Scenario, load

__all__ = ["register", "cmd_portfolio"]

_OUT_FORMATS = ("csv", "parquet", "xlsx", "pdf", "json")


def register(sub: Any) -> None:
    """Add the ``portfolio`` command to the CLI's subparsers."""
    from .uncertainty import DEFAULT_DRAWS, DEFAULT_SEED
    p = sub.add_parser("portfolio", help="a book of business: every employer group with its own PSA "
                       "(docs/PORTFOLIO.md)")
    p.add_argument("groups", metavar="GROUPS", help="groups file: CSV, XLSX or Parquet, one row per group")
    p.add_argument("--draws", type=int, default=DEFAULT_DRAWS, help=f"draws per group (default {DEFAULT_DRAWS})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="run seed: same seed, same numbers")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (local) or LocalCluster workers (dask)")
    p.add_argument("--backend", choices=("local", "dask"), default="local",
                   help="local: joblib process pool; dask: Dask distributed (pip install backpain-roi[dask])")
    p.add_argument("--scheduler", metavar="ADDR", help="an existing Dask scheduler, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--therapy", default=None, metavar="all|NAME",
                   help="evaluate this therapy for every group, or all therapies (default: each row's own)")
    p.add_argument("--out", metavar="FILE", help="write .csv .parquet .xlsx (rows stream as groups finish), "
                   ".pdf (one-page book summary) or .json")
    p.add_argument("--scenario", metavar="FILE", help="base scenario JSON for every cell a row leaves empty")
    p.add_argument("--exclude-invalid-rows", action="store_true",
                   help="run the valid rows and list the invalid ones (status 'invalid: ...') in the output")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    cli.COMMANDS["portfolio"] = cmd_portfolio


def _check_args(args: argparse.Namespace) -> str | None:
    if args.scheduler and args.backend != "dask":
        raise cli.UserError("--scheduler needs --backend dask")
    if args.jobs < 1:
        raise cli.UserError(f"--jobs must be 1 or more, got {args.jobs}")
    if not args.out:
        return None
    ext = os.path.splitext(args.out)[1].lower().lstrip(".")
    if ext not in _OUT_FORMATS:
        raise cli.UserError(f"--out {args.out!r}: the file name must end in "
                            f"{', '.join('.' + e for e in _OUT_FORMATS)} (the extension picks the format)")
    return ext


def _read(path: str, base: Scenario) -> Any:
    from .census import DEFAULT_MAX_BYTES, CensusError, read_limited
    try:
        data = read_limited(path, DEFAULT_MAX_BYTES, "the groups file")
        return read_groups(data, os.path.basename(path), base)
    except (BookError, CensusError) as exc:
        raise cli.UserError(f"{path}: {exc}" if not str(exc).startswith(path) else str(exc)) from None


class _Stop:
    """First Ctrl-C: finish the chunk in progress, then stop. Second: stop at once."""

    def __init__(self) -> None:
        self.requested = False
        self._old: Any = None

    def __enter__(self) -> _Stop:
        self._old = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nstopping after the groups in progress (Ctrl-C again to stop now) ...", file=sys.stderr)

    def __exit__(self, *exc: Any) -> None:
        signal.signal(signal.SIGINT, self._old)


def _progress(args: argparse.Namespace, total: int) -> Any:
    if args.no_progress:
        return None, None
    from tqdm import tqdm
    bar = tqdm(total=total, unit="group", file=sys.stderr, desc="groups", dynamic_ncols=True,
               disable=None if not os.environ.get("BACKPAIN_PROGRESS") else False)
    last = [0]

    def update(done: int, _total: int) -> None:
        bar.update(done - last[0])
        last[0] = done
    return update, bar


def _execute(args: argparse.Namespace, book: Any, base: Scenario, ext: str | None) -> BookResult:
    from .export.book_tables import BOOK_FORMATS, open_sink
    sink = None
    if ext in BOOK_FORMATS:
        try:
            sink = open_sink(args.out)
        except OSError as exc:
            raise cli.UserError(f"cannot write {args.out!r}: {exc.strerror}") from None
    update, bar = _progress(args, len(book.groups))
    try:
        with _Stop() as stop:
            res = run(book, args.draws, args.seed, base=base, therapy=args.therapy, backend=args.backend,
                      jobs=args.jobs, scheduler=args.scheduler, exclude_invalid_rows=args.exclude_invalid_rows,
                      progress=update, sink=sink.write if sink else None, stop=lambda: stop.requested)
    except BookError as exc:
        raise cli.UserError(str(exc)) from None
    finally:
        if bar is not None:
            bar.close()
        if sink is not None and "res" not in locals():
            sink.close()
    if sink is not None:
        sink.close(res.totals, "interrupted: partial book" if res.interrupted else "")
    return res


def _write_other(args: argparse.Namespace, res: BookResult, ext: str | None) -> None:
    if ext == "pdf":
        from .export.pdf_book import book_pdf_bytes
        data = book_pdf_bytes(res)
    elif ext == "json":
        data = cli.dumps(res.to_dict()).encode("utf-8")
    else:
        return
    try:
        with open(args.out, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise cli.UserError(f"cannot write {args.out!r}: {exc.strerror}") from None


def cmd_portfolio(args: argparse.Namespace) -> str:
    ext = _check_args(args)
    base = load(args.scenario) if args.scenario else Scenario()
    book = _read(args.groups, base)
    res = _execute(args, book, base, ext)
    if res.interrupted:
        done = int(res.groups["group_id"].nunique())
        where = f"; {args.out} holds their rows" if args.out and ext not in ("pdf", "json") else ""
        print(f"{cli.PROG}: interrupted after {done:,} of {res.groups_total:,} groups{where}", file=sys.stderr)
        raise KeyboardInterrupt
    _write_other(args, res, ext)
    out = res.to_dict()
    out["problems"] = book.problems.to_dict(orient="records")
    if args.out:
        out.pop("groups")
        out["out"] = args.out
    return cli.dumps(out)
