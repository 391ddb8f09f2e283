"""Alembic environment: always run on a connection handed over by ``calculator.scenario_library.db``.

The caller has already opened the transaction (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on
PostgreSQL), so two processes opening a new library at once migrate it exactly once. Importing
this module outside an Alembic run (e.g. doctest collection) does nothing.
"""

from alembic import context


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:  # pragma: no cover - only reachable from the alembic command line
        raise RuntimeError("run migrations through calculator.scenario_library.open_library(url)")
    context.configure(connection=connection, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


try:
    context.config  # noqa: B018 - exists only while Alembic runs this file
except AttributeError:
    pass
else:
    run()
