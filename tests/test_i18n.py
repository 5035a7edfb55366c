"""Languages: which one a page renders in, <html lang dir>, and the gettext catalogues (issue 14)."""
import json
import re
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from conftest import make_app

from pwa import i18n
from pwa.extensions import babel
from pwa.settings import PROJECT_ROOT
from support import precache_in

TRANSLATIONS = PROJECT_ROOT / "pwa" / "translations"
CATALOGUES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def html_tag(response) -> str:
    assert response.status_code == 200
    return re.search(r"<html[^>]*>", response.get_data(as_text=True)).group(0)


@pytest.mark.parametrize("accept, lang, direction", [
    ("cy", "cy", "ltr"),
    ("ur-PK,ur;q=0.9,en;q=0.8", "ur", "rtl"),
    ("pa-IN", "pa", "ltr"),
    ("fr-FR,pl;q=0.5", "pl", "ltr"),  # the best one the app has, not the first one asked for
    ("en-US,en;q=0.9", "en-GB", "ltr"),
    ("de", "en-GB", "ltr"),  # none the app has: British English
])
def test_first_visit_follows_accept_language(client, accept, lang, direction):
    tag = html_tag(client.get("/", headers={"Accept-Language": accept}))
    assert f'lang="{lang}" dir="{direction}"' in tag


def test_without_accept_language_the_page_is_british_english(client):
    assert 'lang="en-GB" dir="ltr"' in html_tag(client.get("/helplines"))


def test_the_choice_remembered_on_the_phone_wins_over_the_browser(client):
    client.set_cookie(i18n.COOKIE, "ur")
    assert 'lang="ur" dir="rtl"' in html_tag(client.get("/offline", headers={"Accept-Language": "cy"}))


def test_a_cookie_naming_no_language_the_app_has_is_ignored(client):
    client.set_cookie(i18n.COOKIE, "xx")
    assert 'lang="cy" dir="ltr"' in html_tag(client.get("/", headers={"Accept-Language": "cy"}))


def test_easy_read_is_chosen_like_a_language_but_pages_are_british_english(client, app):
    client.set_cookie(i18n.COOKIE, i18n.EASY_READ)
    assert 'lang="en-GB" dir="ltr"' in html_tag(client.get("/", headers={"Accept-Language": "cy"}))
    with app.test_request_context(headers={"Cookie": f"{i18n.COOKIE}={i18n.EASY_READ}"}):
        assert i18n.content_language() == i18n.EASY_READ


def test_easy_read_is_never_picked_from_the_browser_alone(app):
    with app.test_request_context(headers={"Accept-Language": "en-GB-x-easy, en;q=0.5"}):
        assert i18n.content_language() == "en-GB"


@pytest.mark.parametrize("decoy", ["/calculator", "/weather", "/notes"])
def test_decoys_stay_in_english_left_to_right_until_translated(client, decoy):
    client.set_cookie(i18n.COOKIE, "ur")
    assert 'lang="en-GB" dir="ltr"' in html_tag(client.get(decoy))


def test_pages_say_they_vary_by_language_and_which_it_is(client):
    response = client.get("/", headers={"Accept-Language": "cy"})
    assert {"Cookie", "Accept-Language"} <= set(response.vary)
    assert response.headers["Content-Language"] == "cy"


def test_the_worker_is_the_same_in_every_language_and_lists_pages_for_each(client):
    """A new language installs no new worker: it keeps pages per language (sw.js), from one list for all."""
    def manifest(**headers):
        body = client.get("/sw.js", headers=headers).get_data(as_text=True)
        return precache_in(body)

    english, welsh = manifest(**{"Accept-Language": "en-GB"}), manifest(**{"Accept-Language": "cy"})
    assert english == welsh
    assert set(english["languages"]) == set(i18n.CHOOSABLE)
    pages = {entry["url"] for entry in english["pages"]}
    shared = {entry["url"] for entry in english["entries"]}
    assert {"/", "/helplines", "/offline", "/guides/safety-plan"} <= pages
    assert {"/calculator", "/weather", "/notes", "/static/css/app.css"} <= shared  # decoys: English in every language
    assert not pages & shared
    assert [entry["url"] for entry in english["languages"]["cy"]] == ["/i18n/cy.json"]  # the modules' Welsh text
    assert english["languages"]["en-GB"] == []


def test_the_worker_header_asks_for_a_language_whatever_the_cookie(client):
    client.set_cookie(i18n.COOKIE, "cy")
    response = client.get("/helplines", headers={"X-Language": "ur"})
    assert 'lang="ur" dir="rtl"' in html_tag(response) and response.headers["Content-Language"] == "ur"
    assert response.headers["Content-Language"] == "ur"
    assert client.get("/helplines", headers={"X-Language": "xx"}).headers["Content-Language"] == "cy"


def test_pages_render_from_the_catalogue_of_the_chosen_language(tmp_path, fresh_catalogues):
    # A throwaway catalogue, so this proves the plumbing without waiting for real translations.
    folder = tmp_path / "translations" / "cy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalogue = read_po(BytesIO(b'msgid "Contacts"\nmsgstr "TEST-CY Contacts"\n\n'
                                b'msgid "24 hours a day, every day"\nmsgstr "TEST-CY 24 hours"\n'), locale="cy")
    with open(folder / "messages.mo", "wb") as mo:
        write_mo(mo, catalogue)
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}", BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"))
    client = app.test_client()
    welsh = client.get("/helplines", headers={"Accept-Language": "cy"}).get_data(as_text=True)
    english = client.get("/helplines").get_data(as_text=True)
    assert "<h1>TEST-CY Contacts</h1>" in welsh and 'hours-line">TEST-CY 24 hours<' in welsh  # from Python (hours.py)
    assert "TEST-CY" not in english and "<h1>Contacts</h1>" in english


def test_every_language_the_app_offers_has_a_catalogue():
    assert {po.parent.parent.name for po in CATALOGUES} == {name for tag, name in i18n.LOCALES.items()
                                                            if tag != i18n.DEFAULT}


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda po: po.parent.parent.name)
def test_catalogue_compiles_and_its_committed_mo_is_up_to_date(po):
    with open(po, "rb") as source:
        catalogue = read_po(source, locale=po.parent.parent.name)
    problems = [(message.id, errors) for message, errors in catalogue.check()]
    assert not problems, f"{po}: translations with mismatched placeholders or plurals: {problems}"
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    assert po.with_suffix(".mo").read_bytes() == compiled.getvalue(), f"run `make translations`: {po} changed"


def test_every_marked_string_is_in_every_catalogue(tmp_path):
    """Text marked for translation but missing from a catalogue can never be translated: `make translations`."""
    pybabel = shutil.which("pybabel", path=str(Path(sys.executable).parent)) or shutil.which("pybabel")
    template = tmp_path / "messages.pot"
    subprocess.run([pybabel, "-q", "extract", "-F", "babel.cfg", "-k", "N_", "-o", str(template), "."],
                   cwd=PROJECT_ROOT, check=True)
    with open(template, "rb") as extracted:
        wanted = {message.id for message in read_po(extracted) if message.id}
    for po in CATALOGUES:
        with open(po, "rb") as source:
            have = {message.id for message in read_po(source) if message.id}
        assert not wanted - have, f"{po} lacks {sorted(wanted - have)}"
