"""The journal page as the server sends it: a shell with no secrets, no inline code, a neutral title."""
import html as html_lib
import json

import pytest

from pwa import create_app


def test_journal_page_has_no_inline_script_or_style_and_a_neutral_title(client):
    response = client.get("/journal")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>Open Door</title>" in html
    assert " style=" not in html and "<style" not in html
    assert "<script>" not in html and "<script type=\"module\">" not in html
    labels = json.loads(html_lib.unescape(html.split('data-labels="')[1].split('"')[0]))
    assert labels["fields"]["what"] == "What happened" and labels["tags"]["money"] == "Controlling money"


@pytest.mark.parametrize("setting, shown", [(None, "180"), (1, "1"), (3600, "300"), (0, "1")])
def test_idle_lock_setting_is_kept_within_five_minutes(setting, shown):
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    if setting is not None:
        config["JOURNAL_IDLE_SECONDS"] = setting
    page = create_app(config).test_client().get("/journal").get_data(as_text=True)
    assert f'data-idle-seconds="{shown}"' in page
