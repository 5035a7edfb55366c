"""Admin pages: sign in, edit the draft, preview it, publish it, read the audit log. No JavaScript needed."""
from __future__ import annotations

import io
import json
import zipfile
from functools import wraps
from types import SimpleNamespace
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, session, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .. import content
from ..extensions import db
from ..wording import plural
from . import approvals, audit_log, auth, csrf, drafts, editing, sessions, totp
from . import translations as admin_translations
from .forms import FORMS, changed_contacts, contact_change_errors, from_form, summary_line, values_for
from .times import uk_time

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def check_csrf():
    if request.method == "POST" and session.get("session_key"):
        request.max_content_length = editing.FORM_REQUEST_LIMIT  # see editing.py
    if request.method == "POST" and not csrf.is_valid(request.form):
        if request.endpoint in ("admin.new", "admin.edit"):  # give back what was typed
            return form_not_accepted(request.view_args.get("kind", ""), request.view_args.get("slug"))
        return render_template("admin/message.html", heading="This form has expired",
                               message="Go back, reload the page and try again."), 400


@bp.errorhandler(HTTPException)
def admin_error(error: HTTPException):
    """Admin pages get admin error pages (never the public one with its Hide control)."""
    if isinstance(error, RequestEntityTooLarge):
        return render_template("admin/message.html", heading="That was too much to send", message=(
            f"Nothing was saved: the form carried more than {editing.FORM_REQUEST_LIMIT // (1024 * 1024)} MB. "
            "Go back: your browser may still have your text. Each field says how long it may be."),
            back=url_for("admin.dashboard")), 413
    return render_template("admin/message.html", heading=error.name,
                           message=error.description or "", back=url_for("admin.dashboard")), error.code


@bp.after_request
def never_store(response):
    # Staff pages and drafts must not linger in any cache, including the app's service worker; private: no shared
    # cache (the proxy in front, a CDN) may keep them whatever else it is told.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_global("csrf_token")
def csrf_token() -> str:
    return csrf.token()


bp.add_app_template_filter(uk_time, "uk_time")
bp.add_app_template_global(auth.can, "can")


def actor() -> str:
    return auth.current_user().email


def kind_or_404(kind: str) -> str:
    if kind not in drafts.KINDS:
        abort(404)
    return kind


def revision_from(form) -> str:
    """The version of the record (or, to publish, of the preview) that the form was made from."""
    return form.get("revision", "")[:64]


def conflict_page():
    return render_template("admin/message.html", heading="Someone else changed the draft",
                           message="Your change was not saved, so nothing of theirs was overwritten. "
                                   "Open the draft again to see their change, then make yours.",
                           back=url_for("admin.dashboard")), 409


