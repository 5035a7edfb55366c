"""Trusted contacts in real Chromium: set up, kept encrypted in the journal, locked and back; the ready messages as
sms: links (their hrefs, never followed); location only when ticked; practice; clear errors; quick-hide; offline;
never reachable from a decoy; accessibility and small screens; nothing typed anywhere in clear."""
import json
import logging
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from support import AxeScreens, assert_on_decoy, open_controlled, persistent_context
from test_accessibility import LAYOUT_PROBLEMS
from test_i18n_json import fresh_catalogues, write_throwaway_catalogue  # noqa: F401  (a fixture, for the Urdu test)
from test_journal_browser import PASSPHRASE, dump, lock_all, set_up, unlock_to_home
from test_journal_canary import blobs, forms, profile_leaks

from pwa import create_app, disguise

pytestmark = pytest.mark.browser

CONTACTS = [("Aunt Rosa", "07700 900461", "07700900461"),
            ("Sam (work)", "+44 (0)7700 900 462", "+447700900462"),
            ("Kasia", "0048 601 234 567", "+48601234567")]
CODE_WORD = "marmalade"
PRACTICE = "PRACTICE: this is a practice message from my safety plan."
HERE = {"latitude": 53.0987654, "longitude": -2.4321098}


def open_trusted(page):
    page.goto("/trusted")
    page.locator(".trusted--enhanced").wait_for(state="attached")


def unlock_trusted(page, passphrase=PASSPHRASE):
    page.locator('[data-state="locked"]').wait_for()
    page.fill("#trusted-passphrase", passphrase)
    page.click('[data-form="unlock"] [type=submit]')
    page.locator('[data-state="open"]').wait_for()


def fill_contacts(page, contacts=CONTACTS, code_word=CODE_WORD):
    for slot, (name, number, _) in enumerate(contacts, start=1):
        page.fill(f"#contact-{slot}-name", name)
        page.fill(f"#contact-{slot}-number", number)
    page.fill("#trusted-code-word", code_word)
    page.click('[data-form="contacts"] [type=submit]')


def save_contacts(page, contacts=CONTACTS, code_word=CODE_WORD):
    fill_contacts(page, contacts, code_word)
    page.get_by_text("Saved, encrypted in your journal.").wait_for()


def sms(href):
    """(recipients, body) of an sms: link in either form sms.js writes."""
    parts = urlsplit(href)
    assert parts.scheme == "sms"
    query = parse_qs(parts.query, keep_blank_values=True)
    if parts.netloc == "open":  # iPhone, several recipients
        return query["addresses"][0].split(","), query["body"][0]
    return unquote(parts.path).split(","), query["body"][0]


def links(page, message):
    found = page.locator(f'[data-message="{message}"] [data-send]')
    return {found.nth(i).get_attribute("data-send"): sms(found.nth(i).get_attribute("href")) for i in range(found.count())}


def saved_contacts(page):
    """The contacts record as the vault holds it, opened in a separate session (not the page's)."""
    return page.evaluate("""async (passphrase) => {
      const { Session } = await import('/static/js/journal/session.js')
      const { openStore } = await import('/static/js/journal/store.js')
      const session = new Session(await openStore(), { idleMs: 60000 })
      await session.unlock(passphrase)
      await session.journal.load()
      const contacts = session.journal.contacts
      session.vault.lock()
      return contacts
    }""", PASSPHRASE)


