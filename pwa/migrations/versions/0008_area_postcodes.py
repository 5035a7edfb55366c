"""Postcode districts per area, for the local finder: three new columns on area

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30

Each area's postcode districts (the first parts of postcodes, such as CW1), where that list comes from and when it
was checked. Existing areas get none, so the published bundle and its version do not change until an agency lists
some (schemas.AreaSchema leaves empty ones out). Drafts hold area records as the admin wrote them: each gains the
three fields, empty, so a draft still matches what is published and shows only its own changes (as 0004 did).
"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

DRAFT = sa.table("admin_draft", sa.column("id"), sa.column("edits", sa.JSON))
EMPTY = {"postcode_districts": [], "postcode_source": "", "postcode_last_checked": None}


def _change_drafts(bind, change) -> None:
    """Apply `change` to every area record (base and after) in every draft."""
    for row in bind.execute(sa.select(DRAFT.c.id, DRAFT.c.edits)).all():
        edits = row.edits if isinstance(row.edits, dict) else json.loads(row.edits)
        for edit in (edits.get("areas") or {}).values():
            for side in ("base", "after"):
                if edit.get(side) is not None:
                    change(edit[side])
        bind.execute(DRAFT.update().where(DRAFT.c.id == row.id).values(edits=edits))


def upgrade():
    with op.batch_alter_table("area") as batch_op:
        batch_op.add_column(sa.Column("postcode_districts", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("postcode_source", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("postcode_last_checked", sa.Date(), nullable=True))
    _change_drafts(op.get_bind(), lambda record: [record.setdefault(k, v) for k, v in EMPTY.items()])


def downgrade():
    """Back to 0007: the postcode districts are removed, from published areas and from drafts."""
    _change_drafts(op.get_bind(), lambda record: [record.pop(k, None) for k in EMPTY])
    with op.batch_alter_table("area") as batch_op:
        batch_op.drop_column("postcode_last_checked")
        batch_op.drop_column("postcode_source")
        batch_op.drop_column("postcode_districts")
