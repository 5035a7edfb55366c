"""Approving a change to contact details from the preview (the two-person rule, pwa/admin/approvals.py)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from . import approvals, auth, drafts
from .views import bp, revision_from


@bp.post("/approve")
@auth.login_required
@auth.permission_required("approve", "Only publishers and admins can approve changes to contact details.")
def approve():
    form = request.form
    try:
        change = approvals.approve(auth.current_user(), form.get("kind", ""), form.get("slug", ""),
                                   form.get("field", ""), revision_from(form))
    except drafts.DraftConflict:
        return render_template("admin/message.html", heading="The draft changed since you looked",
                               message="Nothing was approved. Look at the preview again: approve what it shows now.",
                               back=url_for("admin.preview")), 409
    except approvals.ApprovalRefused as refused:
        flash(f"Not approved: {refused}", "error")
        return redirect(url_for("admin.preview"))
    flash(f"Approved: {change.label} of {change.name}.")
    return redirect(url_for("admin.preview"))


@bp.app_template_global("approval_refusal")
def approval_refusal(change: approvals.ContactChange) -> str | None:
    """Why the signed-in person cannot approve this change (None: they can), for the preview."""
    return approvals.refusal(auth.current_user(), change)
