"""Accessibility in a real browser: axe on every page, identity and colour scheme; small screens and big text.

Pages are found from the URL map (every GET route without arguments that answers with HTML) plus every
guide, so pages added later are checked without changing this file. The admin is checked signed in.
"""
import pytest
from axe_playwright_python.sync_playwright import Axe
from support import create_staff, sign_in_browser, two_factor_code

from pwa import content, i18n
from pwa.extensions import db
from pwa.identities import COOKIE, IDENTITIES

pytestmark = pytest.mark.browser

NOT_PAGES = ("/api/", "/admin", "/static/", "/sw.js", "/manifests/")
ADMIN_EMAIL, ADMIN_PASSWORD = "a11y@agency.example", "accessible passphrase"
COLLEAGUE = "colleague@agency.example"
AXE = Axe()

# Everything that could stop someone reading the page or using a control, at the current viewport.
LAYOUT_PROBLEMS = """() => {
  const width = document.documentElement.clientWidth
  const problems = []
  if (document.documentElement.scrollWidth > width + 1) {
    problems.push(`scrolls sideways: ${document.documentElement.scrollWidth}px content in ${width}px`)
  }
  const name = (el) => `${el.tagName.toLowerCase()}${el.className ? '.' + String(el.className).split(' ')[0] : ''}` +
    ` "${(el.textContent || el.value || '').trim().slice(0, 30)}"`
  for (const el of document.querySelectorAll('a, button, summary, label, select, input, textarea, h1, h2, h3, p, li, th, td')) {
    const box = el.getBoundingClientRect()
    const style = getComputedStyle(el)
    // Wholly past either edge is hidden on purpose (the skip link until focused: past the right edge when right to left)
    if (box.width <= 1 || box.height <= 1 || box.right <= 0 || box.left >= width || style.visibility === 'hidden') continue
    if (box.left < -1 || box.right > width + 1) problems.push(`${name(el)} sticks out (${Math.round(box.left)}..${Math.round(box.right)})`)
    const clips = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis'
    if (clips && /^(A|BUTTON|SUMMARY|LABEL)$/.test(el.tagName) && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`${name(el)} is clipped`)
    }
  }
  return problems
}"""


def page_paths(app) -> list[str]:
    client = app.test_client()
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.rule.startswith(NOT_PAGES):
            continue
        response = client.get(rule.rule)
        if response.status_code == 200 and response.mimetype == "text/html":
            paths.append(rule.rule)
    with app.app_context():
        paths += [f"/guides/{guide.slug}" for guide in db.session.scalars(content.ordered_guides())]
    return paths


def visit(page, path: str) -> str:
    """Open a page and return where it ended up (a disguise sends protected pages to its decoy)."""
    page.goto(path, wait_until="load")
    page.wait_for_load_state("load")
    return page.url


