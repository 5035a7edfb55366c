"""Agency admin people and permissions: roles, the two-person rule, account life cycle, two-factor sign-in,
lockouts that spare colleagues, and an audit log a phone can read."""
import re
from datetime import UTC, date, datetime, timedelta

import pyotp
import pytest

from pwa.admin import approvals, auth, drafts, sealing, totp
from pwa.admin.models import AdminSession, AdminUser, Approval, AuditEntry, LoginAttempt, RecoveryCode
from pwa.admin.times import uk_day_bounds, uk_time
from pwa.extensions import db
from pwa.hours import UK
from support import create_staff, enrol_two_factor, staff_secret, two_factor_code
from test_admin import SERVICE, csrf_from, form_for, published_phone, revision_from, sign_in

PASSWORD = "correct horse battery staple"
ADMIN = "admin@agency.example"
PUBLISHER = "publisher@agency.example"
SECOND = "second@agency.example"
EDITOR = "editor@agency.example"
NEW_PHONE = "0808 1111 222"


@pytest.fixture
def team(runner):
    """The first account (an admin), two publishers with their authenticator set up, and an editor without."""
    assert create_staff(runner, ADMIN, PASSWORD).exit_code == 0
    for email, role in [(PUBLISHER, "publisher"), (SECOND, "publisher"), (EDITOR, "editor")]:
        result = create_staff(runner, email, PASSWORD, role=role, two_factor=role != "editor")
        assert result.exit_code == 0, result.output
    return runner.app


def client_for(app, email):
    client = app.test_client()
    response = sign_in(client, email)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/", response.get_data(as_text=True)
    return client


def user(app, email) -> AdminUser:
    with app.app_context():
        found = db.session.scalar(db.select(AdminUser).filter_by(email=email))
        db.session.expunge_all()
        return found


def audit_entries(app, action) -> list[AuditEntry]:
    with app.app_context():
        found = db.session.scalars(db.select(AuditEntry).filter_by(action=action).order_by(AuditEntry.id)).all()
        db.session.expunge_all()
        return found


