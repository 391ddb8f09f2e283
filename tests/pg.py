"""A throw-away PostgreSQL cluster for the test session: one server per pytest run, shared by xdist workers.

The first process of a test run (the xdist controller; conftest calls :func:`configure` on import,
and the workers it starts inherit the environment) only picks a directory and exports it in
``BACKPAIN_ROI_TEST_PG_DIR``; nothing starts until a test asks for PostgreSQL. Then
the first process to take the directory's file lock runs ``initdb`` and ``pg_ctl start`` (as the
``postgres`` user when the tests run as root, since PostgreSQL refuses to run as root) on a free
local port with a private socket directory, and writes the URL for the others. When the first
process exits, an ``atexit`` handler stops the server and removes the directory (no pytest hook is
needed, so this composes with any other conftest hooks). Each test gets its own
database (created and dropped around it), so tests never see each other's rows.
"""

from __future__ import annotations

import atexit
import fcntl
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

DIR_ENV = "BACKPAIN_ROI_TEST_PG_DIR"


def bindir() -> Path | None:
    """Directory of initdb/pg_ctl: Debian's /usr/lib/postgresql/<version>/bin, else the PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


def _run(cmd: list[str]) -> None:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)


def configure() -> None:
    """In the first process only: choose the directory and stop/remove everything at exit."""
    if DIR_ENV in os.environ:  # a worker (or a nested run): the owner set it up
        return
    base = tempfile.mkdtemp(prefix="backpain-roi-pg-")
    os.chmod(base, 0o755)
    os.environ[DIR_ENV] = base
    atexit.register(_cleanup, base, os.getpid())


def _cleanup(base: str, owner: int) -> None:
    if os.getpid() != owner:  # a forked child exiting normally must not stop the shared server
        return
    data = Path(base) / "data"
    if (data / "postmaster.pid").exists() and (b := bindir()) is not None:
        try:
            _run([str(b / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
        except (subprocess.SubprocessError, OSError):
            pass
    shutil.rmtree(base, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(base: Path, b: Path) -> str:
    data, sock = base / "data", base / "sock"
    for d in (data, sock):
        d.mkdir()
        if os.geteuid() == 0:
            shutil.chown(d, "postgres", "postgres")
    _run([str(b / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
    port = _free_port()
    opts = (f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=100")
    log = base / "server.log"
    if os.geteuid() == 0:
        log.touch()
        shutil.chown(log, "postgres", "postgres")
    _run([str(b / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", opts, "-w", "-t", "60", "start"])
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def server_url() -> str | None:
    """The session's server URL (started on first call), or None when PostgreSQL is not installed."""
    b = bindir()
    base = os.environ.get(DIR_ENV)
    if b is None or base is None:
        return None
    with open(Path(base) / "lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        url_file = Path(base) / "url"
        if not url_file.exists():
            url_file.write_text(_start(Path(base), b))
        return url_file.read_text().strip()


def fresh_database(server: str) -> tuple[str, str]:
    """Create an empty database; returns (its URL, its name)."""
    import sqlalchemy as sa
    name = "t_" + uuid.uuid4().hex[:16]
    eng = sa.create_engine(server.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    eng.dispose()
    return server.rsplit("/", 1)[0] + "/" + name, name


def drop_database(server: str, name: str) -> None:
    import sqlalchemy as sa
    eng = sa.create_engine(server.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    eng.dispose()
