"""Content translations: one new table

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30

Guides' and services' words in Welsh, Polish, Urdu, Punjabi and Easy Read, each with its review state. A new
table and nothing else: existing content, drafts and the audit log are untouched. It starts empty, and the
bundle version stays as it was until translations are loaded (`flask content load`).
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "translation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body_markdown", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("hours_note", sa.Text(), nullable=False),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("translated_on", sa.Date(), nullable=False),
        sa.Column("reviewed_by", sa.String(length=254), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "slug", "language"),
    )


def downgrade():
    op.drop_table("translation")
