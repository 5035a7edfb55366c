"""Guides and services in the language people chose (i18n.content_language), falling back to English.

Pages show the words of a translation and everything else (numbers, hours, links, dates) from the English record.
A page says when it falls back to English, and when its translation has not yet been checked by a fluent speaker.
The admin stays English, and so does its preview of the public pages.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import g
from markupsafe import Markup

from . import content, i18n

# A translation's state as pages show it.
FALLBACK, NEEDS_REVIEW = "fallback", "needs-review"


@dataclass(frozen=True)
class GuideText:
    slug: str
    title: str
    summary: str
    body_html: str
    state: str | None  # FALLBACK, NEEDS_REVIEW or None
    lang: str | None  # the lang attribute when the words are in another language than the page (English)


@dataclass(frozen=True)
class ServiceText:
    description: str
    hours_note: str
    state: str | None
    lang: str | None


def _translations() -> dict:
    # One query per request for every record the page shows.
    if "translations" not in g:
        tag = i18n.content_language()
        g.translations = content.translations_in(tag) if tag != i18n.DEFAULT else {}
    return g.translations


def expected(kind: str, slug: str, tag: str) -> bool:
    """Whether this language is meant to have this record: Easy Read has the key guides only."""
    if tag == i18n.DEFAULT:
        return False
    if tag == i18n.EASY_READ:
        return kind == "guide" and slug in content.EASY_READ_GUIDES
    return True


def guide_text(guide) -> GuideText:
    tag = i18n.content_language()
    found = _translations().get(("guide", guide.slug))
    if found is not None:
        return GuideText(guide.slug, found.title, found.summary, found.body_html,
                         NEEDS_REVIEW if found.needs_review else None, None)
    state = FALLBACK if expected("guide", guide.slug, tag) else None
    return GuideText(guide.slug, guide.title, guide.summary, guide.body_html, state,
                     i18n.DEFAULT if state and tag != i18n.EASY_READ else None)


def service_text(service) -> ServiceText:
    tag = i18n.content_language()
    found = _translations().get(("service", service.slug))
    if found is not None:
        return ServiceText(found.description, found.hours_note, NEEDS_REVIEW if found.needs_review else None, None)
    state = FALLBACK if expected("service", service.slug, tag) and service.description else None
    return ServiceText(service.description, service.hours_note, state, i18n.DEFAULT if state else None)


def in_english() -> Markup:
    """Attributes for words that stay English on every page (areas, organisations' names): on a page in another
    language, screen readers then say them as English, and right-to-left pages keep their punctuation in place."""
    if i18n.html_lang() == i18n.DEFAULT:  # English pages, and outside a request
        return Markup("")
    return Markup(f' lang="{i18n.DEFAULT}" dir="ltr"')


def init_app(app) -> None:
    app.add_template_global(in_english)
    app.add_template_global(guide_text)
    app.add_template_global(service_text)
