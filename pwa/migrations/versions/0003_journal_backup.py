"""Journal backup: backups, their records, request counters

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Made with `flask db migrate` against a database at 0002, then checked by hand. Three new tables and nothing
else: no existing table changes, so content, admin accounts, drafts and the audit log are untouched. Records
are BLOBs (bytea on PostgreSQL) of at most 1 MiB each (BACKUP_MAX_RECORD_BYTES).
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "backup",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("touched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("stored_bytes", sa.BigInteger(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("conflicts", sa.Integer(), nullable=False),
        sa.Column("deletion_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deletion_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_backup_deletion_due_at", "backup", ["deletion_due_at"])
    op.create_index("ix_backup_touched_at", "backup", ["touched_at"])
    op.create_table(
        "backup_record",
        sa.Column("backup_id", sa.String(length=32), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("receipt", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["backup_id"], ["backup.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("backup_id", "seq"),
    )
    op.create_table(
        "backup_rate_count",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_backup_rate_count_expires_at", "backup_rate_count", ["expires_at"])


def downgrade():
    """Back to 0002: every backup is removed with its tables (export journals first if that matters)."""
    op.drop_index("ix_backup_rate_count_expires_at", table_name="backup_rate_count")
    op.drop_table("backup_rate_count")
    op.drop_table("backup_record")
    op.drop_index("ix_backup_touched_at", table_name="backup")
    op.drop_index("ix_backup_deletion_due_at", table_name="backup")
    op.drop_table("backup")