def keeps_typed_text(view):
    """login_required, except that a form sent after the session ended gets its text back, not a sign-in page."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method == "POST" and auth.current_user() is None:
            return form_not_accepted(kwargs["kind"], kwargs.get("slug"))
        return auth.login_required(view)(*args, **kwargs)
    return wrapped


def form_not_accepted(kind: str, slug: str | None):
    kind_or_404(kind)
    values = from_form(kind, request.form, slug)[0]
    if auth.current_user() is None:
        return editing.typed_text_page(kind, slug, values, "ended")
    if not editing.same_origin():
        return editing.typed_text_page(kind, slug, values, "expired")
    # Signed in (again, perhaps in another tab) with an older form: show it again as typed, to check and save.
    return edit_page(kind, slug, values, {"_form": "This form had expired, so nothing was saved yet. It is "
                                                   "shown again as you typed it: check it and save."},
                     400, original=editing.original_from(request.form))


def safe_next(target: str | None) -> str:
    # Only back into the admin on this site: never an open redirect.
    parts = urlsplit(target or "")
    if not parts.scheme and not parts.netloc and parts.path.startswith("/admin"):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return url_for("admin.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error, status = None, 200
    if request.method == "POST":
        email, password = request.form.get("email", ""), request.form.get("password", "")
        try:
            user = auth.authenticate(email, password) if email and password else None
        except auth.SignInRefused as refused:
            error, status = refused.message, refused.status
        else:
            if user is not None:
                return after_password(user, request.args.get("next"))
            error, status = "That email and password do not match an account.", 401
    return render_template("admin/login.html", error=error), status


def after_password(user, next_url: str | None):
    """Ask for the second factor if set up; a publisher without one sets it up before anything else."""
    if totp.is_set_up(user):
        auth.await_second_factor(user, next_url)
        return redirect(url_for("admin.login_code"))
    auth.sign_in(user, two_factor=False)
    if auth.needs_two_factor_now():
        return redirect(url_for("admin.two_factor_setup"))
    return redirect(safe_next(next_url))


@bp.post("/logout")
@auth.login_required
def logout():
    sessions.end(sessions.current())
    db.session.commit()
    session.clear()
    return redirect(url_for("admin.login"))


@bp.get("/")
@auth.login_required
def dashboard():
    draft = drafts.current()
    published = drafts.published_records()
    in_draft = drafts.overlay(published, draft)
    return render_template("admin/dashboard.html", draft=draft, version=drafts.published_version(),
                           changes=drafts.changes(draft, published) if draft else [],
                           counts=editing.counts(published), draft_counts=editing.counts(in_draft),
                           moved_on=draft is not None and drafts.moved_on(draft),
                           publications=drafts.publications_since(draft) if draft else [],
                           stale=editing.stale_details())


@bp.get("/<kind>")
@auth.login_required
def records(kind: str):
    kind_or_404(kind)
    return render_template("admin/records.html", kind=kind, rows=drafts.records()[kind], draft=drafts.current())


def edit_page(kind: str, slug: str | None, values: dict, errors: dict, status: int = 200,
              original: dict | None = None, conflict: dict | None = None):
    """The form. `original`: the record as the form first showed it (a hidden copy, to say what changed on a
    conflict); the form also names the version of the record it was made from, to refuse stale saves."""
    in_draft = drafts.records()
    area_options = tuple((a["slug"], a["name"]) for a in in_draft["areas"])
    edit = drafts.edits_of(drafts.current())[kind].get(slug) if slug else None
    published = drafts.find_published(kind, slug) if slug else None
    # The published record changed after the draft changed it: show both, and saving settles it.
    moved = edit if edit and edit["base"] != published else None
    record_fields = {f.name for f in FORMS[kind]}
    labels = {f.name: f.label for f in FORMS[kind]}
    summary = [(f"#field-{name}", summary_line(labels[name], message)) if name in record_fields else (None, message)
               for name, message in errors.items()]
    return render_template("admin/edit.html", kind=kind, slug=slug, fields=FORMS[kind], values=values,
                           errors=errors, summary=summary, area_options=area_options,
                           revision=revision_from(request.form) if request.method == "POST" and not conflict
                           else drafts.version_of(drafts.find(kind, slug) if slug else None),
                           original=json.dumps(original),
                           conflict=conflict, moved=moved,
                           moved_diff=editing.field_differences(kind, published, drafts.merged(moved, published))
                           if moved else [],
                           both=[editing.label_of(kind, name)
                                 for name in drafts.changed_on_both_sides(moved, published)] if moved else [],
                           published_seen=drafts.version_of(published) if moved else "",
                           moved_by=drafts.last_published_change(kind, slug) if moved else None,
                           in_draft=edit is not None and not moved,
                           confirm_source=kind == "services" and bool(changed_contacts(values, original)),
                           session=editing.session_settings()), status


@bp.route("/<kind>/new", methods=["GET", "POST"])
@keeps_typed_text
def new(kind: str):
    kind_or_404(kind)
    if request.method == "GET":
        return edit_page(kind, None, values_for(kind, None), {})
    values, record, errors = from_form(kind, request.form, None)
    if record and (drafts.find(kind, record["slug"]) or record["slug"] == "new"):
        errors["slug"] = "Another record already uses this short name."
    return save_to_draft(kind, None, values, record, errors, "Added {slug} to the draft.")


@bp.route("/<kind>/<slug>", methods=["GET", "POST"])
@keeps_typed_text
def edit(kind: str, slug: str):
    kind_or_404(kind)
    if request.method == "GET":
        shown = drafts.as_shown(kind, slug) or abort(404)
        return edit_page(kind, slug, values_for(kind, shown), {}, original=shown)
    values, record, errors = from_form(kind, request.form, slug, drafts.as_shown(kind, slug))
    return save_to_draft(kind, slug, values, record, errors, "Saved {slug} in the draft.")


@bp.post("/<kind>/<slug>/delete")
@auth.login_required
def delete(kind: str, slug: str):
    kind_or_404(kind)
    drafts.find(kind, slug) or abort(404)
    if kind == "areas" and any(s["area"] == slug for s in drafts.records()["services"]):
        flash("That area still has services. Move them to another area or remove them first.", "error")
        return redirect(url_for("admin.edit", kind=kind, slug=slug))
    try:
        drafts.delete(actor(), kind, slug, revision_from(request.form))
    except drafts.DraftConflict:
        return conflict_page()
    flash(f"Removed {slug} from the draft.")
    return redirect(url_for("admin.records", kind=kind))


@bp.post("/<kind>/<slug>/undo")
@auth.login_required
def undo(kind: str, slug: str):
    """Undo the draft's change to one record (it goes back to what is published)."""
    kind_or_404(kind)
    try:
        drafts.revert(actor(), kind, slug, revision_from(request.form))
    except drafts.DraftConflict:
        return conflict_page()
    flash(f"Undid the draft's change to {slug}: it is as published.")
    return redirect(url_for("admin.dashboard"))


