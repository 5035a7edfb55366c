"""Before a link opens another website, the app says the visit will stay in the browser's history, and asks; on a
phone it never talks about Shift and Esc. Real Chromium; the other website is answered by Playwright, offline."""
import pytest

from pwa.wording import OTHER_SITE_HINT
from support import assert_on_decoy
from test_layout_browser import BROKEN_WORDS

pytestmark = pytest.mark.browser

OTHER_HOST = "www.cheshire.police.uk"  # every card's "Source" in the default content
SOURCE = '#halton-domestic-abuse-forum a:has-text("Source")'
QUESTION = '[data-module="leaving"]'


@pytest.fixture
def other_site(page):
    """Answers every request to the other website with a small page, and lists them."""
    visits = []

    def answer(route):
        visits.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Elsewhere</title><p>Elsewhere")

    page.context.route(f"https://{OTHER_HOST}/**", answer)
    return visits


def question_is_open(page) -> bool:
    return page.evaluate(f"document.querySelector('{QUESTION}')?.open === true")


def test_a_source_link_asks_first_and_esc_or_cancel_stays_here(page, live_server, other_site):
    page.goto("/helplines")
    page.click(SOURCE)
    dialog = page.get_by_role("dialog", name="This opens another website")
    assert dialog.is_visible()
    text = dialog.inner_text()
    assert OTHER_HOST in text and "this browser's history" in text and "cannot remove it" in text
    # Focus on the question's title: read from the start, and Enter opens nothing by accident.
    assert page.evaluate("document.activeElement.id") == "leaving-title"
    page.keyboard.press("Escape")
    assert not question_is_open(page)
    assert page.evaluate("document.activeElement.closest('article').id") == "halton-domestic-abuse-forum"
    page.click(SOURCE)
    page.get_by_role("button", name="Cancel").click()
    assert not question_is_open(page)
    page.wait_for_timeout(300)
    assert page.url.endswith("/helplines") and other_site == []


def test_open_it_with_the_keyboard_opens_the_site_in_this_tab_and_back_returns(page, live_server, other_site):
    page.goto("/helplines")
    page.locator(SOURCE).focus()
    page.keyboard.press("Enter")
    assert question_is_open(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Open it"
    page.keyboard.press("Enter")
    page.wait_for_url(f"https://{OTHER_HOST}/**")
    assert len(other_site) == 1 and len(page.context.pages) == 1  # the same tab: no second tab left open
    page.go_back(wait_until="commit")  # a page restored from the back/forward cache fires no load event
    assert page.url.endswith("/helplines")
    page.get_by_role("link", name="Hide this page").wait_for(state="visible")


def test_a_new_tab_only_when_asked_for_and_after_the_same_question(page, live_server, other_site):
    page.goto("/helplines")
    page.click(SOURCE, modifiers=["ControlOrMeta"])
    assert question_is_open(page) and len(page.context.pages) == 1
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Open it").click()
    opened.value.wait_for_load_state()
    assert opened.value.url.startswith(f"https://{OTHER_HOST}/") and page.url.endswith("/helplines")
    assert opened.value.evaluate("window.opener") is None


def test_calls_texts_and_this_apps_own_links_are_left_alone(page, live_server, other_site):
    page.goto("/helplines")
    # A listener after every component's: was the tap taken over? (It then stops the call itself: no dialler here.)
    page.evaluate("""() => addEventListener('click', (event) => {
      window.takenOver = event.defaultPrevented
      event.preventDefault()
    })""")
    page.click('a[href="tel:08082000247"]')
    assert page.evaluate("window.takenOver") is False and not question_is_open(page)
    before = page.evaluate("history.length")
    page.get_by_role("link", name="Guides", exact=True).click()
    page.wait_for_url("**/guides")
    assert page.evaluate("history.length") == before  # quick-hide.js still replaces rather than adds
    assert not question_is_open(page)


def test_hide_still_works_while_the_question_is_open(page, live_server, other_site):
    page.goto("/helplines")
    page.click(SOURCE)
    assert question_is_open(page)
    page.get_by_role("link", name="Hide this page").click()
    assert_on_decoy(page)
    assert other_site == []


def test_on_a_small_phone_the_question_fits_and_hide_stays_on_top(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": 32}})
    page.route(f"https://{OTHER_HOST}/**", lambda route: route.abort())
    page.goto("/helplines")
    page.locator(SOURCE).tap()
    assert question_is_open(page)
    box = page.locator(QUESTION).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320 and box["y"] + box["height"] <= 640.5
    title = page.locator("#leaving-title").bounding_box()
    assert title["y"] >= box["y"]  # it starts at its title, in view
    host = page.locator("[data-leaving-host]")
    assert host.inner_text() == OTHER_HOST
    assert page.evaluate(BROKEN_WORDS, "[data-leaving-host], .leaving h2, .leaving .button") == []  # at dots
    for name in ("Open it", "Cancel"):
        button = page.get_by_role("button", name=name)
        button.scroll_into_view_if_needed()
        assert button.bounding_box()["height"] >= 44
    hide = page.get_by_role("link", name="Hide this page").bounding_box()
    on_top = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('[data-quick-hide]') !== null",
                           [hide["x"] + hide["width"] / 2, hide["y"] + hide["height"] / 2])
    assert on_top
    context.close()


def test_without_javascript_each_link_says_it_before_the_tap(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/helplines")
    source = page.locator(SOURCE)
    assert source.inner_text() == f"Source ({OTHER_SITE_HINT})"
    assert source.locator(".other-site-hint").is_visible()
    website = page.locator("a.button", has_text="Website").first
    assert website.locator(".other-site-hint").is_visible()
    assert page.locator(QUESTION).is_hidden()
    context.close()


@pytest.mark.parametrize("device", ["phone", "computer"])
def test_shift_and_esc_are_mentioned_only_where_there_is_a_keyboard(browser, live_server, device):
    phone = device == "phone"
    context = browser.new_context(base_url=live_server.url, is_mobile=phone, has_touch=phone,
                                  viewport={"width": 360, "height": 740} if phone else {"width": 1280, "height": 800})
    page = context.new_page()
    page.goto("/limits")
    hiding = page.locator("li", has_text="The moment of hiding")
    text = hiding.inner_text()  # only what is rendered
    assert ("Shift" in text and "Esc" in text) is not phone
    assert "Hide button covers the screen at once" in text
    context.close()


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_finds_nothing_with_the_question_open(browser, live_server, color_scheme):
    from test_accessibility import axe_violations

    context = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
    page = context.new_page()
    page.route(f"https://{OTHER_HOST}/**", lambda route: route.abort())
    page.goto("/helplines")
    page.click(SOURCE)
    assert question_is_open(page)
    problems = axe_violations(page)
    context.close()
    assert problems == [], "\n".join(problems)
