"""The language chooser (issue 14): on every page but the decoys, each language named in its own words, and the
route that remembers a choice without JavaScript."""
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html import unescape as html_unescape

import pytest

from pwa import i18n

OWN_NAMES = {"en-GB": ("English", "en-GB", "ltr"), "cy": ("Cymraeg", "cy", "ltr"), "pl": ("Polski", "pl", "ltr"),
             "ur": ("اردو", "ur", "rtl"), "pa": ("ਪੰਜਾਬੀ", "pa", "ltr"),
             "en-GB-x-easy": ("Easy Read", "en-GB", "ltr")}
PAGES = ["/", "/helplines", "/guides", "/guides/safety-plan", "/plan", "/check", "/worried", "/limits", "/journal",
         "/appearance", "/offline"]


def chooser_links(html: str) -> list[dict]:
    nav = re.search(r'<nav class="language-chooser".*?</nav>', html, re.DOTALL)
    assert nav, "no language chooser"
    return [dict(re.findall(r'([\w-]+)="([^"]*)"', attributes), text=text, current="aria-current" in attributes)
            for attributes, text in re.findall(r"<a ([^>]*)>([^<]*)</a>", nav.group(0))]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_offers_every_language_in_its_own_words(client, path):
    links = chooser_links(client.get(path, headers={"Accept-Language": "ur"}).get_data(as_text=True))
    assert [link["hreflang"] for link in links] == list(i18n.CHOOSABLE)
    for link in links:
        name, lang, direction = OWN_NAMES[link["hreflang"]]
        assert (link["text"], link["lang"], link["dir"]) == (name, lang, direction)
        assert link["current"] == (link["hreflang"] == "ur")
        assert link["href"].startswith(f"/language/{link['hreflang']}?next=")


@pytest.mark.parametrize("decoy", ["/calculator", "/weather", "/notes"])
def test_decoys_have_no_chooser_and_stay_english(client, decoy):
    client.set_cookie(i18n.COOKIE, "ur")
    response = client.get(decoy)
    assert "language-chooser" not in response.get_data(as_text=True)
    assert response.headers["Content-Language"] == "en-GB"


def test_the_route_remembers_the_language_for_400_days_and_goes_back(client):
    response = client.get("/language/cy?next=/helplines%3Farea%3Dwarrington")
    assert response.status_code == 303 and response.headers["Location"] == "/helplines?area=warrington"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=cy;") and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "HttpOnly" not in cookie  # the chooser's script sets it too, offline
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert abs(expires - datetime.now(UTC) - timedelta(days=400)) < timedelta(minutes=5)
    assert 'lang="cy"' in client.get("/helplines").get_data(as_text=True)


def test_the_cookie_is_secure_over_https(client):
    assert "Secure" in client.get("/language/pl?next=/", base_url="https://localhost").headers["Set-Cookie"]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/x",
                                    "evil.example", "/\t/evil.example", ""])
def test_the_route_never_sends_anyone_to_another_site(client, target):
    response = client.get("/language/ur", query_string={"next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert response.headers["Set-Cookie"].startswith("lang=ur;")


def test_a_language_the_app_does_not_have_is_refused(client):
    response = client.get("/language/xx?next=/")
    assert response.status_code == 404 and "Set-Cookie" not in response.headers


def test_the_chooser_says_in_the_current_language_when_one_is_not_saved(client):
    html = client.get("/", headers={"Accept-Language": "cy"}).get_data(as_text=True)
    message = html_unescape(re.search(r'data-not-saved="([^"]*)"', html).group(1))
    with client.application.test_request_context(headers={"Accept-Language": "cy"}):
        assert message == i18n.not_saved_message()
    assert "\u2068{language}\u2069" in message and "is not saved" not in message  # in Welsh, with a place for the name


def test_the_admin_formats_dates_in_english_whatever_the_language(app):
    from datetime import date

    from pwa.views import long_date
    with app.test_request_context("/admin/", headers={"Accept-Language": "cy", "Cookie": f"{i18n.COOKIE}=ur"}):
        assert i18n.content_language() == i18n.DEFAULT and long_date(date(2026, 11, 30)) == "30 November 2026"
    with app.test_request_context("/guides", headers={"Accept-Language": "cy"}):
        assert long_date(date(2026, 11, 30)) == "30 Tachwedd 2026"


def test_the_admin_says_it_is_english_whatever_the_language(client):
    client.set_cookie(i18n.COOKIE, "ur")
    response = client.get("/admin/login")
    assert 'lang="en-GB"' in response.get_data(as_text=True) and response.headers["Content-Language"] == "en-GB"
    assert "language-chooser" not in response.get_data(as_text=True)
