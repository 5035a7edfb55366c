"""The second (duress) passphrase in real Chromium: two passphrases open two journals, the storage of a journal
with a second passphrase looks like one without, quick-hide, lock and export behave the same in both, nothing is
ever wiped, an older one-slot journal is upgraded with every entry kept. See docs/duress.md."""
import base64

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import make_app
from support import LiveServer, open_controlled
from test_layout_browser import layout_problems, small_phone  # noqa: F401 (a fixture)
from test_journal_browser import PASSPHRASE, dump, journal_view, lock_all, set_up, unlock, unlock_to_home, write_entry

pytestmark = pytest.mark.browser

SECOND = "sunflower kettle orbit saturday"
EVERYDAY = ["Went swimming with Jo, then bought bread", "Tidied the garden and watched a film"]
SLOTS = ("od-data", "od-data-b")
RECORD_BLOCK = 256
INDEX_BLOCK = 4096
SEALED = 12 + 16  # nonce and tag around every sealed value


@pytest.fixture
def live_app(tmp_path):
    """As every other browser test's app, but with chaff on, as it ships."""
    return make_app(f"sqlite:///{tmp_path / 'live.sqlite'}", COMPRESS_RESPONSES=True, JOURNAL_CHAFF=True)


@pytest.fixture
def live_server(live_app):
    server = LiveServer(live_app).start()
    yield server
    server.stop()


def settled(page):
    """Waits until the chaff and chain check still running in the background are done (the journal's root is
    marked data-background while they run), so a dump is taken between writes, not in the middle of them."""
    page.locator('[data-module="journal"][data-background]').wait_for(state="detached")


def set_second(page, passphrase=SECOND, entries=EVERYDAY):
    page.click('[data-action="second"]')
    journal_view(page, "second").wait_for()
    page.fill("#second-passphrase", passphrase)
    page.fill("#second-confirm", passphrase)
    for i, text in enumerate(entries, start=1):
        page.fill(f"#second-entry{i}", text)
    page.click('[data-form="second"] [type=submit]')
    journal_view(page, "home").wait_for()
    assert "Second passphrase set" in page.inner_text("[data-status]")


def listed(page):
    """The list's entries, as text. textContent, not innerText: list items are laid out lazily
    (content-visibility: auto), and an item put on the page since the last frame has no innerText yet."""
    return "\n".join(page.locator("[data-list] li").all_text_contents())


def bucket(length, block):
    return (length - SEALED) % block == 0


def shape(value):
    """The bare shape of a stored value: keys, types, and sealed values' sizes by bucket."""
    if isinstance(value, dict):
        if set(value) == {"$bytes"}:
            return ("bytes", len(base64.b64decode(value["$bytes"])) if len(base64.b64decode(value["$bytes"])) < 100 else "long")
        return {key: shape(item) for key, item in value.items() if key not in ("seq",)}
    if isinstance(value, list):
        return [shape(item) for item in value]
    if isinstance(value, str):
        return ("str", len(value))
    return type(value).__name__


def layout(stored):
    """Which databases and stores exist, their keys (the log's by count only), and the shape of every value."""
    out = {}
    for name in SLOTS:
        db = stored["indexedDB"][name]
        out[name] = {
            "stores": sorted(db),
            "meta": [(key, shape(value)) for key, value in db["meta"]],
            "state": sorted(key for key, _ in db["state"] if key != "draft"),
            "log shapes": {repr(shape(item)) for _, item in db["log"]},
        }
    return out


def sizes_in_blocks(stored):
    """Every sealed record body is a whole number of 256-byte blocks, every sealed index of 4 KB."""
    problems = []
    for name in SLOTS:
        db = stored["indexedDB"][name]
        for seq, item in db["log"]:
            if not bucket(len(base64.b64decode(item["body"]["$bytes"])), RECORD_BLOCK):
                problems.append(f"{name} record {seq}")
        index = dict(db["state"]).get("index")
        if index and not bucket(len(base64.b64decode(index["$bytes"])), INDEX_BLOCK):
            problems.append(f"{name} index")
    return problems


