"""The published content's version, stored: one new table

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30

One row holding the bundle version (content.bundle), written whenever content is loaded, published or reviewed,
so that requests no longer work it out from every content table. A new table and nothing else. It starts empty:
the app works the version out from the content and stores it the first time a request needs it
(content_version.stored), with the code of that release rather than a copy frozen in this migration.
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "content_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("content_version")
