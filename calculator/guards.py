"""Guards every input door shares: capped reads, strict JSON, integers and indices.

One home for the low-level rules (issue 10): a reader stops at a byte limit before it allocates;
JSON is checked for nesting depth and number length *before* it is parsed, refuses duplicate keys,
``NaN``/``Infinity``; an integer is parsed only after a length check; only ASCII digits make a
number or an index (``"²"`` and ``"٣"`` pass ``str.isdigit`` but are refused here). Every error is
a :class:`InputError` (a ``ValueError``) whose message names what was wrong in one line; callers
add the field or file name.

>>> loads_json('{"a": [1, 2.5, "x"]}')
{'a': [1, 2.5, 'x']}
>>> loads_json('{"a": 1, "a": 2}')
Traceback (most recent call last):
...
calculator.guards.InputError: the key 'a' appears twice in one object; give it once
>>> parse_index("²", 3)
Traceback (most recent call last):
...
calculator.guards.InputError: '²' is not an index: use an ASCII whole number from 0 to 2
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import io
import json
import os
import re
import stat
import sys
import threading
from collections.abc import Iterator
from typing import Any, BinaryIO

__all__ = ["InputError", "MAX_JSON_DEPTH", "MAX_NUMBER_CHARS", "MAX_INT_DIGITS", "read_limited", "loads_json",
           "check_json_shape", "parse_int", "parse_index", "is_ascii_digits", "freed_memory_returned",
           "release_memory"]

#: Deepest nesting of JSON arrays/objects accepted (a scenario needs 3).
MAX_JSON_DEPTH = 32
#: Longest number literal accepted in JSON or a flag [characters] (a float needs at most 25).
MAX_NUMBER_CHARS = 40
#: Most digits in a whole number (far below Python's 4,300-digit conversion limit).
MAX_INT_DIGITS = 18

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]|-?[0-9][0-9.eE+-]*')


class InputError(ValueError):
    """An input broke a guard; the message says which and what is allowed."""


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of 0-9 only (not superscripts, not Arabic-Indic digits)."""
    return bool(text) and text.isascii() and text.isdigit()


def parse_int(text: str, what: str = "the value", max_digits: int = MAX_INT_DIGITS) -> int:
    """An ASCII whole number (optional sign) of at most ``max_digits`` digits."""
    t = str(text).strip()
    body = t[1:] if t[:1] in "+-" else t
    if not is_ascii_digits(body):
        raise InputError(f"{what} must be a whole number written with the digits 0-9, got {t[:40]!r}")
    if len(body) > max_digits:
        raise InputError(f"{what} has {len(body):,} digits; at most {max_digits} are accepted")
    return int(t)


def parse_index(text: str, length: int) -> int:
    """A list index from a path or a link: ASCII digits, inside ``0..length-1``."""
    t = str(text)
    if not is_ascii_digits(t) or len(t) > 6:
        raise InputError(f"{t[:20]!r} is not an index: use an ASCII whole number from 0 to {max(length - 1, 0)}")
    return int(t)


def check_json_shape(text: str, max_depth: int = MAX_JSON_DEPTH, max_number: int = MAX_NUMBER_CHARS) -> None:
    """Refuse nesting deeper than ``max_depth`` or a number longer than ``max_number``, before parsing."""
    depth = 0
    for m in _TOKENS.finditer(text):
        tok = m.group()
        c = tok[0]
        if c in "[{":
            depth += 1
            if depth > max_depth:
                line = text.count("\n", 0, m.start()) + 1
                raise InputError(f"nested more than {max_depth} levels deep (line {line}); a scenario needs 3")
        elif c in "]}":
            depth -= 1
        elif c != '"' and len(tok) > max_number:
            line = text.count("\n", 0, m.start()) + 1
            raise InputError(f"a number on line {line} has {len(tok):,} characters; at most {max_number} are "
                             "accepted")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise InputError(f"the key {k[:60]!r} appears twice in one object; give it once")
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise InputError(f"{name} is not a number JSON allows; give a finite number")


def loads_json(text: str, *, constants: bool = False) -> Any:
    """``json.loads`` behind the guards: depth, number length, duplicate keys, and NaN/Infinity
    refused unless ``constants`` (then they load as floats for the caller's finite-number check)."""
    check_json_shape(text)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates,
                          parse_constant=float if constants else _no_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:  # pragma: no cover - the depth check comes first
        raise InputError(f"nested more than {MAX_JSON_DEPTH} levels deep") from None


