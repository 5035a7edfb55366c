"""The safety plan's questions as content: one new table

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

The questions and their options (never anyone's answers, which stay on their phone). A new table and nothing
else, so existing content, accounts, drafts and the audit log are untouched; it starts empty, and the bundle
version stays as it was until questions are loaded (`flask content load`, or published in the admin).
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plan_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("part", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("hint", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("show_if", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("last_checked", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )


def downgrade():
    op.drop_table("plan_question")
