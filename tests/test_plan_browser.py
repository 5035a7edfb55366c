"""The safety plan in real Chromium: the four parts one at a time, answers kept encrypted in the journal, locking
and quick-hide emptying the page, printing after a warning, and the plan in an export the server decrypts.

The questions are whatever pwa.plan.questions_by_part() gives (a placeholder list for now): the flow below uses
a question shown only with another's answer, the question it depends on, and the first text question always asked.
"""
from urllib.parse import urlsplit

import pytest
from support import AxeScreens, assert_on_decoy
from test_accessibility import LAYOUT_PROBLEMS
from test_journal_browser import (
    PASSPHRASE,
    dump,
    journal_view,
    lock_all,
    set_up,
    unlock_to_home,
)
from test_journal_export import export_through_the_ui

from pwa import create_app
from pwa.plan import PARTS, questions_by_part

pytestmark = pytest.mark.browser

WORDS = "Aunt Rosa on Millbank Road, PLAN-4e1d"


def published_questions() -> dict[str, dict]:
    """The questions the default content pack publishes, as the page renders them."""
    import tempfile

    from conftest import make_app

    app = make_app(f"sqlite:///{tempfile.mkdtemp(prefix='plan-questions-')}/questions.sqlite")
    with app.app_context():
        return {q["slug"]: q for _, listed in questions_by_part() for q in listed}


QUESTIONS = published_questions()
CONDITIONAL = next(q for q in QUESTIONS.values() if q["show_if"] and q["options"])
DEPENDS_ON, DEPENDS_VALUE = CONDITIONAL["show_if"].split("=")
TEXT = next(q for q in QUESTIONS.values() if q["kind"] == "text" and not q["show_if"])
PART_OF = {q["slug"]: [part.slug for part in PARTS].index(q["part"]) for q in QUESTIONS.values()}


def option_label(slug, value):
    return next(o["label"] for o in QUESTIONS[slug]["options"] if o["value"] == value)


def open_plan(page):
    page.goto("/plan")
    page.locator(".plan--enhanced").wait_for(state="attached")


def go_to_part(page, index):
    """Next or Back until the part is on screen, as a person would."""
    shown = lambda: next(i for i, part in enumerate(PARTS) if page.locator(f'[data-part="{part.slug}"]').is_visible())
    while shown() != index:
        action = "next" if shown() < index else "back"
        page.click(f'[data-part="{PARTS[shown()].slug}"] [data-action="{action}"]')


def tick(page, slug, value):
    go_to_part(page, PART_OF[slug])
    page.check(f"#q-{slug}-{value}")


def unlock_plan(page, passphrase=PASSPHRASE):
    page.click('[data-action="keep"]')
    page.fill("#plan-passphrase", passphrase)
    page.click('[data-form="unlock"] [type=submit]')
    page.locator('[data-keep-state="on"]').wait_for()


def saved_plan(page):
    """The plan as the vault holds it now, opened with the passphrase in a separate session (not the page's)."""
    return page.evaluate("""async (passphrase) => {
      const { Session } = await import('/static/js/journal/session.js')
      const { openStore } = await import('/static/js/journal/store.js')
      const session = new Session(await openStore(), { idleMs: 60000 })
      await session.unlock(passphrase)
      await session.journal.load()
      const plan = session.journal.plan
      const log = await session.journal.store.getAll('log')
      session.vault.lock()
      return { plan, revisions: log.filter((item) => item.entry === plan?.id).length }
    }""", PASSPHRASE)


def wait_for_save(page, predicate):
    """Polls the vault until the saved plan satisfies predicate (autosave is debounced)."""
    for _ in range(100):
        state = saved_plan(page)
        if state["plan"] and predicate(state["plan"]["answers"]):
            return state
        page.wait_for_timeout(100)
    raise AssertionError(f"never saved: {saved_plan(page)}")


def answers_on_page(page):
    values = {}
    for slug, question in QUESTIONS.items():
        if question["kind"] == "text":
            values[slug] = page.input_value(f"#q-{slug}")
        else:
            values[slug] = [o["value"] for o in question["options"] if page.is_checked(f"#q-{slug}-{o['value']}")]
    return values


