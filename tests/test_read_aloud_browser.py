"""Read aloud in real Chromium, with the speech engine replaced by a recorder (headless Chromium has no
voices): what is read, in which language and voice, pause/stop, no voice, and quick-hide stopping it."""
import pytest

from pwa import i18n
from support import assert_on_decoy

pytestmark = pytest.mark.browser

# A stand-in for window.speechSynthesis: it records each utterance and every call, and starts the first
# utterance so the page marks the block being read. `window.voices` sets what the phone has.
FAKE_SPEECH = """
(() => {
  const record = (entry) => {
    const log = JSON.parse(sessionStorage.getItem('speech') || '[]')
    log.push(entry)
    sessionStorage.setItem('speech', JSON.stringify(log))
  }
  addEventListener('pagehide', () => record({ call: 'pagehide' }))  // registered before the page's own
  window.voices = [{ name: 'Phone English', lang: 'en-GB', localService: true, default: true }]
  const fake = {
    getVoices: () => window.voices,
    addEventListener () {},
    removeEventListener () {},
    speak (utterance) {
      record({ call: 'speak', text: utterance.text, lang: utterance.lang, voice: utterance.voice && utterance.voice.name })
      if (!fake.started) { fake.started = true; utterance.onstart && utterance.onstart() }
    },
    cancel () { record({ call: 'cancel', hiding: document.documentElement.classList.contains('is-hiding') }) },
    pause () { record({ call: 'pause' }) },
    resume () { record({ call: 'resume' }) }
  }
  Object.defineProperty(window, 'speechSynthesis', { value: fake, configurable: true })
  // The real utterance accepts only the engine's own voice objects.
  window.SpeechSynthesisUtterance = class { constructor (text) { this.text = text } }
})()
"""


def speech_log(page):
    return page.evaluate("() => JSON.parse(sessionStorage.getItem('speech') || '[]')")


def spoken(page):
    return [entry["text"] for entry in speech_log(page) if entry["call"] == "speak"]


def start_reading(page):
    page.get_by_role("button", name="Read aloud").click()
    page.get_by_role("button", name="Pause").wait_for()  # shown once every block is queued


def open_with_speech(open_tab, path, voices=None):
    script = FAKE_SPEECH if voices is None else FAKE_SPEECH + f"\nwindow.voices = {voices}"
    return open_tab(path, entered=True, init_scripts=[script])


def test_a_guide_is_read_block_by_block_in_the_phones_own_voice_with_numbers_digit_by_digit(open_tab):
    page = open_with_speech(open_tab, "/guides/silent-solution")
    start_reading(page)
    texts = spoken(page)
    assert texts[0] == page.locator("h1").inner_text()
    assert "If you are in immediate danger, call 9 9 9." in texts
    assert not any("Read aloud" in text for text in texts)  # the control is not content
    speaks = [entry for entry in speech_log(page) if entry["call"] == "speak"]
    assert {(entry["lang"], entry["voice"]) for entry in speaks} == {("en-GB", "Phone English")}
    assert page.locator("h1.is-being-read").count() == 1
    assert page.get_by_role("button", name="Pause").is_visible()


def test_pause_carry_on_and_stop(open_tab):
    page = open_with_speech(open_tab, "/guides/recognising-the-signs")
    start_reading(page)
    page.get_by_role("button", name="Pause").click()
    assert page.get_by_role("button", name="Carry on reading").is_visible()
    assert not page.get_by_role("button", name="Pause").is_visible()
    page.get_by_role("button", name="Carry on reading").click()
    page.get_by_role("button", name="Stop reading").click()
    calls = [entry["call"] for entry in speech_log(page)]
    assert calls[-3:] == ["pause", "resume", "cancel"]
    assert page.get_by_role("button", name="Read aloud").is_visible()
    assert page.locator(".is-being-read").count() == 0


def test_the_contacts_page_reads_only_the_contacts_shown(open_tab):
    page = open_with_speech(open_tab, "/helplines?category=stalking")
    start_reading(page)
    text = " ".join(spoken(page))
    assert "National Stalking Helpline" in text
    assert "Samaritans" not in text  # filtered out, so hidden: not read
    assert "Kind of help" not in text  # the filter's form is not read


@pytest.mark.parametrize("voices", [
    "[]",  # no voice at all
    "[{ name: 'Cloud', lang: 'en-GB', localService: false, default: true }]",  # only one that sends the words away
])
def test_without_a_voice_on_the_phone_it_says_so_and_reads_nothing(open_tab, voices):
    page = open_with_speech(open_tab, "/guides/safety-plan", voices=voices)
    page.get_by_role("button", name="Read aloud").click()
    page.wait_for_function("() => document.querySelector('[data-read-aloud-status]').textContent !== ''")
    assert "has no voice for this language" in page.locator("[data-read-aloud-status]").inner_text()
    assert spoken(page) == []


def test_a_welsh_page_is_not_read_by_an_english_voice(open_tab, live_server):
    page = open_with_speech(open_tab, "/")
    page.context.add_cookies([{"name": i18n.COOKIE, "value": "cy", "url": live_server.url}])
    page.goto("/guides/safety-plan")
    assert page.evaluate("document.documentElement.lang") == "cy"
    page.locator("[data-read-aloud='start']").click()
    page.wait_for_function("() => document.querySelector('[data-read-aloud-status]').textContent !== ''")
    assert spoken(page) == []
    page.evaluate("window.voices.push({ name: 'Llais', lang: 'cy-GB', localService: true })")
    page.locator("[data-read-aloud='start']").click()
    page.locator("[data-read-aloud='pause']").wait_for()
    assert {entry["voice"] for entry in speech_log(page) if entry["call"] == "speak"} == {"Llais"}


def test_quick_hide_stops_the_reading_before_the_page_goes(open_tab):
    page = open_with_speech(open_tab, "/guides/silent-solution")
    start_reading(page)
    page.get_by_role("link", name="Hide this page").click()
    assert_on_decoy(page)
    log = speech_log(page)
    # Stopped with the cover, before the page began to go (not only by the pagehide safety net).
    assert {"call": "cancel", "hiding": True} in log[:log.index({"call": "pagehide"})]


def test_without_javascript_the_control_stays_hidden(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/guides/silent-solution")
    assert page.locator("[data-module='read-aloud']").count() == 1
    assert not page.locator("[data-module='read-aloud']").is_visible()
    context.close()
