"""The local finder on the contacts page: a postcode is matched on the phone against the areas' postcode districts,
offline too, and never leaves the page: no request carries it, it is not in the address or history, and quick-hide
(or leaving the page) empties the field. Accessible in light and dark, and at 320 px with 200 % text."""
import re
import sys
from pathlib import Path

import pytest

from conftest import make_app
from pwa import content
from support import LiveServer, assert_on_decoy, reopened_offline
from test_accessibility import axe_violations, new_page
from test_layout_browser import layout_problems, small_phone  # noqa: F401 (a fixture)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from national_pack import write_pack  # noqa: E402

pytestmark = pytest.mark.browser

FIELD = "#postcode"
FOUND = "[data-found-list] a"
NOT_FOUND = "[data-not-found]"
ERROR = "[data-postcode-error]"


def find(page, typed: str) -> None:
    page.fill(FIELD, typed)
    page.locator("[data-find-area]").click()


def found(page) -> list[str]:
    return page.locator(FOUND).all_inner_texts()


def test_a_whole_postcode_and_its_first_part_both_find_cheshire_east(page, live_server):
    page.goto("/helplines")
    find(page, "CW1 2AB")
    assert found(page) == ["Cheshire (whole county)", "Cheshire East"]
    assert page.locator(NOT_FOUND).is_hidden() and page.locator(ERROR).is_hidden()
    for typed in ("cw1", " cw12ab ", "Cw1 2"):  # any case, no space, the second part unfinished
        find(page, typed)
        assert found(page) == ["Cheshire (whole county)", "Cheshire East"], typed
    find(page, "CH4 8xx")  # the last letters hidden: the first part is enough
    assert found(page) == ["Cheshire (whole county)", "Cheshire West and Chester"]
    # Choosing a result shows that area's contacts in the page.
    find(page, "CW1")
    page.locator(FOUND, has_text="Cheshire East").click()
    assert page.locator("#area").input_value() == "cheshire-east"
    assert page.locator("#cheshire-east-domestic-abuse-hub").is_visible()
    assert page.locator("#warrington-refuge").is_hidden()
    assert page.url.endswith("/helplines?area=cheshire-east")


def test_a_district_in_two_areas_shows_both(page, live_server):
    page.goto("/helplines")
    find(page, "CW10 9AA")  # Middlewich: listed for Cheshire East and for Cheshire West and Chester
    assert found(page) == ["Cheshire (whole county)", "Cheshire East", "Cheshire West and Chester"]
    find(page, "WA4")
    assert found(page) == ["Cheshire (whole county)", "Cheshire West and Chester", "Warrington"]


def test_a_postcode_outside_every_area_says_so_and_shows_national_help(page, live_server):
    page.goto("/helplines")
    find(page, "SW1A 1AA")
    assert found(page) == []
    message = page.locator(NOT_FOUND)
    assert message.is_visible()
    assert "We don't have local services listed for that postcode." in message.inner_text()
    message.locator("a", has_text="See help you can get anywhere in the UK").click()
    assert page.locator("#area-national").is_visible()
    assert page.locator("#national-domestic-violence-helpline").is_visible()


def test_what_is_not_a_postcode_gets_a_clear_error(page, live_server):
    page.goto("/helplines")
    for typed in ("", "hello", "12345", "CW1 2ABC"):
        find(page, typed)
        assert page.locator(ERROR).is_visible(), typed
        assert page.locator(ERROR).inner_text() == ("Enter a postcode such as CW1 2AB, or just its first part, such "
                                                    "as CW1.")
        assert page.locator(FIELD).get_attribute("aria-invalid") == "true"
        assert "postcode-error" in page.locator(FIELD).get_attribute("aria-describedby")
        assert found(page) == [] and page.locator(NOT_FOUND).is_hidden()
    find(page, "WA7")
    assert page.locator(ERROR).is_hidden() and page.locator(FIELD).get_attribute("aria-invalid") is None
    assert found(page) == ["Cheshire (whole county)", "Halton"]


