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


def form_controls(html: str) -> list[str]:
    """The opening tags of every form, input, textarea and select (hidden CSRF inputs aside)."""
    import re

    return [tag for tag in re.findall(r"<(?:form|input|textarea|select)\b[^>]*>", html) if 'type="hidden"' not in tag]


@pytest.mark.parametrize("path", ["/journal", "/appearance", "/weather", "/notes"])
def test_nothing_typed_is_offered_to_password_managers_or_kept_by_autofill(client, path):
    """Password managers save type="password" fields (and autofill them for whoever holds the phone); Blink
    keeps form state for session restore, and autofill history, unless autocomplete is off."""
    html = client.get(path).get_data(as_text=True)
    controls = form_controls(html)
    typed = [tag for tag in controls if not tag.startswith("<form")
             and not any(f'type="{kind}"' in tag for kind in ("radio", "checkbox", "file"))]
    assert typed
    assert [tag for tag in controls if 'type="password"' in tag or "-password" in tag] == []
    assert [tag for tag in controls if 'autocomplete="off"' not in tag and 'type="file"' not in tag] == []
    masked = [tag for tag in controls if "data-masked" in tag]
    assert len(masked) == {"/journal": 8, "/appearance": 2}.get(path, 0)
    for tag in masked:
        for opt_out in ("data-1p-ignore", 'data-lpignore="true"', "data-bwignore", 'spellcheck="false"',
                        'class="masked-field"', "masked-field-note"):
            assert opt_out in tag
    if path == "/journal":  # nor sent to a spelling service, nor added to the browser's dictionary
        assert [tag for tag in typed if 'spellcheck="false"' not in tag and not tag.startswith("<select")] == []