def test_without_javascript_the_whole_plan_is_there_to_read_or_print(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/plan")
    assert "typed answers are not kept" in page.inner_text("main")
    for number, part in enumerate(PARTS, start=1):
        assert page.locator(f"#part-{part.slug}").is_visible()
        assert page.locator(f"#part-{part.slug}").inner_text().startswith(f"Part {number} of 4")
    assert page.locator(f'[data-question="{CONDITIONAL["slug"]}"]').is_visible()  # with its condition in words
    assert page.locator("[data-keep]").is_hidden() and page.locator('[data-action="next"]').count() > 0
    assert not page.locator('[data-action="next"]').first.is_visible()
    page.emulate_media(media="print")
    assert page.locator(f"#q-{TEXT['slug']}").is_visible()  # the blank plan prints, to fill in by hand
    assert page.locator("[data-quick-hide]").is_hidden() and page.locator(".site-header").is_hidden()
    context.close()


def test_without_a_journal_the_plan_can_be_gone_through_but_nothing_is_stored(page, live_server):
    open_plan(page)
    assert page.locator("#part-situation").inner_text().startswith("Part 1 of 4")
    assert page.locator('[data-part="safety"]').is_hidden()  # one part at a time
    conditional = page.locator(f'[data-question="{CONDITIONAL["slug"]}"]')
    tick(page, DEPENDS_ON, DEPENDS_VALUE)
    go_to_part(page, PART_OF[CONDITIONAL["slug"]])
    assert page.evaluate("document.activeElement.id") == f"part-{CONDITIONAL['part']}"  # focus on the part's heading
    assert page.locator(f"#part-{CONDITIONAL['part']}").inner_text().startswith(f"Part {PART_OF[CONDITIONAL['slug']] + 1} of 4")
    assert conditional.is_visible()
    page.check(f"#q-{CONDITIONAL['slug']}-{CONDITIONAL['options'][0]['value']}")
    if QUESTIONS[DEPENDS_ON]["kind"] == "many":
        go_to_part(page, PART_OF[DEPENDS_ON])
        page.uncheck(f"#q-{DEPENDS_ON}-{DEPENDS_VALUE}")
    else:
        tick(page, DEPENDS_ON, next(o["value"] for o in QUESTIONS[DEPENDS_ON]["options"] if o["value"] != DEPENDS_VALUE))
    go_to_part(page, PART_OF[CONDITIONAL["slug"]])
    assert conditional.is_hidden()  # shown only with the answer it depends on

    go_to_part(page, PART_OF[TEXT['slug']])
    page.fill(f"#q-{TEXT['slug']}", WORDS)
    go_to_part(page, 3)
    summary = page.locator("[data-summary-list]")
    # Its answer went with the question: not in the summary (nor in what would be saved).
    assert WORDS in summary.inner_text() and CONDITIONAL["text"] not in summary.inner_text()
    page.click('[data-action="keep"]')
    notice = page.locator('[data-keep-state="no-journal"]')
    notice.wait_for()
    assert notice.get_by_role("link", name="set up your journal").get_attribute("href") == "/journal"
    assert dump(page)["indexedDB"]["od-data"]["log"] == []  # nothing stored
    assert WORDS not in str(dump(page))


def test_a_plan_built_locked_hidden_and_unlocked_again_comes_back_whole_then_prints_and_exports(page, live_server, tmp_path):
    cli = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).test_cli_runner()
    set_up(page)
    page.get_by_role("link", name="Safety plan").click()  # from the journal's home
    page.locator(".plan--enhanced").wait_for(state="attached")
    # Part 1 answered before unlocking: kept over the (empty) saved plan once unlocked.
    tick(page, DEPENDS_ON, DEPENDS_VALUE)
    unlock_plan(page)
    assert page.evaluate("document.activeElement.id").startswith("part-")  # back to the plan, not lost
    first = CONDITIONAL["options"][0]["value"]
    tick(page, CONDITIONAL["slug"], first)
    go_to_part(page, PART_OF[TEXT['slug']])
    page.fill(f"#q-{TEXT['slug']}", WORDS)
    state = wait_for_save(page, lambda answers: TEXT["slug"] in answers)
    answers = state["plan"]["answers"]
    # Self-describing: the question's words and the option's label are kept with the value.
    assert answers[DEPENDS_ON]["question"] == QUESTIONS[DEPENDS_ON]["text"]
    assert answers[DEPENDS_ON]["labels"] == [option_label(DEPENDS_ON, DEPENDS_VALUE)]
    assert answers[CONDITIONAL["slug"]]["value"] == ([first] if CONDITIONAL["kind"] == "many" else first)
    assert answers[TEXT["slug"]]["value"] == WORDS
    assert WORDS not in str(dump(page))  # only ciphertext is stored
    before = answers_on_page(page)

    page.click('[data-action="lock"]')
    page.locator('[data-keep-state="off"]').wait_for()
    assert page.evaluate("document.activeElement.dataset.action") == "keep"
    assert answers_on_page(page) == {slug: "" if q["kind"] == "text" else [] for slug, q in QUESTIONS.items()}
    assert WORDS not in page.content()
    unlock_plan(page)
    assert answers_on_page(page) == before

    # Quick-hide mid-way, a change not yet saved: it is saved as the page locks, and the page is emptied.
    go_to_part(page, PART_OF[TEXT['slug']])
    page.fill(f"#q-{TEXT['slug']}", WORDS + " or the library")
    page.click("[data-quick-hide]")
    assert_on_decoy(page)
    page.get_by_role("searchbox").press("Enter")  # the way back in (no PIN chosen)
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    page.goto("/plan")
    page.locator(".plan--enhanced").wait_for(state="attached")
    assert page.input_value(f"#q-{TEXT['slug']}") == ""
    unlock_plan(page)
    assert answers_on_page(page) == before | {TEXT["slug"]: WORDS + " or the library"}
    assert saved_plan(page)["revisions"] >= 3  # each save is a revision; older ones stay in the log

    # Printing: a warning first, then only the summary; the browser's own Print shows no answers.
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1 } }")
    go_to_part(page, 3)
    page.emulate_media(media="print")
    assert page.locator(".plan-screen").is_hidden() and page.locator("[data-printout]").is_hidden()
    page.emulate_media(media="screen")
    page.click('[data-action="print-warning"]')
    warning = page.locator("[data-print-warning]")
    assert "not encrypted" in warning.inner_text() and "Downloads" in warning.inner_text()
    assert page.evaluate("window.printed") is None
    page.click('[data-action="print"]')
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    printout = page.locator("[data-printout]")
    assert printout.is_visible() and page.locator(".plan-screen").is_hidden()
    assert WORDS in printout.inner_text() and "My safety plan" in printout.inner_text()
    assert page.locator("[data-quick-hide]").is_hidden() and page.locator(".site-header").is_hidden()
    page.emulate_media(media="screen")
    lock_all(page, "button")
    assert printout.inner_text() == ""  # locking empties what was ready to print too

    # The export carries the plan; the server's decrypt prints it, question by question.
    page.goto("/journal")
    unlock_to_home(page)
    assert page.locator("[data-list] li").count() == 0  # the plan is not an entry
    assert page.inner_text("[data-count]") == "No entries yet."
    page.click('[data-action="check"]')  # the journal's own check reads plan revisions like any other
    assert "check out: nothing has been altered" in page.locator('[data-check-result="ok"]').inner_text()
    page.click('[data-view="check"] [data-action="back"]')
    path, code = export_through_the_ui(page, tmp_path)
    assert cli.invoke(args=["journal", "verify", str(path), "--code", code]).exit_code == 0
    report = tmp_path / "report.txt"
    result = cli.invoke(args=["journal", "decrypt", str(path), "--code", code, "--out", str(report)])
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert "Safety plan, saved " in text
    assert f"  {TEXT['text']}\n    {WORDS} or the library" in text
    assert f"  {QUESTIONS[DEPENDS_ON]['text']}\n    {option_label(DEPENDS_ON, DEPENDS_VALUE)}" in text


