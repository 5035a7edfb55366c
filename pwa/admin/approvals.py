"""The two-person rule: a change to a way of reaching help is published only once a second person approves it.

Contact details, per record:
- a service's phone number, "after dialling" instructions, text message number, web chat and website. The
  website counts because it is one of the ways to reach a service in our content model (with phone, text
  number and chat) and may be a chat too: a web address cannot be told apart from a chat page, so every change
  needs approval;
- a guide's ways out: every link that leaves this site (tel:, sms:, mailto:, https:// - a chat link in a guide
  is one of these) and every number written in its text (0808 2000 247, 999, the Silent Solution's 55...);
- a safety plan question's numbers, in its words, hint and options (999, 55...).

Phone and text numbers are compared by their digits, so re-spacing one needs no approval.

An approval is bound to the exact change: the record, the field, the published value and the draft's value,
as the approver saw them at a draft revision. Any later draft edit that changes that field's value voids it,
and at publish time it counts only if the values still match. Whoever changed a field in this draft cannot
approve it; only people who may publish can approve. Approvals and edits live and die with the draft.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .. import content
from ..extensions import db
from . import drafts, roles
from .models import AdminUser, Approval, ContactEdit, Draft
from .times import uk_time

SERVICE_FIELDS = {"phone": "Phone number", "phone_extra": "After dialling", "text_number": "Text message number",
                  "chat_url": "Web chat", "web_url": "Website (may be a chat)"}
GUIDE_FIELD = "contacts"
PROTECTED = {"services": SERVICE_FIELDS, "guides": {GUIDE_FIELD: "Links and numbers in the text"},
             "questions": {GUIDE_FIELD: "Numbers in the question"},
             "steps": {GUIDE_FIELD: "Links and numbers in the step"}}
NUMBER = re.compile(r"\+?\d(?:[ \u00a0]?\d)*")


class ApprovalRefused(Exception):
    """Why this person cannot approve this change now, for people."""


def _digits(value: str | None) -> str | None:
    return re.sub(r"[^\d+]", "", value) or None if value else None


class _WaysOut(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs):
        href = (dict(attrs).get("href") or "").strip()
        if tag == "a" and href and not href.startswith(("/", "#")):
            scheme, _, rest = href.partition(":")
            self.found.add(f"{scheme.lower()}:{_digits(rest.split('?')[0]) or rest}"
                           if scheme.lower() in ("tel", "sms") else href)

    def handle_data(self, data):
        self.found.update(re.sub(r"\s", "", number) for number in NUMBER.findall(data))


def guide_contacts(body_markdown: str) -> str | None:
    """A guide's links that leave the site and the numbers in its text, one a line, sorted (None: none)."""
    parser = _WaysOut()
    parser.feed(content.render_markdown(body_markdown or ""))
    return "\n".join(sorted(parser.found)) or None


def contact_values(kind: str, record: dict | None) -> dict[str, str | None]:
    """The record's contact details as compared by the rule (all None for a record that is not there)."""
    if kind not in PROTECTED:
        return {}
    record = record or {}
    if kind == "guides":
        return {GUIDE_FIELD: guide_contacts(record["body_markdown"]) if record else None}
    if kind == "steps":  # a step's texts are Markdown, like a guide's: its links and numbers, all texts together
        texts = ("why", "android", "iphone", "warning")
        return {GUIDE_FIELD: guide_contacts("\n\n".join(record.get(name, "") for name in texts)) if record else None}
    if kind == "questions":  # a plan question may say what to dial (999, 55): its words, hint and options
        words = [record.get("text", ""), record.get("hint", ""), *(o["label"] for o in record.get("options", []))]
        numbers = sorted({re.sub(r"\s", "", number) for number in NUMBER.findall("\n".join(words))})
        return {GUIDE_FIELD: "\n".join(numbers) or None}
    return {"phone": _digits(record.get("phone")), "text_number": _digits(record.get("text_number")),
            "phone_extra": (record.get("phone_extra") or "").strip() or None,
            "chat_url": (record.get("chat_url") or "").strip() or None,
            "web_url": (record.get("web_url") or "").strip() or None}


@dataclass
class ContactChange:
    kind: str
    slug: str
    name: str
    field: str
    label: str
    before: str | None  # as compared (phone numbers as digits)
    after: str | None
    shown_before: str | None  # as written
    shown_after: str | None
    source: str | None = None  # where the draft's record says its details come from, to check against
    last_checked: str | None = None
    authors: list[str] = field(default_factory=list)
    approval: Approval | None = None

    @property
    def key(self) -> tuple:
        return self.kind, self.slug, self.field, self.before, self.after

    def approved_text(self) -> str:
        return f"approved by {self.approval.approved_by}, {uk_time(self.approval.approved_at)}" if self.approval else ""