def test_without_javascript_it_says_so_and_gives_the_emergency_numbers(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/trusted")
    text = page.inner_text("main")
    assert "This needs JavaScript turned on" in text
    assert "Call 999" in text and "press 55" in text
    assert page.locator("main input:visible").count() == 0  # nothing can be typed, so nothing can be sent in a URL
    context.close()


def test_contacts_are_set_up_kept_encrypted_locked_and_back_with_ready_messages(page, live_server):
    set_up(page)
    page.goto("/")
    page.get_by_role("link", name="Message someone you trust").click()  # one tap from home
    page.locator(".trusted--enhanced").wait_for(state="attached")
    unlock_trusted(page)
    assert page.evaluate("document.activeElement.id") == "trusted-contacts-heading"  # nothing yet: set up first
    assert "No contacts yet" in page.inner_text("[data-messages]")
    save_contacts(page)

    call = links(page, "call")
    assert call == {str(i): ([normalised], "Call me now.") for i, (_, _, normalised) in enumerate(CONTACTS, start=1)} | {
        "all": ([c[2] for c in CONTACTS], "Call me now.")}
    assert links(page, "collect")["all"] == ([c[2] for c in CONTACTS], "Come and get me.")
    police = links(page, "police")["1"][1]
    assert "call the police" in police and "don't call me back" in police
    assert links(page, "code-word")["2"] == ([CONTACTS[1][2]], CODE_WORD)
    assert CODE_WORD not in page.inner_text("main")  # in the link only, never on screen
    href = page.get_attribute('[data-message="call"] [data-send="1"]', "href")
    assert href.startswith("sms:07700900461?&body=")  # Android reads ?body=, iPhone &body=
    assert page.get_by_role("link", name="Send to Aunt Rosa").count() == 4

    stored = saved_contacts(page)
    assert [(c["name"], c["number"]) for c in stored["contacts"]] == [(n, typed) for n, typed, _ in CONTACTS]
    assert stored["codeWord"] == CODE_WORD
    everything = str(dump(page))
    assert all(secret not in everything for secret in ("Aunt Rosa", "900461", CODE_WORD))

    page.click('[data-action="lock"]')
    page.locator('[data-state="locked"]').wait_for()
    assert page.evaluate("document.activeElement.id") == "trusted-passphrase"
    content = page.content()
    assert all(secret not in content for secret in ("Aunt Rosa", "900461", CODE_WORD, "sms:"))
    assert page.input_value("#contact-1-name") == "" and page.input_value("#trusted-code-word") == ""

    unlock_trusted(page)
    assert page.evaluate("document.activeElement.id") == "trusted-send-heading"  # straight to the messages
    assert [page.input_value(f"#contact-{slot}-name") for slot in (1, 2, 3)] == [c[0] for c in CONTACTS]
    assert page.input_value("#trusted-code-word") == CODE_WORD
    assert links(page, "call") == call

    # Removing one: the others move up, and the messages follow.
    page.click('[data-remove="2"]')
    page.get_by_text("Saved, encrypted in your journal.").wait_for()
    assert [page.input_value(f"#contact-{slot}-name") for slot in (1, 2, 3)] == ["Aunt Rosa", "Kasia", ""]
    assert links(page, "call")["all"] == (["07700900461", "+48601234567"], "Call me now.")
    assert "Sam (work)" not in page.inner_text("main")


def test_practice_messages_are_marked_and_the_practice_is_noted_encrypted(page, live_server):
    set_up(page)
    open_trusted(page)
    unlock_trusted(page)
    save_contacts(page, CONTACTS[:2], "")
    assert page.locator('[data-message="code-word"]').count() == 0  # no code word, no such message
    practice = page.locator('[data-practice-for="1"] [data-send="practice"]')
    recipients, body = sms(practice.get_attribute("href"))
    assert recipients == [CONTACTS[0][2]] and body.startswith(PRACTICE) and "No need to act" in body
    page.check("#practised-1")
    page.get_by_text("Noted, encrypted in your journal.").wait_for()
    assert "Last practised on" in page.inner_text('[data-practice-for="1"]')
    practised = saved_contacts(page)["contacts"][0]["practisedOn"]
    assert len(practised) == 10 and saved_contacts(page)["contacts"][1]["practisedOn"] == ""
    # Editing the name keeps the practice; a new number means practising again.
    page.fill("#contact-1-name", "Rosa")
    page.fill("#contact-2-number", "07700 900999")
    page.click('[data-form="contacts"] [type=submit]')
    page.get_by_text("Saved, encrypted in your journal.").wait_for()
    stored = saved_contacts(page)["contacts"]
    assert (stored[0]["name"], stored[0]["practisedOn"]) == ("Rosa", practised)
    assert stored[1]["practisedOn"] == ""


@pytest.mark.parametrize("typed, kept", [
    ("\u0a66\u0a6d\u0a6d\u0a66\u0a66 \u0a6f\u0a66\u0a66\u0a6a\u0a6c\u0a67", "07700900461"),  # Gurmukhi, as a Punjabi keyboard types
    ("\u06f0\u06f7\u06f7\u06f0\u06f0 \u06f9\u06f0\u06f0\u06f4\u06f6\u06f1", "07700900461"),  # Urdu's digits
    ("+\u0664\u0664 \u0667\u0667\u0660\u0660 \u0669\u0660\u0660\u0664\u0666\u0661", "+447700900461"),  # Arabic-Indic
], ids=["gurmukhi", "urdu", "arabic-indic"])
def test_a_number_typed_in_another_scripts_digits_is_read_as_0_to_9(page, live_server, typed, kept):
    page.goto("/trusted")
    checked = page.evaluate("""async (typed) => {
      const { checkNumber } = await import('/static/js/trusted/sms.js')
      return checkNumber(typed)
    }""", typed)
    assert checked == {"number": kept}


@pytest.mark.parametrize("typed, error", [
    ("", "Enter a mobile number for contact 1, or clear their name."),
    ("07700 9004", "a UK number starting with 0 has 10 or 11 digits, and this one has 9."),
    ("7700 900461", "start with 0 for a UK number, or with + and the country code"),
    ("call 07700 900461", "a phone number can only have digits, spaces, brackets, dashes and a + at the start."),
    ("+44 7700 9004", "a UK number starting with 0 has 10 or 11 digits, and this one has 9."),
    ("+1234", "this number is too short"),
    ("+1234567890123456", "at most 15 digits"),
], ids=["missing", "uk-short", "no-prefix", "letters", "+44-short", "short", "long"])
def test_a_wrong_number_is_refused_with_a_clear_error_and_nothing_is_saved(page, live_server, typed, error):
    set_up(page)
    open_trusted(page)
    unlock_trusted(page)
    fill_contacts(page, [("Aunt Rosa", typed, "")], "")
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert error in summary.inner_text() and "There is a problem" in summary.inner_text()
    assert error in page.inner_text('[data-error-for="contact-1-number"]')
    assert page.get_attribute("#contact-1-number", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.dataset.errorSummary") == ""  # focus on the summary
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "contact-1-number"
    assert saved_contacts(page) is None


def test_a_number_without_a_name_asks_for_one(page, live_server):
    set_up(page)
    open_trusted(page)
    unlock_trusted(page)
    fill_contacts(page, [("", "07700 900461", "")], "")
    page.locator("[data-error-summary]").wait_for()
    assert "Enter a name for contact 1, as you want it shown" in page.inner_text('[data-error-for="contact-1-name"]')
    fill_contacts(page, [("R", "07700 900461", "")], "")
    page.get_by_text("Saved, encrypted in your journal.").wait_for()
    assert page.locator("[data-error-summary]").is_hidden()


ASKED = """() => {
  window.asked = 0
  const real = navigator.geolocation.getCurrentPosition.bind(navigator.geolocation)
  navigator.geolocation.getCurrentPosition = (...args) => { window.asked += 1; return real(...args) }
}"""


def test_the_location_is_asked_once_and_added_only_when_ticked(browser, live_server):
    context = browser.new_context(base_url=live_server.url, permissions=["geolocation"],
                                  geolocation={**HERE, "accuracy": 18})
    page = context.new_page()
    set_up(page)
    with page.expect_response("**/trusted") as response:
        open_trusted(page)
    # Geolocation is allowed on this page alone (security.py keeps it off everywhere else).
    assert "geolocation=(self)" in response.value.headers["permissions-policy"]
    assert "geolocation=()" in page.request.get("/").headers["permissions-policy"]
    page.evaluate(ASKED)
    unlock_trusted(page)
    save_contacts(page, CONTACTS[:2])
    assert page.evaluate("window.asked") == 0  # nothing ticked: the phone was never asked
    assert all("Where I am" not in body for _, body in links(page, "police").values())

    page.check("#where-police")
    page.locator('[data-message="police"] [data-send="all"]').wait_for()
    bodies = [body for _, body in links(page, "police").values()]
    assert all(body.endswith("Where I am: 53.09877, -2.43211 (latitude, longitude; accurate to about 18 metres).")
               for body in bodies), bodies
    assert page.evaluate("window.asked") == 1
    assert all("Where I am" not in body for _, body in links(page, "call").values())  # that message only
    assert "it stays in your sent messages" in page.inner_text('[data-message="police"]')
    assert "http" not in str(links(page, "police"))  # coordinates, no map service's address
    page.uncheck("#where-police")
    assert all("Where I am" not in body for _, body in links(page, "police").values())

    page.check("#where-call")
    page.locator('[data-message="call"] .trusted-location__where').wait_for()
    lock_all(page, "button")
    unlock_trusted(page)
    assert not page.is_checked("#where-call")  # forgotten when locked
    assert all("Where I am" not in body for _, body in links(page, "call").values())
    assert page.evaluate("window.asked") == 2
    context.close()


def test_a_refused_location_says_so_and_the_message_goes_without_it(browser, live_server):
    context = browser.new_context(base_url=live_server.url)  # no permission given
    page = context.new_page()
    set_up(page)
    open_trusted(page)
    unlock_trusted(page)
    save_contacts(page, CONTACTS[:1])
    page.click("#where-call")  # ticked, then unticked again by the page once the phone says no
    page.get_by_text("so it was not added").wait_for()
    assert not page.is_checked("#where-call")
    assert links(page, "call")["1"][1] == "Call me now."
    context.close()


def test_quick_hide_empties_the_page_and_locks(page, live_server):
    set_up(page)
    open_trusted(page)
    unlock_trusted(page)
    save_contacts(page)
    page.click("[data-quick-hide]")
    assert_on_decoy(page)
    page.get_by_role("searchbox").press("Enter")  # the way back in (no PIN chosen)
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    page.go_back()  # the page from history: locked, nothing of it left
    page.goto("/trusted")
    page.locator('[data-state="locked"]').wait_for()
    assert "Aunt Rosa" not in page.content()
    lock_all(page)  # and a lock while open, as quick-hide does it before leaving, clears the DOM at once
    unlock_trusted(page)
    assert "Aunt Rosa" in page.inner_text("[data-messages]")
    page.evaluate("async () => (await import('/static/js/lock.js')).lockAll('hide')")
    assert all(secret not in page.content() for secret in ("Aunt Rosa", "900461", CODE_WORD))


def test_opening_the_messaging_app_locks_the_page_and_hides_the_app(page, live_server):
    set_up(page)
    open_trusted(page)
    unlock_trusted(page)
    save_contacts(page)
    # A tap on a message: the messaging app comes to the front and this page is hidden (not followed here).
    page.evaluate("""() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true })
      document.dispatchEvent(new Event('visibilitychange'))
    }""")
    # Switched away: locked, and the app hides behind its disguise (quick-hide), as it does for a call.
    assert_on_decoy(page)
    assert all(secret not in page.content() for secret in ("Aunt Rosa", "900461", CODE_WORD, "sms:"))
    page.get_by_role("searchbox").press("Enter")  # the way back in (no PIN chosen)
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    open_trusted(page)
    page.locator('[data-state="locked"]').wait_for()
    assert "Aunt Rosa" not in page.content()


def test_without_a_journal_it_says_where_to_set_one_up(page, live_server):
    open_trusted(page)
    notice = page.locator('[data-state="no-journal"]')
    notice.wait_for()
    assert notice.get_by_role("link", name="set up your journal").get_attribute("href") == "/journal"
    assert page.locator('[data-state="locked"]').is_hidden()


def test_never_reachable_from_a_decoy(page, live_server):
    for key in disguise.DECOYS:
        page.goto(f"/{key}")
        assert "/trusted" not in page.content(), key
        assert page.locator('a[href*="trusted"]').count() == 0
    decoy_scripts = Path(__file__).parent.parent / "pwa" / "static" / "js" / "decoys"
    assert all("trusted" not in script.read_text() for script in decoy_scripts.glob("*.js"))
    page.goto("/")
    assert page.locator('a[href="/trusted"]').count() == 1  # the real home has it


def test_works_offline_after_a_visit(page, live_server):
    from support import CONTROLLED, wait_until

    set_up(page)
    page.goto("/")
    page.wait_for_function(CONTROLLED)
    page.reload()  # a later visit, online: the worker fetches the page and its modules by itself
    wait_until(page, """async () => {
      const kept = []
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) kept.push(decodeURIComponent(new URL(request.url).pathname))
      }
      return ['/static/js/trusted/app.js', '/static/js/trusted/sms.js', '/static/css/trusted.css', '/__kept//trusted']
        .every((path) => kept.some((k) => k === path || k.startsWith(path)))
    }""")
    page.context.set_offline(True)
    open_trusted(page)
    unlock_trusted(page)
    save_contacts(page, CONTACTS[:1])
    assert links(page, "call")["1"] == ([CONTACTS[0][2]], "Call me now.")
    host = urlsplit(live_server.url).netloc
    assert all(urlsplit(url).netloc == host for url in page.requests_seen if url.startswith("http"))


URDU_PO = b'''
msgid "Call me now"
msgstr "TEST-UR call"

msgid "Call me now."
msgstr "TEST-UR call."
'''
KEPT_PATHS = """async () => {
  const kept = []
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) kept.push(decodeURIComponent(new URL(request.url).pathname))
  }
  return kept
}"""


@pytest.fixture
def urdu_server(tmp_path):
    from conftest import make_app
    from support import LiveServer

    folder = write_throwaway_catalogue(tmp_path / "translations", locale="ur", po=URDU_PO)
    server = LiveServer(make_app(f"sqlite:///{tmp_path / 'urdu.sqlite'}", COMPRESS_RESPONSES=True,
                                 BABEL_TRANSLATION_DIRECTORIES=str(folder))).start()
    yield server
    server.stop()


@pytest.mark.usefixtures("fresh_catalogues")  # before urdu_server: Flask-Babel's loaded catalogues forgotten
def test_works_offline_in_urdu_with_its_own_text_after_a_later_visit(browser, urdu_server):
    # The page's own text is a catalogue part (/i18n/trusted/<lang>.json), not in the first visit's /i18n/ur.json:
    # the worker fetches it with the page's modules on a later visit, in the languages saved here only.
    from support import CONTROLLED, wait_until

    context = browser.new_context(base_url=urdu_server.url, locale="ur")
    page = context.new_page()
    set_up(page)
    page.goto("/")
    page.wait_for_function(CONTROLLED)
    assert page.locator("html").get_attribute("lang") == "ur"
    assert "/i18n/trusted/ur.json" not in page.evaluate(KEPT_PATHS)  # not on a first visit
    page.reload()  # a later visit
    wait_until(page, f"""async () => {{
      const kept = await ({KEPT_PATHS})()
      return ['/i18n/trusted/ur.json', '/static/js/trusted/app.js', '/__kept//trusted'].every((path) => kept.includes(path))
    }}""")
    assert not [path for path in page.evaluate(KEPT_PATHS) if path.startswith("/i18n/trusted/") and path != "/i18n/trusted/ur.json"]
    context.set_offline(True)
    open_trusted(page)
    unlock_trusted(page)
    fill_contacts(page, CONTACTS[:1])
    call = page.locator('[data-message="call"]')
    call.locator("h3").filter(has_text="TEST-UR call").wait_for()
    assert links(page, "call")["1"] == ([CONTACTS[0][2]], "TEST-UR call.")
    context.close()


def test_the_export_checks_the_contacts_but_its_report_never_prints_them(page, live_server, tmp_path):
    from test_journal_export import export_through_the_ui

    cli = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).test_cli_runner()
    set_up(page)
    open_trusted(page)
    unlock_trusted(page)
    save_contacts(page)
    page.goto("/journal")
    unlock_to_home(page)
    assert page.locator("[data-list] li").count() == 0  # not an entry
    path, code = export_through_the_ui(page, tmp_path)
    assert cli.invoke(args=["journal", "verify", str(path), "--code", code]).exit_code == 0
    report = tmp_path / "report.txt"
    result = cli.invoke(args=["journal", "decrypt", str(path), "--code", code, "--out", str(report)])
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert "Trusted contacts: 1 saved version in this export" in text
    assert all(secret not in text for secret in ("Aunt Rosa", "900461", CODE_WORD))



@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_finds_nothing_locked_with_errors_and_unlocked(browser, live_server, color_scheme):
    context = browser.new_context(base_url=live_server.url, color_scheme=color_scheme,
                                  permissions=["geolocation"], geolocation=HERE)
    page = context.new_page()
    set_up(page)
    open_trusted(page)
    axe = AxeScreens(page, color_scheme)
    axe.check("locked")
    page.click('[data-form="unlock"] [type=submit]')
    page.locator('[data-form="unlock"] [data-error]:not(:empty)').wait_for()
    axe.check("unlock error")
    unlock_trusted(page)
    axe.check("empty")
    fill_contacts(page, [("Aunt Rosa", "123", "")], "")
    page.locator("[data-error-summary]").wait_for()
    axe.check("errors")
    save_contacts(page)
    page.check("#where-police")
    page.locator('[data-message="police"] .trusted-location__where').wait_for()
    page.check("#practised-1")
    page.get_by_text("Noted, encrypted in your journal.").wait_for()
    axe.check("unlocked")
    context.close()
    assert axe.problems == [], "\n".join(axe.problems)


@pytest.mark.parametrize("width, font_size", [(320, 16), (360, 32)], ids=["320px", "200%-text"])
def test_fits_small_screens_and_big_text(browser, live_server, width, font_size):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 700})
    page = context.new_page()
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": font_size}})
    set_up(page)
    open_trusted(page)
    problems = [f"locked: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]
    unlock_trusted(page)
    save_contacts(page, [("Aunt Rosa Wilhelmina Montgomery-Smythe", "+48 601 234 567", "")] + CONTACTS[1:])
    problems += [f"unlocked: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]
    fill_contacts(page, [("Aunt Rosa", "1", "")], "")
    page.locator("[data-error-summary]").wait_for()
    problems += [f"errors: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]
    context.close()
    assert problems == [], "\n".join(problems)


# Nothing typed in clear: the checks of test_journal_canary.py, on what is typed on /trusted.

CANARY_NAME = "CANARY-c0ntact Ωmega"
CANARY_NUMBER = "07700 900817"
CANARY_CODE = "CANARY-c0deword"


def secrets_found(haystacks):
    found = []
    for name, secret in (("name", CANARY_NAME.split()[0]), ("number", CANARY_NUMBER.replace(" ", "")),
                         ("number as typed", CANARY_NUMBER), ("code word", CANARY_CODE)):
        for form in forms(secret.encode()):
            if any(form in hay for hay in haystacks):
                found.append(f"{name}: {form[:24]!r}")
    return found


def test_the_canary_check_finds_planted_contacts():
    assert secrets_found([b"x" + CANARY_CODE.encode() + b"y"]) and secrets_found(blobs({"k": CANARY_NUMBER}))


def test_contacts_and_code_word_never_reach_storage_cookies_network_database_or_logs(page, live_app, live_server,
                                                                                   caplog, capfd):
    caplog.set_level(logging.DEBUG)
    sent = []
    page.on("request", lambda request: sent.append((request.method, request.url, request.post_data_buffer or b"")))
    set_up(page)
    open_trusted(page)
    unlock_trusted(page)
    save_contacts(page, [(CANARY_NAME, CANARY_NUMBER, "")], CANARY_CODE)
    page.check("#practised-1")
    page.get_by_text("Noted, encrypted in your journal.").wait_for()
    # Typed and not saved, then locked: never stored.
    page.fill("#contact-2-name", CANARY_NAME + " unsaved")
    lock_all(page)
    page.locator('[data-state="locked"]').wait_for()
    assert saved_contacts(page)["codeWord"] == CANARY_CODE  # really saved
    page.wait_for_function("caches.keys().then((names) => names.length > 0)", timeout=15_000)

    stored = dump(page)
    database = Path(live_app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    files = [path.read_bytes() for path in database.parent.glob(database.name + "*")]
    out, err = capfd.readouterr()
    assert secrets_found(blobs(stored["indexedDB"])) == [], "IndexedDB"
    assert secrets_found(blobs(stored["localStorage"]) + blobs(stored["sessionStorage"])) == [], "Web Storage"
    assert secrets_found(blobs(stored["caches"])) == [], "Cache Storage"
    assert secrets_found([json.dumps(page.context.cookies()).encode()]) == [], "cookies"
    assert secrets_found([f"{m} {u}".encode() + body for m, u, body in sent]) == [], "requests"
    assert all(method == "GET" for method, _, _ in sent), "the page never sends anything"
    assert files and secrets_found(files) == [], "server database"
    assert secrets_found([caplog.text.encode(), out.encode(), err.encode()]) == [], "server logs"


def test_nothing_typed_on_the_page_reaches_the_browser_profile_on_disk(playwright_instance, live_server, tmp_path):
    profile = tmp_path / "profile"
    with persistent_context(playwright_instance, profile, live_server.url) as context:
        page = open_controlled(context, "/journal")
        set_up(page)
        open_trusted(page)
        unlock_trusted(page)
        save_contacts(page, [(CANARY_NAME, CANARY_NUMBER, "")], CANARY_CODE)
        page.fill("#contact-2-name", CANARY_NAME + " unsaved")  # typed, then left there
        page.wait_for_timeout(1500)  # the browser's own periodic session save
        page.goto("/helplines")
        page.wait_for_timeout(3000)
    secrets = {"name": CANARY_NAME.split()[0], "number": CANARY_NUMBER.replace(" ", ""), "code word": CANARY_CODE}
    assert profile_leaks(profile, secrets) == []


def test_the_exports_check_takes_a_contacts_record_and_refuses_a_malformed_one():
    from pwa.journal.bundle import well_formed

    good = {"kind": "contacts", "op": "create", "recordedAt": "2026-11-30T16:00:00.000Z", "codeWord": CODE_WORD,
            "contacts": [{"name": "Aunt Rosa", "number": "07700 900461", "practisedOn": "2026-11-30"}]}
    assert well_formed(good) and well_formed({**good, "op": "edit", "contacts": [], "codeWord": ""})
    assert not well_formed({**good, "op": "delete"})
    assert not well_formed({**good, "contacts": good["contacts"] * 4})  # three at most
    assert not well_formed({**good, "contacts": [{"name": 3, "number": "07700 900461"}]})
    assert not well_formed({**good, "codeWord": None})
