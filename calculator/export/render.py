"""Plotly figures to PNG bytes through kaleido 1.x and a local Chromium.

Kaleido 1.x no longer ships a browser: it drives a Chrome/Chromium found on the machine (the
``BROWSER_PATH`` environment variable, else ``chromium``/``google-chrome``/... on ``PATH``;
on Debian, ``apt-get install chromium``). All figures of one report are rendered in a single
browser session (about 2 s for three charts, most of it starting the browser). MathJax is
disabled so that nothing is fetched from the network.

When no browser is available, or rendering fails, :func:`render_png` raises
:class:`ChartsUnavailable` whose message says why; the PDF then states that charts were not
rendered and still carries every table.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Sequence

import plotly.graph_objects as go

__all__ = ["ChartsUnavailable", "browser_path", "render_png"]

_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


class ChartsUnavailable(RuntimeError):
    """Charts could not be rendered to images (no browser, or the browser failed)."""


def browser_path() -> str | None:
    """The browser kaleido will use: ``BROWSER_PATH`` if set (and executable), else one on PATH."""
    env = os.environ.get("BROWSER_PATH")
    if env:
        return env if os.path.isfile(env) and os.access(env, os.X_OK) else None
    for name in _BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


async def _render(figs: Sequence[go.Figure], opts: Sequence[dict], timeout: float, path: str) -> list[bytes]:
    import kaleido

    async with kaleido.Kaleido(n=1, timeout=timeout, mathjax=False, path=path) as k:
        return [await k.calc_fig(fig, opts=o) for fig, o in zip(figs, opts, strict=True)]


def render_png(figs: Sequence[go.Figure], sizes: Sequence[tuple[int, int]], *, scale: float = 2.0,
               timeout: float = 60.0) -> list[bytes]:
    """PNG bytes of each figure at ``(width, height)`` CSS pixels times ``scale``.

    Runs kaleido's event loop in a worker thread, so it works inside Streamlit or Jupyter too.
    """
    path = browser_path()
    if path is None:
        where = os.environ.get("BROWSER_PATH")
        raise ChartsUnavailable(
            f"BROWSER_PATH={where!r} is not an executable browser" if where else
            "no Chrome or Chromium found for plotly's static export (kaleido); install one "
            "(Debian: apt-get install chromium) or set BROWSER_PATH")
    opts = [dict(format="png", width=w, height=h, scale=scale) for w, h in sizes]
    box: dict[str, object] = {}

    def work() -> None:
        try:
            box["result"] = asyncio.run(_render(list(figs), opts, timeout, path))
        except BaseException as exc:  # noqa: BLE001 - reported below as ChartsUnavailable
            box["error"] = exc

    # a daemon thread, so a browser that never answers can neither block this call past the deadline
    # nor keep the process alive at exit (a ThreadPoolExecutor would join it in both places)
    worker = threading.Thread(target=work, name="kaleido-render", daemon=True)
    worker.start()
    deadline = timeout + 15.0 * len(figs)
    worker.join(deadline)
    if worker.is_alive():
        raise ChartsUnavailable(f"chart rendering failed (the browser did not answer within "
                                f"{deadline:.0f} s)")
    if "error" in box:
        exc = box["error"]
        raise ChartsUnavailable(f"chart rendering failed ({type(exc).__name__}: {exc})") from exc
    return box["result"]  # type: ignore[return-value]
