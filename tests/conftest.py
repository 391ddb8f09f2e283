"""Shared fixtures: the default scenario, a seeded generator, hypothesis profiles."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import calculator

settings.register_profile("ci", derandomize=True, max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


_REAL_MAIN = __import__("sys").modules.get("__main__")  # this test process's own, before any AppTest


@pytest.fixture(autouse=True)
def _keep_the_main_module():
    """Streamlit's AppTest runs a page as ``__main__`` and leaves that module in ``sys.modules``
    (also from module-scoped fixtures); a later process pool started with "spawn" (Dask's nannies)
    would then re-run the page script in each child and fail. Every test starts and ends with the
    process's real ``__main__``."""
    import sys
    if _REAL_MAIN is not None:
        sys.modules["__main__"] = _REAL_MAIN
    yield
    if _REAL_MAIN is not None:
        sys.modules["__main__"] = _REAL_MAIN


@pytest.fixture
def default_scenario() -> calculator.Scenario:
    return calculator.Scenario()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261125)


# --- scenario library (issue 13): a private SQLite library, and a real PostgreSQL ----------------
# Tests (and the Streamlit server the browser tests start) never touch the user's own library: the
# default library of the whole test session is a temporary SQLite file.
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

from tests import pg  # noqa: E402

_LIB_TMP = tempfile.mkdtemp(prefix="backpain-roi-lib-")
atexit.register(shutil.rmtree, _LIB_TMP, ignore_errors=True)
os.environ["BACKPAIN_ROI_DB"] = f"sqlite:///{_LIB_TMP}/session-library.sqlite3"
pg.configure()  # the first process of the run (the xdist controller) owns the PostgreSQL cluster


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def pg_server() -> str:
    """URL of the session's throw-away PostgreSQL server (skipped, or failed in CI, without PostgreSQL)."""
    url = pg.server_url()
    if url is None:
        msg = "PostgreSQL is not installed (apt-get install postgresql; scripts/test.sh does it)"
        if _in_ci():
            pytest.fail(msg, pytrace=False)
        pytest.skip(msg)
    return url


@pytest.fixture
def pg_url(pg_server):
    """A fresh, empty PostgreSQL database for one test."""
    url, name = pg.fresh_database(pg_server)
    yield url
    pg.drop_database(pg_server, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def library_url(request, tmp_path):
    """The same storage test on SQLite (WAL) and on PostgreSQL: an empty library's URL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'library.sqlite3'}"
    else:
        yield request.getfixturevalue("pg_url")
