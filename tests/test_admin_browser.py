"""The agency admin in Chromium: a publication reaches an installed app, and no admin page is ever cached."""
from datetime import datetime, timedelta

import pytest

from pwa.hours import UK
from support import CONTROLLED, create_staff, sign_in_browser

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "publisher@agency.example", "publish with care please"
SECOND = "second.publisher@agency.example"
OLD, NEW = "01925 243359", "01925 000222"

CACHED_URLS = """async () => {
  const urls = []
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname)
  }
  return urls
}"""


def test_publishing_reaches_an_installed_app_and_admin_is_never_cached(browser, live_app, live_server):
    result = create_staff(live_app.test_cli_runner(), EMAIL, PASSWORD)
    assert result.exit_code == 0, result.output
    assert create_staff(live_app.test_cli_runner(), SECOND, PASSWORD, role="publisher").exit_code == 0
    context = browser.new_context(base_url=live_server.url)
    public = context.new_page()
    public.goto("/helplines")
    public.wait_for_function(CONTROLLED)
    assert public.get_by_text(OLD).first.is_visible()

    # Staff work in the same browser profile, so the app's worker sees every admin request.
    admin = context.new_page()
    admin.goto("/admin/")
    admin.wait_for_url("**/admin/login?**")
    sign_in_browser(admin, EMAIL, PASSWORD)
    assert admin.evaluate(CONTROLLED)
    admin.get_by_role("link", name="Services", exact=True).click()
    admin.get_by_role("link", name="Warrington Refuge").click()
    admin.get_by_label("Phone number").fill(NEW)
    admin.get_by_label("Last checked").fill(datetime.now(UK).date().isoformat())
    admin.get_by_role("button", name="Save in the draft").click()
    # A new number needs a source that shows it: the same page, confirmed.
    admin.get_by_text("You changed the phone number: give the page").first.wait_for()
    admin.get_by_label("This page shows the new number").check()
    admin.get_by_role("button", name="Save in the draft").click()
    admin.get_by_text("Saved warrington-refuge in the draft.").wait_for()
    admin.get_by_role("link", name="Draft").click()
    admin.get_by_role("link", name="Preview and publish").click()
    assert admin.locator(".admin-preview").get_by_text(f"Call {NEW}").is_visible()
    # A new number needs a second person: a colleague approves it from their own browser.
    assert admin.get_by_text("Waiting for approval.").is_visible()
    assert admin.get_by_role("button", name="Publish these changes").count() == 0
    colleague = browser.new_context(base_url=live_server.url).new_page()
    colleague.goto("/admin/preview")
    sign_in_browser(colleague, SECOND, PASSWORD, landing="**/admin/preview")
    colleague.get_by_role("button", name="Approve this change to phone number").click()
    colleague.get_by_text("Approved: Phone number of Warrington Refuge.").wait_for()
    colleague.context.close()
    admin.reload()
    admin.get_by_role("button", name="Publish these changes").click()
    admin.get_by_text("Published. Content version").wait_for()

    cached = admin.evaluate(CACHED_URLS)
    assert cached and not [url for url in cached if url.startswith("/admin")]

    # The installed app's next visit finds a new worker (the content version is in its precache list).
    public.reload()
    public.locator('[data-module="sw-update"]').wait_for(state="visible")
    with public.expect_navigation():
        public.get_by_role("button", name="Update").click()
    public.wait_for_function(CONTROLLED)
    assert public.get_by_text(NEW).first.is_visible() and public.get_by_text(OLD).count() == 0
    assert not [url for url in public.evaluate(CACHED_URLS) if url.startswith("/admin")]
    context.close()


def test_a_session_ending_while_writing_warns_first_and_loses_nothing(browser, live_app, live_server, monkeypatch):
    monkeypatch.setattr("pwa.admin.sessions.IDLE", timedelta(seconds=6))  # 30 minutes in production; warned 2 s before
    assert create_staff(live_app.test_cli_runner(), EMAIL, PASSWORD).exit_code == 0
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/admin/login")
    sign_in_browser(page, EMAIL, PASSWORD)
    page.goto("/admin/guides/safety-plan")
    text = "A new safety plan, written over a long afternoon."
    page.get_by_label("Text", exact=True).fill(text)

    warning = page.get_by_text("You will be signed out at")
    warning.wait_for()
    page.get_by_role("button", name="Stay signed in").click()
    warning.wait_for(state="hidden")  # the session was kept alive

    page.get_by_text("Your session has ended").wait_for(timeout=15_000)
    page.get_by_role("button", name="Save in the draft").click()
    page.wait_for_timeout(500)
    assert page.url.endswith("/admin/guides/safety-plan")  # not sent: it would have come back as a sign-in page
    assert page.get_by_label("Text", exact=True).input_value() == text

    other = context.new_page()  # sign in again in another tab, as the message says
    other.goto("/admin/login")
    sign_in_browser(other, EMAIL, PASSWORD)
    page.bring_to_front()
    page.get_by_role("button", name="Save in the draft").click()
    page.get_by_text("Saved safety-plan in the draft.").wait_for()
    page.goto("/admin/guides/safety-plan")
    assert page.get_by_label("Text", exact=True).input_value().strip() == text
    context.close()