def test_two_passphrases_open_two_journals_and_a_wrong_one_wipes_nothing(page, live_server):
    set_up(page)
    write_entry(page, what="He took my phone again")
    set_second(page)
    assert "He took my phone again" in listed(page)  # still in the journal that set it
    page.click('[data-action="lock"]')

    unlock_to_home(page, SECOND)
    decoy = listed(page)
    assert EVERYDAY[0] in decoy and EVERYDAY[1] in decoy and "He took my phone" not in decoy
    assert page.inner_text("[data-count]") != ""
    # Its settings say what a journal without a second passphrase says.
    page.click('[data-action="second"]')
    journal_view(page, "second").wait_for()
    assert "No second passphrase is set" in page.inner_text("[data-second-state]")
    assert page.locator("[data-second-remove]").is_hidden()
    page.click('[data-view="second"] [data-action="back"]')
    # The decoy is a journal like any other: writing in it works and stays in it.
    write_entry(page, what="Dentist at four")
    page.click('[data-action="check"]')
    page.locator('[data-check-result="ok"]').wait_for()
    assert "All 3 saved changes" in page.inner_text("[data-check-result]")
    page.click('[data-view="check"] [data-action="back"]')
    page.click('[data-action="lock"]')

    settled(page)
    before = dump(page)["indexedDB"]
    unlock(page, "not the passphrase at all")
    page.locator('[data-form="unlock"] [data-error]:has-text("Could not unlock")').wait_for()
    assert dump(page)["indexedDB"] == before  # a wrong passphrase changes nothing, in either slot

    unlock_to_home(page, PASSPHRASE)
    real = listed(page)
    assert "He took my phone again" in real and "Dentist" not in real and EVERYDAY[0] not in real
    page.click('[data-action="check"]')
    page.locator('[data-check-result="ok"]').wait_for()
    assert "All 1 saved changes" in page.inner_text("[data-check-result]") or "1 saved change" in page.inner_text("[data-check-result]")


def test_the_second_passphrase_must_differ_and_can_be_removed_without_losing_anything(page, live_server):
    set_up(page)
    write_entry(page, what="Kept whatever happens")
    page.click('[data-action="second"]')
    journal_view(page, "second").wait_for()
    assert "No second passphrase is set" in page.inner_text("[data-second-state]")
    page.fill("#second-passphrase", PASSPHRASE)
    page.fill("#second-confirm", PASSPHRASE)
    page.click('[data-form="second"] [type=submit]')
    page.locator('[data-form="second"] [data-error]:has-text("different")').wait_for()
    page.fill("#second-passphrase", SECOND)
    page.fill("#second-entry1", "Typed, then hidden")
    lock_all(page)  # quick-hide empties the screen, as every other journal screen
    journal_view(page, "unlock").wait_for()
    assert page.input_value("#second-passphrase") == "" and page.input_value("#second-entry1") == ""
    unlock_to_home(page)
    set_second(page, entries=[])
    # The journal's own passphrase cannot become the second one.
    page.click('[data-action="passphrase"]')
    page.fill("#change-current", PASSPHRASE)
    page.fill("#change-passphrase", SECOND)
    page.fill("#change-confirm", SECOND)
    page.click('[data-form="passphrase"] [type=submit]')
    page.locator('[data-form="passphrase"] [data-error]:has-text("different from your second passphrase")').wait_for()
    page.click('[data-view="passphrase"] [data-action="back"]')
    page.click('[data-action="second"]')
    assert "A second passphrase is set" in page.inner_text("[data-second-state]")
    page.click('[data-action="second-remove"]')
    page.click('[data-action="second-remove"]')  # the second press confirms
    page.locator('[data-status]:has-text("Second passphrase removed")').wait_for()
    page.click('[data-view="second"] [data-action="back"]')
    page.click('[data-action="lock"]')
    unlock(page, SECOND)
    page.locator('[data-form="unlock"] [data-error]:has-text("Could not unlock")').wait_for()
    unlock_to_home(page, PASSPHRASE)
    assert "Kept whatever happens" in listed(page)


