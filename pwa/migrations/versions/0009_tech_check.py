"""The tech-safety check's steps as content: one new table

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30

What to check on a phone and in accounts, step by step (never what anyone found or ticked: the page stores
nothing). A new table and nothing else; it starts empty, and the bundle version stays as it was until steps are
loaded (`flask content load --if-empty` adds the pack's steps once, or publish them in the admin).
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tech_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("android", sa.Text(), nullable=False),
        sa.Column("iphone", sa.Text(), nullable=False),
        sa.Column("warning", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("last_checked", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )


def downgrade():
    op.drop_table("tech_step")
