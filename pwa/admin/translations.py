"""The admin's view of translations: what each language is missing, what needs review by a fluent speaker,
what is out of date, and the state of each interface catalogue. Marking a translation reviewed is recorded in
the audit log, and changes the bundle version so pages drop their "not yet checked" note."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po
from flask import current_app
from marshmallow import ValidationError

from .. import content, i18n
from ..extensions import db
from ..models import Guide, Service, Translation
from ..schemas import MaxChars, uk_today
from .drafts import audit, version_of

LANGUAGE_NAMES = {"cy": "Welsh (Cymraeg)", "pl": "Polish (polski)", "ur": "Urdu (اردو)", "pa": "Punjabi (ਪੰਜਾਬੀ)",
                  i18n.EASY_READ: "Easy Read English"}
REVIEWER_LIMIT = 254  # characters, the column's size


class ReviewRefused(Exception):
    """Why a translation could not be marked reviewed, said for people."""


# A catalogue's review state lives in its header comment, which `pybabel update` keeps (it drops header fields it does
# not know): "needs review by a fluent speaker" until a reviewer writes "Reviewed by <name> on <date>." there.
REVIEW_STATUS = re.compile(r"needs review by a fluent speaker|Reviewed by [^.]*\.?")


@dataclass(frozen=True)
class CatalogueState:
    language: str
    translated: int
    total: int
    review_status: str  # from the .po's header comment (REVIEW_STATUS), or ""


def catalogue_state(language: str, folder: Path | None = None) -> CatalogueState | None:
    """How much of the interface text a language's catalogue translates (None: no catalogue).

    `folder`: where the catalogues are (default: pwa/translations)."""
    folder = folder or Path(current_app.root_path) / "translations"
    path = folder / i18n.LOCALES[language] / "LC_MESSAGES" / "messages.po"
    try:
        with path.open("rb") as po:
            catalog = read_po(po)
    except FileNotFoundError:
        return None
    messages = [m for m in catalog if m.id]
    done = sum(1 for m in messages if (all(m.string) if isinstance(m.string, tuple) else m.string))
    review = REVIEW_STATUS.search(" ".join(catalog.header_comment.replace("#", " ").split()))
    return CatalogueState(language, done, len(messages), review.group(0).rstrip(".") if review else "")


def overview() -> list[dict]:
    """Per language: its name, content state (content.LanguageStatus) and interface catalogue state."""
    guides = db.session.scalars(content.ordered_guides()).all()
    services = db.session.scalars(content.ordered_services()).all()
    translations = db.session.scalars(db.select(Translation)).all()
    found = {(t.kind, t.language, t.slug): t for t in translations}
    result = []
    for status in content.translation_status(guides, services, translations):
        catalogue = catalogue_state(status.language) if status.language in i18n.LOCALES else None
        result.append({"language": status.language, "name": LANGUAGE_NAMES.get(status.language, status.language),
                       "status": status, "catalogue": catalogue,
                       "versions": {(kind, slug): version_of(content.translation_record(found[kind, status.language,
                                                                                                 slug]))
                                    for kind, slug, _ in status.needs_review}})
    return result


def mark_reviewed(actor: str, kind: str, language: str, slug: str, reviewer: str, version: str) -> Translation:
    """Record that someone fluent checked this translation for the agency; audited, committed."""
    translation = content.find_translation(kind, language, slug)
    if translation is None:
        raise ReviewRefused("there is no such translation (it may have been removed by a content load).")
    before = content.translation_record(translation)
    if version != version_of(before):
        raise ReviewRefused("the translation changed since the page was shown: look at it again.")
    reviewer = reviewer.strip()
    if not reviewer or "\x00" in reviewer:
        raise ReviewRefused("say who reviewed it: the fluent speaker's name, or their organisation.")
    try:
        MaxChars(REVIEWER_LIMIT)(reviewer)
    except ValidationError as too_long:
        raise ReviewRefused(f"the reviewer's name is too long. {' '.join(too_long.messages)}") from None
    translation.needs_review, translation.reviewed_by, translation.reviewed_on = False, reviewer, uk_today()
    after = content.translation_record(translation)
    audit(actor, "translation-reviewed", "translation", content.translation_key(after), before, after,
          note=f"reviewed by {reviewer}")
    db.session.commit()
    return translation


def english_title(kind: str, slug: str) -> str:
    record = content.by_slug(Guide if kind == "guide" else Service, slug)
    return (record.title if kind == "guide" else record.name) if record else slug
