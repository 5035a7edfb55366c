"""Every page in every language: nothing left untranslated, the right <html lang dir>, and the catalogues complete.

A missing translation normally falls back to English without a sound. Here each language's catalogue gets a
fallback that marks what it was asked for and did not have, so a page showing any untranslated interface
text fails, naming the text.
"""
import gettext
import re

import pytest
from babel.messages.pofile import read_po

from pwa import content, i18n
from pwa.extensions import babel, db
from pwa.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "pwa" / "translations"
TRANSLATED = [tag for tag in i18n.LOCALES if tag != i18n.DEFAULT]
MISSING = "⟦untranslated⟧"
NOT_PAGES = ("/api/", "/admin", "/static/", "/sw.js", "/manifests/", "/i18n/")


class MarkMissing(gettext.NullTranslations):
    def gettext(self, message):
        return f"{MISSING}{message}"

    def ngettext(self, singular, plural, n):
        return f"{MISSING}{singular if n == 1 else plural}"

    def pgettext(self, context, message):
        return f"{MISSING}{message}"

    def npgettext(self, context, singular, plural, n):
        return f"{MISSING}{singular if n == 1 else plural}"


@pytest.fixture
def marking_missing(app, fresh_catalogues):
    """Loads each language's catalogue once, with the marking fallback added (Flask-Babel caches it)."""
    for tag in TRANSLATED:
        with app.test_request_context(headers={"Cookie": f"{i18n.COOKIE}={tag}"}):
            babel.domain_instance.get_translations().add_fallback(MarkMissing())
    yield


def page_paths(app) -> list[str]:
    client = app.test_client()
    paths = [rule.rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(NOT_PAGES)]
    paths = [path for path in paths if client.get(path).mimetype == "text/html"]
    with app.app_context():
        paths += [f"/guides/{guide.slug}" for guide in db.session.scalars(content.ordered_guides())]
    return sorted(paths) + ["/no-such-page"]


def untranslated(html: str) -> list[str]:
    text = re.sub(r"<[^>]*>", "", html)  # a marked sentence may start with a link
    return sorted(set(re.findall(re.escape(MISSING) + r"[^\n\"]{0,60}", text)))


@pytest.mark.parametrize("tag", TRANSLATED)
def test_every_page_renders_with_no_untranslated_interface_text(app, client, marking_missing, tag):
    client.set_cookie(i18n.COOKIE, tag)
    direction = "rtl" if tag in i18n.RIGHT_TO_LEFT else "ltr"
    problems = {}
    for path in page_paths(app):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code in (200, 404), path
        if not path.startswith(("/calculator", "/weather", "/notes")):  # decoys stay English (README, Languages)
            assert re.search(rf'<html lang="{tag}" dir="{direction}"', html), path
        if missing := untranslated(html):
            problems[path] = missing
    assert problems == {}


def test_the_marker_really_finds_untranslated_text(app, client, marking_missing):
    """The check above can fail: a message no catalogue has comes out marked."""
    from flask_babel import gettext as _
    with app.test_request_context(headers={"Cookie": f"{i18n.COOKIE}=cy"}):
        assert _("A sentence no translator has seen") == f"{MISSING}A sentence no translator has seen"


@pytest.mark.parametrize("tag", TRANSLATED)
def test_every_catalogue_translates_every_message(tag):
    with open(TRANSLATIONS / tag / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalogue = read_po(po, locale=tag)
    empty = [message.id for message in catalogue if message.id and not all(
        message.string if isinstance(message.string, tuple) else [message.string])]
    assert empty == []
    assert not [message.id for message in catalogue if message.fuzzy and message.id], "fuzzy entries are not compiled"
