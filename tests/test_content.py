import shutil

import pytest

from pwa import content
from pwa.settings import PROJECT_ROOT


@pytest.fixture
def pack_dir(tmp_path):
    target = tmp_path / "pack"
    shutil.copytree(PROJECT_ROOT / "content", target)
    return target


def problems_for(directory) -> list[str]:
    with pytest.raises(content.ContentError) as caught:
        content.read_pack(directory)
    return caught.value.problems


def test_default_pack_is_valid():
    pack = content.read_pack(PROJECT_ROOT / "content")
    assert len(pack.areas) >= 5 and len(pack.services) >= 7 and len(pack.guides) >= 4


def test_bad_phone_is_reported_with_file_record_and_field(pack_dir):
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace('phone = "01925 243359"', 'phone = "call us!"'))
    [problem] = problems_for(pack_dir)
    assert problem.startswith("services.toml: service[7] (warrington-refuge).phone: Use digits and spaces")


def test_unknown_area_unknown_field_and_bad_hours_all_reported(pack_dir):
    path = pack_dir / "services.toml"
    text = path.read_text()
    text = text.replace('area = "halton"', 'area = "atlantis"')
    text = text.replace('slug = "warrington-refuge"', 'slug = "warrington-refuge"\ncolour = "red"')
    text = text.replace('phone = "0300 123 5101"',
                        'phone = "0300 123 5101"\nhours = [{ days = ["someday"], opens = "9am", closes = "17:00" }]')
    path.write_text(text)
    problems = problems_for(pack_dir)
    assert any("(halton-domestic-abuse-forum).area: no area with slug 'atlantis'" in p for p in problems)
    assert any("(warrington-refuge).colour: Unknown field." in p for p in problems)
    assert any("(cheshire-east-domestic-abuse-hub).hours.0.days.0: Must be one of" in p for p in problems)
    assert any("(cheshire-east-domestic-abuse-hub).hours.0.opens: Use 24-hour time" in p for p in problems)


def test_service_without_any_contact_is_refused(pack_dir):
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace('phone = "0300 111 1247"\n', ""))
    problems = problems_for(pack_dir)
    assert problems == ["services.toml: service[6] (halton-domestic-abuse-forum).phone: "
                        "Give at least one of phone, text_number or web_url."]


def test_guide_problems(pack_dir):
    (pack_dir / "guides" / "broken.md").write_text("no front matter here\n")
    (pack_dir / "guides" / "html.md").write_text(
        '+++\ntitle = "X"\naudience = "you"\nlast_checked = 2026-01-01\n+++\n<script>alert(1)</script>\n')
    problems = problems_for(pack_dir)
    assert "guides/broken.md: must start with a +++ line of TOML front matter" in problems
    assert any(p.startswith("guides/html.md: guide[0] (html).body_markdown: Raw HTML is not allowed") for p in problems)


def test_guide_images_are_refused(pack_dir):
    # Markdown images would make every phone that opens the guide fetch from another site.
    front = '+++\ntitle = "X"\naudience = "you"\nlast_checked = 2026-01-01\n+++\n'
    (pack_dir / "guides" / "inline.md").write_text(front + "See ![map](https://tracker.example/p.png)\n")
    (pack_dir / "guides" / "reference.md").write_text(front + "See ![map][m]\n\n[m]: //cdn.example/a.gif\n")
    problems = problems_for(pack_dir)
    for name in ("inline", "reference"):
        assert any(p.startswith(f"guides/{name}.md: guide[") and "Images are not allowed" in p for p in problems)


def test_invalid_toml_and_duplicates(pack_dir):
    (pack_dir / "areas.toml").write_text((pack_dir / "areas.toml").read_text() + '\n[[area]]\nslug = "halton"\n'
                                         'name = "Halton again"\nkind = "local"\n')
    problems = problems_for(pack_dir)
    assert "areas.toml: area slug 'halton' is used more than once" in problems
    (pack_dir / "services.toml").write_text("this is = = not toml")
    assert any(p.startswith("services.toml: not valid TOML") for p in problems_for(pack_dir))


def test_odd_shapes_and_nul_characters_are_problems_not_crashes(pack_dir):
    (pack_dir / "areas.toml").write_text("area = 5\n")
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace('name = "Warrington Refuge"', 'name = "Warrington\\u0000Refuge"'))
    problems = problems_for(pack_dir)
    assert "areas.toml: area must be a list of [[area]] tables" in problems
    assert "services.toml: service[7] (warrington-refuge).record: Text must not contain NUL characters." in problems


def test_markdown_cannot_smuggle_html():
    assert "<script" not in content.render_markdown("a <script>b</script>")


def test_cli_load_reports_problems_and_changes_nothing(runner, app, pack_dir):
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace('phone = "0300 111 1247"', 'phone = "x"'))
    result = runner.invoke(args=["content", "load", "--dir", str(pack_dir)])
    assert result.exit_code == 1
    assert "(halton-domestic-abuse-forum).phone" in result.output
    assert "nothing was loaded" in result.output
    assert app.test_client().get("/api/v1/services/halton-domestic-abuse-forum").status_code == 200


def test_cli_load_if_empty_keeps_existing_content(runner, app, pack_dir):
    path = pack_dir / "services.toml"
    path.write_text(path.read_text().replace("0300 111 1247", "0300 000 0000"))
    result = runner.invoke(args=["content", "load", "--if-empty", "--dir", str(pack_dir)])
    assert "left as it is" in result.output
    result = runner.invoke(args=["content", "load", "--dir", str(pack_dir)])
    assert result.exit_code == 0, result.output
    service = app.test_client().get("/api/v1/services/halton-domestic-abuse-forum").json["service"]
    assert service["phone"] == "0300 000 0000"


def test_content_version_changes_with_content(app, pack_dir, runner):
    client = app.test_client()
    before = client.get("/api/v1/bundle").headers["ETag"]
    path = pack_dir / "guides" / "safety-plan.md"
    path.write_text(path.read_text() + "\nOne more tip.\n")
    assert runner.invoke(args=["content", "load", "--dir", str(pack_dir)]).exit_code == 0
    response = client.get("/api/v1/bundle", headers={"If-None-Match": before})
    assert response.status_code == 200 and response.headers["ETag"] != before