def test_the_idle_lock_empties_the_plan(browser, tmp_path):
    from conftest import make_app
    from support import LiveServer

    app = make_app(f"sqlite:///{tmp_path / 'idle.sqlite'}", JOURNAL_IDLE_SECONDS=2)
    server = LiveServer(app).start()
    try:
        context = browser.new_context(base_url=server.url)
        page = context.new_page()
        set_up(page)
        open_plan(page)
        unlock_plan(page)
        go_to_part(page, PART_OF[TEXT['slug']])
        page.fill(f"#q-{TEXT['slug']}", WORDS)
        page.locator('[data-keep-state="off"]').wait_for(timeout=10_000)
        assert page.input_value(f"#q-{TEXT['slug']}") == ""
        assert "Locked after a few minutes without use" in page.inner_text("[data-status]")
        assert wait_for_save(page, lambda answers: answers.get(TEXT["slug"], {}).get("value") == WORDS)
        context.close()
    finally:
        server.stop()



@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_plan_before_and_after_unlocking(browser, live_server, color_scheme):
    context = browser.new_context(base_url=live_server.url, color_scheme=color_scheme)
    page = context.new_page()
    set_up(page)
    open_plan(page)
    axe = AxeScreens(page, color_scheme)
    axe.check("locked")
    page.click('[data-action="keep"]')
    page.click('[data-form="unlock"] [type=submit]')  # an empty passphrase: the form with its error
    page.locator('[data-form="unlock"] [data-error]:not(:empty)').wait_for()
    axe.check("unlock error")
    page.fill("#plan-passphrase", PASSPHRASE)
    page.click('[data-form="unlock"] [type=submit]')
    page.locator('[data-keep-state="on"]').wait_for()
    tick(page, DEPENDS_ON, DEPENDS_VALUE)
    for index in range(len(PARTS)):
        go_to_part(page, index)
        axe.check(f"unlocked part {index + 1}")
    page.click('[data-action="print-warning"]')
    axe.check("print warning")
    context.close()
    assert axe.problems == [], "\n".join(axe.problems)