def save_service(client, slug=SERVICE, **changes):
    if {"phone", "text_number"} & changes.keys():  # the admin asks when a changed number was checked, and where
        changes = {"last_checked": datetime.now(UK).date().isoformat(), "source_confirmed": "yes"} | changes
    data = form_for(client, f"/admin/services/{slug}") | changes
    response = client.post(f"/admin/services/{slug}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)


def preview_token(client) -> str:
    """The token of the preview as it would be shown now (the forms that carry it may not be offered)."""
    with client.application.app_context():
        return drafts.preview_token(drafts.records())


def publish(client):
    """Sends the publish form, even when the preview offers none."""
    page = client.get(f"/admin/services/{SERVICE}")
    return client.post("/admin/publish", data={"csrf_token": csrf_from(page), "revision": preview_token(client)})


def approve(client, field="phone", kind="services", slug=SERVICE):
    """Sends the approval form, even when the preview offers none."""
    page = client.get(f"/admin/services/{SERVICE}")
    return client.post("/admin/approve", data={"csrf_token": csrf_from(page), "kind": kind, "slug": slug,
                                               "field": field, "revision": preview_token(client)})


def from_address(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def post_form(client, url, page, **data):
    return client.post(url, data={"csrf_token": csrf_from(client.get(page))} | data)


def cli(runner, *args, **kwargs):
    return runner.invoke(args=["admin", *args], **kwargs)


# Roles -------------------------------------------------------------------------------------------------------

def test_the_first_account_is_an_admin_and_later_ones_are_editors(app, runner):
    assert "(admin)" in create_staff(runner, ADMIN, PASSWORD).output
    assert "(editor)" in create_staff(runner, EDITOR, PASSWORD).output
    assert "(publisher)" in create_staff(runner, PUBLISHER, PASSWORD, role="publisher").output
    assert [user(app, e).role for e in (ADMIN, EDITOR, PUBLISHER)] == ["admin", "editor", "publisher"]
    listing = cli(runner, "list-users").output
    assert re.search(rf"{re.escape(EDITOR)}\teditor\ttwo-factor on\tactive", listing)


def test_the_first_account_cannot_start_below_admin(app, runner):
    result = create_staff(runner, PUBLISHER, PASSWORD, role="publisher")
    assert result.exit_code != 0 and "The first account must be an admin" in result.output
    assert cli(runner, "create-user", ADMIN, "--role", "boss", "--password-stdin", input=PASSWORD).exit_code != 0


def test_the_first_admin_can_do_everything(team):
    client = client_for(team, ADMIN)
    for page in ["/admin/", "/admin/people", "/admin/account", "/admin/audit"]:
        assert client.get(page).status_code == 200, page
    save_service(client, description="Checked by the admin.")
    assert publish(client).status_code == 302
    assert client.get(f"/api/v1/services/{SERVICE}").get_json()["service"]["description"] == "Checked by the admin."


def test_an_editor_cannot_publish(team):
    editor = client_for(team, EDITOR)
    save_service(editor, description="An editor's words.")
    preview = editor.get("/admin/preview").get_data(as_text=True)
    assert "Publish these changes" not in preview and "A publisher or admin publishes the draft" in preview
    edit_page = editor.get(f"/admin/services/{SERVICE}")
    response = editor.post("/admin/publish", data={"csrf_token": csrf_from(edit_page),
                                                    "revision": preview_token(editor)})
    assert response.status_code == 403 and "Only publishers and admins can publish" in response.get_data(as_text=True)
    assert editor.get(f"/api/v1/services/{SERVICE}").get_json()["service"]["description"] != "An editor's words."


@pytest.mark.parametrize("email", [EDITOR, PUBLISHER])
def test_only_admins_manage_people(team, email):
    client = client_for(team, email)
    assert "People" not in client.get("/admin/").get_data(as_text=True)
    assert client.get("/admin/people").status_code == 403
    target = user(team, SECOND)
    response = post_form(client, f"/admin/people/{target.id}/disable", "/admin/account")
    assert response.status_code == 403 and user(team, SECOND).disabled_at is None


# The two-person rule ---------------------------------------------------------------------------------------

def test_a_new_phone_number_needs_a_second_person(team):
    publisher = client_for(team, PUBLISHER)
    save_service(publisher, phone=NEW_PHONE)
    preview = publisher.get("/admin/preview").get_data(as_text=True)
    assert "Waiting for approval" in preview and "Publish these changes" not in preview
    assert "You made this change, so someone else must approve it." in preview
    response = publish(publisher)  # the form's revision, sent by hand
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/preview")
    assert "need a second person" in publisher.get("/admin/preview").get_data(as_text=True)
    assert published_phone(publisher) != NEW_PHONE


def test_whoever_made_the_change_cannot_approve_it(team):
    publisher = client_for(team, PUBLISHER)
    save_service(publisher, phone=NEW_PHONE)
    edit_page = publisher.get(f"/admin/services/{SERVICE}")
    response = publisher.post("/admin/approve", data={"csrf_token": csrf_from(edit_page), "kind": "services",
                                                      "slug": SERVICE, "field": "phone",
                                                      "revision": preview_token(publisher)})
    assert response.status_code == 302
    assert "someone else must approve it" in publisher.get("/admin/preview").get_data(as_text=True)
    with team.app_context():
        assert db.session.scalar(db.select(Approval)) is None


def test_an_editor_cannot_approve(team):
    save_service(client_for(team, PUBLISHER), phone=NEW_PHONE)
    editor = client_for(team, EDITOR)
    assert "Only publishers and admins can approve" in editor.get("/admin/preview").get_data(as_text=True)
    edit_page = editor.get(f"/admin/services/{SERVICE}")
    response = editor.post("/admin/approve", data={"csrf_token": csrf_from(edit_page), "kind": "services",
                                                   "slug": SERVICE, "field": "phone",
                                                   "revision": preview_token(editor)})
    assert response.status_code == 403


def test_a_second_publisher_approves_and_both_names_are_kept(team):
    publisher, second = client_for(team, PUBLISHER), client_for(team, SECOND)
    before = published_phone(publisher)
    save_service(publisher, phone=NEW_PHONE, source="https://agency.example/new-number")
    waiting = second.get("/admin/preview").get_data(as_text=True)  # the approver sees where to check it
    today = datetime.now(UK).date().isoformat()
    assert "Check it against" in waiting and "https://agency.example/new-number" in waiting
    assert f"last checked {today}" in waiting
    assert approve(second).status_code == 302
    preview = publisher.get("/admin/preview").get_data(as_text=True)
    assert f"Changed by {PUBLISHER}" in preview and f"Approved</strong> by {SECOND}" in preview
    assert f'<span class="admin-value">{NEW_PHONE}</span>' in preview  # as written, not as compared
    assert publish(publisher).status_code == 302
    assert published_phone(publisher) == NEW_PHONE
    approved = audit_entries(team, "approved")[0]
    assert (approved.actor, approved.before, approved.after) == (SECOND, {"phone": before}, {"phone": NEW_PHONE})
    published = audit_entries(team, "published-contact")[0]
    assert published.actor == PUBLISHER and f"changed by {PUBLISHER}, approved by {SECOND}" in published.note
    log = publisher.get("/admin/audit").get_data(as_text=True)
    assert "Approved a contact change" in log and "Published a contact change" in log


def test_a_later_change_to_the_field_voids_the_approval(team):
    publisher, second = client_for(team, PUBLISHER), client_for(team, SECOND)
    save_service(publisher, phone=NEW_PHONE)
    assert approve(second).status_code == 302
    save_service(publisher, description="Other words: the approval stands.")
    assert "Publish these changes" in publisher.get("/admin/preview").get_data(as_text=True)
    save_service(publisher, phone="0808 9999 000")
    preview = publisher.get("/admin/preview").get_data(as_text=True)
    assert "Waiting for approval" in preview and "Publish these changes" not in preview
    voided = audit_entries(team, "approval-voided")
    assert len(voided) == 1 and SECOND in voided[0].note
    # Changed back to the very number that was approved: the approval is gone for good, it is asked for again.
    save_service(publisher, phone=NEW_PHONE)
    assert "Waiting for approval" in publisher.get("/admin/preview").get_data(as_text=True)
    assert publish(publisher).headers["Location"].endswith("/admin/preview")
    assert published_phone(publisher) not in (NEW_PHONE, "0808 9999 000")


def test_an_approver_who_then_edits_the_field_cannot_approve_again(team):
    publisher, second = client_for(team, PUBLISHER), client_for(team, SECOND)
    save_service(publisher, phone=NEW_PHONE)
    assert approve(second).status_code == 302
    save_service(second, phone="0808 9999 000")  # now the second publisher is an author too
    approve(second)
    assert "someone else must approve it" in second.get("/admin/preview").get_data(as_text=True)
    assert approve(publisher).status_code == 302  # and so is the first: neither can approve
    admin = client_for(team, ADMIN)
    assert approve(admin).status_code == 302
    assert publish(admin).status_code == 302 and published_phone(admin) == "0808 9999 000"


def test_an_approval_is_of_what_the_approver_saw(team):
    publisher, second = client_for(team, PUBLISHER), client_for(team, SECOND)
    save_service(publisher, phone=NEW_PHONE)
    seen = second.get("/admin/preview")
    save_service(publisher, phone="0808 9999 000")  # changed after the approver loaded the preview
    response = second.post("/admin/approve", data={"csrf_token": csrf_from(seen), "kind": "services",
                                                   "slug": SERVICE, "field": "phone",
                                                   "revision": revision_from(seen)})
    assert response.status_code == 409 and "Nothing was approved" in response.get_data(as_text=True)
    with team.app_context():
        assert db.session.scalar(db.select(Approval)) is None


def test_which_changes_are_contact_details():
    service = {"phone": "0808 2000 247", "phone_extra": None, "text_number": None, "web_url": None}
    values = approvals.contact_values("services", service)
    assert values == approvals.contact_values("services", service | {"phone": "08082000247"})  # spacing only
    for name, value in [("phone", "0808 2000 248"), ("phone_extra", "option 2"), ("text_number", "07700 900123"),
                        ("chat_url", "https://chat.example/start"), ("web_url", "https://chat.example/start")]:
        assert approvals.contact_values("services", service | {name: value}) != values, name
    assert approvals.contact_values("services", None) != values  # a service removed
    assert approvals.contact_values("areas", {"name": "x"}) == {}

    def guide(body):
        return approvals.contact_values("guides", {"body_markdown": body})

    body = "Call [0808 2000 247](tel:08082000247), free. If you cannot speak, press 55. [Chat](https://chat.example)."
    assert guide(body) == guide(body.replace("free", "at no cost"))
    assert guide(body) != guide(body.replace("tel:08082000247", "tel:08082000248"))  # the link, not its words
    assert guide(body) != guide(body.replace("[0808 2000 247]", "[0808 2000 248]"))  # the words, not the link
    assert guide(body) != guide(body.replace("55", "66"))
    assert guide(body) != guide(body.replace("https://chat.example", "https://chat.example.evil"))
    assert guide(body) != guide(body + " Or text [us](sms:07700900123).")


def test_a_guide_number_change_needs_approval(team):
    publisher = client_for(team, PUBLISHER)
    data = form_for(publisher, "/admin/guides/silent-solution")
    assert "55" in data["body_markdown"]
    publisher.post("/admin/guides/silent-solution", data=data | {"body_markdown": data["body_markdown"]
                                                                  .replace("55", "66")})
    preview = publisher.get("/admin/preview").get_data(as_text=True)
    assert "Links and numbers in the text" in preview and "Waiting for approval" in preview
    assert publish(publisher).headers["Location"].endswith("/admin/preview")


# Account life cycle ------------------------------------------------------------------------------------------

def test_a_leaver_is_switched_off_everywhere_at_once(team):
    leaver, admin = client_for(team, EDITOR), client_for(team, ADMIN)
    target = user(team, EDITOR)
    response = post_form(admin, f"/admin/people/{target.id}/disable", f"/admin/people/{target.id}")
    assert response.status_code == 302 and "switched off" in admin.get(response.headers["Location"]).get_data(
        as_text=True)
    assert leaver.get("/admin/").status_code == 302  # signed out at once
    refused = sign_in(team.test_client(), EDITOR)
    assert refused.status_code == 403 and "switched off" in refused.get_data(as_text=True)
    post_form(admin, f"/admin/people/{target.id}/enable", f"/admin/people/{target.id}")
    client_for(team, EDITOR)
    actions = [e.action for e in audit_entries(team, "account-disabled") + audit_entries(team, "account-enabled")]
    assert actions == ["account-disabled", "account-enabled"]


def test_removing_an_account_needs_its_email_typed(team):
    admin, target = client_for(team, ADMIN), user(team, EDITOR)
    page = f"/admin/people/{target.id}"
    post_form(admin, f"/admin/people/{target.id}/remove", page, confirm="someone else")
    assert user(team, EDITOR) is not None
    response = post_form(admin, f"/admin/people/{target.id}/remove", page, confirm=EDITOR)
    assert response.headers["Location"] == "/admin/people" and user(team, EDITOR) is None
    assert EDITOR in audit_entries(team, "account-removed")[0].note


def test_the_last_admin_cannot_be_switched_off_removed_or_demoted(team, runner):
    for args in [("disable", ADMIN), ("remove", ADMIN, "--yes"), ("set-role", ADMIN, "publisher")]:
        result = cli(runner, *args)
        assert result.exit_code != 0 and "only admin who can sign in" in result.output, args
    assert user(team, ADMIN).role == "admin" and user(team, ADMIN).disabled_at is None
    # With a second admin, the first can go.
    assert cli(runner, "set-role", SECOND, "admin").exit_code == 0
    assert cli(runner, "disable", ADMIN).exit_code == 0


def test_ids_beyond_the_database_column_are_not_found(team):
    # PostgreSQL's integer column stops at 2**31 - 1 and SQLite's at 2**63 - 1: beyond, a 404, never a 500.
    admin = client_for(team, ADMIN)
    for big in [2**31, 10**20]:
        assert admin.get(f"/admin/people/{big}").status_code == 404
        assert post_form(admin, f"/admin/account/sessions/{big}/end", "/admin/account").status_code == 404


def test_admins_cannot_lock_themselves_out_in_the_admin(team):
    admin, me = client_for(team, ADMIN), user(team, ADMIN)
    for action, data in [("disable", {}), ("role", {"role": "editor"}), ("remove", {"confirm": ADMIN})]:
        post_form(admin, f"/admin/people/{me.id}/{action}", f"/admin/people/{me.id}", **data)
    assert user(team, ADMIN).role == "admin" and user(team, ADMIN).disabled_at is None
    assert "cannot do that to your own account" in admin.get(f"/admin/people/{me.id}").get_data(as_text=True)


def test_roles_change_in_the_admin(team):
    admin, target = client_for(team, ADMIN), user(team, EDITOR)
    response = post_form(admin, f"/admin/people/{target.id}/role", f"/admin/people/{target.id}", role="publisher")
    assert "is now a publisher" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert user(team, EDITOR).role == "publisher"
    post_form(admin, f"/admin/people/{target.id}/role", f"/admin/people/{target.id}", role="emperor")
    assert user(team, EDITOR).role == "publisher"
    assert f"{EDITOR}: editor -> publisher" in audit_entries(team, "role-changed")[0].note


def test_the_cli_manages_the_whole_life_cycle(team, runner):
    client_for(team, EDITOR)
    assert EDITOR in cli(runner, "list-sessions", EDITOR).output
    assert "out of 1 session" in cli(runner, "sign-out", EDITOR).output
    assert cli(runner, "list-sessions", EDITOR).output == ""
    assert cli(runner, "disable", EDITOR).exit_code == 0 and "switched off" in cli(runner, "list-users").output
    assert cli(runner, "enable", EDITOR).exit_code == 0
    assert cli(runner, "reset-2fa", PUBLISHER).exit_code == 0 and user(team, PUBLISHER).totp_secret is None
    assert cli(runner, "remove", EDITOR, "--yes").exit_code == 0 and user(team, EDITOR) is None
    assert cli(runner, "unlock", "nobody@agency.example").exit_code != 0


def test_change_your_own_password(team):
    elsewhere, here = client_for(team, EDITOR), client_for(team, EDITOR)
    page = "/admin/account/password"
    wrong = post_form(here, page, page, current_password="not it at all", new_password="a new passphrase here",
                      new_password_again="a new passphrase here")
    assert wrong.status_code == 400 and "current password is not right" in wrong.get_data(as_text=True)
    differ = post_form(here, page, page, current_password=PASSWORD, new_password="a new passphrase here",
                       new_password_again="another passphrase")
    assert differ.status_code == 400 and "not the same" in differ.get_data(as_text=True)
    done = post_form(here, page, page, current_password=PASSWORD, new_password="a new passphrase here",
                     new_password_again="a new passphrase here")
    assert done.status_code == 302 and "1 other session signed out" in here.get("/admin/account").get_data(
        as_text=True)
    assert elsewhere.get("/admin/").status_code == 302
    assert sign_in(team.test_client(), EDITOR, "a new passphrase here").status_code == 302


def test_a_stolen_session_cannot_be_used_to_guess_the_password(team):
    stolen, elsewhere = from_address(team, "192.0.2.7"), client_for(team, EDITOR)
    assert sign_in(stolen, EDITOR).status_code == 302
    page = "/admin/account/password"
    for _ in range(4):
        guess = post_form(stolen, page, page, current_password="a guess at it", new_password="taken over now!",
                          new_password_again="taken over now!")
        assert guess.status_code == 400
    locked = post_form(stolen, page, page, current_password="a guess at it", new_password="taken over now!",
                       new_password_again="taken over now!")
    assert locked.status_code == 429 and "locked" in locked.get_data(as_text=True)
    assert stolen.get("/admin/").status_code == 302 and elsewhere.get("/admin/").status_code == 302
    assert len(audit_entries(team, "sign-in-failed")) == 5 and audit_entries(team, "account-locked")


def test_list_your_sessions_and_sign_one_out(team):
    phone, desk = team.test_client(), team.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile Safari/537.36"
    assert sign_in(phone, EDITOR).status_code == 302 and sign_in(desk, EDITOR).status_code == 302
    account = desk.get("/admin/account").get_data(as_text=True)
    assert "Chrome on Android" in account and "(this browser)" in account
    with team.app_context():
        phone_session = db.session.scalar(db.select(AdminSession).filter_by(device="Chrome on Android"))
    post_form(desk, f"/admin/account/sessions/{phone_session.id}/end", "/admin/account")
    assert phone.get("/admin/").status_code == 302 and desk.get("/admin/").status_code == 200
    # Someone else's session cannot be ended from your account.
    other = client_for(team, SECOND)
    with team.app_context():
        their_session = db.session.scalar(db.select(AdminSession).filter_by(user_id=user(team, SECOND).id))
    assert post_form(desk, f"/admin/account/sessions/{their_session.id}/end", "/admin/account").status_code == 404
    assert other.get("/admin/").status_code == 200


# Two-factor sign-in ------------------------------------------------------------------------------------------

def test_a_publisher_without_two_factor_sets_it_up_before_anything_else(app, runner):
    create_staff(runner, ADMIN, PASSWORD)
    create_staff(runner, PUBLISHER, PASSWORD, role="publisher", two_factor=False)
    client = app.test_client()
    response = sign_in(client, PUBLISHER)
    assert response.headers["Location"] == "/admin/account/two-factor"
    for page in ["/admin/", "/admin/preview", f"/admin/services/{SERVICE}", "/admin/audit"]:
        assert client.get(page).headers["Location"] == "/admin/account/two-factor", page
    setup = client.get("/admin/account/two-factor")
    html = setup.get_data(as_text=True)
    assert "<svg" in html and "Set it up now to carry on" in html
    secret = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    wrong = client.post("/admin/account/two-factor", data={"csrf_token": csrf_from(setup), "code": "000000"})
    assert wrong.status_code == 400 and client.get("/admin/").status_code == 302
    done = client.post("/admin/account/two-factor", data={"csrf_token": csrf_from(setup),
                                                          "code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>([a-z2-9-]{19})</code></li>", done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == 10
    assert client.get("/admin/").status_code == 200
    assert "10 recovery codes left" in client.get("/admin/account").get_data(as_text=True)
    # Shown once: nothing in the admin shows them again, and only keyed hashes are stored.
    assert not any(code in client.get("/admin/account").get_data(as_text=True) for code in codes)
    with app.app_context():
        stored = " ".join(c.code_hash for c in db.session.scalars(db.select(RecoveryCode)))
        assert not any(code.replace("-", "") in stored or code in stored for code in codes)


def test_the_totp_secret_is_sealed_with_a_key_from_secret_key(team):
    with team.app_context():
        stored = db.session.scalar(db.select(AdminUser).filter_by(email=PUBLISHER))
        assert staff_secret(PUBLISHER) not in stored.totp_secret
        assert totp.secret_of(stored) == staff_secret(PUBLISHER)
        # Another account's row, or another SECRET_KEY, cannot open it.
        assert sealing.unseal("totp secret", str(stored.id + 1), stored.totp_secret) is None
        team.config["SECRET_KEY"] = "a different key"
        assert totp.secret_of(stored) is None


def test_a_code_works_once(team):
    client = team.test_client()
    token = csrf_from(client.get("/admin/login"))
    client.post("/admin/login", data={"email": PUBLISHER, "password": PASSWORD, "csrf_token": token})
    code = two_factor_code(PUBLISHER)
    token = csrf_from(client.get("/admin/login/code"))
    assert client.post("/admin/login/code", data={"code": code, "csrf_token": token}).status_code == 302
    again = team.test_client()
    token = csrf_from(again.get("/admin/login"))
    again.post("/admin/login", data={"email": PUBLISHER, "password": PASSWORD, "csrf_token": token})
    token = csrf_from(again.get("/admin/login/code"))
    replay = again.post("/admin/login/code", data={"code": code, "csrf_token": token})
    assert replay.status_code == 401 and again.get("/admin/").status_code == 302


def test_a_recovery_code_signs_in_once(app, runner):
    create_staff(runner, ADMIN, PASSWORD, two_factor=False)
    codes = enrol_two_factor(app, ADMIN)

    def with_code(code):
        client = app.test_client()
        token = csrf_from(client.get("/admin/login"))
        client.post("/admin/login", data={"email": ADMIN, "password": PASSWORD, "csrf_token": token})
        token = csrf_from(client.get("/admin/login/code"))
        return client, client.post("/admin/login/code", data={"code": code.upper(), "csrf_token": token})

    client, response = with_code(codes[0])
    assert response.status_code == 302 and "9 codes left" in client.get("/admin/").get_data(as_text=True)
    assert with_code(codes[0])[1].status_code == 401
    assert "with a recovery code" in audit_entries(app, "sign-in")[0].note


def test_the_password_alone_does_not_sign_a_publisher_in(team):
    client = team.test_client()
    token = csrf_from(client.get("/admin/login"))
    response = client.post("/admin/login", data={"email": PUBLISHER, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/admin/login/code"
    assert client.get("/admin/").status_code == 302 and client.get("/admin/preview").status_code == 302


def test_wrong_codes_count_towards_the_lock(team):
    client = team.test_client()
    token = csrf_from(client.get("/admin/login"))
    client.post("/admin/login", data={"email": PUBLISHER, "password": PASSWORD, "csrf_token": token})
    token = csrf_from(client.get("/admin/login/code"))
    for _ in range(4):
        assert client.post("/admin/login/code", data={"code": "123456", "csrf_token": token}).status_code == 401
    locked = client.post("/admin/login/code", data={"code": "123456", "csrf_token": token})
    assert locked.status_code == 429 and "locked" in locked.get_data(as_text=True)
    assert sign_in(team.test_client(), PUBLISHER).status_code == 429


def test_an_admin_resets_a_lost_phone(team):
    publisher, admin = client_for(team, PUBLISHER), client_for(team, ADMIN)
    target = user(team, PUBLISHER)
    post_form(admin, f"/admin/people/{target.id}/reset-two-factor", f"/admin/people/{target.id}")
    assert user(team, PUBLISHER).totp_secret is None and publisher.get("/admin/").status_code == 302
    response = sign_in(team.test_client(), PUBLISHER)
    assert response.headers["Location"] == "/admin/account/two-factor"


# Lockouts ------------------------------------------------------------------------------------------------

def test_one_address_failing_often_is_slowed_but_no_colleague_is_locked_out(team, monkeypatch):
    office = team.test_client()  # everyone here shares one address
    for number in range(20):
        office_response = sign_in(office, email=f"guess{number}@agency.example")
        if office_response.status_code == 429:
            break
    text = office_response.get_data(as_text=True)
    assert office_response.status_code == 429 and "from your network" in text and "No account has been locked" in text
    seconds = int(re.search(r"Wait (\d+) seconds?", text).group(1))
    assert seconds <= auth.LONGEST_ADDRESS_DELAY
    # A colleague at the same address waits seconds, not fifteen minutes.
    later = datetime.now(UTC) + timedelta(seconds=seconds + 1)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    assert sign_in(office, PUBLISHER).status_code == 302
    assert audit_entries(team, "sign-in-slowed")


def test_a_locked_account_says_who_can_unlock_it(team, runner):
    client = team.test_client()
    for _ in range(5):
        response = sign_in(client, EDITOR, "wrong password!")
    text = response.get_data(as_text=True)
    assert response.status_code == 429 and "Admin role" in text and "flask admin unlock" in text
    assert re.search(r"unlocks by itself at \d\d:\d\d (GMT|BST)", text)
    locked = audit_entries(team, "account-locked")
    assert len(locked) == 1 and locked[0].actor == EDITOR
    assert "Locked" in client_for(team, ADMIN).get("/admin/people").get_data(as_text=True)
    assert cli(runner, "unlock", EDITOR).output.strip() == f"{EDITOR} is unlocked."
    client_for(team, EDITOR)


def test_an_admin_unlocks_in_the_admin_and_a_new_password_also_unlocks(team, runner):
    for _ in range(5):
        sign_in(from_address(team, "192.0.2.1"), EDITOR, "wrong password!")
    admin, target = client_for(team, ADMIN), user(team, EDITOR)
    post_form(admin, f"/admin/people/{target.id}/unlock", f"/admin/people/{target.id}")
    client_for(team, EDITOR)
    for _ in range(5):
        sign_in(from_address(team, "192.0.2.2"), EDITOR, "wrong password!")
    assert sign_in(team.test_client(), EDITOR).status_code == 429
    cli(runner, "set-password", EDITOR, "--password-stdin", input="a brand new passphrase\n")
    assert sign_in(team.test_client(), EDITOR, "a brand new passphrase").status_code == 302


def test_failed_sign_ins_are_logged_without_addresses_or_strangers_typing(team):
    client = team.test_client()
    sign_in(client, EDITOR, "wrong password!")
    sign_in(client, "my secret password@oops", "wrong password!")
    failed = audit_entries(team, "sign-in-failed")
    assert [(e.actor, e.note) for e in failed] == [(EDITOR, "wrong password"),
                                                   (auth.UNKNOWN_ACCOUNT, "no account has that email")]
    with team.app_context():
        everything = " ".join(f"{e.actor} {e.note} {e.before} {e.after}" for e in db.session.scalars(
            db.select(AuditEntry)))
        assert "127.0.0.1" not in everything and "my secret password" not in everything
        assert all("127.0.0.1" not in key for key in db.session.scalars(db.select(LoginAttempt.key)))


# The audit log ---------------------------------------------------------------------------------------------

def test_uk_time_says_gmt_or_bst():
    assert uk_time(datetime(2026, 11, 29, 21, 2, tzinfo=UTC)) == "Sun 29 Nov 2026, 21:02 GMT"
    assert uk_time(datetime(2026, 7, 1, 8, 30, tzinfo=UTC)) == "Wed 1 Jul 2026, 09:30 BST"
    assert uk_time(datetime(2026, 11, 29, 21, 2)) == "Sun 29 Nov 2026, 21:02 GMT"  # naive, from SQLite, is UTC
    # A UK day in summer starts at 23:00 UTC the day before.
    assert uk_day_bounds(date(2026, 7, 1))[0] == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)


def test_the_log_names_each_changed_field_before_and_after(team):
    publisher = client_for(team, PUBLISHER)
    save_service(publisher, phone=NEW_PHONE, hours_note="Closed on bank holidays.")
    log = publisher.get("/admin/audit").get_data(as_text=True)
    assert "<table" not in log  # cards, not a wide table, so a phone can read it
    entry = re.search(r'<li class="audit-entry">(?:(?!</li>).)*Saved in the draft(?:(?!</li>).)*</li>', log,
                      re.S).group(0)
    assert "<dt>phone</dt>" in entry and "<del>0808 2000 247</del>" in entry and f"<ins>{NEW_PHONE}</ins>" in entry
    assert "<dt>hours_note</dt>" in entry and "<ins>Closed on bank holidays.</ins>" in entry
    assert "<dt>description</dt>" not in entry  # unchanged fields are left out
    assert re.search(r"\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d (GMT|BST)", entry)


def test_the_log_filters_by_person_record_and_uk_date(team):
    publisher, admin = client_for(team, PUBLISHER), client_for(team, ADMIN)
    save_service(publisher, description="Words.")
    with team.app_context():
        db.session.add(AuditEntry(actor="old@agency.example", action="draft-save", kind="service", slug="police-101",
                                  at=datetime(2026, 6, 30, 23, 30, tzinfo=UTC), note="summer night"))
        db.session.commit()
    by_person = admin.get(f"/admin/audit?person={PUBLISHER}").get_data(as_text=True)
    entries = by_person.split("<ol")[1]
    assert "Saved in the draft" in entries and "summer night" not in entries and ADMIN not in entries
    by_record = admin.get("/admin/audit?record=service:police-101").get_data(as_text=True)
    assert "summer night" in by_record and SERVICE not in by_record.split("<ol")[1]
    # 23:30 UTC on 30 June is 00:30 BST on 1 July.
    assert "summer night" in admin.get("/admin/audit?since=2026-07-01&until=2026-07-01").get_data(as_text=True)
    assert "summer night" not in admin.get("/admin/audit?until=2026-06-30").get_data(as_text=True)
    for query, message in [("since=yesterday", "use a date like"), ("since=2026-07-02&until=2026-07-01", "after"),
                           ("record=nonsense", "choose one from the list"), ("person=a%00b", "NUL"),
                           ("record=service:a%00b", "NUL")]:
        response = admin.get(f"/admin/audit?{query}")
        assert response.status_code == 400 and message in response.get_data(as_text=True), query


def test_a_session_that_ended_says_so_on_the_sign_in_page(team):
    client = client_for(team, EDITOR)
    with team.app_context():
        db.session.execute(db.update(AdminSession).values(last_seen_at=datetime.now(UTC) - timedelta(minutes=31)))
        db.session.commit()
    response = client.get("/admin/services")
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login")
    assert "Your session ended" in client.get(response.headers["Location"]).get_data(as_text=True)
    newcomer = team.test_client()
    assert "Your session ended" not in newcomer.get("/admin/services", follow_redirects=True).get_data(as_text=True)


def test_an_admin_address_that_does_not_exist_gets_an_admin_page(team):
    response = client_for(team, EDITOR).get("/admin/no/such/page/at/all")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and "data-quick-hide" not in html and "Not Found" in html
    assert team.test_client().get("/no-such-page").status_code == 404
