"""Languages: interface text through Flask-Babel's gettext catalogues (pwa/translations/).

The language is the person's choice, remembered in a cookie on the phone only (like the `look` cookie: no
server profile), else the best match for the browser's Accept-Language, else British English. Catalogues are
made and compiled with `make translations` (pybabel extract/update/compile, see babel.cfg).
"""
from __future__ import annotations

from flask import has_request_context, request
from flask_babel import get_locale

# Tag as written in <html lang> -> Babel's name for its catalogue. en-GB has no catalogue: the source text is it.
LOCALES = {"en-GB": "en_GB", "cy": "cy", "pl": "pl", "ur": "ur", "pa": "pa"}
DEFAULT = "en-GB"
# Easy Read is chosen like a language but changes only content (guides): its interface is British English.
EASY_READ = "en-GB-x-easy"
CHOOSABLE = {**LOCALES, EASY_READ: "en_GB"}
RIGHT_TO_LEFT = {"ur"}
# The chosen language; a name as dull as `look`, which a person checking the phone learns nothing from.
COOKIE = "lang"


def N_(message: str) -> str:
    """Marks text kept in a constant for `pybabel extract`; it is translated where it is shown (`_(label)`)."""
    return message


def chosen_tag() -> str:
    """The language this request renders in, as a tag from LOCALES."""
    if not has_request_context():
        return DEFAULT  # the command line and background work stay in English
    cookie = request.cookies.get(COOKIE, "")
    if cookie in CHOOSABLE:
        return cookie
    return request.accept_languages.best_match(LOCALES, default=DEFAULT)


def select_locale() -> str:
    return CHOOSABLE[chosen_tag()]


def content_language() -> str:
    """The tag content translations are looked up by: a language from LOCALES, or EASY_READ."""
    return chosen_tag()


def html_lang() -> str:
    tag = str(get_locale() or "")
    return next((name for name, babel_name in LOCALES.items() if babel_name == tag), DEFAULT)


def html_dir() -> str:
    return "rtl" if html_lang() in RIGHT_TO_LEFT else "ltr"


def init_app(app) -> None:
    from .extensions import babel

    app.config.setdefault("BABEL_DEFAULT_LOCALE", LOCALES[DEFAULT])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/London")
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(lambda: {"html_lang": html_lang(), "html_dir": html_dir()})
