"""Help channels: a service's web chat (service.chat_url)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

One new nullable column, so every service keeps what it had and has no chat. Drafts hold service records as
the admin wrote them: each gains "chat_url": None, so a draft still matches what is published and shows only
its own changes. The published bundle and its version do not change (the bundle leaves out an empty chat).
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DRAFT = sa.table("admin_draft", sa.column("id"), sa.column("edits", sa.JSON))


def _change_drafts(bind, change) -> None:
    """Apply `change` to every service record (base and after) in every draft."""
    for row in bind.execute(sa.select(DRAFT.c.id, DRAFT.c.edits)).all():
        edits = row.edits if isinstance(row.edits, dict) else json.loads(row.edits)
        for edit in (edits.get("services") or {}).values():
            for side in ("base", "after"):
                if edit.get(side) is not None:
                    change(edit[side])
        bind.execute(DRAFT.update().where(DRAFT.c.id == row.id).values(edits=edits))


def upgrade():
    with op.batch_alter_table("service") as batch_op:
        batch_op.add_column(sa.Column("chat_url", sa.String(length=300), nullable=True))
    _change_drafts(op.get_bind(), lambda record: record.setdefault("chat_url", None))


def downgrade():
    """Back to 0003: web chats are removed, from published services and from drafts, with approvals of them."""
    bind = op.get_bind()
    _change_drafts(bind, lambda record: record.pop("chat_url", None))
    for table in ("admin_approval", "admin_contact_edit"):
        bind.execute(sa.text(f"DELETE FROM {table} WHERE kind = 'services' AND field = 'chat_url'"))
    with op.batch_alter_table("service") as batch_op:
        batch_op.drop_column("chat_url")
