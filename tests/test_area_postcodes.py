"""Postcode districts per area (the local finder's data): the pack, its checks, the admin and the API."""
import shutil

import pytest

from pwa import content
from pwa.settings import PROJECT_ROOT
from test_admin import create_user, csrf_from, form_for, revision_from, sign_in
from test_admin_content import field_error, summary_lines


@pytest.fixture
def pack_dir(tmp_path):
    target = tmp_path / "pack"
    shutil.copytree(PROJECT_ROOT / "content", target)
    return target


def problems_for(directory) -> list[str]:
    with pytest.raises(content.ContentError) as caught:
        content.read_pack(directory)
    return caught.value.problems


def with_districts(pack_dir, slug: str, toml: str) -> None:
    """Replace the postcode lines of one area in the pack's areas.toml with these."""
    path = pack_dir / "areas.toml"
    blocks = path.read_text().split("\n[[area]]\n")
    for index, block in enumerate(blocks):
        if f'slug = "{slug}"' in block:
            kept = [line for line in block.splitlines() if not line.startswith("postcode_")]
            blocks[index] = "\n".join(kept + [toml]) + "\n"
    path.write_text("\n[[area]]\n".join(blocks))


def test_the_default_pack_lists_districts_with_their_source_and_date():
    areas = {a["slug"]: a for a in content.read_pack(PROJECT_ROOT / "content").areas}
    assert areas["national"]["postcode_districts"] == []
    assert {"CW1", "CW12", "SK10"} <= set(areas["cheshire-east"]["postcode_districts"])
    assert {"CH1", "CW10"} <= set(areas["cheshire-west-and-chester"]["postcode_districts"])
    # A district that crosses a boundary is in both areas.
    assert "CW10" in areas["cheshire-east"]["postcode_districts"]
    for slug in ("cheshire-east", "cheshire-west-and-chester", "halton", "warrington"):
        assert areas[slug]["postcode_districts"] and "https://" in areas[slug]["postcode_source"]
        assert areas[slug]["postcode_last_checked"].isoformat() == "2026-11-30"
    every_local = {d for slug in ("cheshire-east", "cheshire-west-and-chester", "halton", "warrington")
                   for d in areas[slug]["postcode_districts"]}
    assert set(areas["cheshire"]["postcode_districts"]) == every_local


def test_districts_are_stored_in_capitals(pack_dir):
    with_districts(pack_dir, "halton", 'postcode_districts = [" wa7", "Wa8"]\npostcode_source = "A page."\n'
                                       "postcode_last_checked = 2026-11-30")
    halton = next(a for a in content.read_pack(pack_dir).areas if a["slug"] == "halton")
    assert halton["postcode_districts"] == ["WA7", "WA8"]


CHECKED = '\npostcode_source = "A page."\npostcode_last_checked = 2026-11-30'


@pytest.mark.parametrize("toml, expected", [
    ('postcode_districts = ["WA7", "W7A7"]' + CHECKED,
     "areas.toml: area[4] (halton).postcode_districts.1: 'W7A7' is not a postcode district: give the first part "
     "of a postcode, such as CW1 or SK10."),
    ('postcode_districts = ["WA7 1AB"]' + CHECKED,
     "areas.toml: area[4] (halton).postcode_districts.0: WA7 1AB is a whole postcode: give only its first part, WA7."),
    ('postcode_districts = ["WA7", "wa7"]' + CHECKED,
     "areas.toml: area[4] (halton).postcode_districts: Listed more than once: WA7."),
    ('postcode_districts = "WA7"' + CHECKED, "areas.toml: area[4] (halton).postcode_districts: Not a valid list."),
    ('postcode_districts = ["WA7"]\npostcode_last_checked = 2026-11-30',
     "areas.toml: area[4] (halton).postcode_source: Say where these postcode districts come from (a page and its "
     "date), so that they can be checked again."),
    ('postcode_districts = ["WA7"]\npostcode_source = "A page."',
     "areas.toml: area[4] (halton).postcode_last_checked: Give the date someone last checked these postcode "
     "districts."),
])
def test_bad_districts_are_reported_naming_the_area(pack_dir, toml, expected):
    with_districts(pack_dir, "halton", toml)
    # The area is refused, so its services name an area the pack does not have: said too.
    assert problems_for(pack_dir) == [
        expected, "services.toml: service (halton-domestic-abuse-forum).area: no area with slug 'halton'"]