def shown_value(kind: str, record: dict | None, name: str) -> str | None:
    """A contact detail as people read it: the phone number as written, the guide's list as compared."""
    if kind in ("guides", "questions", "steps"):
        return contact_values(kind, record)[name]
    return (record or {}).get(name) or None


def note_edit(draft: Draft, actor: str, kind: str, slug: str, before: dict | None, after: dict | None) -> None:
    """Called for every draft change: remembers who changed contact details and voids approvals of them."""
    old, new = contact_values(kind, before), contact_values(kind, after)
    for name in old:
        if old[name] == new[name]:
            continue
        draft.contact_edits.append(ContactEdit(kind=kind, slug=slug, field=name, edited_by=actor))
        for approval in [a for a in draft.approvals if (a.kind, a.slug, a.field) == (kind, slug, name)]:
            draft.approvals.remove(approval)
            drafts.audit(actor, "approval-voided", drafts.SINGULAR[kind], slug,
                         note=f"{PROTECTED[kind][name]}: {approval.approved_by}'s approval no longer applies "
                              "after this change")


def changes(draft: Draft) -> list[ContactChange]:
    """Every contact detail the draft changes, with who changed it and its approval (if it still applies)."""
    published = drafts.published_records()
    in_draft = drafts.overlay(published, draft)
    found = []
    for kind, fields in PROTECTED.items():
        old = {r["slug"]: r for r in published[kind]}
        new = {r["slug"]: r for r in in_draft[kind]}
        for slug in [*old, *(s for s in new if s not in old)]:
            before, after = contact_values(kind, old.get(slug)), contact_values(kind, new.get(slug))
            record = new.get(slug) or old[slug]
            for name, label in fields.items():
                if before[name] != after[name]:
                    found.append(ContactChange(kind, slug, record.get("name") or record.get("title") or slug,
                                               name, label, before[name], after[name],
                                               shown_value(kind, old.get(slug), name),
                                               shown_value(kind, new.get(slug), name),
                                               record.get("source"), record.get("last_checked")))
    for change in found:
        edits = {e.edited_by for e in draft.contact_edits if (e.kind, e.slug, e.field) == change.key[:3]}
        # A draft from before this rule has no edits recorded: its last editor counts as the author.
        change.authors = sorted(edits or {draft.updated_by})
        change.approval = next((a for a in draft.approvals
                                if (a.kind, a.slug, a.field, a.before, a.after) == change.key
                                and a.approved_by not in change.authors), None)
    return found


def blocking(draft: Draft) -> list[ContactChange]:
    """The contact changes that still need a second person's approval before the draft can be published."""
    return [change for change in changes(draft) if change.approval is None]


def refusal(user: AdminUser, change: ContactChange) -> str | None:
    """Why this person cannot approve this change, or None when they can."""
    if change.approval is not None:
        return "It is already approved."
    if not roles.can(user.role, "approve"):
        return "Only publishers and admins can approve changes to contact details."
    if user.email in change.authors:
        return "You made this change, so someone else must approve it."
    return None


def approve(user: AdminUser, kind: str, slug: str, name: str, token: str) -> ContactChange:
    """Approve one change as the approver saw it in the preview (its token). Raises ApprovalRefused, or DraftConflict."""
    draft = drafts.current()
    if draft is None or token != drafts.preview_token(drafts.records()):
        raise drafts.DraftConflict()
    change = next((c for c in changes(draft) if (c.kind, c.slug, c.field) == (kind, slug, name)), None)
    if change is None:
        raise ApprovalRefused("The draft no longer changes that.")
    why = refusal(user, change)
    if why:
        raise ApprovalRefused(why)
    change.approval = Approval(kind=kind, slug=slug, field=name, before=change.before, after=change.after,
                               approved_by=user.email, draft_revision=draft.revision)
    draft.approvals.append(change.approval)
    drafts.audit(user.email, "approved", drafts.SINGULAR[kind], slug, {name: change.shown_before},
                 {name: change.shown_after},
                 note=f"{change.label} (two-person rule; changed by {', '.join(change.authors)})")
    db.session.commit()
    return change


def record_publication(actor: str, draft: Draft) -> None:
    """Audit entries naming who changed and who approved each contact detail being published (not committed)."""
    for change in changes(draft):
        drafts.audit(actor, "published-contact", drafts.SINGULAR[change.kind], change.slug,
                     {change.field: change.shown_before}, {change.field: change.shown_after},
                     note=f"{change.label}: changed by {', '.join(change.authors)}, {change.approved_text()}")
