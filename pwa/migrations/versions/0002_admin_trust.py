"""Admin that staff can trust: per-record drafts, roles, two-factor sign-in, sessions, two-person approvals

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

A draft used to be a whole copy of the content; it is now each changed record with the published version it
was changed from. A draft begun on what is still published converts exactly. One begun on an older version
cannot tell its own changes from later publications (converting it could quietly undo them), so it is kept
whole in the audit log ("draft-archived") for someone to redo, and removed. Existing accounts become
publishers, since everyone could publish before roles existed.
"""
import json
import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")
KINDS = ("areas", "services", "guides")


def _published(bind):
    """The published records and bundle version, read straight from the content tables as they are at this
    revision (the app's models may have columns added by later revisions)."""
    from pwa import content

    return content.published_in_tables(bind)


def _as_edits(records: dict, published: dict, by: str, at: str) -> dict:
    edits = {}
    for kind in KINDS:
        before = {r["slug"]: r for r in published[kind]}
        after = {r["slug"]: r for r in records.get(kind) or []}
        changed = {slug: {"base": before.get(slug), "after": after.get(slug), "by": by, "at": at}
                   for slug in [*before, *after] if before.get(slug) != after.get(slug)}
        if changed:
            edits[kind] = changed
    return edits


def _convert_drafts(bind) -> None:
    draft, audit = sa.table("admin_draft", sa.column("id"), sa.column("records", sa.JSON),
                            sa.column("base_version"), sa.column("updated_by"), sa.column("updated_at"),
                            sa.column("edits", sa.JSON), sa.column("started_at")), \
        sa.table("admin_audit", sa.column("at"), sa.column("actor"), sa.column("action"),
                 sa.column("after", sa.JSON), sa.column("note"))
    rows = bind.execute(sa.select(draft.c.id, draft.c.records, draft.c.base_version, draft.c.updated_by,
                                  draft.c.updated_at)).all()
    if not rows:
        return
    try:
        published, version = _published(bind)
    except Exception:  # content code that no longer fits this schema: keep every draft whole instead
        logger.exception("Could not read the published content; drafts go to the audit log")
        published, version = None, None
    for row in rows:
        records = row.records if isinstance(row.records, dict) else json.loads(row.records)
        at = row.updated_at if isinstance(row.updated_at, datetime) else datetime.fromisoformat(str(row.updated_at))
        if published is not None and row.base_version == version:
            edits = _as_edits(records, published, row.updated_by, at.replace(tzinfo=at.tzinfo or UTC)
                              .isoformat(timespec="seconds"))
            bind.execute(draft.update().where(draft.c.id == row.id).values(edits=edits, started_at=at))
            continue
        bind.execute(audit.insert().values(
            at=datetime.now(UTC), actor="(upgrade)", action="draft-archived", after=records,
            note=f"A draft by {row.updated_by}, last changed {at:%Y-%m-%d %H:%M} UTC, begun on content version "
                 f"{row.base_version} which is no longer the published one: kept here whole (under 'after') "
                 "for someone to make its changes again, since they can no longer be told apart from later "
                 "publications."))
        bind.execute(draft.delete().where(draft.c.id == row.id))


def upgrade():
    op.create_table(
        "admin_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("approved_by", sa.String(length=254), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("draft_revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["admin_draft.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_admin_approval_draft_id", "admin_approval", ["draft_id"])
    op.create_table(
        "admin_contact_edit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("edited_by", sa.String(length=254), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["admin_draft.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_admin_contact_edit_draft_id", "admin_contact_edit", ["draft_id"])
    op.create_table(
        "admin_recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["admin_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_admin_recovery_code_user_id", "admin_recovery_code", ["user_id"])
    op.create_table(
        "admin_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("device", sa.String(length=60), nullable=False),
        sa.Column("two_factor", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["admin_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_index("ix_admin_session_user_id", "admin_session", ["user_id"])

    with op.batch_alter_table("admin_draft") as batch_op:
        batch_op.add_column(sa.Column("edits", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    _convert_drafts(op.get_bind())
    with op.batch_alter_table("admin_draft") as batch_op:
        batch_op.alter_column("edits", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("started_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.drop_column("records")

    with op.batch_alter_table("admin_user") as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=16), server_default="publisher", nullable=False))
        batch_op.add_column(sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_secret", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))


def downgrade():
    """Back to 0001: accounts lose roles and two-factor, and drafts are removed (the old shape cannot hold them)."""
    with op.batch_alter_table("admin_user") as batch_op:
        for name in ("totp_last_step", "totp_enabled_at", "totp_secret", "last_sign_in_at", "disabled_at", "role"):
            batch_op.drop_column(name)
    op.execute("DELETE FROM admin_draft")
    with op.batch_alter_table("admin_draft") as batch_op:
        batch_op.add_column(sa.Column("records", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.drop_column("started_at")
        batch_op.drop_column("edits")
    for table, owner in (("admin_session", "user_id"), ("admin_recovery_code", "user_id"),
                         ("admin_contact_edit", "draft_id"), ("admin_approval", "draft_id")):
        op.drop_index(f"ix_{table}_{owner}", table_name=table)
        op.drop_table(table)
