"""Agency admin: accounts, sign-in, CSRF, rate limits, draft -> preview -> publish, audit log."""
import re
from datetime import datetime
from html.parser import HTMLParser

import pytest

from pwa import create_app
from pwa.admin.models import AdminUser, AuditEntry, Draft
from pwa.extensions import db
from pwa.hours import UK
from support import create_staff, two_factor_code

EMAIL = "editor@agency.example"
SECOND = "second.publisher@agency.example"
PASSWORD = "correct horse battery staple"
SERVICE = "national-domestic-violence-helpline"


def csrf_from(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def revision_from(response) -> str:
    return re.search(r'name="revision" value="([^"]*)"', response.get_data(as_text=True)).group(1)


def create_user(runner, email=EMAIL, password=PASSWORD):
    return create_staff(runner, email, password)


def sign_in(client, email=EMAIL, password=PASSWORD, **kwargs):
    """Signs in with the password, and the authenticator app's code when asked for it; returns the last answer."""
    token = csrf_from(client.get("/admin/login", **kwargs))
    response = client.post("/admin/login", data={"email": email, "password": password, "csrf_token": token}, **kwargs)
    if response.status_code == 302 and response.headers["Location"] == "/admin/login/code":
        token = csrf_from(client.get("/admin/login/code", **kwargs))
        response = client.post("/admin/login/code", data={"code": two_factor_code(email), "csrf_token": token},
                               **kwargs)
    return response


@pytest.fixture
def editor(runner):
    result = create_user(runner)
    assert result.exit_code == 0, result.output
    return EMAIL


@pytest.fixture
def admin(client, editor):
    """A client signed in as a staff member."""
    assert sign_in(client).status_code == 302
    return client


class FormReader(HTMLParser):
    """The values of the page's admin form, as a browser would submit them (checked boxes only)."""

    def __init__(self):
        super().__init__()
        self.data, self.in_form, self.textarea, self.select = {}, False, None, None

    def add(self, name, value, many=False):
        if many:
            self.data.setdefault(name, []).append(value)
        else:
            self.data[name] = value

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = "admin-form" in (attrs.get("class") or "")
        elif not self.in_form or "name" not in attrs and tag != "option":
            return
        elif tag == "input" and attrs.get("type") in ("checkbox", "radio"):
            if "checked" in attrs:
                self.add(attrs["name"], attrs["value"], many=attrs["type"] == "checkbox" and attrs["value"] != "yes")
        elif tag == "input":
            self.add(attrs["name"], attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.data[self.textarea] = ""
        elif tag == "select":
            self.select = attrs["name"]
            self.data[self.select] = ""
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select] = attrs["value"]

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        self.textarea = None if tag == "textarea" else self.textarea
        self.select = None if tag == "select" else self.select

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data


def form_for(client, url) -> dict:
    reader = FormReader()
    reader.feed(client.get(url).get_data(as_text=True))
    return reader.data


def new_number(phone: str) -> dict:
    """A changed number, checked today with its source (which the admin asks for)."""
    return {"phone": phone, "last_checked": datetime.now(UK).date().isoformat(), "source_confirmed": "yes"}


def published_phone(client) -> str:
    return client.get(f"/api/v1/services/{SERVICE}").get_json()["service"]["phone"]


# Accounts ------------------------------------------------------------------------------------

def test_create_user_stores_only_an_argon2id_hash(app, runner):
    result = create_user(runner)
    assert result.exit_code == 0 and "Created" in result.output
    with app.app_context():
        user = db.session.scalar(db.select(AdminUser))
        assert user.email == EMAIL and user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_create_user_refuses_weak_duplicate_and_bad_input(runner, monkeypatch):
    assert "at least 12" in create_user(runner, password="short").output
    assert create_user(runner).exit_code == 0
    duplicate = create_user(runner, email=EMAIL.upper())
    assert duplicate.exit_code != 0 and "already has an account" in duplicate.output
    assert "not an email" in create_user(runner, email="nobody").output
    # Scripts can pass the password in the environment instead of stdin.
    monkeypatch.setenv("ADMIN_PASSWORD", PASSWORD)
    assert runner.invoke(args=["admin", "create-user", "second@agency.example"]).exit_code == 0
    assert "second@agency.example" in runner.invoke(args=["admin", "list-users"]).output


# Signing in ----------------------------------------------------------------------------------

def test_pages_need_sign_in(client):
    for url in ["/admin/", "/admin/services", "/admin/preview", "/admin/audit"]:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_sign_in_sets_a_strict_session_cookie_scoped_to_admin(client, editor):
    response = sign_in(client, base_url="https://localhost")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    cookie = response.headers["Set-Cookie"]
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin", "Secure"]:
        assert attribute in cookie
    assert client.get("/admin/", base_url="https://localhost").status_code == 200


def test_public_pages_never_set_cookies(client, editor):
    sign_in(client)
    for url in ["/", "/helplines", "/api/v1/bundle"]:
        assert "Set-Cookie" not in client.get(url).headers


def test_wrong_password_is_refused_clearly(client, editor):
    response = sign_in(client, password="not the password")
    assert response.status_code == 401
    assert "do not match an account" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_sign_in_never_redirects_off_site(client, editor):
    token = csrf_from(client.get("/admin/login"))
    response = client.post("/admin/login?next=https://evil.example/admin",
                           data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/admin/login/code"  # the next address waits for the code step
    token = csrf_from(client.get("/admin/login/code"))
    response = client.post("/admin/login/code", data={"code": two_factor_code(EMAIL), "csrf_token": token})
    assert response.headers["Location"] == "/admin/"


def test_account_is_locked_on_its_fifth_failure(client, editor):
    for _ in range(4):
        assert sign_in(client, password="wrong password!").status_code == 401
    locked = sign_in(client, password="wrong password!")
    assert locked.status_code == 429 and "locked after 5 failed sign-ins" in locked.get_data(as_text=True)
    # Even the right password is refused now, with a message that says what to do.
    limited = sign_in(client)
    assert limited.status_code == 429 and "(in 15 minutes)" in limited.get_data(as_text=True)


def test_a_success_clears_the_account_failures(client, editor):
    for _ in range(4):
        sign_in(client, password="wrong password!")
    assert sign_in(client).status_code == 302
    client.post("/admin/logout", data={"csrf_token": csrf_from(client.get("/admin/"))})
    for _ in range(4):
        assert sign_in(client, password="wrong password!").status_code == 401
    assert sign_in(client).status_code == 302


def test_new_password_signs_out_existing_sessions(admin, runner):
    assert admin.get("/admin/").status_code == 200
    result = runner.invoke(args=["admin", "set-password", EMAIL, "--password-stdin"], input="a brand new passphrase\n")
    assert result.exit_code == 0
    assert admin.get("/admin/").status_code == 302


def test_sign_out(admin):
    response = admin.post("/admin/logout", data={"csrf_token": csrf_from(admin.get("/admin/"))})
    assert response.status_code == 302
    assert admin.get("/admin/").status_code == 302


# CSRF ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("token", [None, "", "forged"])
def test_posts_without_the_session_token_are_refused(admin, token):
    data = form_for(admin, f"/admin/services/{SERVICE}") | new_number("0800 000 0000")
    data.pop("csrf_token")
    if token is not None:
        data["csrf_token"] = token
    response = admin.post(f"/admin/services/{SERVICE}", data=data)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    with admin.application.app_context():
        assert db.session.scalar(db.select(Draft)) is None


def test_login_form_needs_the_token_too(client, editor):
    response = client.post("/admin/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 400


# Draft, preview, publish ----------------------------------------------------------------------

def test_edit_preview_publish_changes_the_content_version(admin, runner):
    before_version = admin.get("/api/v1/bundle").headers["ETag"]
    before_phone = published_phone(admin)
    data = form_for(admin, f"/admin/services/{SERVICE}")
    assert data["phone"] == before_phone and data["categories"]
    response = admin.post(f"/admin/services/{SERVICE}", data=data | new_number("0808 1111 222"))
    assert response.status_code == 302

    # Saved in the draft only: the public site and its version have not changed.
    assert published_phone(admin) == before_phone
    assert admin.get("/api/v1/bundle").headers["ETag"] == before_version

    preview = admin.get("/admin/preview")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "0808 1111 222" in html and "phone" in html
    # A new phone number goes out only once a second person approves it (the two-person rule).
    assert "Waiting for approval" in html and "Publish these changes" not in html
    assert create_staff(runner, SECOND, PASSWORD, role="publisher").exit_code == 0
    second = admin.application.test_client()
    assert sign_in(second, SECOND).status_code == 302
    approve_page = second.get("/admin/preview")
    assert second.post("/admin/approve", data={"csrf_token": csrf_from(approve_page), "kind": "services",
                                                "slug": SERVICE, "field": "phone",
                                                "revision": revision_from(approve_page)}).status_code == 302
    preview = admin.get("/admin/preview")
    assert f"Approved</strong> by {SECOND}" in preview.get_data(as_text=True)
    response = admin.post("/admin/publish", data={"csrf_token": csrf_from(preview),
                                                   "revision": revision_from(preview)})
    assert response.status_code == 302
    assert "Published" in admin.get("/admin/").get_data(as_text=True)

    assert published_phone(admin) == "0808 1111 222"
    after_version = admin.get("/api/v1/bundle").headers["ETag"]
    assert after_version != before_version
    assert "0808 1111 222" in admin.get("/helplines").get_data(as_text=True)

    with admin.application.app_context():
        entry = db.session.scalar(db.select(AuditEntry).filter_by(action="publish", slug=SERVICE))
        assert entry.actor == EMAIL and entry.before["phone"] == before_phone and entry.after["phone"] == "0808 1111 222"
        assert db.session.scalar(db.select(Draft)) is None
    audit_page = admin.get("/admin/audit").get_data(as_text=True)
    assert "Saved in the draft" in audit_page and "Published" in audit_page and EMAIL in audit_page


def test_bad_input_gets_the_content_schemas_field_errors(admin):
    data = form_for(admin, f"/admin/services/{SERVICE}")
    response = admin.post(f"/admin/services/{SERVICE}", data=data | {
        "phone": "call us", "web_url": "http://insecure.example", "last_checked": "yesterday", "categories": []})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in html
    assert "Use digits and spaces only" in html and "https://" in html and "Not a valid date" in html
    assert 'aria-invalid="true"' in html
    with admin.application.app_context():
        assert db.session.scalar(db.select(Draft)) is None


def test_new_service_with_opening_hours(admin):
    data = form_for(admin, "/admin/services/new")
    data |= {"slug": "test-helpline", "name": "Test helpline", "area": "national", "phone": "0800 123 456",
             "hours": "mon-fri 9:00-17:00\nsat sun 10:00-14:00", "categories": ["helpline"],
             "source": "https://agency.example/contacts", "last_checked": "2026-01-31"}
    response = admin.post("/admin/services/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    edit_page = admin.get("/admin/services/test-helpline").get_data(as_text=True)
    assert "mon tue wed thu fri 09:00-17:00" in edit_page and "sat sun 10:00-14:00" in edit_page
    # The same short name cannot be used twice.
    again = admin.post("/admin/services/new", data=data | {"csrf_token": csrf_from(admin.get("/admin/services/new")),
                                                          "revision": revision_from(admin.get("/admin/services/new"))})
    assert again.status_code == 400 and "already uses" in again.get_data(as_text=True)


def test_hours_that_make_no_sense_are_explained(admin):
    data = form_for(admin, f"/admin/services/{SERVICE}")
    response = admin.post(f"/admin/services/{SERVICE}", data=data | {"open_24_hours": "", "hours": "weekdays 9-5"})
    assert response.status_code == 400 and "Line 1" in response.get_data(as_text=True)


def test_an_area_with_services_cannot_be_removed(admin):
    token_page = admin.get("/admin/areas/national")
    response = admin.post("/admin/areas/national/delete", data={"csrf_token": csrf_from(token_page),
                                                                 "revision": revision_from(token_page)})
    assert response.status_code == 302
    assert "still has services" in admin.get(response.headers["Location"]).get_data(as_text=True)


def test_publish_only_what_was_previewed(admin):
    data = form_for(admin, f"/admin/services/{SERVICE}")
    admin.post(f"/admin/services/{SERVICE}", data=data | {"description": "Previewed text."})
    preview = admin.get("/admin/preview")
    # Someone changes the draft after this preview was loaded...
    data = form_for(admin, f"/admin/services/{SERVICE}")
    admin.post(f"/admin/services/{SERVICE}", data=data | {"description": "Text nobody previewed."})
    response = admin.post("/admin/publish", data={"csrf_token": csrf_from(preview), "revision": revision_from(preview)})
    assert response.status_code == 409 and "Nothing was published" in response.get_data(as_text=True)
    description = admin.get(f"/api/v1/services/{SERVICE}").get_json()["service"]["description"]
    assert description != "Text nobody previewed."


def test_stale_form_does_not_overwrite_a_newer_draft(admin):
    stale = form_for(admin, f"/admin/services/{SERVICE}")
    admin.post(f"/admin/services/{SERVICE}", data=stale | new_number("0808 1111 222"))
    fresh = form_for(admin, f"/admin/services/{SERVICE}")
    admin.post(f"/admin/services/{SERVICE}", data=fresh | new_number("0808 3333 444"))
    response = admin.post(f"/admin/services/{SERVICE}", data=fresh | new_number("0808 5555 666"))
    assert response.status_code == 409
    assert form_for(admin, f"/admin/services/{SERVICE}")["phone"] == "0808 3333 444"


def test_discard_leaves_published_content_alone(admin):
    before = published_phone(admin)
    data = form_for(admin, f"/admin/services/{SERVICE}")
    admin.post(f"/admin/services/{SERVICE}", data=data | new_number("0808 1111 222"))
    asked = admin.get("/admin/discard")
    admin.post("/admin/discard", data={"csrf_token": csrf_from(asked), "revision": revision_from(asked),
                                       "confirm": "yes"})
    assert published_phone(admin) == before
    assert form_for(admin, f"/admin/services/{SERVICE}")["phone"] == before


def test_guide_edit_refuses_raw_html(admin):
    slug = re.search(r'/admin/guides/([a-z0-9-]+)"', admin.get("/admin/guides").get_data(as_text=True)).group(1)
    data = form_for(admin, f"/admin/guides/{slug}")
    response = admin.post(f"/admin/guides/{slug}", data=data | {"body_markdown": "Hello <script>alert(1)</script>"})
    assert response.status_code == 400 and "Raw HTML is not allowed" in response.get_data(as_text=True)


def test_guide_edit_refuses_unsafe_links_against_the_field_naming_the_link(admin):
    slug = "safety-plan"
    data = form_for(admin, f"/admin/guides/{slug}")
    response = admin.post(f"/admin/guides/{slug}", data=data | {
        "body_markdown": "Call [us](tel:999) or [tap here](JaVaScRiPt:alert(1)).", "source": "javascript:alert(1)"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    body_error = re.search(r'<p class="field-error" id="error-body_markdown">([^<]*)</p>', html).group(1)
    assert body_error == ("Link &#34;JaVaScRiPt:alert(1)&#34; is not allowed: "
                          "use https://, tel:, sms:, mailto: or a link within this site.")
    source_error = re.search(r'<p class="field-error" id="error-source">([^<]*)</p>', html).group(1)
    assert source_error == "Use a full https:// address."
    with admin.application.app_context():
        assert db.session.scalar(db.select(Draft)) is None


def test_a_draft_saved_before_the_link_rules_is_not_a_server_error(admin):
    # A draft (or published guide) from an older version may hold a link today's rules refuse.
    data = form_for(admin, "/admin/guides/safety-plan")
    assert admin.post("/admin/guides/safety-plan", data=data | {"body_markdown": "Old text."}).status_code == 302
    with admin.application.app_context():
        draft = db.session.scalar(db.select(Draft))
        edit = draft.edits["guides"]["safety-plan"]
        edit = edit | {"after": edit["after"] | {"body_markdown": "[Tap](javascript:alert(1))"}}
        draft.edits = {**draft.edits, "guides": {"safety-plan": edit}}
        db.session.commit()
    preview = admin.get("/admin/preview")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "cannot be published yet" in html
    assert "safety-plan" in html and "Link &#34;javascript:alert(1)&#34; is not allowed" in html
    assert 'href="javascript' not in html
    assert "Publish these changes" not in html
    edit_page = admin.get("/admin/guides/safety-plan")  # the preview offers no publish form: take the revision here
    response = admin.post("/admin/publish", data={"csrf_token": csrf_from(edit_page),
                                                   "revision": revision_from(edit_page)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/preview")
    assert "javascript" not in admin.get("/guides/safety-plan").get_data(as_text=True)


def test_unknown_records_and_kinds_are_404(admin):
    assert admin.get("/admin/services/no-such-thing").status_code == 404
    assert admin.get("/admin/secrets").status_code == 404
    assert admin.get("/admin/services/a%00b").status_code == 404


def test_admin_pages_are_never_stored(admin):
    for url in ["/admin/", "/admin/login", f"/admin/services/{SERVICE}"]:
        assert admin.get(url).headers["Cache-Control"] == "private, no-store"


# Switching it off ----------------------------------------------------------------------------

def test_admin_can_be_switched_off(tmp_path):
    app = create_app({"TESTING": True, "ADMIN_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'off.sqlite'}"})
    assert app.test_client().get("/admin/login").status_code == 404


def test_admin_needs_a_fixed_secret_key_in_production(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite'}"})
    response = app.test_client().get("/admin/login")
    assert response.status_code == 503 and "SECRET_KEY" in response.get_data(as_text=True)
    assert app.test_client().get("/api/v1/openapi.json").status_code == 200  # the public site still runs


def test_a_form_from_before_the_draft_existed_does_not_overwrite_it(admin):
    stale = form_for(admin, f"/admin/services/{SERVICE}")  # no draft yet: made from the published record
    fresh = form_for(admin, f"/admin/services/{SERVICE}")
    assert stale["revision"] == fresh["revision"]
    assert admin.post(f"/admin/services/{SERVICE}", data=fresh | new_number("0808 3333 444")).status_code == 302
    assert admin.post(f"/admin/services/{SERVICE}", data=stale | {"description": "Older text"}).status_code == 409
    assert form_for(admin, f"/admin/services/{SERVICE}")["phone"] == "0808 3333 444"


def test_an_order_number_beyond_the_database_column_is_a_form_error(admin):
    # PostgreSQL's integer column stops at 2**31 - 1: publishing a bigger one must not be a 500.
    data = form_for(admin, f"/admin/services/{SERVICE}") | {"position": str(2**31)}
    response = admin.post(f"/admin/services/{SERVICE}", data=data)
    assert response.status_code == 400 and "Use a whole number between" in response.get_data(as_text=True)
    with admin.application.app_context():
        assert db.session.scalar(db.select(Draft)) is None


def test_numbers_written_in_superscript_are_not_a_server_error(admin):
    # "²".isdigit() is true, but int("²") fails: an odd page or revision is ignored, never a 500.
    assert admin.get("/admin/audit?page=²").status_code == 200
    data = form_for(admin, f"/admin/services/{SERVICE}") | new_number("0800 000 0000") | {"revision": "²"}
    assert admin.post(f"/admin/services/{SERVICE}", data=data).status_code == 409
