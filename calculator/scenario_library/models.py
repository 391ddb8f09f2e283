"""The library's tables at the newest schema revision (SQLAlchemy Core).

``scenarios`` holds one row per name; ``scenario_versions`` every version saved under that name,
so the history is kept. The schema itself is created and upgraded by the Alembic revisions in
``migrations/versions`` (never by ``metadata.create_all``); a test checks that these definitions
match what the migrations build.
"""

from __future__ import annotations

import sqlalchemy as sa

#: Alembic revision of the newest schema this code reads and writes.
HEAD_REVISION = "0002"

metadata = sa.MetaData()

scenarios = sa.Table(
    "scenarios", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("latest_version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

versions = sa.Table(
    "scenario_versions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scenario_id", sa.Integer, sa.ForeignKey("scenarios.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("tags", sa.Text, nullable=False),  # JSON list of strings
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("parameter_set", sa.String(64), nullable=False),
    sa.Column("scenario_json", sa.Text, nullable=False),
    sa.Column("summary_json", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("therapy", sa.String(80), nullable=False, server_default=""),
    sa.Column("parameters_json", sa.Text, nullable=True),
    sa.UniqueConstraint("scenario_id", "version", name="uq_scenario_version"),
    sa.Index("ix_scenario_versions_therapy", "therapy"),
)
