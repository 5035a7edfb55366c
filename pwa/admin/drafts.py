"""The draft: staff's own changes, record by record, on top of whatever is published.

Each changed record is kept with the published version it was changed from (its base), who changed it and
when. Every other record is read from the published content, so a draft holds no copies of records it did
not change: content published after the draft began (a `flask content load`, say) shows through, and
publishing the draft applies only its own changes. A record changed in the draft and, since then, in the
published content too is a conflict: someone looks at both and saves again (or undoes the draft's change)
before the draft can be published.

Saves and deletes name the version of the record the form was made from, so a stale form never overwrites
someone else's change; saves to different records never conflict. Records are validated with the content
pack's schemas and published with content.load_pack in one transaction; the bundle version is a hash of
the content, so publishing changes it and installed apps pick the change up.
"""
from __future__ import annotations

from datetime import datetime

from marshmallow import ValidationError

from .. import content
from ..extensions import db
from ..plan import question_order
from ..wording import plural
from .models import AuditEntry, Draft, utcnow

KINDS = content.CONTENT_SCHEMAS
SINGULAR = content.SINGULAR
# Audit actions that change published content.
PUBLISHING_ACTIONS = ("publish", "content-load")
# Audit actions by which staff change published content in the admin: a load would undo them (cli.py).
ADMIN_ACTIONS_ON_PUBLISHED = ("publish", "translation-reviewed")


class DraftConflict(Exception):
    """The record changed after this person's form was made from it (or the draft changed after a preview)."""

    def __init__(self, kind: str | None = None, slug: str | None = None):
        super().__init__(kind, slug)
        self.kind, self.slug = kind, slug


def version_of(record: dict | None) -> str:
    """A short fingerprint of a record as a form showed it ("none": there was no such record)."""
    return content.digest(record) if record is not None else "none"


def published_records() -> dict[str, list[dict]]:
    return content.published_records()


def published_version() -> str:
    return content.bundle()["version"]


def current() -> Draft | None:
    return db.session.scalar(db.select(Draft).order_by(Draft.id).limit(1))


def edits_of(draft: Draft | None) -> dict[str, dict[str, dict]]:
    edits = (draft.edits if draft else None) or {}
    return {kind: dict(edits.get(kind) or {}) for kind in KINDS}


def overlay(published: dict[str, list[dict]], draft: Draft | None) -> dict[str, list[dict]]:
    """The published records with the draft's changes applied, in the order publishing would give them."""
    edits = edits_of(draft)
    result = {}
    for kind in KINDS:
        rows = [edits[kind][r["slug"]]["after"] if r["slug"] in edits[kind] else r for r in published[kind]]
        known = {r["slug"] for r in published[kind]}
        rows += [edit["after"] for slug, edit in edits[kind].items() if slug not in known]
        result[kind] = [r for r in rows if r is not None]
    return ordered(result)


