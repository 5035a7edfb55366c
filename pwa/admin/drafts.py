"""The draft: published content copied into content-pack shape, edited record by record, then published.

Records are kept as the content schemas dump them (dates as ISO strings), validated with the same
schemas the content pack uses, and published with content.load_pack in one transaction. The bundle
version is a hash of the content, so publishing changes it and installed apps pick the change up.
"""
from __future__ import annotations

from marshmallow import Schema, ValidationError

from .. import content
from ..extensions import db
from ..models import Area, Guide, Service
from ..schemas import AreaContentSchema, GuideContentSchema, ServiceContentSchema
from ..wording import plural
from .models import AuditEntry, Draft, utcnow

KINDS: dict[str, type[Schema]] = {
    "areas": AreaContentSchema,
    "services": ServiceContentSchema,
    "guides": GuideContentSchema,
}
SINGULAR = {"areas": "area", "services": "service", "guides": "guide"}


class DraftConflict(Exception):
    """Someone changed the draft after this person loaded it."""


def _as_record(kind: str, row) -> dict:
    schema = KINDS[kind]()
    data = {name: getattr(row, name) for name in schema.fields if name != "area"}
    if kind == "services":
        data["area"] = row.area.slug
    return schema.dump(data)


def published_records() -> dict[str, list[dict]]:
    return {
        "areas": [_as_record("areas", a) for a in content.ordered_areas()],
        "services": [_as_record("services", s) for s in db.session.scalars(content.ordered_services())],
        "guides": [_as_record("guides", g) for g in db.session.scalars(content.ordered_guides())],
    }


def published_version() -> str:
    return content.bundle()["version"]


def current() -> Draft | None:
    return db.session.scalar(db.select(Draft).order_by(Draft.id).limit(1))


def records() -> dict[str, list[dict]]:
    """What the admin is editing: the draft if there is one, else the published content."""
    draft = current()
    return draft.records if draft else published_records()


def find(kind: str, slug: str) -> dict | None:
    return next((r for r in records()[kind] if r["slug"] == slug), None)


def audit(actor: str, action: str, kind: str | None = None, slug: str | None = None,
          before: dict | None = None, after: dict | None = None, note: str = "") -> None:
    db.session.add(AuditEntry(actor=actor, action=action, kind=kind, slug=slug, before=before, after=after,
                              note=note))


def _change(actor: str, kind: str, slug: str, new: dict | None, revision: int) -> None:
    """Apply one record's change, if the draft is still the one the form was made from (revision 0: none)."""
    draft = current()
    if revision != (draft.revision if draft else 0):
        raise DraftConflict()
    if draft is None:
        draft = Draft(records=published_records(), base_version=published_version(), revision=0, updated_by=actor)
        db.session.add(draft)
    rows = [dict(r) for r in draft.records[kind]]
    index = next((i for i, r in enumerate(rows) if r["slug"] == slug), None)
    before = rows[index] if index is not None else None
    if new is None:
        rows.pop(index)
    elif index is None:
        rows.append(new)
    else:
        rows[index] = new
    rows.sort(key=lambda r: (r.get("position", 0), r.get("name") or r.get("title") or ""))
    draft.records = {**draft.records, kind: rows}  # a new dict, so the JSON column sees the change
    draft.revision += 1
    draft.updated_by, draft.updated_at = actor, utcnow()
    audit(actor, "draft-delete" if new is None else "draft-save", SINGULAR[kind], slug, before, new)
    from . import approvals  # imported here: approvals builds on this module

    approvals.note_edit(draft, actor, kind, slug, before, new)
    db.session.commit()


def save(actor: str, kind: str, record: dict, revision: int) -> None:
    _change(actor, kind, record["slug"], KINDS[kind]().dump(record), revision)


def delete(actor: str, kind: str, slug: str, revision: int) -> None:
    _change(actor, kind, slug, None, revision)


def discard(actor: str) -> None:
    draft = current()
    if draft is not None:
        db.session.delete(draft)
        audit(actor, "draft-discard", note=f"revision {draft.revision}")
        db.session.commit()


def changes(draft: Draft) -> list[dict]:
    """Per record: added, changed or removed, with before/after, comparing the draft to what is published."""
    published = published_records()
    result = []
    for kind in KINDS:
        old = {r["slug"]: r for r in published[kind]}
        new = {r["slug"]: r for r in draft.records[kind]}
        for slug in [*old, *(s for s in new if s not in old)]:
            before, after = old.get(slug), new.get(slug)
            if before == after:
                continue
            fields = sorted(k for k in {*(before or {}), *(after or {})}
                            if (before or {}).get(k) != (after or {}).get(k))
            result.append({"kind": SINGULAR[kind], "slug": slug, "before": before, "after": after,
                           "change": "added" if before is None else "removed" if after is None else "changed",
                           "fields": fields})
    return result


def problems(draft_records: dict[str, list[dict]]) -> list[str]:
    """What stops the draft from being published."""
    areas = {a["slug"] for a in draft_records["areas"]}
    found = checked(draft_records)[1]
    found += [f"Service {s['name']!r} is in area {s['area']!r}, which the draft no longer has."
              for s in draft_records["services"] if s["area"] not in areas]
    if not draft_records["guides"]:
        found.append("The draft has no guides; publish at least one.")
    return found


def checked(draft_records: dict[str, list[dict]]) -> tuple[content.Pack, list[str]]:
    """The records today's content rules accept, as a pack, and a line for each record they refuse.

    Every record was valid when saved, but a rule may have been tightened since (such as which links a
    guide may hold), and published records join the draft as they are: the preview shows the problem
    instead of failing."""
    pack, refused = content.Pack(), []
    for kind, schema in KINDS.items():
        for record in draft_records[kind]:
            try:
                getattr(pack, kind).append(schema().load(record))
            except ValidationError as err:
                refused += [f"{SINGULAR[kind].capitalize()} {record.get('slug')!r}: {name}: {why}"
                            for name, why in content.flatten_messages(err.messages)]
    return pack, refused


def as_pack(draft_records: dict[str, list[dict]]) -> content.Pack:
    """The whole draft as a pack; publish only a draft without problems."""
    return content.Pack(**{kind: [KINDS[kind]().load(r) for r in draft_records[kind]] for kind in KINDS})


def publish(actor: str, revision: int) -> tuple[str, str]:
    """Publish the draft that was previewed (by revision). Returns the versions before and after."""
    draft = current()
    if draft is None or draft.revision != revision:
        raise DraftConflict()
    before_version = published_version()
    record_changes = changes(draft)
    for change in record_changes:
        audit(actor, "publish", change["kind"], change["slug"], change["before"], change["after"])
    pack = as_pack(draft.records)
    db.session.delete(draft)
    content.load_pack(pack)  # deletes and reloads all content and commits, with the audit rows, at once
    after_version = published_version()
    audit(actor, "publish",
          note=f"version {before_version} -> {after_version}, {plural(len(record_changes), 'change')}")
    db.session.commit()
    return before_version, after_version
