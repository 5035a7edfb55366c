"""The modules' text per language (/i18n/<lang>.json, pwa/i18n_json.py) and its place in the worker's list."""
import json
import re
from io import BytesIO

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from conftest import make_app

from pwa import i18n, i18n_json
from pwa.settings import PROJECT_ROOT
from pwa.extensions import babel
from support import precache_in

THROWAWAY_PO = b'''
msgid "Open now"
msgstr "TEST-CY Open now"

msgid "Contacts"
msgstr "TEST-CY Contacts"

msgid "You said yes to: %(factors)s."
msgstr "TEST-CY yes: %(factors)s."

msgid "%(count)s contact shown"
msgid_plural "%(count)s contacts shown"
msgstr[0] "zero %(count)s"
msgstr[1] "one %(count)s"
msgstr[2] "two %(count)s"
msgstr[3] "few %(count)s"
msgstr[4] "many %(count)s"
msgstr[5] "other %(count)s"

msgid "The journal was locked"
msgstr "TEST-CY locked"

msgid "Call me now"
msgstr "TEST-CY call"

msgid "%(count)s photo"
msgid_plural "%(count)s photos"
msgstr[0] ""
msgstr[1] ""
msgstr[2] ""
msgstr[3] ""
msgstr[4] ""
msgstr[5] ""
'''


def write_throwaway_catalogue(folder, locale="cy", po=THROWAWAY_PO):
    """A Welsh catalogue with a few messages, so the tests need no real translations."""
    target = folder / locale / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as mo:
        write_mo(mo, read_po(BytesIO(po), locale=locale))
    return folder


@pytest.fixture
def fresh_catalogues():
    """Flask-Babel keeps loaded catalogues on the shared extension's domain, across apps: start and end empty."""
    def forget():
        domain = vars(babel).get("domain_instance")
        if domain is not None:
            domain.cache.clear()
    forget()
    yield
    forget()


@pytest.fixture
def welsh_client(tmp_path, fresh_catalogues):
    folder = write_throwaway_catalogue(tmp_path / "translations")
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}", BABEL_TRANSLATION_DIRECTORIES=str(folder))
    return app.test_client()