def ordered(records: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Records sorted as the published content is (content.ordered_*): national areas first, then by order."""
    area_rank = {a["slug"]: (a["kind"] != "national", a.get("position", 0)) for a in records["areas"]}
    return {
        "areas": sorted(records["areas"], key=lambda a: (*area_rank[a["slug"]], a["name"])),
        "services": sorted(records["services"], key=lambda s: (*area_rank.get(s["area"], (True, 2**31)),
                                                                 s.get("position", 0), s["name"])),
        "guides": sorted(records["guides"], key=lambda g: (g.get("position", 0), g["title"])),
        "questions": sorted(records["questions"], key=question_order),
        "steps": sorted(records["steps"], key=content.step_order),
    }


def records() -> dict[str, list[dict]]:
    """What the admin is editing: the published content with the draft's changes, if there is a draft."""
    return overlay(published_records(), current())


def find(kind: str, slug: str) -> dict | None:
    return next((r for r in records()[kind] if r["slug"] == slug), None)


def find_published(kind: str, slug: str) -> dict | None:
    return next((r for r in published_records()[kind] if r["slug"] == slug), None)


def audit(actor: str, action: str, kind: str | None = None, slug: str | None = None,
          before: dict | None = None, after: dict | None = None, note: str = "") -> None:
    db.session.add(AuditEntry(actor=actor, action=action, kind=kind, slug=slug, before=before, after=after,
                              note=note))


def _change(actor: str, kind: str, slug: str, new: dict | None, version: str, published_seen: str = "") -> bool:
    """Apply one record's change if the record is still the version the form was made from.

    Returns False when the change would change nothing."""
    draft = current()
    edits = edits_of(draft)
    published = find_published(kind, slug)
    edit = edits[kind].get(slug)
    before = edit["after"] if edit else published
    if version != version_of(before):
        raise DraftConflict(kind, slug)
    if new == before:
        return False
    base = published if edit is None or published_seen == version_of(published) else edit["base"]
    if new == base:
        edits[kind].pop(slug, None)  # back to the published version: nothing left to publish here
    else:
        edits[kind][slug] = {"base": base, "after": new, "by": actor, "at": utcnow().isoformat(timespec="seconds")}
    if draft is None:
        draft = Draft(edits={}, base_version=published_version(), revision=0, updated_by=actor)
        db.session.add(draft)
    _store(draft, edits, actor, kind, slug, before, new)
    audit(actor, "draft-delete" if new is None else "draft-save", SINGULAR[kind], slug, before, new)
    db.session.commit()
    return True


def _store(draft: Draft, edits: dict[str, dict[str, dict]], actor: str, kind: str, slug: str,
           before: dict | None, after: dict | None) -> None:
    if not any(edits.values()):
        db.session.delete(draft)  # every change undone: no draft (nor approvals), and the next one starts afresh
        return
    draft.edits = edits  # a new dict, so the JSON column sees the change
    draft.revision += 1
    draft.updated_by, draft.updated_at = actor, utcnow()
    from . import approvals  # imported here: approvals builds on this module

    approvals.note_edit(draft, actor, kind, slug, before, after)


def save(actor: str, kind: str, record: dict, version: str, published_seen: str = "") -> bool:
    """Save a record in the draft (published_seen: the published version the form showed, to settle a conflict)."""
    return _change(actor, kind, record["slug"], KINDS[kind]().dump(record), version, published_seen)


def delete(actor: str, kind: str, slug: str, version: str) -> None:
    _change(actor, kind, slug, None, version)


def revert(actor: str, kind: str, slug: str, version: str) -> None:
    """Undo the draft's change to one record (made from this version of it): it goes back to what is published."""
    draft = current()
    edits = edits_of(draft)
    edit = edits[kind].pop(slug, None)
    if edit is None or version != version_of(edit["after"]):
        raise DraftConflict(kind, slug)
    _store(draft, edits, actor, kind, slug, edit["after"], find_published(kind, slug))
    audit(actor, "draft-revert", SINGULAR[kind], slug, edit["after"], find_published(kind, slug))
    db.session.commit()


def discard(actor: str) -> None:
    draft = current()
    if draft is not None:
        lost = changes(draft)
        db.session.delete(draft)
        audit(actor, "draft-discard",
              note=f"{plural(len(lost), 'change')}: " + "; ".join(content.describe_difference(c) for c in lost))
        db.session.commit()


def changes(draft: Draft | None, published: dict[str, list[dict]] | None = None) -> list[dict]:
    """The draft's own changes, as publishing it would make them (before: what is published now).

    Each also says who made it and when, and whether the published record changed since ("stale"), in
    which case "base" is what the draft's change was made from."""
    published = published or published_records()
    result = []
    for kind, edits in edits_of(draft).items():
        published_by_slug = {r["slug"]: r for r in published[kind]}
        for slug, edit in edits.items():
            before, after = published_by_slug.get(slug), edit["after"]
            if before == after:
                continue  # published meanwhile, exactly as the draft has it
            result.append({
                "kind": SINGULAR[kind], "kinds": kind, "slug": slug, "before": before, "after": after,
                "change": "added" if before is None else "removed" if after is None else "changed",
                "fields": content.changed_fields(before, after), "by": edit["by"], "at": _when(edit["at"]),
                "stale": before != edit["base"], "base": edit["base"],
            })
    return result


def conflicts(draft: Draft | None) -> list[dict]:
    return [change for change in changes(draft) if change["stale"]]


def merged(edit: dict, published: dict | None) -> dict | None:
    """The draft's own changes (base -> after) applied to the record as published now: a three-way merge.

    Where both changed the same field, the draft's value wins (the edit form points it out)."""
    if edit["after"] is None or published is None:
        return edit["after"]
    base = edit["base"] or {}
    return {name: edit["after"][name] if edit["after"].get(name) != base.get(name) else published.get(name)
            for name in edit["after"]}


def as_shown(kind: str, slug: str) -> dict | None:
    """The record as the edit form shows it: the draft's, merged with later publications if there were any."""
    edit = edits_of(current())[kind].get(slug)
    published = find_published(kind, slug)
    if edit and edit["base"] != published:
        return merged(edit, published)
    return edit["after"] if edit else published


def changed_on_both_sides(edit: dict, published: dict | None) -> list[str]:
    base, after, now = edit["base"] or {}, edit["after"] or {}, published or {}
    return [name for name in after if after.get(name) != base.get(name) and now.get(name) != base.get(name)
            and after.get(name) != now.get(name)]


def moved_on(draft: Draft) -> bool:
    """Whether content was published after the draft began."""
    return draft.base_version != published_version()


def publications_since(draft: Draft) -> list[AuditEntry]:
    """The publications and content loads since the draft began (their summary lines, newest first)."""
    return list(db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action.in_(PUBLISHING_ACTIONS), AuditEntry.kind.is_(None),
                                    AuditEntry.at >= draft.started_at)
        .order_by(AuditEntry.id.desc())))


