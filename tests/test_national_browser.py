"""National-scale content in Chromium: the worker keeps national help, the agency's home area and the first
guides at the first visit; an area or guide opened online is kept for offline use and across an update; an area
never opened says so offline, above national help (README, "National-scale content")."""
import json
import sys
from pathlib import Path

import pytest

from conftest import make_app
from pwa import content
from support import CONTROLLED, LiveServer, assert_on_decoy, open_controlled, persistent_context, wait_until
from test_accessibility import axe_violations

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from national_pack import write_pack  # noqa: E402

pytestmark = pytest.mark.browser

SHELL_URLS = """async () => {
  const name = (await caches.keys()).find((n) => n.startsWith('app-shell-'))
  const cache = await caches.open(name)
  return (await cache.keys()).map((request) => { const u = new URL(request.url); return u.pathname + u.search })
}"""


def kept(path: str) -> str:
    return f"""async () => {{
      const name = (await caches.keys()).find((n) => n.startsWith('app-shell-'))
      return !!(await (await caches.open(name)).match('/__kept/' + encodeURIComponent({json.dumps(path)})))
    }}"""


@pytest.fixture
def national(tmp_path):
    pack = write_pack(tmp_path / "pack", areas=8, services=4, guides=6)
    slugs = [a["slug"] for a in content.read_pack(pack).areas if a["kind"] == "local"]
    app = make_app(f"sqlite:///{tmp_path / 'live.sqlite'}", COMPRESS_RESPONSES=True, CONTENT_DIR=str(pack),
                   AREAS_ON_ONE_PAGE=4, GUIDES_PRECACHED=3, HOME_AREAS=[slugs[0]])
    server = LiveServer(app).start()
    yield app, server, pack, slugs
    server.stop()


def area_name(pack: Path, slug: str) -> str:
    return next(a["name"] for a in content.read_pack(pack).areas if a["slug"] == slug)


def service_names(pack: Path, area: str) -> list[str]:
    return [s["name"] for s in content.read_pack(pack).services if s["area"] == area]


def test_areas_and_guides_are_kept_once_opened_and_offline_an_unseen_area_shows_national_help(
        playwright_instance, tmp_path, national):
    app, server, pack, slugs = national
    home, opened, unseen = slugs[0], slugs[5], slugs[6]
    profile = tmp_path / "profile"
    with persistent_context(playwright_instance, profile, server.url) as context:
        page = open_controlled(context, "/")
        urls = page.evaluate(SHELL_URLS)
        precached_areas = {u.split("&")[0] for u in urls if u.startswith("/helplines?area=")}
        assert precached_areas == {f"/helplines?area={home}"}  # the home area only, not the country
        assert any(u.startswith("/helplines?__revision=") for u in urls)  # national help
        guides = {u.split("?")[0] for u in urls if u.startswith("/guides/")}
        assert guides == {f"/guides/generated-guide-0{n}" for n in (1, 2, 3)}
        assert not any(u.startswith("/api/v1/bundle") for u in urls)

        # Opened online: kept, with the guide read.
        page.goto(f"/helplines?area={opened}")
        page.get_by_text(service_names(pack, opened)[0]).first.wait_for()
        wait_until(page, kept(f"/helplines?area={opened}"))
        page.goto("/guides/generated-guide-05")
        wait_until(page, kept("/guides/generated-guide-05"))
        # The contacts page offers the areas on this phone first: the agency's, then the one opened.
        page.goto("/helplines")
        saved = page.locator("[data-kept-areas]")
        saved.wait_for(state="visible")
        assert saved.get_by_role("link").all_inner_texts() == [area_name(pack, home), area_name(pack, opened)]
        assert axe_violations(page) == []
        with page.expect_navigation():
            saved.get_by_role("link", name=area_name(pack, opened)).click()
        assert page.locator(f'[data-area="{opened}"]').is_visible()

        # An update: the kept area is fetched again for the new version, with the new words.
        records = content.read_pack(pack)
        changed = next(s for s in records.services if s["area"] == opened)
        changed["description"] = "Changed for the update test. Generated test record: not a real service."
        with app.app_context():
            content.load_pack(records)
        page.reload()
        banner = page.locator('[data-module="sw-update"]')
        banner.wait_for(state="visible")
        with page.expect_navigation():
            page.get_by_role("button", name="Update").click()
        page.wait_for_function(CONTROLLED)
        assert len([n for n in page.evaluate("caches.keys()") if n.startswith("app-shell-")]) == 1
        assert page.evaluate(kept(f"/helplines?area={opened}")) and page.evaluate(kept("/guides/generated-guide-05"))

    server.stop()
    with persistent_context(playwright_instance, profile, server.url) as context:
        page = context.pages[0]
        page.goto(f"/helplines?area={opened}")
        assert page.get_by_text("Changed for the update test.").is_visible()
        assert page.locator("[data-area-not-saved]").is_hidden()
        page.goto(f"/helplines?area={home}&category=refuge")  # precached, whatever kind of help is asked for
        assert page.locator(f'[data-area="{home}"]').count() == 1
        assert page.locator("[data-area-not-saved]").is_hidden()
        page.goto("/guides/generated-guide-05")
        assert page.get_by_role("heading", level=1).inner_text() != "No connection"

        # Never opened: said so, above the help anyone in the UK can get.
        page.goto(f"/helplines?area={unseen}")
        notice = page.locator("[data-area-not-saved]")
        assert notice.is_visible()
        assert "not saved on this phone yet" in notice.inner_text()
        assert page.locator('[data-area="national"]').is_visible()
        assert page.get_by_text("Generated National Helpline").first.is_visible()
        assert page.locator("#area").input_value() == unseen
        assert page.locator("[data-kept-areas]").get_by_role("link").count() == 2  # what is on this phone, offline
        assert axe_violations(page) == []
        page.get_by_role("link", name="Hide this page").click()  # quick-hide works on the new state
        assert_on_decoy(page)


def test_a_guide_never_read_is_the_offline_page_offline(playwright_instance, tmp_path, national):
    app, server, pack, slugs = national
    with persistent_context(playwright_instance, tmp_path / "profile", server.url) as context:
        open_controlled(context, "/")
    server.stop()
    with persistent_context(playwright_instance, tmp_path / "profile", server.url) as context:
        page = context.pages[0]
        page.goto("/guides/generated-guide-06")
        assert page.get_by_role("heading", level=1).inner_text() == "No connection"
        assert page.get_by_text("Generated National Helpline").first.is_visible()


def test_choosing_an_area_opens_its_page_and_kinds_of_help_filter_in_place(browser, national):
    app, server, pack, slugs = national
    context = browser.new_context(base_url=server.url)
    try:
        page = context.new_page()
        page.goto("/helplines")
        assert page.get_by_text("Choose your area to see local contacts.").is_visible()
        assert axe_violations(page) == []
        with page.expect_navigation():
            page.locator("#area").select_option(slugs[2])
        assert page.url.endswith(f"/helplines?area={slugs[2]}")
        assert page.locator(f'[data-area="{slugs[2]}"]').is_visible()
        assert page.locator("[data-area-not-saved]").is_hidden()
        names = service_names(pack, slugs[2])
        before = page.url
        page.locator("#category").select_option("children")  # in place: no new page
        assert page.url != before and "category=children" in page.url
        visible = page.locator(f'[data-area="{slugs[2]}"] .service:visible').count()
        assert 0 < visible < len(names)
        assert axe_violations(page) == []
    finally:
        context.close()