@pytest.mark.parametrize("width, font_size", [(320, 16), (360, 32)], ids=["320px", "200%-text"])
def test_the_plan_fits_small_screens_and_big_text(browser, live_server, width, font_size):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 700})
    page = context.new_page()
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": font_size}})
    set_up(page)
    open_plan(page)
    problems = []
    unlock_plan(page)
    tick(page, DEPENDS_ON, DEPENDS_VALUE)
    go_to_part(page, PART_OF[TEXT['slug']])
    page.fill(f"#q-{TEXT['slug']}", "A long answer " * 20)
    for index in range(len(PARTS)):
        go_to_part(page, index)
        problems += [f"part {index + 1}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]
    context.close()
    assert problems == [], "\n".join(problems)


def test_the_plan_works_offline_after_a_first_visit_and_asks_nothing_of_other_sites(page, live_server):
    """Never opened before: the page and its modules are kept on a later visit (keep-for-offline), pages first."""
    from support import CONTROLLED, wait_until

    page.goto("/")
    page.wait_for_function(CONTROLLED)
    page.reload()  # a later visit, online: the worker fetches the plan's modules by itself
    wait_until(page, """async () => {
      const kept = []
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) kept.push(new URL(request.url).pathname)
      }
      return ['app.js', 'answers.js'].every((file) => kept.includes(`/static/js/plan/${file}`))
    }""")
    kept_pages = page.evaluate("""async () => {
      const kept = []
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) kept.push(new URL(request.url).pathname)
      }
      return kept.filter((path) => path.startsWith('/__kept/')).map((path) => decodeURIComponent(path.slice(8)))
    }""")
    assert sorted(kept_pages) == ["/appearance", "/check", "/limits", "/plan", "/tech-check", "/trusted"]  # pages before their modules
    page.context.set_offline(True)
    page.goto("/limits")
    assert page.locator("[data-traces]").count() == 1  # the page itself, not "No connection"
    page.goto("/plan")
    page.locator(".plan--enhanced").wait_for(state="attached")
    tick(page, DEPENDS_ON, DEPENDS_VALUE)
    go_to_part(page, PART_OF[CONDITIONAL["slug"]])
    assert page.locator(f'[data-question="{CONDITIONAL["slug"]}"]').is_visible()
    host = urlsplit(live_server.url).netloc
    assert all(urlsplit(url).netloc == host for url in page.requests_seen if url.startswith("http"))


RISK = {"title": "Self-check", "recordedAt": "2026-11-30T06:00:00.000Z", "summary": "Talk to an adviser soon.",
        "answers": {"afraid": {"question": "Are you afraid of them?", "value": "yes", "labels": ["Yes"]}}}
KEEP_IN_PLAN = """(changes) => import('/static/js/plan/keep.js').then(({ keepInPlan }) => {
  const box = document.createElement('div')
  box.id = 'keep-box'
  document.querySelector('main').append(box)
  keepInPlan(box, changes).then((result) => { window.keptResult = result })
})"""


def test_another_page_keeps_its_answers_in_the_plan_with_keep_js(page, browser, live_server):
    set_up(page)
    open_plan(page)
    unlock_plan(page)
    tick(page, DEPENDS_ON, DEPENDS_VALUE)
    wait_for_save(page, lambda answers: DEPENDS_ON in answers)
    lock_all(page, "button")

    page.goto("/helplines")  # any page: the self-check's will do the same
    page.evaluate(KEEP_IN_PLAN, {"risk": RISK})
    box = page.locator("#keep-box")
    box.get_by_label("Your journal's passphrase").fill("not the passphrase at all")
    box.get_by_role("button", name="Keep in my safety plan").click()
    box.get_by_text("Could not unlock. Check the passphrase and try again.").wait_for()
    box.get_by_label("Your journal's passphrase").fill(PASSPHRASE)
    box.get_by_role("button", name="Keep in my safety plan").click()
    page.wait_for_function("() => window.keptResult")
    assert page.evaluate("window.keptResult") == {"saved": True}
    assert "The journal is locked again" in box.inner_text()
    state = saved_plan(page)
    assert state["plan"]["risk"] == RISK  # merged in: the plan's own answers stay as they were
    assert state["plan"]["answers"][DEPENDS_ON]["value"] == DEPENDS_VALUE
    assert RISK["summary"] not in str(dump(page))

    # "Not now", and quick-hide before unlocking: nothing kept, the form gone.
    page.evaluate("() => { window.keptResult = null; document.querySelector('#keep-box').remove() }")
    page.evaluate(KEEP_IN_PLAN, {"risk": {**RISK, "summary": "Changed"}})
    box.get_by_role("button", name="Not now").click()
    page.wait_for_function("() => window.keptResult")
    assert page.evaluate("window.keptResult") == {"saved": False, "reason": "cancelled"}
    assert box.locator("input").count() == 0
    assert saved_plan(page)["plan"]["risk"] == RISK

    # A phone without a journal: said so, with the way to set one up, and nothing stored.
    context = browser.new_context(base_url=live_server.url)
    fresh = context.new_page()
    fresh.goto("/helplines")
    fresh.evaluate(KEEP_IN_PLAN, {"risk": RISK})
    fresh.wait_for_function("() => window.keptResult")
    assert fresh.evaluate("window.keptResult") == {"saved": False, "reason": "no-journal"}
    assert fresh.locator("#keep-box").get_by_role("link", name="Set up your journal").get_attribute("href") == "/journal"
    context.close()


def test_a_journal_restored_from_an_export_brings_the_plan_back(page, browser, live_server, tmp_path):
    set_up(page)
    open_plan(page)
    unlock_plan(page)
    tick(page, DEPENDS_ON, DEPENDS_VALUE)
    go_to_part(page, PART_OF[TEXT['slug']])
    page.fill(f"#q-{TEXT['slug']}", WORDS)
    wait_for_save(page, lambda answers: TEXT["slug"] in answers)
    before = answers_on_page(page)
    page.goto("/journal")
    unlock_to_home(page)
    path, code = export_through_the_ui(page, tmp_path)

    context = browser.new_context(base_url=live_server.url)
    fresh = context.new_page()
    fresh.goto("/journal")
    fresh.click('[data-view="setup"] [data-action="backup"]')
    journal_view(fresh, "backup").wait_for()
    fresh.set_input_files("#restore-file", str(path))
    fresh.fill("#restore-export-code", code)
    fresh.fill("#restore-new-passphrase", "new phone new passphrase words")
    fresh.click('[data-backup-action="restore-file"]')
    fresh.locator("[data-restored]").wait_for(timeout=60000)
    open_plan(fresh)
    unlock_plan(fresh, "new phone new passphrase words")
    assert answers_on_page(fresh) == before
    context.close()


def test_a_plan_saved_on_another_device_is_not_lost_when_two_devices_share_a_backup(browser, live_server):
    """The phone's line of changes is the longer: the laptop's plan comes back as a change from another device."""
    from test_backup_browser import (
        backed_up,
        fresh_page,
        restore_from_server,
        restored_and_up_to_date,
        wait_up_to_date,
    )
    from test_journal_browser import write_entry

    context_a, phone = fresh_page(browser, live_server)
    context_b, laptop = fresh_page(browser, live_server)
    context_c, third = fresh_page(browser, live_server)
    try:
        code = backed_up(phone, "Written on the phone")
        restored_and_up_to_date(laptop, code)
        context_a.set_offline(True)
        write_entry(phone, what="Phone, second")
        write_entry(phone, what="Phone, third")
        open_plan(laptop)
        unlock_plan(laptop)
        go_to_part(laptop, PART_OF[TEXT['slug']])
        laptop.fill(f"#q-{TEXT['slug']}", WORDS)
        wait_for_save(laptop, lambda answers: TEXT["slug"] in answers)
        laptop.goto("/journal")  # the copy is made from the journal's page
        unlock_to_home(laptop)
        wait_up_to_date(laptop)
        context_a.set_offline(False)
        phone.evaluate("() => dispatchEvent(new Event('online'))")
        wait_up_to_date(phone)
        third.goto("/journal")
        restore_from_server(third, code)
        third.locator("[data-restored]").wait_for(timeout=60000)
        assert third.get_attribute("[data-other-device]", "data-other-device") == "1"
        open_plan(third)
        unlock_plan(third)
        assert third.input_value(f"#q-{TEXT['slug']}") == WORDS
        assert saved_plan(third)["plan"]["fromOtherDevice"]["seq"] == 2
    finally:
        for context in (context_a, context_b, context_c):
            context.close()
