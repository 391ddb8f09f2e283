"""Filter by therapy in SQL and keep the parameter rows a version used (for drift).

Adds ``scenario_versions.therapy`` (indexed; back-filled from each stored scenario's first
program) and ``scenario_versions.parameters_json`` (the values of the parameter-library rows the
scenario used when it was saved; NULL for versions saved before this revision, whose drift can
then be shown as a total but not attributed row by row).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_versions = sa.table("scenario_versions", sa.column("id", sa.Integer), sa.column("scenario_json", sa.Text),
                     sa.column("therapy", sa.String(80)))


def _therapy(text: str) -> str:
    try:
        return str(json.loads(text)["programs"][0]["therapy"])[:80]
    except (ValueError, KeyError, IndexError, TypeError):
        return ""


def upgrade() -> None:
    op.add_column("scenario_versions", sa.Column("therapy", sa.String(80), nullable=False, server_default=""))
    op.add_column("scenario_versions", sa.Column("parameters_json", sa.Text, nullable=True))
    op.create_index("ix_scenario_versions_therapy", "scenario_versions", ["therapy"])
    bind = op.get_bind()
    rows = bind.execute(sa.select(_versions.c.id, _versions.c.scenario_json)).all()
    for vid, text in rows:
        bind.execute(_versions.update().where(_versions.c.id == vid).values(therapy=_therapy(text)))


def downgrade() -> None:
    op.drop_index("ix_scenario_versions_therapy", "scenario_versions")
    with op.batch_alter_table("scenario_versions") as batch:
        batch.drop_column("parameters_json")
        batch.drop_column("therapy")