def _last_id(*actions: str) -> int:
    return db.session.scalar(db.select(db.func.max(AuditEntry.id)).where(
        AuditEntry.action.in_(actions), AuditEntry.kind.is_(None))) or 0


def last_published_change(kind: str, slug: str) -> AuditEntry | None:
    """Who last changed this record in the published content, and when (a publication or a content load)."""
    return db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action.in_(PUBLISHING_ACTIONS), AuditEntry.kind == SINGULAR[kind], AuditEntry.slug == slug)
        .order_by(AuditEntry.id.desc()).limit(1))


def problems(draft_records: dict[str, list[dict]], draft: Draft | None = None) -> list[str]:
    """What stops the draft from being published."""
    areas = {a["slug"] for a in draft_records["areas"]}
    pack, found = checked(draft_records)
    found += [f"Service {s['name']!r} is in area {s['area']!r}, which the draft no longer has."
              for s in draft_records["services"] if s["area"] not in areas]
    if not draft_records["guides"]:
        found.append("The draft has no guides; publish at least one.")
    found += [f"Question {slug!r}: Show only after: {why}" for slug, why in content.show_if_problems(pack.questions)]
    found += [f"{c['kind'].capitalize()} {c['slug']!r} was changed in the published content after this draft "
              "changed it: open it to compare, then save it again or undo the draft's change."
              for c in conflicts(draft)]
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


def preview_token(draft_records: dict[str, list[dict]]) -> str:
    """Names exactly what a preview showed: publishing refuses if the draft or the published content changed."""
    return content.digest(draft_records)


def publish(actor: str, token: str) -> tuple[str, str]:
    """Publish the draft that was previewed (by its token). Returns the versions before and after."""
    draft = current()
    published = published_records()
    to_publish = overlay(published, draft)
    if draft is None or token != preview_token(to_publish):
        raise DraftConflict()
    before_version = published_version()
    record_changes = changes(draft, published)
    for change in record_changes:
        audit(actor, "publish", change["kind"], change["slug"], change["before"], change["after"])
    pack = as_pack(to_publish)
    db.session.delete(draft)
    content.load_pack(pack)  # deletes and reloads all content and commits, with the audit rows, at once
    after_version = published_version()
    audit(actor, "publish",
          note=f"version {before_version} -> {after_version}, {plural(len(record_changes), 'change')}")
    db.session.commit()
    return before_version, after_version


# Who owns the content: the pack or the admin ---------------------------------------------------------------

def edited_in_admin_since_last_load() -> dict[tuple[str, str], AuditEntry]:
    """Records published from the admin since the last `flask content load`: (kind, slug) -> latest publication.

    Once staff publish a record, the admin is its source of truth: a load that would change it is refused
    unless forced (cli.py)."""
    last_load = _last_id("content-load")
    entries = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action.in_(ADMIN_ACTIONS_ON_PUBLISHED), AuditEntry.kind.is_not(None), AuditEntry.id > last_load)
        .order_by(AuditEntry.id))
    return {(entry.kind, entry.slug): entry for entry in entries}


def ever_published(kind: str) -> bool:
    """Whether any record of this kind ("question") was ever published or loaded on this server."""
    return db.session.scalar(db.select(AuditEntry.id).where(
        AuditEntry.action.in_(PUBLISHING_ACTIONS), AuditEntry.kind == SINGULAR[kind]).limit(1)) is not None


def ever_had_translations() -> bool:
    """Whether translations were ever loaded or reviewed on this server (an agency may have removed them all)."""
    return db.session.scalar(db.select(AuditEntry.id).where(
        AuditEntry.action.in_((*PUBLISHING_ACTIONS, "translation-reviewed")),
        AuditEntry.kind == "translation").limit(1)) is not None


def record_load(actor: str, source: str, record_changes: list[dict], before: str, after: str, forced: bool) -> None:
    """The audit entries for a content load: one per record it changed, then a summary line."""
    for change in record_changes:
        audit(actor, "content-load", change["kind"], change["slug"], change["before"], change["after"])
    audit(actor, "content-load", note=f"from {source}: version {before} -> {after}, "
                                      f"{plural(len(record_changes), 'change')}{', forced' if forced else ''}")


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value)
