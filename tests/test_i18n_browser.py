"""The modules' text in the page's language (static/js/i18n.js), from a throwaway Welsh catalogue."""
import pytest
from conftest import make_app
from support import CONTROLLED, wait_until
from test_i18n_json import write_throwaway_catalogue

from pwa import i18n

pytestmark = pytest.mark.usefixtures("fresh_catalogues")
from test_i18n_json import fresh_catalogues  # noqa: E402,F401  (the fixture, for pytestmark)

PLURAL = "%(count)s contact shown", "%(count)s contacts shown"
TRANSLATE = """async ([singular, plural]) => {
  const { t, nt, translationsLoaded } = await import('/static/js/i18n.js')
  await translationsLoaded
  return {
    plurals: [0, 1, 2, 3, 6, 4, 106, 1000].map((n) => nt(singular, plural, n)),
    filled: t('You said yes to: %(factors)s.', { factors: 'Jealousy; Threats' }),
    untranslated: t('Not saved: %(reason)s', { reason: 'No room.' }),
    untranslatedPlural: [1, 2].map((n) => nt('%(count)s photo', '%(count)s photos', n)),
    plain: t('Open now')
  }
}"""


@pytest.fixture
def live_app(tmp_path, fresh_catalogues):
    folder = write_throwaway_catalogue(tmp_path / "translations")
    return make_app(f"sqlite:///{tmp_path / 'live.sqlite'}", COMPRESS_RESPONSES=True,
                    BABEL_TRANSLATION_DIRECTORIES=str(folder))


def welsh_page(browser, live_server, offline_catalogue=False):
    # No worker: every request is the page's own, so a failed fetch is really one.
    context = browser.new_context(base_url=live_server.url, locale="cy", service_workers="block")
    if offline_catalogue:
        context.route("**/i18n/*.json", lambda route: route.abort("internetdisconnected"))
    page = context.new_page()
    page.requests_seen = []
    context.on("request", lambda request: page.requests_seen.append(request.url))
    return page


def test_welsh_plurals_pick_their_form_and_placeholders_are_filled(browser, live_server):
    page = welsh_page(browser, live_server)
    page.goto("/helplines")
    assert page.locator("html").get_attribute("lang") == "cy"
    result = page.evaluate(TRANSLATE, list(PLURAL))
    assert result["plurals"] == ["zero 0", "one 1", "two 2", "few 3", "many 6", "other 4", "other 106",
                                 "other 1000"]
    assert result["filled"] == "TEST-CY yes: Jealousy; Threats."
    assert result["untranslated"] == "Not saved: No room."  # not in the catalogue: English, still filled
    assert result["untranslatedPlural"] == ["1 photo", "2 photos"]  # by English's rule, not Welsh's
    assert result["plain"] == "TEST-CY Open now"
    # The area filter counted in Welsh too: main.js started it once the text was there.
    count = page.locator("[data-match-count]").text_content()
    assert count.startswith("other ")
    page.context.close()


def test_without_the_catalogue_modules_fall_back_to_english_and_hide_still_works(browser, live_server):
    page = welsh_page(browser, live_server, offline_catalogue=True)
    page.goto("/helplines")
    result = page.evaluate(TRANSLATE, list(PLURAL))
    assert result["plurals"] == ["0 contacts shown", "1 contact shown", "2 contacts shown", "3 contacts shown",
                                 "6 contacts shown", "4 contacts shown", "106 contacts shown", "1000 contacts shown"]
    assert result["filled"] == "You said yes to: Jealousy; Threats." and result["plain"] == "Open now"
    assert any("/i18n/cy.json" in url for url in page.requests_seen)
    page.locator("[data-match-count]").filter(has_text="contacts shown").wait_for()
    page.locator("[data-quick-hide]").click()
    page.wait_for_url("**/weather")
    page.context.close()


def test_english_pages_ask_for_no_catalogue(page):
    page.goto("/helplines")
    assert page.locator("html").get_attribute("lang") == i18n.DEFAULT
    assert page.evaluate(TRANSLATE, list(PLURAL))["plurals"][:2] == ["0 contacts shown", "1 contact shown"]
    page.wait_for_load_state("networkidle")
    assert not [url for url in page.requests_seen if "/i18n/" in url]


# The backup's own text is a part of its own (pwa/i18n_json.py PARTS), fetched with its screens.
BACKUP_TEXT = """async () => {
  await import('/static/js/journal/backup/screens.js')
  const { t } = await import('/static/js/i18n.js')
  return t('The journal was locked')
}"""
KEPT = """async (path) => {
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) if (new URL(request.url).pathname === path) return true
  }
  return false
}"""


def test_the_backups_text_comes_with_its_screens_and_stays_with_them_offline(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="cy")
    page = context.new_page()
    page.goto("/helplines")
    page.wait_for_function(CONTROLLED)
    page.wait_for_load_state("networkidle")
    assert page.evaluate(KEPT, "/i18n/cy.json")  # the main catalogue, with the Welsh pages
    assert not page.evaluate(KEPT, "/i18n/backup/cy.json")  # not the backup's: nobody has opened it
    assert page.evaluate(BACKUP_TEXT) == "TEST-CY locked"
    wait_until(page, f"() => ({KEPT})('/i18n/backup/cy.json')")  # kept by the worker, as the screens' modules
    context.set_offline(True)
    page.reload()
    assert page.locator("html").get_attribute("lang") == "cy"
    assert page.evaluate(BACKUP_TEXT) == "TEST-CY locked"
    context.close()


def test_without_the_backups_text_its_screens_still_open_in_english(browser, live_server):
    page = welsh_page(browser, live_server)
    page.context.route("**/i18n/backup/*.json", lambda route: route.abort("internetdisconnected"))
    page.goto("/helplines")
    assert page.evaluate(BACKUP_TEXT) == "The journal was locked"
    assert page.evaluate(TRANSLATE, list(PLURAL))["plain"] == "TEST-CY Open now"  # the main catalogue unharmed
    page.context.close()
