"""Admin pages: sign in, edit the draft, preview it, publish it, read the audit log. No JavaScript needed."""
from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

from .. import content
from ..extensions import db
from . import approvals, audit_log, auth, csrf, drafts, sessions, totp
from .forms import FORMS, from_form, values_for
from .times import uk_time

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def check_csrf():
    if request.method == "POST" and not csrf.is_valid(request.form):
        return render_template("admin/message.html", heading="This form has expired",
                               message="Go back, reload the page and try again."), 400


@bp.after_request
def never_store(response):
    # Staff pages and drafts must not linger in any cache, including the app's service worker.
    response.headers["Cache-Control"] = "no-store"
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


def revision_from(form) -> int:
    """The draft revision the form was made from: 0 when there was no draft, -1 when unreadable."""
    value = form.get("revision", "")
    # isdecimal, not isdigit: int() refuses digits such as "²" that isdigit accepts.
    return int(value) if value.isdecimal() and len(value) < 10 else -1


def conflict_page():
    return render_template("admin/message.html", heading="Someone else changed the draft",
                           message="Your change was not saved, so nothing of theirs was overwritten. "
                                   "Open the draft again to see their change, then make yours.",
                           back=url_for("admin.dashboard")), 409


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
    return render_template("admin/dashboard.html", draft=draft, version=drafts.published_version(),
                           changes=drafts.changes(draft) if draft else [], counts={
                               kind: len(rows) for kind, rows in drafts.records().items()})


@bp.get("/<kind>")
@auth.login_required
def records(kind: str):
    kind_or_404(kind)
    return render_template("admin/records.html", kind=kind, rows=drafts.records()[kind], draft=drafts.current())


def edit_page(kind: str, slug: str | None, values: dict, errors: dict, status: int = 200):
    draft = drafts.current()
    area_options = tuple((a["slug"], a["name"]) for a in drafts.records()["areas"])
    return render_template("admin/edit.html", kind=kind, slug=slug, fields=FORMS[kind], values=values,
                           errors=errors, area_options=area_options,
                           revision=draft.revision if draft else 0), status


@bp.route("/<kind>/new", methods=["GET", "POST"])
@auth.login_required
def new(kind: str):
    kind_or_404(kind)
    if request.method == "GET":
        return edit_page(kind, None, values_for(kind, None), {})
    values, record, errors = from_form(kind, request.form, None)
    if record and (drafts.find(kind, record["slug"]) or record["slug"] == "new"):
        errors["slug"] = "Another record already uses this short name."
    return save_to_draft(kind, None, values, record, errors, "Added {slug} to the draft.")


@bp.route("/<kind>/<slug>", methods=["GET", "POST"])
@auth.login_required
def edit(kind: str, slug: str):
    kind_or_404(kind)
    existing = drafts.find(kind, slug) or abort(404)
    if request.method == "GET":
        return edit_page(kind, slug, values_for(kind, existing), {})
    values, record, errors = from_form(kind, request.form, slug)
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


def save_to_draft(kind: str, slug: str | None, values: dict, record: dict | None, errors: dict, done: str):
    """Shared end of the new and edit forms: check across records, save, or show the form again."""
    if not errors:
        errors = cross_record_errors(kind, record)
    if errors:
        return edit_page(kind, slug, values, errors, 400)
    try:
        drafts.save(actor(), kind, record, revision_from(request.form))
    except drafts.DraftConflict:
        return conflict_page()
    flash(done.format(slug=record["slug"]))
    return redirect(url_for("admin.records", kind=kind))


def cross_record_errors(kind: str, record: dict) -> dict:
    if kind == "services" and not drafts.find("areas", record["area"]):
        return {"area": "Choose one of the areas."}
    return {}


@bp.get("/preview")
@auth.login_required
def preview():
    draft = drafts.current()
    if draft is None:
        flash("There is no draft: the published content is what you see.")
        return redirect(url_for("admin.dashboard"))
    pack, _ = drafts.checked(draft.records)  # records the rules refuse are listed as problems instead
    # Plain objects with the attributes the public templates read, so services look as they will.
    areas = [SimpleNamespace(**a, services=[SimpleNamespace(**s) for s in pack.services if s["area"] == a["slug"]])
             for a in sorted(pack.areas, key=lambda a: (a["kind"] != "national", a["position"], a["name"]))]
    changed_guides = {c["slug"] for c in drafts.changes(draft) if c["kind"] == "guide" and c["after"]}
    guides = [SimpleNamespace(**g, body_html=content.render_markdown(g["body_markdown"]))
              for g in pack.guides if g["slug"] in changed_guides]
    return render_template("admin/preview.html", draft=draft, changes=drafts.changes(draft), areas=areas,
                           guides=guides, problems=drafts.problems(draft.records),
                           moved_on=draft.base_version != drafts.published_version(),
                           contact_changes=approvals.changes(draft))


@bp.post("/publish")
@auth.login_required
@auth.permission_required("publish", "Only publishers and admins can publish. Ask one to preview and publish the "
                                     "draft; your changes are saved in it.")
def publish():
    draft = drafts.current()
    if draft is not None and drafts.problems(draft.records):
        return redirect(url_for("admin.preview"))
    if draft is not None and draft.revision == revision_from(request.form):  # else publish() says it changed
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


@bp.post("/discard")
@auth.login_required
def discard():
    drafts.discard(actor())
    flash("The draft was discarded. Nothing was published.")
    return redirect(url_for("admin.dashboard"))


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