def test_the_postcode_goes_nowhere(page, live_server):
    page.goto("/helplines")
    page.wait_for_load_state("networkidle")
    field = page.locator(FIELD)
    assert (field.get_attribute("autocomplete"), field.get_attribute("spellcheck")) == ("off", "false")
    assert page.locator(f"form {FIELD}").count() == 0  # no form that could submit it
    history_before = page.evaluate("history.length")
    # Every request from now on, with what it carries (the worker may still be saving pages for offline use).
    sent = []
    page.context.on("request", lambda request: sent.append(f"{request.url} {request.post_data or ''}"))
    page.locator(FIELD).press_sequentially("CW1 2AB")
    page.locator(FIELD).press("Enter")
    assert found(page) == ["Cheshire (whole county)", "Cheshire East"]
    find(page, "SK10 1AA")
    page.wait_for_timeout(500)  # anything a keystroke or a search might send has had time to go
    postcode = re.compile(r"cw1|2ab|sk10", re.IGNORECASE)
    assert [request for request in sent if postcode.search(request)] == []
    assert not [request for request in sent if "/helplines?" in request]
    assert not postcode.search(page.url) and page.evaluate("history.length") == history_before
    stored = page.evaluate("JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    assert not postcode.search(stored)


def test_quick_hide_empties_the_field_before_the_page_goes(page, live_server):
    page.goto("/helplines")
    find(page, "CW1 2AB")
    assert found(page)
    # What the field holds when the page is left (kept where the test can read it afterwards).
    page.evaluate("""() => window.addEventListener('pagehide', () => {
        sessionStorage.setItem('left-with', document.querySelector('#postcode').value +
                               document.querySelector('[data-found-list]').textContent)
    })""")
    page.locator("[data-quick-hide]").first.click()
    assert_on_decoy(page)
    assert page.evaluate("sessionStorage.getItem('left-with')") in ("", None)
    page.go_back()
    page.wait_for_load_state("load")
    if page.locator(FIELD).count():
        assert page.locator(FIELD).input_value() == "" and found(page) == []


def test_the_finder_works_offline_after_the_first_visit(playwright_instance, live_server, tmp_path):
    with reopened_offline(playwright_instance, tmp_path / "profile", live_server) as page:
        page.goto("/helplines")
        find(page, "cw1 2ab")
        assert found(page) == ["Cheshire (whole county)", "Cheshire East"]
        find(page, "SW1A 1AA")
        assert page.locator(NOT_FOUND).is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_in_each_state_of_the_finder(browser, live_server, scheme):
    page = new_page(browser, live_server, color_scheme=scheme)
    page.goto("/helplines")
    page.locator("details.area-finder__about summary").click()
    problems = axe_violations(page)
    for typed in ("nonsense", "CW10", "SW1A 1AA"):  # the error, two areas, none
        find(page, typed)
        problems += axe_violations(page)
    assert problems == []


def test_the_finder_at_320px_with_200_percent_text(small_phone):  # noqa: F811 (the fixture)
    page = small_phone
    page.goto("/helplines")
    page.locator("details.area-finder__about summary").click()
    problems = layout_problems(page)
    for typed in ("nonsense", "CW10 9AA", "SW1A 1AA"):
        find(page, typed)
        problems += layout_problems(page)
    assert problems == []


def test_with_a_national_pack_a_result_opens_that_areas_page(browser, tmp_path):
    """Above AREAS_ON_ONE_PAGE the contacts page holds one area, but every area's districts (the generated pack's
    made-up ones, QA1 for its first area): a result opens that area's page, the address naming the area only."""

    pack = write_pack(tmp_path / "pack", areas=8, services=2, guides=2)
    areas = [a for a in content.read_pack(pack).areas if a["kind"] == "local"]
    app = make_app(f"sqlite:///{tmp_path / 'live.sqlite'}", CONTENT_DIR=str(pack), AREAS_ON_ONE_PAGE=4)
    server = LiveServer(app).start()
    context = browser.new_context(base_url=server.url)
    try:
        page = context.new_page()
        page.goto("/helplines")
        assert areas[2]["postcode_districts"] == ["QA3"]
        find(page, "qa3 1ab")
        assert found(page) == [areas[2]["name"]]
        page.locator(FOUND).click()
        page.wait_for_url(f"**/helplines?area={areas[2]['slug']}")
        assert page.locator(f"#area-{areas[2]['slug']}").is_visible()
        assert page.locator(FIELD).input_value() == ""
        find(page, "CW1")
        assert page.locator(NOT_FOUND).is_visible()
    finally:
        context.close()
        server.stop()