def read_limited(source: str | os.PathLike | BinaryIO, max_bytes: int, what: str = "the file") -> bytes:
    """The bytes of a file, ``-`` (stdin) or an open binary stream, refusing more than ``max_bytes``.

    Reads at most ``max_bytes + 1`` bytes, so ``/dev/zero``, a FIFO or a huge file costs no more than
    the limit; OS errors (missing, a directory, no permission) become one line naming the file.
    """
    if not isinstance(max_bytes, int) or isinstance(max_bytes, bool) or max_bytes < 0:
        raise InputError(f"the byte limit must be a whole number of bytes >= 0, got {max_bytes!r}")
    name = str(source) if isinstance(source, (str, os.PathLike)) else what
    try:
        if isinstance(source, (str, os.PathLike)):
            if str(source) == "-":
                return _read_capped(sys.stdin.buffer, max_bytes, "standard input")
            with open(source, "rb") as fh:
                return _read_capped(fh, max_bytes, name)
        return _read_capped(source, max_bytes, name)
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None


def _read_capped(fh: BinaryIO, max_bytes: int, name: str) -> bytes:
    chunks, total = [], 0
    try:  # a regular file: one read of its size + 1 (one buffer, not chunks joined into a copy)
        st = os.fstat(fh.fileno())
        size = st.st_size if stat.S_ISREG(st.st_mode) and st.st_size > 0 else 0
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        size = 0
    if size:
        first = fh.read(min(size, max_bytes) + 1)
        if len(first) <= min(size, max_bytes):  # end of file reached
            return first
        chunks, total = [first], len(first)
    while total <= max_bytes:
        chunk = fh.read(min(1 << 20, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > max_bytes:
        mb = max_bytes / 1024 / 1024
        raise InputError(f"{name} is larger than the {mb:,.1f} MB limit ({max_bytes:,} bytes); nothing more "
                         "was read")
    return b"".join(chunks)


# ---------------------------------------------------------------------------------------------
# Memory: buffers freed after an upload go back to the operating system (issue 10)

#: While a table is read, allocations at least this large get their own memory map, so freeing one
#: returns it to the operating system at once [bytes] (glibc's initial threshold; fixing it stops glibc
#: from raising it after a large free, which would leave the columns on a heap that never shrinks).
MMAP_THRESHOLD = 128 * 1024
#: Outside a read: glibc's largest dynamic threshold (64-bit), which its own adjustment reaches after
#: a few large frees anyway; simulations then reuse heap memory instead of mapping fresh pages for
#: every array (with 128 kB throughout, a 20,000-draw PSA ran about 35 % slower) [bytes].
MMAP_THRESHOLD_OUTSIDE = 32 * 1024 * 1024
_M_MMAP_THRESHOLD = -3  # mallopt parameter number (malloc.h)
_pool_ready = False
_depth = 0
_depth_lock = threading.Lock()


@functools.cache
def _libc() -> Any:
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return lib if hasattr(lib, "mallopt") and hasattr(lib, "malloc_trim") else None
    except OSError:  # not glibc (macOS, musl): its allocator keeps its own policy
        return None


@contextlib.contextmanager
def freed_memory_returned() -> Iterator[None]:
    """While an upload is read, make the buffers it frees go back to the OS (process-wide; nests).

    pyarrow's default allocator (mimalloc) keeps freed pages for reuse, and glibc raises its mmap
    threshold after each large free; both kept a census's text columns resident long after they were
    dropped (7-8 x the file at peak). Arrow allocates from the system allocator instead (from the
    first read on), and inside this block glibc maps every allocation of :data:`MMAP_THRESHOLD` or
    more on its own; on leaving the outermost block the threshold goes to
    :data:`MMAP_THRESHOLD_OUTSIDE` and freed heap pages are returned (:func:`release_memory`).
    """
    global _pool_ready, _depth
    if not _pool_ready:
        import pyarrow as pa

        if pa.default_memory_pool().backend_name != "system":
            pa.set_memory_pool(pa.system_memory_pool())
        _pool_ready = True
    lib = _libc()
    with _depth_lock:
        _depth += 1
        if _depth == 1 and lib is not None:
            lib.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    try:
        yield
    finally:
        with _depth_lock:
            _depth -= 1
            if _depth == 0 and lib is not None:
                lib.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_OUTSIDE)
        release_memory()


def release_memory() -> None:
    """Give freed heap memory back to the OS now (glibc ``malloc_trim``; a no-op elsewhere)."""
    lib = _libc()
    if lib is not None:
        lib.malloc_trim(0)
