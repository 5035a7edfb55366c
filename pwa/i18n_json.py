"""The modules' interface text per language, as /i18n/<lang>.json, for static/js/i18n.js.

It comes from the same compiled gettext catalogues as the pages, and holds only the messages the modules mark with
t(), nt() and tParts(), found with Babel's javascript extractor as babel.cfg finds them. Untranslated messages are
left out (the module shows the English msgid, as gettext does). The plural rule travels as data, not code: the index
of the form for every count up to twice its period (computed here by the rule from the catalogue's Plural-Forms), so
nothing is evaluated in the browser.

Messages only the screens imported on demand use (PARTS: the journal's backup, the trusted contacts' page) go in a
catalogue of their own, /i18n/<part>/<lang>.json, fetched with those screens (i18n.js translationsFor) and kept by the
worker as the screens' modules are (the trusted page's on a later visit, in the languages saved on the phone): a first
visit downloads neither. A message also used elsewhere stays in the main one.
"""
from __future__ import annotations

import functools
import hashlib
import json
from fnmatch import fnmatch
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.support import Translations
from flask import Blueprint, Response, abort, current_app, request
from flask_babel import get_babel

from . import i18n

bp = Blueprint("i18n_json", __name__)

# Modules that stay English: the agency admin's, and the decoys' (they pass for ordinary apps, in English).
ENGLISH_ONLY = ("admin/**", "decoys/**")
KEYWORDS = {"t": None, "nt": (1, 2), "tParts": None}  # as babel.cfg's [javascript] section
# Gettext rules turn on n % 10 and n % 100 and on exact counts under 100: from 100 on, the form repeats every 100.
PLURAL_PERIOD = 100
PLURAL_CHECKED_UP_TO = 10_000
TRANSLATED = tuple(tag for tag in i18n.LOCALES if tag != i18n.DEFAULT)
ETAG_CHARS = 16  # as static files' (webapp.lean_static_headers)
# Part name -> the modules (under static/js/) whose messages it holds: on-demand modules, as webapp.ON_DEMAND lists.
PARTS = {"backup": "journal/backup/*", "trusted": "trusted/*"}


def _stamps(paths) -> tuple:
    return tuple((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in paths)


def _js_files() -> list[Path]:
    return sorted(Path(current_app.static_folder, "js").rglob("*.js"))


def part_of(filename: str) -> str | None:
    """The part a module's messages go to (its path under static/js/), None for the main catalogue."""
    return next((part for part, pattern in PARTS.items() if fnmatch(filename, pattern)), None)


@functools.lru_cache(maxsize=8)
def _messages_in(folder: str, stamps: tuple) -> dict:
    method_map = [(pattern, "ignore") for pattern in ENGLISH_ONLY] + [("**.js", "javascript")]
    found = extract_from_dir(folder, method_map, keywords=KEYWORDS, comment_tags=())
    by_part = {None: {}} | {part: {} for part in PARTS}
    for filename, _line, message, _comments, _context in found:
        by_part[part_of(Path(filename).as_posix())][message] = None
    main = by_part.pop(None)
    return {None: tuple(main)} | {part: tuple(message for message in messages if message not in main)
                                  for part, messages in by_part.items()}


def js_messages(part: str | None = None) -> tuple:
    """The msgids the modules use (those of the main catalogue, or of a part): a str for t(), a (singular, plural)
    pair for nt()."""
    return _messages_in(str(Path(current_app.static_folder, "js")), _stamps(_js_files()))[part]


def _mo_files(name: str) -> list[Path]:
    return [path for folder in get_babel().translation_directories
            if (path := Path(folder, name, "LC_MESSAGES", "messages.mo")).is_file()]


def plural_table(translations: Translations) -> list[int]:
    table = [translations.plural(n) for n in range(2 * PLURAL_PERIOD)]
    for n in range(2 * PLURAL_PERIOD, PLURAL_CHECKED_UP_TO):
        if translations.plural(n) != table[PLURAL_PERIOD + n % PLURAL_PERIOD]:
            raise ValueError(f"the plural rule does not repeat every {PLURAL_PERIOD} (n={n})")
    return table


def _translated(translations: Translations, message, table: list[int]):
    if isinstance(message, str):
        text = translations.gettext(message)
        return text if text != message else None
    singular, plural = message
    # One count per form, the first that takes it; gettext answers English for a message it lacks.
    counts = [table.index(form) if form in table else 2 for form in range(max(table) + 1)]
    forms = [translations.ngettext(singular, plural, n) for n in counts]
    english = [singular if n == 1 else plural for n in counts]
    # pybabel compile writes an untranslated plural as the msgids, one per form (so "1 contacts shown" in Welsh):
    # left out too, for English's own rule.
    compiled_empty = [singular if form == 0 else plural for form in range(len(counts))]
    return None if forms in (english, compiled_empty) else forms


@functools.lru_cache(maxsize=32)
def _body(name: str, stamps: tuple, messages: tuple, with_plural: bool = True) -> bytes:
    translations = None
    for path, _mtime, _size in stamps:
        with open(path, "rb") as mo:
            found = Translations(mo)
        translations = found if translations is None else translations.merge(found)
    table = plural_table(translations)
    wanted = {}
    for message in messages:
        translated = _translated(translations, message, table)
        if translated is not None:
            wanted[message if isinstance(message, str) else message[0]] = translated
    # A part needs no plural table: it is only ever read beside its language's main catalogue.
    payload = {"plural": table, "messages": wanted} if with_plural else {"messages": wanted}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def catalogue_json(lang: str, part: str | None = None) -> bytes | None:
    """The JSON for a language tag (and a part), or None for one without a catalogue (British English has none)."""
    if lang not in TRANSLATED or (part is not None and part not in PARTS):
        return None
    mo_files = _mo_files(i18n.LOCALES[lang])
    if not mo_files:
        return None
    return _body(i18n.LOCALES[lang], _stamps(mo_files), js_messages(part), part is None)


@bp.get("/i18n/<lang>.json")
def catalogue(lang: str):
    return _catalogue_response(catalogue_json(lang))


@bp.get("/i18n/<part>/<lang>.json")
def part_catalogue(part: str, lang: str):
    return _catalogue_response(catalogue_json(lang, part))


def _catalogue_response(body: bytes | None):
    if body is None:
        abort(404)
    response = Response(body, mimetype="application/json")
    # As static files: the digest as ETag, kept by the browser and revalidated (a 304) rather than trusted for a
    # time, since the address has no version in it. The worker serves its precached copy. Nothing here depends on
    # a cookie: the language is in the address.
    response.set_etag(hashlib.sha256(body).hexdigest()[:ETAG_CHARS])
    response.headers["Cache-Control"] = "public, no-cache"
    return response.make_conditional(request)