def test_storage_looks_the_same_with_or_without_a_second_passphrase(browser, live_server):
    stored = {}
    for with_second in (False, True):
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        set_up(page)
        write_entry(page, what="Something that happened")
        if with_second:
            set_second(page)
        page.click('[data-action="lock"]')
        unlock_to_home(page, SECOND if with_second else PASSPHRASE)
        settled(page)  # as a journal is left after use: its chaff written, not cut short by the lock
        page.click('[data-action="lock"]')
        stored[with_second] = dump(page)
        context.close()
    assert layout(stored[False]) == layout(stored[True])
    for with_second in (False, True):
        assert sizes_in_blocks(stored[with_second]) == []
        for name in SLOTS:
            assert [key for key, _ in stored[with_second]["indexedDB"][name]["meta"]] == ["vault"]
    # The decoy's two entries are not what its slot holds: chaff is written into both slots of every journal.
    decoy_records = len(stored[True]["indexedDB"]["od-data-b"]["log"])
    assert decoy_records > len(EVERYDAY)
    assert len(stored[False]["indexedDB"]["od-data-b"]["log"]) >= 2  # an unused slot holds chaff too
    assert len(stored[False]["indexedDB"]["od-data"]["log"]) > 1  # and the journal more than its one entry


def test_both_slots_are_whole_as_soon_as_a_new_journal_opens(page, live_server):
    """No wait for the background: this is what a page closed the moment the journal shows would leave."""
    set_up(page)
    stored = dump(page)["indexedDB"]
    for name in SLOTS:
        assert [key for key, _ in stored[name]["meta"]] == ["vault"], name
        assert sorted(key for key, _ in stored[name]["state"]) == ["index", "pair"], name
        assert len(stored[name]["log"]) >= 2, name  # chaff, before any entry
    assert sizes_in_blocks({"indexedDB": stored}) == []


def test_quick_hide_lock_and_export_behave_the_same_in_both_journals(page, live_app, live_server, tmp_path):
    set_up(page)
    write_entry(page, what="A real entry")
    set_second(page)
    page.click('[data-action="lock"]')
    for passphrase, words, other in ((SECOND, EVERYDAY[0], "A real entry"), (PASSPHRASE, "A real entry", EVERYDAY[0])):
        unlock_to_home(page, passphrase)
        assert words in listed(page)
        lock_all(page)  # quick-hide
        journal_view(page, "unlock").wait_for()
        assert words not in page.content()
        unlock_to_home(page, passphrase)
        page.click('[data-action="export"]')
        page.click('[data-action="make-export"]')
        page.locator("[data-export-link]").wait_for()
        code = page.inner_text("[data-export-code]").strip()
        # Chaff is in the file (the chain needs it) but never counted as a saved change.
        entries = 2 if passphrase == SECOND else 1
        assert f"{entries} saved change" in page.inner_text("[data-export]")
        with page.expect_download() as download:
            page.click("[data-export-link]")
        exported = tmp_path / f"export-{entries}.json"
        download.value.save_as(exported)
        page.click('[data-view="export"] [data-action="back"]')
        page.click('[data-action="lock"]')
        journal_view(page, "unlock").wait_for()
        assert words not in page.content()

        runner = live_app.test_cli_runner()
        result = runner.invoke(args=["journal", "verify", str(exported), "--code", code])
        assert result.exit_code == 0, result.output  # chaff links and verifies like any revision
        report = tmp_path / f"report-{entries}.txt"
        result = runner.invoke(args=["journal", "decrypt", str(exported), "--code", code, "--out", str(report)])
        assert result.exit_code == 0, result.output
        text = report.read_text()
        assert words in text and other not in text and "chaff" not in text