def save_to_draft(kind: str, slug: str | None, values: dict, record: dict | None, errors: dict, done: str):
    """Shared end of the new and edit forms: check across records, save, or show the form again."""
    original = editing.original_from(request.form)
    current = drafts.find(kind, slug) if slug else None
    if slug and drafts.version_of(current) != revision_from(request.form):
        return conflict(kind, slug, values, original, drafts.as_shown(kind, slug))
    if not errors:
        errors = cross_record_errors(kind, record, drafts.as_shown(kind, slug) if slug else None)
    if errors:
        return edit_page(kind, slug, values, errors, 400, original=original)
    try:
        saved = drafts.save(actor(), kind, record, revision_from(request.form), request.form.get("published_seen", ""))
    except drafts.DraftConflict:
        return conflict(kind, slug, values, original, drafts.as_shown(kind, slug)) if slug else conflict_page()
    flash(done.format(slug=record["slug"]) if saved else f"Nothing to save: {record['slug']} is as it was.")
    return redirect(url_for("admin.records", kind=kind))


def conflict(kind: str, slug: str, values: dict, original: dict | None, current: dict | None):
    """Someone else changed (or removed) the record since this form was made: say who and what, keep what was typed.

    The form comes back holding their version, so saving it cannot quietly undo their change; what this
    person typed is listed beside it, to copy back in."""
    details = editing.conflict_details(kind, slug, original, current)
    details["yours"] = editing.typed_changes(kind, values, original)
    if current is None:
        return edit_page(kind, None, values, {}, 409, conflict=details)  # removed: offer it as a new record
    return edit_page(kind, slug, values_for(kind, current), {}, 409, original=current, conflict=details)


def cross_record_errors(kind: str, record: dict, previous: dict | None) -> dict:
    if kind == "services" and not drafts.find("areas", record["area"]):
        return {"area": "Choose one of the areas."}
    if kind == "services":
        return contact_change_errors(record, previous, request.form.get("source_confirmed") == "yes")
    if kind == "questions":
        return editing.show_if_errors(record)
    return {}


@bp.get("/preview")
@auth.login_required
def preview():
    draft = drafts.current()
    if draft is None:
        flash("There is no draft: the published content is what you see.")
        return redirect(url_for("admin.dashboard"))
    in_draft = drafts.records()
    pack, _ = drafts.checked(in_draft)  # records the rules refuse are listed as problems instead
    # Plain objects with the attributes the public templates read, so services look as they will.
    areas = [SimpleNamespace(**a, services=[SimpleNamespace(**s) for s in pack.services if s["area"] == a["slug"]])
             for a in sorted(pack.areas, key=lambda a: (a["kind"] != "national", a["position"], a["name"]))]
    changes = drafts.changes(draft)
    changed_guides = {c["slug"] for c in changes if c["kind"] == "guide" and c["after"]}
    guides = [SimpleNamespace(**g, body_html=content.render_markdown(g["body_markdown"]))
              for g in pack.guides if g["slug"] in changed_guides]
    changed_questions = {c["slug"] for c in changes if c["kind"] == "question"}
    changed_steps = {c["slug"] for c in changes if c["kind"] == "step" and c["after"]}
    steps = [step | {name: content.render_markdown(step[name]) if step[name] else ""
                     for name in ("why", "android", "iphone", "warning")}
             for step in pack.steps if step["slug"] in changed_steps]
    return render_template("admin/preview.html", draft=draft, changes=changes, areas=areas,
                           guides=guides, steps=steps, problems=drafts.problems(in_draft, draft),
                           plan_parts=editing.plan_preview(pack.questions) if changed_questions else [],
                           changed_questions=changed_questions,
                           moved_on=drafts.moved_on(draft), publications=drafts.publications_since(draft),
                           token=drafts.preview_token(in_draft), bundle=editing.bundle_figures(pack),
                           contact_changes=approvals.changes(draft))


@bp.post("/publish")
@auth.login_required
@auth.permission_required("publish", "Only publishers and admins can publish. Ask one to preview and publish the "
                                     "draft; your changes are saved in it.")
