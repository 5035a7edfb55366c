"""National-scale content: the generated pack (benchmarks/national_pack.py), the contacts page per area above
AREAS_ON_ONE_PAGE, and what the worker precaches then (README, "National-scale content")."""
import re
import sys
from pathlib import Path

import pytest

from pwa import content
from pwa.extensions import db
from support import precache_in

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from national_pack import SOURCE, write_pack  # noqa: E402

# Ofcom's numbers for TV and radio drama (national_pack.py's docstring gives the sources).
DRAMA_NUMBER = re.compile(r"^(?:01632 960[0-9]{3}|07700 900[0-9]{3})$")


@pytest.fixture(scope="module")
def small_national_pack(tmp_path_factory):
    """More local areas than AREAS_ON_ONE_PAGE allows in national_app: a national pack, small enough to be quick."""
    return write_pack(tmp_path_factory.mktemp("pack"), areas=6, services=16, guides=6)


def area_slugs(pack: Path) -> list[str]:
    return [a["slug"] for a in content.read_pack(pack).areas if a["kind"] == "local"]


@pytest.fixture
def national_app(app, small_national_pack):
    """The app (SQLite and PostgreSQL) with the small national pack: 6 areas, at most 3 on one page."""
    home = area_slugs(small_national_pack)[1]
    app.config.update(AREAS_ON_ONE_PAGE=3, GUIDES_PRECACHED=3, HOME_AREAS=[home, "no-such-area"])
    with app.app_context():
        content.load_pack(content.read_pack(small_national_pack))
    return app


def test_generated_pack_passes_check_and_loads(tmp_path, runner, app):
    pack = write_pack(tmp_path / "pack")
    result = runner.invoke(args=["content", "check", "--dir", str(pack)])
    assert result.exit_code == 0, result.output
    assert "ok: 351 areas, 8756 services, 40 guides" in result.output
    result = runner.invoke(args=["content", "load", "--dir", str(pack), "--actor", "test"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        records = content.published_records(("areas", "services", "guides"))
    assert len(records["areas"]) == 351 and len(records["services"]) == 8756 and len(records["guides"]) == 40
    # Never a real line, and every record says it was generated.
    numbers = [s[way] for s in records["services"] for way in ("phone", "text_number") if s.get(way)]
    assert numbers and all(DRAMA_NUMBER.match(number) for number in numbers)
    assert {s["source"] for s in records["services"]} == {SOURCE}
    assert {g["source"] for g in records["guides"]} == {SOURCE}
    # A realistic spread: some open all day and night, some with weekday hours, services in many categories.
    assert sum(s.get("open_24_hours", False) for s in records["services"]) > 1000
    assert sum(bool(s.get("hours")) for s in records["services"]) > 4000
    assert len({c for s in records["services"] for c in s["categories"]}) >= 15


def test_bulk_load_gives_the_same_version_as_the_seed_always_had(app):
    """load_pack inserts in bulk: the published content (and so its version) is what the pack says."""
    with app.app_context():
        pack = content.read_pack(app.config["CONTENT_DIR"])
        assert content.bundle()["version"] == content.bundle_of(pack)["version"]
        by_slug = lambda records: {kind: sorted(rows, key=lambda r: r["slug"]) for kind, rows in records.items()}  # noqa: E731
        assert by_slug(content.published_records()) == by_slug(content.pack_records(pack))


def test_seed_pack_precaches_as_before(client, app):
    manifest = precache_in(client.get("/sw.js").get_data(as_text=True))
    urls = [entry["url"] for entry in manifest["entries"]]
    pages = [entry["url"] for entry in manifest["pages"]]
    assert "/api/v1/bundle" in urls
    with app.app_context():
        assert len([p for p in pages if p.startswith("/guides/")]) == len(content.published_records()["guides"])
    # Only the pages fetched on a later visit with their modules; no guide or area waits to be opened.
    later_visit = ["/plan", "/check", "/trusted", "/appearance", "/limits", "/tech-check"]
    assert manifest["later"]["pages"] == manifest["later"]["visit"] == later_visit
    assert "areas" not in manifest["later"] and not set(later_visit) & set(pages)
    html = client.get("/helplines").get_data(as_text=True)
    assert "data-per-area" not in html and "data-area-not-saved" not in html
    assert html.count('class="area"') == 6  # every area (the seed has 6) on the one page, as before


def test_national_pack_precaches_national_help_home_areas_and_the_first_guides(national_app, small_national_pack):
    client = national_app.test_client()
    manifest = precache_in(client.get("/sw.js").get_data(as_text=True))
    urls = [entry["url"] for entry in manifest["entries"]]
    pages = [entry["url"] for entry in manifest["pages"]]
    slugs = area_slugs(small_national_pack)
    assert "/api/v1/bundle" not in urls  # megabytes at this scale; the API keeps it whole for API clients
    assert "/helplines" in pages and f"/helplines?area={slugs[1]}" in pages
    assert [p for p in pages if p.startswith("/helplines?")] == [f"/helplines?area={slugs[1]}"]  # no unknown areas
    guides = [p for p in pages if p.startswith("/guides/")]
    assert guides == [f"/guides/generated-guide-0{n}" for n in (1, 2, 3)]
    assert manifest["later"]["pages"] == [f"/guides/generated-guide-0{n}" for n in (4, 5, 6)] + \
        ["/plan", "/check", "/trusted", "/appearance", "/limits", "/tech-check"]
    assert manifest["later"]["areas"] == "/helplines"
    # The bundle is still whole for API clients, and its revalidation a 304.
    bundle = client.get("/api/v1/bundle")
    assert len(bundle.get_json()["services"]) == 6 + 6 * 16
    assert client.get("/api/v1/bundle", headers={"If-None-Match": bundle.headers["ETag"]}).status_code == 304


def test_national_contacts_page_holds_national_help_and_the_chosen_area(national_app, small_national_pack):
    client = national_app.test_client()
    slugs = area_slugs(small_national_pack)
    html = client.get("/helplines").get_data(as_text=True)
    assert "data-per-area" in html and "data-area-not-saved" in html
    assert re.findall(r'data-area="([^"]+)"', html) == ["national"]
    assert all(f'<option value="{slug}"' in html for slug in slugs)  # every area can be chosen
    assert "Choose your area to see local contacts." in html
    html = client.get(f"/helplines?area={slugs[3]}").get_data(as_text=True)
    assert re.findall(r'data-area="([^"]+)"', html) == ["national", slugs[3]]
    assert f'<option value="{slugs[3]}" selected' in html
    assert "Choose your area" not in html
    html = client.get(f"/helplines?area={slugs[3]}&category=refuge").get_data(as_text=True)
    assert 'value="refuge" selected' in html
    assert client.get("/helplines?area=no-such-area").status_code == 404
    assert client.get("/helplines?area=national").status_code == 200


def test_national_worried_page_lists_national_services_only(national_app):
    with national_app.app_context():
        local = db.session.scalars(db.select(content.Service).join(content.Area)
                                   .where(content.Area.kind == "local")).all()
        assert any("friends-family" in s.categories for s in local)
    html = national_app.test_client().get("/worried").get_data(as_text=True)
    assert "Generated National Helpline" in html
    assert not any(f'id="{s.slug}"' in html for s in local)