def axe_violations(page, only: list[str] | None = None) -> list[str]:
    options = {"resultTypes": ["violations"]} | ({"runOnly": {"type": "rule", "values": only}} if only else {})
    results = AXE.run(page, options=options)
    return [f"{page.url} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in results.response["violations"]]


def new_page(browser, live_server, identity="plain", language=None, **context_options):
    context = browser.new_context(base_url=live_server.url, **context_options)
    context.add_cookies([{"name": COOKIE, "value": identity, "url": live_server.url}])
    if language:
        context.add_cookies([{"name": i18n.COOKIE, "value": language, "url": live_server.url}])
    return context.new_page()


# Every rule in light mode; in dark mode the colours change, so colour contrast is checked again.
SCHEMES = {"light": None, "dark": ["color-contrast"]}
# English under every look and scheme. Urdu (right to left) and Welsh in the plain look and light scheme: their
# pages have the same colours, and under a disguise almost every page lands on the decoy, which stays English.
RUNS = [pytest.param(i18n.DEFAULT, identity, scheme, id=f"{identity}-{scheme}")
        for scheme in SCHEMES for identity in IDENTITIES]
RUNS += [pytest.param(language, "plain", "light", id=f"{language}-plain-light") for language in ("ur", "cy")]


@pytest.mark.parametrize("language, identity, color_scheme", RUNS)
def test_axe_finds_nothing_on_any_page(browser, live_app, live_server, language, identity, color_scheme):
    page = new_page(browser, live_server, identity, language, color_scheme=color_scheme)
    seen, problems = set(), []
    for path in page_paths(live_app):
        landed = visit(page, path)
        if landed not in seen:  # under a disguise most pages land on the same decoy
            seen.add(landed)
            protected = page.locator("[data-quick-hide]").count() > 0
            lang = page.evaluate("document.documentElement.lang")
            assert lang == (language if protected else "en-GB"), f"{path}: lang={lang}"  # decoys stay English
            problems += axe_violations(page, SCHEMES[color_scheme])
    page.context.close()
    assert len(seen) >= (len(IDENTITIES) if identity == "plain" else 2)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("width, font_size", [(320, 16), (360, 32)], ids=["320px", "200%-text"])
def test_every_page_fits_small_screens_and_big_text(browser, live_app, live_server, width, font_size):
    """No sideways scrolling and no clipped controls at 320 px, nor with text at 200 % on a small phone."""
    page = new_page(browser, live_server, viewport={"width": width, "height": 700})
    # The browser's own text size setting, as a person with low vision would set it: rem-based CSS follows it.
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": font_size}})
    problems = []
    for path in page_paths(live_app):
        visit(page, path)
        assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") == font_size
        problems += [f"{path}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]
    page.context.close()
    assert problems == [], "\n".join(problems)


# The agency admin --------------------------------------------------------------------------------

@pytest.fixture
def admin_page(browser, live_app, live_server):
    result = create_staff(live_app.test_cli_runner(), ADMIN_EMAIL, ADMIN_PASSWORD)
    assert result.exit_code == 0, result.output
    # A colleague, so People has someone to manage and the preview someone to name.
    assert create_staff(live_app.test_cli_runner(), COLLEAGUE, ADMIN_PASSWORD, role="publisher").exit_code == 0

    def signed_in(**context_options):
        page = new_page(browser, live_server, **context_options)
        visit(page, "/admin/login")
        sign_in_browser(page, ADMIN_EMAIL, ADMIN_PASSWORD)
        return page

    return signed_in


def admin_paths(page) -> list[str]:
    """Start a draft through the form (so the preview has changes) and list the admin's pages."""
    visit(page, "/admin/services")
    page.locator("ul.link-list a").first.click()
    edit_path = page.url.removeprefix(page.url.split("/admin")[0])
    page.get_by_label("Description (optional)").fill("Free and confidential. Open to everyone.")
    page.get_by_role("button", name="Save in the draft").click()
    page.wait_for_url("**/admin/services")
    visit(page, "/admin/people")
    page.get_by_role("link", name=COLLEAGUE).click()
    person_path = page.url.removeprefix(page.url.split("/admin")[0])
    return ["/admin/login", "/admin/", "/admin/services", "/admin/areas", "/admin/guides", "/admin/questions",
            "/admin/questions/pets-plan", "/admin/steps", "/admin/steps/trackers", "/admin/services/new",
            edit_path, "/admin/preview", "/admin/discard", "/admin/audit", "/admin/audit?since=yesterday", "/admin/people", person_path,
            "/admin/account", "/admin/account/password", "/admin/account/two-factor"]


@pytest.mark.parametrize("color_scheme", list(SCHEMES))
def test_axe_finds_nothing_in_the_admin(admin_page, color_scheme):
    page = admin_page(color_scheme=color_scheme)
    problems = []
    for path in admin_paths(page):
        visit(page, path)
        problems += axe_violations(page, SCHEMES[color_scheme])
    # A form sent back with errors must be accessible too.
    visit(page, "/admin/services/new")
    page.get_by_role("button", name="Save in the draft").click()
    page.get_by_text("There is a problem").wait_for()
    problems += axe_violations(page, SCHEMES[color_scheme])
    # So must a save refused for someone else's change, and the session warning over the form.
    visit(page, "/admin/services/warrington-refuge")
    other = page.context.new_page()
    visit(other, "/admin/services/warrington-refuge")
    other.get_by_label("Description (optional)").fill("Changed in another tab.")
    other.get_by_role("button", name="Save in the draft").click()
    other.wait_for_url("**/admin/services")
    page.get_by_label("Note about hours (optional)").fill("Closed on bank holidays.")
    page.get_by_role("button", name="Save in the draft").click()
    page.get_by_text("Someone else changed this service").wait_for()
    page.evaluate("() => { const n = document.querySelector('[data-session-warning]'); n.hidden = false;"
                  " n.innerHTML = '<h2>Your session has ended</h2><p>Sign in again.</p>' }")
    problems += axe_violations(page, SCHEMES[color_scheme])
    # And the page that gives typed text back when the session had ended.
    visit(page, "/admin/guides/safety-plan")
    page.get_by_label("Text", exact=True).fill("Typed while signed out.")
    page.context.clear_cookies()
    page.get_by_role("button", name="Save in the draft").click()
    page.get_by_text("Typed while signed out.").wait_for()
    problems += axe_violations(page, SCHEMES[color_scheme])
    page.context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("width, font_size", [(320, 16), (360, 32)], ids=["320px", "200%-text"])
def test_admin_fits_small_screens_and_big_text(admin_page, width, font_size):
    page = admin_page(viewport={"width": width, "height": 700})
    page.context.new_cdp_session(page).send("Page.setFontSizes", {"fontSizes": {"standard": font_size}})
    problems = []
    for path in admin_paths(page):
        visit(page, path)
        problems += [f"{path}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS)]
    page.context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("color_scheme", list(SCHEMES))
def test_axe_finds_nothing_in_the_sign_in_steps(browser, live_app, live_server, color_scheme):
    """The code step, a publisher's first two-factor set-up and the recovery codes, on a 320 px screen."""
    import pyotp

    runner = live_app.test_cli_runner()
    assert create_staff(runner, ADMIN_EMAIL, ADMIN_PASSWORD).exit_code == 0
    assert create_staff(runner, COLLEAGUE, ADMIN_PASSWORD, role="publisher", two_factor=False).exit_code == 0
    page = new_page(browser, live_server, color_scheme=color_scheme, viewport={"width": 320, "height": 700})
    problems = []

    def check():
        problems.extend(axe_violations(page, SCHEMES[color_scheme]))
        problems.extend(f"{page.url}: {problem}" for problem in page.evaluate(LAYOUT_PROBLEMS))

    def password_step(email):
        visit(page, "/admin/login")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(ADMIN_PASSWORD)
        page.get_by_role("button", name="Sign in").click()

    password_step(ADMIN_EMAIL)
    page.wait_for_url("**/admin/login/code")
    check()
    page.get_by_label("Code").fill("000000")  # wrong: the page with its error
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("That code is not right").wait_for()
    check()
    page.get_by_label("Code").fill(two_factor_code(ADMIN_EMAIL))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/admin/")
    page.get_by_role("button", name="Sign out").click()

    password_step(COLLEAGUE)
    page.wait_for_url("**/admin/account/two-factor")
    check()
    secret = page.locator(".totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    check()
    page.context.close()
    assert problems == [], "\n".join(problems)
