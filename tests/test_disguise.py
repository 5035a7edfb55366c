"""Disguises on the server side: decoy pages, the appearance page and its cookie, where quick-hide lands."""
import re

import pytest

from conftest import make_app
from pwa.identities import COOKIE, IDENTITIES

PROTECTED = ["/", "/helplines", "/guides", "/guides/safety-plan", "/limits", "/journal", "/appearance"]
DECOYS = {"calculator": "/calculator", "weather": "/weather", "notes": "/notes"}
SAME_ORIGIN = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}


def html_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def root_tag(html: str) -> str:
    return re.search(r"<html[^>]*>", html).group(0)


@pytest.mark.parametrize("key", IDENTITIES)
def test_every_protected_page_has_the_hide_control_guard_and_identity(client, key):
    identity = IDENTITIES[key]
    client.set_cookie(COOKIE, key)
    decoy_url = DECOYS.get(key, "/weather")
    for path in PROTECTED:
        html = html_of(client, path)
        assert f'<a class="quick-hide" href="{decoy_url}" aria-label="Hide this page" data-quick-hide>Hide<span' in html
        assert '<span class="visually-hidden" role="status" data-quick-hide-status></span>' in html  # filled by JS
        assert html.index('src="/static/js/hide-guard.js"') < html.index("<body>")
        assert f'data-decoy="{decoy_url}"' in root_tag(html)
        assert ("data-disguise" in root_tag(html)) == identity.disguise
        assert f"<title>{identity.name}</title>" in html
        assert f'<meta name="theme-color" content="{identity.theme_color}">' in html


@pytest.mark.parametrize("key", IDENTITIES)
def test_decoys_are_working_pages_in_their_own_identity_without_hide_machinery(client, key):
    """Whatever look was chosen (the plain one too), a decoy wears its own title, icons, colour and manifest."""
    client.set_cookie(COOKIE, key)
    for decoy, path in DECOYS.items():
        html = html_of(client, path)
        own = IDENTITIES[decoy]
        assert f"<title>{own.name}</title>" in html
        assert f'<meta name="theme-color" content="{own.theme_color}">' in html
        assert f'<link rel="icon" href="/static/icons/{decoy}/favicon-48.png"' in html
        assert f'<link rel="apple-touch-icon" href="/static/icons/{decoy}/apple-touch-180.png">' in html
        assert f'<link rel="manifest" href="/manifests/{decoy}.webmanifest">' in html
        assert f'data-look="{key}"' in root_tag(html)  # the look chosen decides how the way in works
        assert f'src="/static/js/decoys/{decoy}.js"' in html
        assert f'class="decoy decoy--{decoy}"' in html
        assert "data-quick-hide" not in html and "hide-guard.js" not in html
        # Nothing in a decoy gives the real app away.
        assert "Open Door" not in html and "helpline" not in html.lower() and "journal" not in html.lower()


def test_disguises_start_on_their_own_decoy():
    for key, path in DECOYS.items():
        assert IDENTITIES[key].start_url == path


def test_plain_identity_hides_to_the_configured_decoy(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'plain.sqlite'}", PLAIN_DECOY="notes")
    html = html_of(app.test_client(), "/helplines")
    assert 'data-decoy="/notes"' in root_tag(html)
    assert 'class="quick-hide" href="/notes"' in html


def test_an_unknown_plain_decoy_is_refused_at_start_up(tmp_path):
    with pytest.raises(ValueError, match="PLAIN_DECOY must be one of calculator, weather, notes"):
        make_app(f"sqlite:///{tmp_path / 'bad.sqlite'}", PLAIN_DECOY="clock")


def test_weather_decoy_home_town_is_configurable(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'place.sqlite'}", DECOY_PLACE="Crewe")
    assert ">Crewe</h1>" in html_of(app.test_client(), "/weather")


def test_appearance_page_offers_every_identity_and_never_sends_the_pin(client):
    html = html_of(client, "/appearance")
    for key in IDENTITIES:
        assert f'name="look" value="{key}"' in html
    assert re.search(r'<input type="radio" id="look-plain"[^>]* checked', html)
    pin_fields = re.findall(r'<input id="pin[^"]*"[^>]*>', html)
    assert len(pin_fields) == 2 and not any("name=" in field for field in pin_fields)
    assert "address" in html and "before" in html  # the honest install warning
    # It stays reachable without the way in (data-recovery), so a forgotten PIN can be replaced.
    assert 'hide-guard.js" data-recovery>' in html


@pytest.mark.parametrize("key", IDENTITIES)
def test_choosing_an_appearance_sets_a_long_lived_strict_cookie(client, key):
    response = client.post("/appearance", data={"look": key}, headers=SAME_ORIGIN)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/appearance?saved={key}"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}={key};")
    for attribute in ("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=34560000"):
        assert attribute in cookie
    saved = html_of(client, f"/appearance?saved={key}")
    assert f"<title>{IDENTITIES[key].name}</title>" in saved
    assert "Saved: this app now looks like" in saved
    assert re.search(rf'<input type="radio" id="look-{key}"[^>]* checked', saved)


def test_a_plain_form_post_without_fetch_metadata_still_works(client):
    # Older browsers send neither Origin nor Sec-Fetch-Site on a same-site form post.
    response = client.post("/appearance", data={"look": "notes"})
    assert response.status_code == 303 and f"{COOKIE}=notes" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("look", ["", "clock", "CALCULATOR", "plain; x=1"])
def test_an_unknown_appearance_is_refused_clearly_and_nothing_changes(client, look):
    response = client.post("/appearance", data={"look": look}, headers=SAME_ORIGIN)
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers
    assert "Choose one of the appearances listed." in response.get_data(as_text=True)


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://other.localhost"},
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
])
def test_another_site_cannot_switch_the_disguise(client, headers):
    client.set_cookie(COOKIE, "calculator")
    response = client.post("/appearance", data={"look": "plain"}, headers=headers)
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers
    assert "can only be changed from this app" in response.get_data(as_text=True)


def test_limits_page_says_how_to_reduce_each_trace(client):
    html = html_of(client, "/limits")
    for phrase in ("browser history", "Site settings", "Settings", "sync", "export"):
        assert phrase.lower() in html.lower(), phrase
