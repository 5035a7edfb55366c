"""What the content pages of the admin show beyond the form itself: conflicts, kept text, staleness, sizes.

views.py has the routes; this module works out what they show, so the routes stay short.
"""
from __future__ import annotations

import json
from datetime import date, timedelta

from flask import current_app, render_template, request, url_for

from .. import content
from ..extensions import db
from ..plan import PARTS
from ..schemas import uk_today
from ..views import STALE_AFTER_DAYS
from . import drafts, sessions
from .forms import FORMS, values_for
from .models import AuditEntry

# Admin forms may carry more than the public site's 1 MB limit, so that text over a field's limit comes back
# with an error and the text, not as a lost request. Only for a signed session cookie (it cannot be forged):
# nobody else can make the server read this much.
FORM_REQUEST_LIMIT = 4 * 1024 * 1024
# The session-expiry warning (static/js/admin/session-expiry.js) shows this long before the session ends.
WARN_BEFORE_SECONDS = 5 * 60


def session_settings() -> dict:
    idle = int(sessions.IDLE.total_seconds())
    return {"idle_seconds": idle, "warn_seconds": min(WARN_BEFORE_SECONDS, idle // 3),
            "request_limit": FORM_REQUEST_LIMIT}


def original_from(form) -> dict | None:
    """The record as the form showed it (its hidden copy): only to say what changed, never trusted to save."""
    try:
        original = json.loads(form.get("original", "null"))
    except ValueError:
        return None
    return original if isinstance(original, dict) else None


def typed_changes(kind: str, values: dict, original: dict | None) -> list[dict]:
    """The fields the person changed (or, with no original, filled in), with what they typed."""
    before = values_for(kind, original)
    return [{"name": f.name, "label": f.label, "value": _as_text(values.get(f.name))}
            for f in FORMS[kind]
            if f.name != "slug" and values.get(f.name) != before.get(f.name) and _as_text(values.get(f.name))]


def conflict_details(kind: str, slug: str, original: dict | None, current: dict | None) -> dict:
    """Who changed the record since the form was made, and what they changed."""
    change = last_change(kind, slug)
    theirs = field_differences(kind, original, current) if original is not None and current is not None else []
    return {"by": change.actor if change else "someone", "at": change.at if change else None,
            "action": change.action if change else "", "theirs": theirs, "removed": current is None}


def field_differences(kind: str, before: dict | None, after: dict | None) -> list[dict]:
    """Per field that differs, its label and both values as the form shows them."""
    then, now = values_for(kind, before), values_for(kind, after)
    return [{"label": f.label, "before": _as_text(then[f.name]), "after": _as_text(now[f.name])}
            for f in FORMS[kind] if then[f.name] != now[f.name]]


def label_of(kind: str, name: str) -> str:
    return next((f.label for f in FORMS[kind] if f.name == name), name)


def last_change(kind: str, slug: str) -> AuditEntry | None:
    """The latest audit entry that touched this record: a save, a publication, a load, or a discarded draft."""
    this_record = (AuditEntry.kind == drafts.SINGULAR[kind]) & (AuditEntry.slug == slug)
    whole_draft = AuditEntry.action.in_(("draft-discard", "content-load", "publish")) & AuditEntry.kind.is_(None)
    return db.session.scalar(db.select(AuditEntry).where(this_record | whole_draft)
                             .order_by(AuditEntry.id.desc()).limit(1))


def same_origin() -> bool:
    """Whether this request came from a page of this site (so echoing what it carried cannot be a trick)."""
    if request.headers.get("Sec-Fetch-Site"):
        return request.headers["Sec-Fetch-Site"] == "same-origin"
    origin = request.headers.get("Origin")
    return bool(origin) and origin == request.host_url.rstrip("/")


def typed_text_page(kind: str, slug: str | None, values: dict, reason: str):
    """Nothing was saved (the session ended, or the form expired): say so and give back what was typed."""
    typed = typed_changes(kind, values, original_from(request.form)) if same_origin() else []
    back = url_for("admin.edit", kind=kind, slug=slug) if slug else url_for("admin.new", kind=kind)
    return render_template("admin/not_saved.html", reason=reason, typed=typed, back=back,
                           sign_in=url_for("admin.login", next=back)), 401 if reason == "ended" else 400


def stale_details() -> list[dict]:
    """Published services and guides whose details were last checked over a year ago, oldest first.

    With the draft's date beside them when the draft has checked them again."""
    published = drafts.published_records()
    in_draft = drafts.records()
    cutoff = uk_today() - timedelta(days=STALE_AFTER_DAYS)
    result = []
    for kind in ("services", "guides", "questions", "steps"):
        drafted = {r["slug"]: r for r in in_draft[kind]}
        for record in published[kind]:
            checked = date.fromisoformat(record["last_checked"])
            if checked < cutoff:
                draft_date = drafted.get(record["slug"], {}).get("last_checked")
                result.append({"kind": kind, "slug": record["slug"],
                               "name": record.get("name") or record.get("title") or record["text"],
                               "checked": checked, "draft_checked": draft_date if draft_date != record["last_checked"]
                               else None})
    return sorted(result, key=lambda r: r["checked"])


def show_if_errors(record: dict) -> dict:
    """A question's "Show only after" must name an earlier question and one of its answers; and a change to a
    question must not leave another that depends on it pointing at nothing."""
    in_draft = drafts.records()["questions"]
    others = [q for q in in_draft if q["slug"] != record["slug"]]
    before = set(content.show_if_problems(in_draft))
    errors = {}
    for slug, why in content.show_if_problems(others + [record]):
        if slug == record["slug"]:
            errors["show_if"] = why[0].upper() + why[1:]
        elif (slug, why) not in before:
            errors.setdefault("_others", f"Question {slug!r} is shown only after an answer to this one, and then "
                                         f"{why} Keep what it needs, or change that question first.")
    return errors


def plan_preview(questions: list[dict]) -> list[tuple]:
    """Each part of the plan with its questions as the draft has them, each saying after which answer it shows."""
    by_slug = {q["slug"]: q for q in questions}
    shown = []
    for question in questions:
        slug, _, value = question["show_if"].partition("=")
        other = by_slug.get(slug)
        label = next((o["label"] for o in (other or {}).get("options", []) if o["value"] == value), value)
        shown.append(question | {"shown_after": (other["text"], label) if other else None})
    return [(part, [q for q in shown if q["part"] == part.slug]) for part in PARTS]


def counts(records: dict[str, list[dict]]) -> dict[str, int]:
    return {kind: len(rows) for kind, rows in records.items()}


def bundle_figures(pack: content.Pack) -> dict:
    """The offline bundle's size if the draft is published, against what is published and the budget."""
    raw, compressed = content.bundle_size(content.bundle_of(pack))
    published_raw, published_compressed = content.bundle_size(content.bundle())
    # A national pack: phones keep national help and their areas, not the bundle (README, "National-scale content").
    per_area = sum(a["kind"] != "national" for a in pack.areas) > current_app.config["AREAS_ON_ONE_PAGE"]
    return {"raw": raw, "compressed": compressed, "published_raw": published_raw,
            "published_compressed": published_compressed, "budget": content.BUNDLE_BUDGET,
            "over": compressed > content.BUNDLE_BUDGET and not per_area, "per_area": per_area,
            "areas_on_one_page": current_app.config["AREAS_ON_ONE_PAGE"],
            "largest": _largest_guides(pack)}


def _largest_guides(pack: content.Pack, count: int = 3) -> list[dict]:
    sizes = [{"title": g["title"], "slug": g["slug"], "chars": len(g["body_markdown"].strip())} for g in pack.guides]
    return sorted(sizes, key=lambda g: -g["chars"])[:count]


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, list):
        return ", ".join(value)
    return value or ""