def test_the_json_holds_only_the_translated_messages_modules_use(welsh_client):
    response = welsh_client.get("/i18n/cy.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    catalogue = response.get_json()
    assert catalogue["messages"] == {
        "Open now": "TEST-CY Open now",  # used by open-now.js and a template
        "You said yes to: %(factors)s.": "TEST-CY yes: %(factors)s.",
        "%(count)s contact shown": ["zero %(count)s", "one %(count)s", "two %(count)s", "few %(count)s",
                                    "many %(count)s", "other %(count)s"],
    }  # not "Contacts": only templates use it; not the untranslated plural "%(count)s photo"; not "The journal was
    # locked": only the backup's modules use it (its own part, below)


def test_the_plural_rule_travels_as_a_table_of_forms(welsh_client):
    table = welsh_client.get("/i18n/cy.json").get_json()["plural"]
    # Welsh: n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n==3 ? 3 : n==6 ? 4 : 5, repeating every 100 from 100 on.
    assert [table[n] for n in (0, 1, 2, 3, 4, 6, 7, 99)] == [0, 1, 2, 3, 5, 4, 5, 5]
    assert len(table) == 2 * i18n_json.PLURAL_PERIOD and table[100:] == [5] * 100


@pytest.mark.parametrize("tag", ["xx", "en-GB", i18n.EASY_READ, "cy.json", "..%2Fcy"])
def test_a_language_without_a_catalogue_is_not_found(client, tag):
    assert client.get(f"/i18n/{tag}.json").status_code == 404


def test_the_json_is_cached_like_static_files_and_never_depends_on_a_cookie(welsh_client):
    first = welsh_client.get("/i18n/cy.json")
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert re.fullmatch(r'"[0-9a-f]{16}"', first.headers["ETag"])
    assert "Set-Cookie" not in first.headers and "Cookie" not in first.headers.get("Vary", "")
    welsh_client.set_cookie(i18n.COOKIE, "pl")
    again = welsh_client.get("/i18n/cy.json", headers={"Accept-Language": "ur"})
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    revalidated = welsh_client.get("/i18n/cy.json", headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.get_data() == b""


@pytest.mark.parametrize("tag", [tag for tag in i18n.LOCALES if tag != i18n.DEFAULT])
def test_every_real_catalogue_makes_a_json(client, tag):
    catalogue = client.get(f"/i18n/{tag}.json").get_json()
    assert set(catalogue) == {"messages", "plural"} and len(catalogue["plural"]) == 2 * i18n_json.PLURAL_PERIOD


def test_the_modules_messages_are_found_as_babel_cfg_finds_them(app):
    with app.app_context():
        found = i18n_json.js_messages()
    assert "Open now" in found and ("%(count)s contact shown", "%(count)s contacts shown") in found
    # Decoys and the admin stay English: nothing of theirs is ever asked for.
    assert not [message for message in found if "Calculator" in str(message)]


def precached(client, accept):
    body = client.get("/sw.js", headers={"Accept-Language": accept}).get_data(as_text=True)
    return precache_in(body)


def test_each_languages_json_is_kept_with_that_languages_pages_only(client):
    # The worker saves a language's files with its pages, and only for languages chosen (test_language_browser.py).
    listed = precached(client, "cy")
    assert {tag: [entry["url"] for entry in files] for tag, files in listed["languages"].items()} == {
        "en-GB": [], "en-GB-x-easy": [], "cy": ["/i18n/cy.json"], "pl": ["/i18n/pl.json"], "ur": ["/i18n/ur.json"],
        "pa": ["/i18n/pa.json"]}
    shared = listed["entries"] + listed["onDemand"] + listed["pages"]
    assert not [entry for entry in shared if re.fullmatch(r"/i18n/[^/]+\.json", entry["url"])]


def test_the_precached_jsons_revision_follows_its_bytes(client):
    entry = next(entry for entry in precached(client, "pl")["languages"]["pl"] if entry["url"] == "/i18n/pl.json")
    assert entry["revision"] == i18n_json.hashlib.sha256(client.get("/i18n/pl.json").get_data()).hexdigest()[:20]


def test_babel_cfg_and_the_json_find_the_same_messages():
    from babel.messages.frontend import parse_mapping_cfg

    with open(PROJECT_ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    javascript = [pattern for pattern, method in method_map if method == "javascript"]
    assert javascript == ["pwa/static/js/**.js"]
    ignored = {pattern for pattern, method in method_map if method == "ignore"}
    assert ignored == {f"pwa/static/js/{pattern}" for pattern in i18n_json.ENGLISH_ONLY}
    assert options_map[javascript[0]]["keywords"] == i18n_json.KEYWORDS  # parsed: {"t": None, "nt": (1, 2), ...}


def test_every_text_the_modules_pass_to_t_is_in_the_catalogue_template():
    """`pybabel extract` misses a call inside another's arguments (t('…', { x: t('…') })): such text would stay English."""
    from babel.messages.pofile import read_po

    with open(PROJECT_ROOT / "pwa" / "translations" / "messages.pot", "rb") as pot:
        known = {message.id if isinstance(message.id, str) else message.id[0] for message in read_po(pot)}
    literal = re.compile(r"""\b(?:t|nt|tParts)\(\s*'((?:[^'\\]|\\.)*)'""")
    missing = []
    for path in sorted((PROJECT_ROOT / "pwa" / "static" / "js").rglob("*.js")):
        if path.relative_to(PROJECT_ROOT / "pwa" / "static" / "js").parts[0] in ("admin", "decoys"):
            continue
        for text in literal.findall(path.read_text(encoding="utf-8")):
            if text.replace("\\'", "'") not in known:
                missing.append(f"{path.name}: {text}")
    assert missing == []


# The backup's text apart (PARTS): only its screens use it, and they are imported on demand. Likewise the trusted
# contacts' page's, kept on a later visit.
BACKUP_ONLY = "The journal was locked"  # device.js only
TRUSTED_ONLY = "Call me now"  # trusted/app.js only


def test_the_backups_own_text_is_in_its_part_only(welsh_client):
    response = welsh_client.get("/i18n/backup/cy.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == {"messages": {BACKUP_ONLY: "TEST-CY locked"}}  # no plural table: read beside the main
    assert BACKUP_ONLY not in welsh_client.get("/i18n/cy.json").get_json()["messages"]
    assert response.headers["Cache-Control"] == "public, no-cache"
    revalidated = welsh_client.get("/i18n/backup/cy.json", headers={"If-None-Match": response.headers["ETag"]})
    assert revalidated.status_code == 304


def test_the_trusted_pages_own_text_is_in_its_part_only(welsh_client):
    response = welsh_client.get("/i18n/trusted/cy.json")
    assert response.status_code == 200
    assert response.get_json() == {"messages": {TRUSTED_ONLY: "TEST-CY call"}}
    assert TRUSTED_ONLY not in welsh_client.get("/i18n/cy.json").get_json()["messages"]


def test_the_real_catalogues_keep_the_trusted_pages_text_out_of_the_main_one(client):
    # What a first visit downloads: none of the trusted page's own messages, in any language.
    for tag in i18n_json.TRANSLATED:
        main = client.get(f"/i18n/{tag}.json").get_json()["messages"]
        part = client.get(f"/i18n/trusted/{tag}.json").get_json()["messages"]
        assert not set(main) & set(part)
        assert TRUSTED_ONLY not in main and "Send a practice message to %(name)s" not in main
    assert client.get("/i18n/trusted/cy.json").get_json()["messages"][TRUSTED_ONLY]  # translated, in its part


@pytest.mark.parametrize("path", ["/i18n/backup/en-GB.json", f"/i18n/backup/{i18n.EASY_READ}.json",
                                  "/i18n/journal/cy.json", "/i18n/backup/xx.json"])
def test_a_part_or_language_without_a_catalogue_is_not_found(welsh_client, path):
    assert welsh_client.get(path).status_code == 404


def test_every_message_the_modules_use_is_in_exactly_one_catalogue(app):
    with app.app_context():
        main, backup, trusted = (i18n_json.js_messages(part) for part in (None, "backup", "trusted"))
        method_map = [(pattern, "ignore") for pattern in i18n_json.ENGLISH_ONLY] + [("**.js", "javascript")]
        found = list(i18n_json.extract_from_dir(str(PROJECT_ROOT / "pwa" / "static" / "js"), method_map,
                                                keywords=i18n_json.KEYWORDS, comment_tags=()))
    assert set(main) | set(backup) | set(trusted) == {message for _file, _line, message, _c, _x in found}
    assert not set(main) & set(backup) and not set(main) & set(trusted) and not set(backup) & set(trusted)
    for part, folder in ((backup, "journal/backup/"), (trusted, "trusted/")):
        elsewhere = {message for filename, _line, message, _c, _x in found if not filename.startswith(folder)}
        assert part and not set(part) & elsewhere  # a message a part shares with another module stays in the main
    assert "Open now" in main and BACKUP_ONLY in backup and TRUSTED_ONLY in trusted


def test_each_part_is_listed_on_demand_for_every_translated_language(client):
    listed = precached(client, "ur")
    parts = {entry["url"]: entry for entry in listed["onDemand"] if entry["url"].startswith("/i18n/")}
    assert sorted(parts) == [f"/i18n/{part}/{tag}.json" for part in ("backup", "trusted")
                             for tag in ("cy", "pa", "pl", "ur")]
    backup = [entry for url, entry in parts.items() if url.startswith("/i18n/backup/")]
    assert not [entry for entry in backup if entry.get("later")]  # fetched with the screens, never by itself
    # The trusted page's modules come on a later visit (webapp.KEPT_FOR_OFFLINE), and its text with them, in the
    # languages saved on the phone only: each file says its language.
    assert {url: (entry.get("later"), entry.get("lang")) for url, entry in parts.items()
            if url.startswith("/i18n/trusted/")} == {f"/i18n/trusted/{tag}.json": (1, tag)
                                                      for tag in ("cy", "pa", "pl", "ur")}
    for url in ("/i18n/backup/ur.json", "/i18n/trusted/ur.json"):
        body = client.get(url).get_data()
        assert parts[url]["revision"] == i18n_json.hashlib.sha256(body).hexdigest()[:20]
    assert not [entry for entry in listed["entries"] if entry["url"].startswith(("/i18n/backup/", "/i18n/trusted/"))]