def test_a_one_slot_journal_is_upgraded_with_every_entry_kept(page, live_server):
    page.goto("/journal")
    journal_view(page, "setup").wait_for()
    # A journal as the app made it before there were two slots: one database, one header, no pair.
    page.evaluate("""async (passphrase) => {
      const { openStore } = await import('/static/js/journal/store.js')
      const { Session } = await import('/static/js/journal/session.js')
      const session = new Session(await openStore(), { idleMs: 60000 })
      await session.setup(passphrase)
      await session.journal.load()
      for (const what of ['First from before', 'Second from before']) {
        await session.journal.save(null, { occurredDate: '2026-01-02', what, tags: [] }, [])
      }
      session.vault.lock()
    }""", PASSPHRASE)
    before = dump(page)["indexedDB"]
    assert "od-data-b" not in before or before["od-data-b"]["meta"] == []
    page.reload()
    unlock_to_home(page)
    assert "First from before" in listed(page) and "Second from before" in listed(page)
    # The other slot is made whole before the journal opens: header, pair, index and chaff in its log.
    page.click('[data-action="lock"]')
    after = dump(page)["indexedDB"]
    assert [key for key, _ in after["od-data-b"]["meta"]] == ["vault"]
    assert sorted(key for key, _ in after["od-data-b"]["state"]) == ["index", "pair"]
    assert len(after["od-data-b"]["log"]) >= 2
    old = [item["hash"] for _, item in before["od-data"]["log"]]
    assert [item["hash"] for _, item in after["od-data"]["log"]][:len(old)] == old  # every revision kept as it was
    unlock_to_home(page)
    set_second(page, entries=["Walked to the shops"])
    page.click('[data-action="lock"]')
    unlock_to_home(page, SECOND)
    assert "Walked to the shops" in listed(page) and "from before" not in listed(page)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_second_passphrase_screen(browser, live_server, color_scheme):
    context = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
    page = context.new_page()
    set_up(page)
    page.click('[data-action="second"]')
    journal_view(page, "second").wait_for()
    page.click('[data-action="second-examples"]')
    options = {"resultTypes": ["violations"]}
    if color_scheme == "dark":
        options["runOnly"] = {"type": "rule", "values": ["color-contrast"]}
    violations = Axe().run(page, options=options).response["violations"]
    context.close()
    assert [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations] == []


def test_the_second_passphrase_screen_at_320px_with_200_percent_text(small_phone):
    page = small_phone
    set_up(page)
    page.click('[data-action="second"]')
    journal_view(page, "second").wait_for()
    page.click('[data-action="second-examples"]')
    assert layout_problems(page) == []


def test_a_chaff_record_altered_outside_the_app_is_reported_never_hidden(page, live_server):
    set_up(page)
    write_entry(page, what="The only entry")
    entry = page.get_attribute("[data-list] [data-id]", "data-id")
    settled(page)  # set-up's chaff in the journal's own slot is written after the chain check
    page.click('[data-action="lock"]')
    changed = page.evaluate("""async (entry) => {
      const { openStore } = await import('/static/js/journal/store.js')
      const store = await openStore('od-data')
      const chaff = (await store.getAll('log')).filter((item) => item.entry !== entry)
      const item = chaff[0]
      item.body[20] ^= 1
      await store.write(['log'], ({ log }) => log.put(item))
      store.close()
      return chaff.length
    }""", entry)
    assert changed >= 2  # set-up wrote chaff into the journal's own slot
    unlock_to_home(page)
    page.click('[data-action="check"]')
    page.locator('[data-check-result="problems"]').wait_for()
    found = page.inner_text('[data-view="check"]')
    assert "does not match its hash" in found and "cannot be decrypted" in found


def test_the_decoy_opens_offline_and_nothing_goes_to_another_site(page, live_server):
    tab = open_controlled(page.context, "/journal")
    set_up(tab)
    set_second(tab)
    tab.click('[data-action="lock"]')
    page.context.set_offline(True)
    tab.reload()
    unlock_to_home(tab, SECOND)
    assert EVERYDAY[0] in listed(tab)
    write_entry(tab, what="Written offline")
    assert "Written offline" in listed(tab)
    page.context.set_offline(False)
    assert [url for url in page.requests_seen if not url.startswith(live_server.url)] == []
