"""Reading the audit log: filters (person, record, UK dates) and each entry's changed fields, before and after."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from ..extensions import db
from .models import AuditEntry
from .times import uk_day_bounds

PAGE_SIZE = 50
LONG_VALUE = 120  # characters; longer values (guide text) fold away under "Show"
ACTIONS = {
    "sign-in": "Signed in",
    "sign-in-failed": "Sign-in failed",
    "sign-in-refused": "Sign-in refused",
    "sign-in-slowed": "Sign-ins slowed down",
    "account-locked": "Account locked",
    "account-unlocked": "Account unlocked",
    "account-created": "Account created",
    "account-disabled": "Account switched off",
    "account-enabled": "Account switched on",
    "account-removed": "Account removed",
    "role-changed": "Role changed",
    "password-set": "Password set",
    "password-changed": "Changed their password",
    "two-factor-set-up": "Set up two-factor sign-in",
    "two-factor-reset": "Two-factor sign-in reset",
    "recovery-codes-replaced": "New recovery codes",
    "signed-out": "Signed out",
    "draft-save": "Saved in the draft",
    "draft-delete": "Removed from the draft",
    "draft-discard": "Discarded the draft",
    "approved": "Approved a contact change",
    "approval-voided": "Approval voided",
    "publish": "Published",
    "published-contact": "Published a contact change",
    "translation-reviewed": "Marked a translation reviewed",
    # Entries written before these names existed.
    "create-user": "Account created",
    "set-password": "Password set",
}


class FilterError(ValueError):
    """Bad filter input, said for people."""


@dataclass(frozen=True)
class Filters:
    person: str = ""
    record: str = ""  # "service:slug"
    since: date | None = None
    until: date | None = None

    def as_args(self) -> dict:
        return {name: value for name, value in (("person", self.person), ("record", self.record),
                                                ("since", self.since), ("until", self.until)) if value}


def _date(value: str, label: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FilterError(f"{label}: use a date like 2026-11-29.") from None


def filters_from(args) -> Filters:
    """Filters from the query string; raises FilterError with a message for people."""
    if any("\x00" in args.get(name, "") for name in ("person", "record", "since", "until")):
        raise FilterError("The filters must not contain NUL characters.")  # PostgreSQL refuses them in text
    record = args.get("record", "").strip()
    if record and (record.count(":") != 1 or not all(record.split(":"))):
        raise FilterError("Record: choose one from the list.")
    found = Filters(person=args.get("person", "").strip()[:254], record=record[:90],
                    since=_date(args.get("since", ""), "From"), until=_date(args.get("until", ""), "To"))
    if found.since and found.until and found.since > found.until:
        raise FilterError("The From date is after the To date.")
    return found


def entries(filters: Filters, page: int) -> tuple[list[AuditEntry], bool]:
    """One page of entries, newest first, and whether there are older ones."""
    query = db.select(AuditEntry)
    if filters.person:
        query = query.where(AuditEntry.actor == filters.person)
    if filters.record:
        kind, slug = filters.record.split(":")
        query = query.where(AuditEntry.kind == kind, AuditEntry.slug == slug)
    if filters.since:
        query = query.where(AuditEntry.at >= uk_day_bounds(filters.since)[0])
    if filters.until:
        query = query.where(AuditEntry.at < uk_day_bounds(filters.until)[1])
    rows = db.session.scalars(query.order_by(AuditEntry.id.desc())
                              .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def people() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)))


def records() -> list[tuple[str, str]]:
    return [(kind, slug) for kind, slug in db.session.execute(
        db.select(AuditEntry.kind, AuditEntry.slug).distinct()
        .where(AuditEntry.kind.is_not(None), AuditEntry.slug.is_not(None))
        .order_by(AuditEntry.kind, AuditEntry.slug))]


def action_label(action: str) -> str:
    return ACTIONS.get(action, action)


def shown(value) -> str:
    """A field's value as people read it."""
    if value is None:
        return "(none)"
    if value == "" or value == []:
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(isinstance(v, dict) and "days" in v for v in value):
        return "; ".join(f"{' '.join(p['days'])} {p['opens']}-{p['closes']}" for p in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@dataclass(frozen=True)
class FieldChange:
    name: str
    before: str
    after: str

    @property
    def long(self) -> bool:
        return any(len(v) > LONG_VALUE or "\n" in v for v in (self.before, self.after))


def field_changes(entry: AuditEntry) -> list[FieldChange]:
    """The fields an entry changed, with before and after; every field when a record was added or removed."""
    if entry.before is None and entry.after is None:
        return []
    before, after = entry.before or {}, entry.after or {}
    names = [n for n in dict.fromkeys([*before, *after])
             if before.get(n) != after.get(n) and (n in before or after.get(n) not in (None, "", [], False))]
    return [FieldChange(n, shown(before.get(n)) if entry.before is not None else "(none)",
                        shown(after.get(n)) if entry.after is not None else "(none)") for n in names]
