"""Alembic migrations of the scenario library, run programmatically on open (see ``db.migrate``)."""
