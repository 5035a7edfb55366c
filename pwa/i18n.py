"""Languages: interface text through Flask-Babel's gettext catalogues (pwa/translations/).

The language is the person's choice, remembered in a cookie on the phone only (like the `look` cookie: no
server profile), else the best match for the browser's Accept-Language, else British English. Catalogues are
made and compiled with `make translations` (pybabel extract/update/compile, see babel.cfg).
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from babel import Locale
from flask import Blueprint, abort, has_request_context, redirect, request, url_for
from flask_babel import get_locale, gettext

bp = Blueprint("language", __name__)

# Tag as written in <html lang> -> Babel's name for its catalogue. en-GB has no catalogue: the source text is it.
LOCALES = {"en-GB": "en_GB", "cy": "cy", "pl": "pl", "ur": "ur", "pa": "pa"}
DEFAULT = "en-GB"
# Easy Read is chosen like a language but changes only content (guides): its interface is British English.
EASY_READ = "en-GB-x-easy"
CHOOSABLE = {**LOCALES, EASY_READ: "en_GB"}
RIGHT_TO_LEFT = {"ur"}
# The chosen language; a name as dull as `look`, which a person checking the phone learns nothing from.
COOKIE = "lang"
# Like the appearance: browsers cap a cookie at 400 days, and a language chosen once should last an install.
COOKIE_MAX_AGE = timedelta(days=400)
# The service worker fetches each saved language's pages with this header (it cannot set the cookie), to keep a
# language other than the current one up to date; it wins over the cookie for that one request.
WORKER_HEADER = "X-Language"


def N_(message: str) -> str:
    """Marks text kept in a constant for `pybabel extract`; it is translated where it is shown (`_(label)`)."""
    return message


def chosen_tag() -> str:
    """The language this request renders in, as a tag from CHOOSABLE."""
    if not has_request_context() or request.blueprint == "admin":
        return DEFAULT  # the command line, background work and the agency admin stay in English
    wanted = request.headers.get(WORKER_HEADER, "")
    if wanted in CHOOSABLE:
        return wanted
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


def own_name(tag: str) -> str:
    """A language's name in its own words and script, from CLDR (Babel), e.g. Cymraeg, اردو."""
    if tag == EASY_READ:
        return "Easy Read"
    locale = Locale.parse(CHOOSABLE[tag])
    name = locale.get_language_name(locale)
    return name[:1].upper() + name[1:]  # "polski" starts a menu item: Polski (scripts without case are unchanged)


def choices() -> list[dict]:
    """The chooser's links (base.html), each named in its own language, the chosen one marked."""
    chosen = content_language()
    here = request.full_path.rstrip("?") if has_request_context() else "/"
    found = []
    for tag in CHOOSABLE:
        text_lang = DEFAULT if tag == EASY_READ else tag
        name = own_name(tag)
        found.append({
            "tag": tag, "name": name, "lang": text_lang, "dir": "rtl" if tag in RIGHT_TO_LEFT else "ltr",
            "chosen": tag == chosen, "href": url_for("language.choose", tag=tag, next=here),
        })
    return found


def not_saved_message() -> str:
    """Said in the current language when a language cannot be had offline (language-chooser.js puts in its
    name, isolated by U+2068..2069 so that it keeps its own direction inside a sentence of the other)."""
    return gettext("%(language)s is not saved on this phone yet. Connect to the internet once to get it.",
                   language="\u2068{language}\u2069")


def local_path(target: str) -> str | None:
    """`target` if it is a path on this site ("/helplines?area=x"), else None: never send anyone elsewhere."""
    if not target.startswith("/") or target.startswith(("//", "/\\")) or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.get("/language/<tag>")
def choose(tag: str):
    """The chooser without JavaScript: remember the language on this phone, then back to the page it was on."""
    if tag not in CHOOSABLE:
        abort(404)
    response = redirect(local_path(request.args.get("next", "")) or url_for("pages.home"), code=303)
    # Not HttpOnly: the chooser's script sets it too, offline. Lax: it only says how to show pages.
    response.set_cookie(COOKIE, tag, max_age=COOKIE_MAX_AGE, path="/", secure=request.is_secure, samesite="Lax")
    return response


def content_language_header(response):
    """Pages say which language they are in, so the service worker keys its copy by it (it cannot read cookies)."""
    if response.mimetype == "text/html" and "Content-Language" not in response.headers:
        # X-Language is left out of Vary: pages are no-store for browsers, and a page asked for with it is never
        # marked for shared caches (response_cache.for_shared_caches), so no cache keeps them by it.
        response.headers["Content-Language"] = content_language()
    return response


def init_app(app) -> None:
    from .extensions import babel

    app.config.setdefault("BABEL_DEFAULT_LOCALE", LOCALES[DEFAULT])
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/London")
    babel.init_app(app, locale_selector=select_locale)
    app.context_processor(lambda: {"html_lang": html_lang(), "html_dir": html_dir(), "languages": choices,
                                     "language_not_saved": not_saved_message})
    app.register_blueprint(bp)
    app.after_request(content_language_header)
