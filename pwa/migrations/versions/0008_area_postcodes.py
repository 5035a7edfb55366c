"""Postcode districts per area, for the local finder: three new columns on area

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Each area's postcode districts (the first parts of postcodes, such as CW1), where that list comes from and when
it was checked. Existing areas get none, so the published bundle and its version stay as they were until an agency
lists districts (schemas.AreaSchema leaves empty ones out).
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("area") as batch:
        batch.add_column(sa.Column("postcode_districts", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("postcode_source", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("postcode_last_checked", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("area") as batch:
        batch.drop_column("postcode_last_checked")
        batch.drop_column("postcode_source")
        batch.drop_column("postcode_districts")