def publish():
    draft = drafts.current()
    if draft is not None and drafts.problems(drafts.records(), draft):
        return redirect(url_for("admin.preview"))
    if draft is not None and drafts.preview_token(drafts.records()) == revision_from(request.form):
        # (else drafts.publish() refuses: the draft changed since the preview)
        if approvals.blocking(draft):
            flash("Changes to contact details need a second person's approval before they can be published.",
                  "error")
            return redirect(url_for("admin.preview"))
        approvals.record_publication(actor(), draft)  # committed with the publication, or not at all
    try:
        before, after = drafts.publish(actor(), revision_from(request.form))
    except drafts.DraftConflict:
        db.session.rollback()
        return render_template("admin/message.html", heading="The draft changed since your preview",
                               message="Nothing was published. Preview it again, then publish.",
                               back=url_for("admin.preview")), 409
    flash(f"Published. Content version {before} is now {after}; apps pick it up on their next visit.")
    return redirect(url_for("admin.dashboard"))


@bp.route("/discard", methods=["GET", "POST"])
@auth.login_required
def discard():
    """Asks first, naming every change that would be lost; only "Yes, discard" (confirm) discards."""
    draft = drafts.current()
    if draft is None:
        flash("There is no draft to discard.")
        return redirect(url_for("admin.dashboard"))
    changes = drafts.changes(draft)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        return render_template("admin/discard.html", changes=changes, token=drafts.preview_token(drafts.records()))
    if request.form.get("revision") != drafts.preview_token(drafts.records()):
        return render_template("admin/message.html", heading="The draft changed since you were asked",
                               message="Nothing was discarded. Look at the changes again before discarding them.",
                               back=url_for("admin.discard")), 409
    drafts.discard(actor())
    flash(f"The draft was discarded ({plural(len(changes), 'change')}). Nothing was published.")
    return redirect(url_for("admin.dashboard"))


@bp.get("/export")
@auth.login_required
def export():
    """The published content as a content pack (a zip of areas.toml, services.toml, guides/, plan.toml and
    translations/, with their review state)."""
    version = drafts.published_version()
    files = content.export_files(drafts.published_records(), content.EXPORT_HEADER.format(
        app="the admin", day=editing.uk_today().isoformat(), version=version), content.translation_records())
    folder = f"content-{version}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files.items()):
            archive.writestr(zipfile.ZipInfo(f"{folder}/{name}", date_time=(1980, 1, 1, 0, 0, 0)), text)
    drafts.audit(actor(), "export", note=f"version {version}")
    db.session.commit()
    buffer.seek(0)
    return send_file(buffer, mimetype="application/zip", as_attachment=True, download_name=f"{folder}.zip")


@bp.route("/<path:unknown>", methods=["GET", "POST"])
def not_found(unknown):
    """An admin address that does not exist gets the admin's page (not the public one with its Hide control)."""
    abort(404)


@bp.get("/session")
def session_state():
    """For the session-expiry warning: whether the session is alive (asking keeps it alive) and a fresh token."""
    if auth.current_user() is None:
        return jsonify(signed_in=False), 401
    return jsonify(signed_in=True, csrf_token=csrf.token(), **editing.session_settings())


@bp.get("/audit")
@auth.login_required
def audit():
    page = request.args.get("page", "1")
    page = int(page) if page.isdecimal() and 0 < int(page) < 100_000 else 1
    try:
        filters, error = audit_log.filters_from(request.args), None
    except audit_log.FilterError as bad:
        filters, error = audit_log.Filters(), str(bad)
    entries, more = audit_log.entries(filters, page) if error is None else ([], False)
    return render_template("admin/audit.html", entries=entries, page=page, more=more, filters=filters,
                           error=error, people=audit_log.people(), records=audit_log.records(),
                           values=request.args, log=audit_log), 400 if error else 200


@bp.get("/translations")
@auth.login_required
def translations():
    return render_template("admin/translations.html", languages=admin_translations.overview())


@bp.post("/translations/review")
@auth.login_required
@auth.permission_required("publish", "Only publishers and admins can mark a translation reviewed.")
def review_translation():
    form = request.form
    kind, language, slug = form.get("kind", ""), form.get("language", ""), form.get("slug", "")
    try:
        admin_translations.mark_reviewed(actor(), kind, language, slug, form.get("reviewed_by", ""),
                                         revision_from(form))
    except admin_translations.ReviewRefused as refused:
        flash(f"Not marked reviewed: {refused}", "error")
        return redirect(url_for("admin.translations"))
    name = admin_translations.LANGUAGE_NAMES.get(language, language)
    flash(f"Marked reviewed: {name} {kind} {admin_translations.english_title(kind, slug)}.")
    return redirect(url_for("admin.translations"))