def test_a_national_area_lists_no_districts(pack_dir):
    with_districts(pack_dir, "national", 'postcode_districts = ["CW1"]\npostcode_source = "A page."\n'
                                         "postcode_last_checked = 2026-11-30")
    assert problems_for(pack_dir)[0] == ("areas.toml: area[0] (national).postcode_districts: A national area covers "
                                         "everywhere: leave its postcode districts empty.")


def test_the_api_and_the_bundle_give_each_areas_districts(client):
    areas = {a["slug"]: a for a in client.get("/api/v1/areas").get_json()["areas"]}
    assert areas["halton"]["postcode_districts"] == ["WA7", "WA8"]
    assert areas["halton"]["postcode_last_checked"] == "2026-11-30" and "Runcorn" in areas["halton"]["postcode_source"]
    assert "postcode_districts" not in areas["national"]  # left out when empty
    # Not in the bundle every phone downloads (the contacts page holds them), but in its version.
    bundle = client.get("/api/v1/bundle").get_json()
    assert not any("postcode_districts" in a for a in bundle["areas"])
    area = client.get("/api/v1/areas/warrington").get_json()["area"]
    assert area["postcode_districts"] == ["WA1", "WA2", "WA3", "WA4", "WA5", "WA13"]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "postcode_districts" in spec["components"]["schemas"]["Area"]["properties"]


@pytest.fixture
def admin(client, runner):
    assert create_user(runner).exit_code == 0
    assert sign_in(client).status_code == 302
    return client


def test_the_admin_edits_an_areas_districts(admin):
    version = admin.get("/api/v1/bundle").headers["ETag"]
    data = form_for(admin, "/admin/areas/halton")
    assert data["postcode_districts"] == "WA7 WA8" and data["postcode_last_checked"] == "2026-11-30"
    saved = admin.post("/admin/areas/halton", data=data | {"postcode_districts": "wa7, WA8\nwa4"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert form_for(admin, "/admin/areas/halton")["postcode_districts"] == "WA7 WA8 WA4"
    preview = admin.get("/admin/preview")
    assert "postcode_districts" in preview.get_data(as_text=True)
    assert admin.post("/admin/publish", data={"csrf_token": csrf_from(preview),
                                              "revision": revision_from(preview)}).status_code == 302
    published = admin.get("/api/v1/areas/halton").get_json()["area"]
    assert published["postcode_districts"] == ["WA7", "WA8", "WA4"]
    assert admin.get("/api/v1/bundle").headers["ETag"] != version  # phones renew their saved contacts page
    assert 'data-postcodes="WA7 WA8 WA4"' in admin.get("/helplines").get_data(as_text=True)


def test_the_admin_says_what_is_wrong_with_districts(admin):
    data = form_for(admin, "/admin/areas/halton")
    response = admin.post("/admin/areas/halton", data=data | {"postcode_districts": "WA7 12AB"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert ("Postcode districts: &#39;12AB&#39; is not a postcode district: give the first part of a postcode, such "
            "as CW1 or SK10." in html or "Postcode districts: '12AB' is not a postcode district: give the first part "
            "of a postcode, such as CW1 or SK10." in summary_lines(html))
    new = form_for(admin, "/admin/areas/new") | {"slug": "crewe", "name": "Crewe", "kind": "local",
                                                   "postcode_districts": "CW1 CW2"}
    html = admin.post("/admin/areas/new", data=new).get_data(as_text=True)
    assert field_error(html, "postcode_source").startswith("Say where these postcode districts come from")
    assert field_error(html, "postcode_last_checked") == ""  # one thing at a time: the source first
