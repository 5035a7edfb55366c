"""The content pack: files in the repo (or an agency's own folder) loaded into the database.

Layout of a pack:
    areas.toml        [[area]] tables
    services.toml     [[service]] tables, each naming its area's slug
    guides/*.md       TOML front matter between +++ lines, then Markdown
    plan.toml         [[question]] tables: the safety plan's questions and their options (see pwa/plan.py)
    tech_check.toml   [[step]] tables: the tech-safety check's steps (optional: without it, the page has none)
    translations/<language>/guides/<slug>.md   a guide's words in that language (front matter, then Markdown)
    translations/<language>/services.toml      [[service]] tables: a service's description and hours note

Translations carry only words: a missing one falls back to English (a warning in `flask content check`), one
whose English was checked after it was translated is out of date (a warning), and one whose numbers differ from
the English record's is refused (an error: a wrong phone number in any language is a danger).

A pack sets up a new server and imports content; once staff publish in the admin, the database is the
source of truth (see `flask content load` in cli.py). `export_files` writes the published content back out
as a pack, so the two can be kept in step and content moved between servers.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import brotli
import sqlalchemy as sa
from marshmallow import Schema, ValidationError
from sqlalchemy.orm import contains_eager

from . import bidi, guide_markdown
from .extensions import db
from .i18n import EASY_READ
from .models import Area, Guide, PlanQuestion, Service, TechStep, Translation
from .plan import published_questions, question_order
from .schemas import (SLUG, TRANSLATION_LANGUAGES, AreaContentSchema, AreaSchema, GuideContentSchema, GuideSchema,
                      GuideTranslationSchema, PlanQuestionContentSchema, ServiceContentSchema, ServiceSchema,
                      ServiceTranslationSchema, TechStepContentSchema)

# Record kinds in pack order, each with the schema that checks it.
CONTENT_SCHEMAS: dict[str, type[Schema]] = {
    "areas": AreaContentSchema,
    "services": ServiceContentSchema,
    "guides": GuideContentSchema,
    "questions": PlanQuestionContentSchema,
    "steps": TechStepContentSchema,
}
SINGULAR = {"areas": "area", "services": "service", "guides": "guide", "questions": "question", "steps": "step"}
TECH_CHECK_FILE = "tech_check.toml"
# What can be translated, each with the schema that checks a translation.
TRANSLATION_SCHEMAS: dict[str, type[Schema]] = {"guide": GuideTranslationSchema, "service": ServiceTranslationSchema}
# Easy Read covers the key guides only (issue 14); everything else is read in standard English.
EASY_READ_GUIDES = ("recognising-the-signs", "silent-solution", "safety-plan")

# The offline bundle's budget, compressed with Brotli as browsers download it. Measured on 2026-11-30 with
# bench_pwa.py: a cold first visit transfers 147.2 KB with the default content (19 services, 8 guides, the safety
# plan, the self-check), whose bundle is 6.0 KB compressed. Each further KB of bundle costs about 2.5 KB on a first
# visit (the same text is in the pages the worker also saves, and each new page brings its headers), so at 7 KB
# the first visit reaches the 150 KB goal: the content alone must not take it further.
BUNDLE_BUDGET = 7 * 1024


class ContentError(Exception):
    """Everything wrong with a pack, one line each: file, field, why."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Pack:
    areas: list[dict] = field(default_factory=list)
    services: list[dict] = field(default_factory=list)
    guides: list[dict] = field(default_factory=list)
    questions: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)  # the tech-safety check's
    # Each as its schema loads it, with "kind" ("guide" or "service") added.
    translations: list[dict] = field(default_factory=list)


def render_markdown(text: str) -> str:
    return bidi.isolate_numbers(guide_markdown.render(text))


def read_pack(directory: str | Path) -> Pack:
    directory = Path(directory)
    problems: list[str] = []
    pack = Pack()

    def validated(schema: Schema, records: list, filename: str, kind: str) -> list[dict]:
        good = []
        for index, record in enumerate(records):
            label = f"{filename}: {kind}[{index}]"
            if isinstance(record, dict) and isinstance(record.get("slug"), str):
                label += f" ({record['slug']})"
            try:
                good.append(schema.load(record))
            except ValidationError as err:
                problems.extend(f"{label}.{name}: {why}" for name, why in flatten_messages(err.messages))
        return good

    def table_list(filename: str, key: str, optional: bool = False) -> list:
        path = directory / filename
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            if not optional:
                problems.append(f"{filename}: file is missing")
            return []
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            problems.append(f"{filename}: not valid TOML ({err})")
            return []
        unknown = set(data) - {key}
        if unknown:
            keys = "keys" if len(unknown) > 1 else "key"
            problems.append(f"{filename}: unexpected top-level {keys} {', '.join(sorted(unknown))}")
        records = data.get(key, [])
        if not isinstance(records, list):
            problems.append(f"{filename}: {key} must be a list of [[{key}]] tables")
            return []
        return records

    pack.areas = validated(AreaContentSchema(), table_list("areas.toml", "area"), "areas.toml", "area")
    pack.services = validated(ServiceContentSchema(), table_list("services.toml", "service"),
                              "services.toml", "service")

    def guides_in(folder: str, schema: Schema, **extra) -> list[dict]:
        found = []
        for path in sorted((directory / folder).glob("*.md")):
            name = f"{folder}/{path.name}"
            try:
                front, body = _split_front_matter(path.read_text(encoding="utf-8"))
                record = tomllib.loads(front) | {"slug": path.stem, **extra, "body_markdown": body}
            except (ValueError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
                problems.append(f"{name}: {err}")
                continue
            found.extend(validated(schema, [record], name, "guide"))
        return found

    def translations() -> list[dict]:
        """Every translation in translations/<language>/ (none without that folder), each with its kind."""
        found = []
        folder = directory / "translations"
        for language in sorted(path.name for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []:
            if language not in TRANSLATION_LANGUAGES:
                problems.append(f"translations/{language}/: not a language this app offers "
                                f"(use {', '.join(TRANSLATION_LANGUAGES)})")
                continue
            found += [r | {"kind": "guide"} for r in guides_in(f"translations/{language}/guides",
                                                               GuideTranslationSchema(), language=language)]
            services = f"translations/{language}/services.toml"
            if (directory / services).exists():
                records = [r | {"language": language} if isinstance(r, dict) else r
                           for r in table_list(services, "service")]
                found += [r | {"kind": "service"}
                          for r in validated(ServiceTranslationSchema(), records, services, "service")]
        return found

    pack.guides = guides_in("guides", GuideContentSchema())
    pack.questions = validated(PlanQuestionContentSchema(), table_list("plan.toml", "question"), "plan.toml",
                               "question")
    pack.steps = validated(TechStepContentSchema(), table_list(TECH_CHECK_FILE, "step", optional=True),
                           TECH_CHECK_FILE, "step")
    pack.translations = translations()

    area_slugs = {a["slug"] for a in pack.areas}
    for filename, kind, records in (("areas.toml", "area", pack.areas), ("services.toml", "service", pack.services),
                                    ("plan.toml", "question", pack.questions),
                                    (TECH_CHECK_FILE, "step", pack.steps)):
        problems.extend(f"{filename}: {kind} slug {s!r} is used more than once" for s in _repeats(r["slug"] for r in records))
    for service in pack.services:
        if service["area"] not in area_slugs:
            problems.append(f"services.toml: service ({service['slug']}).area: no area with slug {service['area']!r}")
    if not any((directory / "guides").glob("*.md")):
        problems.append("guides/: no guides found")
    problems.extend(f"plan.toml: question ({slug}).show_if: {why}" for slug, why in show_if_problems(pack.questions))
    # Translations are checked against the English records: while one of those is broken, that is the problem to say.
    if not any(problem.startswith(("services.toml", "guides/")) for problem in problems):
        problems.extend(translation_problems(pack))

    if problems:
        raise ContentError(problems)
    return pack


# Numbers in running text: digits (in any script) in groups separated by single spaces, as phone numbers are
# written. One-digit numbers are left out (list items, "one or two"), and so are web addresses (the same links).
_NUMBER = re.compile(r"[0-9]+(?:[ \u00a0\u202f][0-9]+)*")
_LIST_MARKER = re.compile(r"^[ \t]*[0-9]+[.)][ \t]", re.MULTILINE)
_ADDRESS = re.compile(r"https?://[^\s)>\]]*")


def numbers_in(*texts: str) -> set[str]:
    """The numbers (2 digits or more) in these texts, written with ASCII digits and single spaces."""
    found = set()
    for text in texts:
        text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text or "")
        text = _LIST_MARKER.sub("", _ADDRESS.sub("", text))
        for match in _NUMBER.findall(text):
            number = re.sub(r"\s", " ", match)
            if len(number.replace(" ", "")) >= 2:
                found.add(number)
    return found


TRANSLATED_TEXT = {"guide": ("title", "summary", "body_markdown"), "service": ("description", "hours_note")}


def translation_problems(pack: Pack) -> list[str]:
    """Errors in the pack's translations: a record with no English original, one translated twice, and numbers
    (phone numbers, 999, times, amounts) that are not exactly the English record's."""
    english = {"guide": {g["slug"]: g for g in pack.guides}, "service": {s["slug"]: s for s in pack.services}}
    problems, seen = [], set()
    for record in pack.translations:
        key = (record["kind"], record["language"], record["slug"])
        if key in seen:
            problems.append(f"{translation_place(record)}: translated more than once")
        seen.add(key)
        if problem := translation_problem(record, english[record["kind"]].get(record["slug"])):
            problems.append(f"{translation_place(record)}: {problem}")
    return problems


def translation_place(record: dict) -> str:
    language, slug = record["language"], record["slug"]
    return (f"translations/{language}/guides/{slug}.md" if record["kind"] == "guide"
            else f"translations/{language}/services.toml: service ({slug})")


def translation_problem(record: dict, original: dict | None) -> str | None:
    """What is wrong with a translation of this English record (None: nothing)."""
    kind = record["kind"]
    if original is None:
        return f"no English {kind} with the short name {record['slug']!r}"
    fields = TRANSLATED_TEXT[kind]
    expected = numbers_in(*(original.get(name) or "" for name in fields))
    got = numbers_in(*(record.get(name) or "" for name in fields))
    if got == expected:
        return None
    said = []
    if expected - got:
        said.append(f"missing {', '.join(sorted(expected - got))}")
    if got - expected:
        said.append(f"not in the English: {', '.join(sorted(got - expected))}")
    return (f"its numbers must be exactly the English {kind}'s ({'; '.join(said)}). "
            "A wrong phone number is a danger: copy every number from the English.")


@dataclass
class LanguageStatus:
    """Per language: what is not translated, what is translated but not yet reviewed, what is out of date.

    Each a list of (kind, slug, English title or name)."""
    language: str
    missing: list[tuple[str, str, str]] = field(default_factory=list)
    needs_review: list[tuple[str, str, str]] = field(default_factory=list)
    out_of_date: list[tuple[str, str, str]] = field(default_factory=list)
    translated: int = 0


def expected_translations(language: str, guides: list, services: list) -> list[tuple[str, object]]:
    """(kind, English record) of everything a language should have: Easy Read only has the key guides."""
    if language == EASY_READ:
        return [("guide", g) for g in guides if _get(g, "slug") in EASY_READ_GUIDES]
    return [("guide", g) for g in guides] + [("service", s) for s in services]


def translation_status(guides: list, services: list, translations: list) -> list[LanguageStatus]:
    """Each language's state, from English records and translations (rows or dicts alike)."""
    english = {("guide", _get(g, "slug")): g for g in guides} | {("service", _get(s, "slug")): s for s in services}
    by_key = {(_get(t, "kind"), _get(t, "language"), _get(t, "slug")): t for t in translations}
    result = []
    for language in TRANSLATION_LANGUAGES:
        status = LanguageStatus(language)
        for kind, record in expected_translations(language, guides, services):
            if (kind, language, _get(record, "slug")) not in by_key:
                status.missing.append((kind, _get(record, "slug"), _label(record)))
        for (kind, tag, slug), translation in sorted(by_key.items()):
            original = english.get((kind, slug))
            if tag != language or original is None:
                continue
            status.translated += 1
            if _get(translation, "needs_review"):
                status.needs_review.append((kind, slug, _label(original)))
            if _as_date(_get(original, "last_checked")) > _as_date(_get(translation, "translated_on")):
                status.out_of_date.append((kind, slug, _label(original)))
        result.append(status)
    return result


def translation_warnings(pack: Pack) -> list[str]:
    """What `flask content check` warns about: missing translations, and ones whose English changed since."""
    warnings = []
    for status in translation_status(pack.guides, pack.services, pack.translations):
        for kind in ("guide", "service"):
            missing = [slug for k, slug, _ in status.missing if k == kind]
            if missing:
                warnings.append(f"translations/{status.language}: no translation of {len(missing)} {kind}"
                                f"{'s' if len(missing) != 1 else ''}, shown in English: {listed(missing)}")
        warnings.extend(f"translations/{status.language}: {kind} {slug} is out of date: its English was checked "
                        "after it was translated (translated_on)" for kind, slug, _ in status.out_of_date)
        if status.needs_review:
            warnings.append(f"translations/{status.language}: {len(status.needs_review)} of {status.translated} "
                            "translations need review by a fluent speaker")
    return warnings


# A national pack misses thousands of translations: name the first few, count the rest.
LISTED_AT_MOST = 20


def listed(slugs: list[str]) -> str:
    if len(slugs) <= LISTED_AT_MOST:
        return ", ".join(slugs)
    return f"{', '.join(slugs[:LISTED_AT_MOST])} and {len(slugs) - LISTED_AT_MOST} more"


def _get(record, name):
    return record.get(name) if isinstance(record, dict) else getattr(record, name, None)


def _label(record) -> str:
    return _get(record, "title") or _get(record, "name") or _get(record, "slug")


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def show_if_problems(questions: list[dict]) -> list[tuple[str, str]]:
    """(slug, why) for each question whose show_if does not name an earlier question that has that answer.

    Earlier (in an earlier part, or higher up in the same one): people answer it first, and no two questions
    can wait for each other."""
    by_slug = {q["slug"]: q for q in questions}
    found = []
    for question in questions:
        if not question.get("show_if"):
            continue
        slug, _, value = question["show_if"].partition("=")
        other = by_slug.get(slug)
        if other is None or slug == question["slug"]:
            found.append((question["slug"], f"no other question has the short name {slug!r}."))
        elif other["kind"] == "text":
            found.append((question["slug"], f"question {slug!r} is answered in their own words, so no answer of it "
                                            "can show this one: name a question with options."))
        elif value not in [option["value"] for option in other.get("options") or []]:
            values = ", ".join(option["value"] for option in other.get("options") or [])
            found.append((question["slug"], f"question {slug!r} has no option {value!r} (its options: {values})."))
        elif question_order(other) >= question_order(question):
            found.append((question["slug"], f"question {slug!r} comes later in the plan: a question can only depend "
                                            "on one people answer before it (an earlier part, or a lower order)."))
    return found


def load_pack(pack: Pack, commit: bool = True) -> None:
    """Replace all published content with the pack, in one transaction (left open with commit=False)."""
    db.session.execute(db.delete(Service))
    db.session.execute(db.delete(Area))
    db.session.execute(db.delete(Guide))
    load_questions(pack.questions)
    load_steps(pack.steps)
    # Bulk inserts (one statement per table, not one ORM object per row): a national pack has thousands of
    # services, and loading it stays within seconds (benchmarks/bench_national.py).
    if pack.areas:
        db.session.execute(sa.insert(Area), [dict(record) for record in pack.areas])
    area_ids = {slug: id_ for slug, id_ in db.session.execute(db.select(Area.slug, Area.id))}
    if pack.services:
        db.session.execute(sa.insert(Service), [{k: v for k, v in record.items() if k != "area"}
                                                | {"area_id": area_ids[record["area"]]} for record in pack.services])
    if pack.guides:
        db.session.execute(sa.insert(Guide), [record | {"body_html": render_markdown(record["body_markdown"])}
                                              for record in pack.guides])
    db.session.expire_all()  # objects read before the load describe rows that are gone
    load_translations(pack.translations)
    if commit:
        db.session.commit()


def load_translations(translations: list[dict]) -> None:
    """Replace every translation (not committed)."""
    db.session.execute(db.delete(Translation))
    for record in translations:
        html = render_markdown(record["body_markdown"]) if record["kind"] == "guide" else ""
        db.session.add(Translation(**record, body_html=html))


def translations_in(language: str) -> dict[tuple[str, str], Translation]:
    """(kind, slug) -> translation, for one language."""
    return {(t.kind, t.slug): t for t in db.session.scalars(db.select(Translation).filter_by(language=language))}


def find_translation(kind: str, language: str, slug: str) -> Translation | None:
    if language not in TRANSLATION_LANGUAGES or kind not in TRANSLATION_SCHEMAS or not SLUG.regex.match(slug):
        return None
    return db.session.scalar(db.select(Translation).filter_by(kind=kind, language=language, slug=slug))


def load_questions(questions: list[dict]) -> None:
    """Replace the plan's questions (not committed)."""
    db.session.execute(db.delete(PlanQuestion))
    db.session.add_all(PlanQuestion(**record) for record in questions)


def load_steps(steps: list[dict]) -> None:
    """Replace the tech-safety check's steps (not committed)."""
    db.session.execute(db.delete(TechStep))
    db.session.add_all(TechStep(**record) for record in steps)


def step_order(step) -> tuple:
    """Where a step (a row or a pack record) comes in the check: by position, then slug."""
    get = step.get if isinstance(step, dict) else lambda name: getattr(step, name)
    return get("position") or 0, get("slug")


def published_steps() -> list[TechStep]:
    return sorted(db.session.scalars(db.select(TechStep)), key=step_order)


def rerender_guides() -> int:
    """Render every stored guide again with today's renderer (which drops links it does not allow).

    HTML stored by an older version may hold links that are no longer allowed. Returns how many changed."""
    changed = 0
    for guide in db.session.scalars(db.select(Guide)):
        body_html = render_markdown(guide.body_markdown)
        if body_html != guide.body_html:
            guide.body_html, changed = body_html, changed + 1
    for translation in db.session.scalars(db.select(Translation).filter_by(kind="guide")):
        body_html = render_markdown(translation.body_markdown)
        if body_html != translation.body_html:
            translation.body_html, changed = body_html, changed + 1
    if changed:
        db.session.commit()
    return changed


def is_empty() -> bool:
    return db.session.scalar(db.select(db.func.count(Area.id))) == 0


def ordered_areas() -> list[Area]:
    # National first, then local areas in the pack's order.
    return list(db.session.scalars(db.select(Area).order_by(Area.kind != "national", Area.position, Area.name)))


def ordered_services():
    # contains_eager: the join already has each service's area, so s.area costs no extra query.
    return (db.select(Service).join(Service.area).options(contains_eager(Service.area))
            .order_by(Area.kind != "national", Area.position, Service.position, Service.name))


def by_slug(model, slug: str):
    """The record with this slug, or None."""
    # Only look up strings that can be slugs: PostgreSQL rejects NUL bytes with an error, not "no rows".
    return db.session.scalar(db.select(model).filter_by(slug=slug)) if SLUG.regex.match(slug) else None


def local_area_count() -> int:
    return db.session.scalar(db.select(db.func.count(Area.id)).where(Area.kind != "national"))


def areas_on_one_page(limit: int) -> bool:
    """Whether the contacts page holds every area (filtered in place, offline too): packs of up to `limit` local
    areas. Above it (a national pack), a page holds national help and one chosen area (views.helplines)."""
    return local_area_count() <= limit


def local_area_choices() -> list[tuple[str, str]]:
    """(slug, name) of every local area, in the pack's order, without their services."""
    return [(slug, name) for slug, name in db.session.execute(
        db.select(Area.slug, Area.name).where(Area.kind != "national").order_by(Area.position, Area.name))]


def postcode_districts_by_area() -> dict[str, list[str]]:
    """{slug: postcode districts} of every local area that lists some, for the local finder (area-finder.js)."""
    return {slug: districts for slug, districts in db.session.execute(
        db.select(Area.slug, Area.postcode_districts).where(Area.kind != "national")) if districts}


def areas_with_slugs(slugs) -> list[Area]:
    """These areas and the national ones, in the pack's order."""
    return list(db.session.scalars(db.select(Area).where((Area.kind == "national") | Area.slug.in_(list(slugs)))
                                   .order_by(Area.kind != "national", Area.position, Area.name)))


def national_services() -> list[Service]:
    """Services anyone in the UK can use: the home and offline pages lead with them."""
    return list(db.session.scalars(ordered_services().where(Area.kind == "national")))


def ordered_guides():
    return db.select(Guide).order_by(Guide.position, Guide.title)


def bundle() -> dict:
    """Everything the app needs offline, with a version that changes whenever any of it does."""
    questions = [as_record("questions", q) for q in published_questions()]
    return _bundle(ordered_areas(), db.session.scalars(ordered_services()), db.session.scalars(ordered_guides()),
                   questions, translation_records(), [as_record("steps", s) for s in published_steps()])


def _bundle(areas, services, guides, questions: list[dict], translations: list[dict] = (),
            steps: list[dict] = ()) -> dict:
    areas = AreaSchema(many=True).dump(areas)
    # Postcode districts likewise (below): the contacts page holds them for the local finder, so phones need them
    # in the version (a changed list revises that page) but not in the body (the API's areas give them).
    postcodes = {a["slug"]: {name: a.pop(name) for name in AreaSchema.OMITTED_WHEN_EMPTY if name in a}
                 for a in areas if "postcode_districts" in a}
    content = {
        "areas": areas,
        "services": ServiceSchema(many=True).dump(services),
        "guides": GuideSchema(many=True).dump(guides),
    }
    # The plan's questions are in the version but not in the body. Pages are precached with revisions made from
    # this version (webapp.py), so a changed question reaches the plan page's saved copy; the body is what every
    # phone downloads, within BUNDLE_BUDGET, and only the plan page needs the questions, which it already holds.
    # With no questions the version is what it was before they existed.
    versioned = {**content, "plan_questions": questions} if questions else content
    # Translations likewise: in the version, so a changed translation revises the pages that show it, but not in
    # the body (five languages of every guide would be far over BUNDLE_BUDGET; each page holds its own language).
    if translations:
        versioned = {**versioned, "translations": list(translations)}
    if postcodes:  # none: the version is what it was before areas had districts
        versioned = {**versioned, "postcode_districts": postcodes}
    # The tech-safety check's steps likewise: only its page shows them (with no steps, the version is as before).
    if steps:
        versioned = {**versioned, "tech_steps": list(steps)}
    return {"format": 1, "version": digest(versioned), **content}


def bundle_of(pack: Pack) -> dict:
    """The bundle phones would get if this pack were published, worked out without touching the database."""
    areas = {a["slug"]: SimpleNamespace(**a) for a in pack.areas}
    services = [SimpleNamespace(**(s | {"area": areas[s["area"]]})) for s in pack.services if s["area"] in areas]
    guides = [SimpleNamespace(**g, body_html=render_markdown(g["body_markdown"])) for g in pack.guides]
    # The same order as ordered_areas, ordered_services, ordered_guides and plan.published_questions.
    return _bundle(sorted(areas.values(), key=lambda a: (a.kind != "national", a.position, a.name)),
                   sorted(services, key=lambda s: (s.area.kind != "national", s.area.position, s.position, s.name)),
                   sorted(guides, key=lambda g: (g.position, g.title)),
                   [as_record("questions", q) for q in sorted(pack.questions, key=question_order)],
                   pack_translation_records(pack), [as_record("steps", s) for s in sorted(pack.steps, key=step_order)])


def published_in_tables(connection) -> tuple[dict[str, list[dict]], str]:
    """The published records and bundle version read straight from the content tables, whatever columns they have.

    For migrations: the models may describe columns that a database at an older revision does not have yet.
    Records hold only the fields the tables have, as the release that made those tables wrote them."""
    meta = sa.MetaData()
    tables = {name: sa.Table(name, meta, autoload_with=connection) for name in ("area", "service", "guide")}

    def rows(name):
        return [dict(row._mapping) for row in connection.execute(sa.select(tables[name]))]

    areas = {row["id"]: SimpleNamespace(**row) for row in rows("area")}
    services = [SimpleNamespace(**(row | {"area": areas[row["area_id"]]})) for row in rows("service")]
    guides = [SimpleNamespace(**row) for row in rows("guide")]
    areas = sorted(areas.values(), key=lambda a: (a.kind != "national", a.position, a.name))
    services.sort(key=lambda s: (s.area.kind != "national", s.area.position, s.position, s.name))
    guides.sort(key=lambda g: (g.position, g.title))
    version = _bundle(areas, services, guides, [])["version"]  # no plan questions before 0005

    def kept(kind, table, row):
        record = as_record(kind, row)
        return {k: v for k, v in record.items() if k in tables[table].c or k == "area"}

    records = {"areas": [kept("areas", "area", a) for a in areas],
               "services": [kept("services", "service", s) for s in services],
               "guides": [kept("guides", "guide", g) for g in guides]}
    return records, version


def bundle_size(data: dict) -> tuple[int, int]:
    """Bytes as the API sends the bundle (compact JSON), and compressed as browsers get it (webapp.compress)."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return len(body), len(brotli.compress(body, quality=11))


# Records in pack shape (as the content schemas dump them: dates as ISO strings) ------------------------------

@functools.cache
def _content_schema(kind: str) -> Schema:
    """One schema per kind, reused: making one costs far more than a dump (thousands per national pack)."""
    return CONTENT_SCHEMAS[kind]()


def as_record(kind: str, row) -> dict:
    """A published row (or a loaded pack record) as the content schema dumps it."""
    schema = _content_schema(kind)
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name, None)
    data = {name: get(name) for name in schema.fields if name != "area"}
    if kind == "services":
        data["area"] = row["area"] if isinstance(row, dict) else row.area.slug
    return schema.dump(data)


def published_records(kinds=tuple(CONTENT_SCHEMAS)) -> dict[str, list[dict]]:
    """Every published record in pack shape (kinds: only these)."""
    records = {
        "areas": lambda: [as_record("areas", a) for a in ordered_areas()],
        "services": lambda: [as_record("services", s) for s in db.session.scalars(ordered_services())],
        "guides": lambda: [as_record("guides", g) for g in db.session.scalars(ordered_guides())],
        "questions": lambda: [as_record("questions", q) for q in published_questions()],
        "steps": lambda: [as_record("steps", s) for s in published_steps()],
    }
    return {kind: records[kind]() for kind in kinds}


def translation_record(row) -> dict:
    """A translation (row or loaded record) as its schema dumps it, with its kind: dates as ISO strings."""
    kind = _get(row, "kind")
    schema = TRANSLATION_SCHEMAS[kind]()
    return {"kind": kind, **schema.dump({name: _get(row, name) for name in schema.fields})}


def _translation_order(record: dict):
    return (record["language"], record["kind"], record["slug"])


def translation_records() -> list[dict]:
    return sorted((translation_record(t) for t in db.session.scalars(db.select(Translation))), key=_translation_order)


def pack_translation_records(pack: Pack) -> list[dict]:
    return sorted((translation_record(t) for t in pack.translations), key=_translation_order)


def translation_key(record: dict) -> str:
    """How the audit log names a translation (its slug column holds 64 characters)."""
    return f"{record['language']}/{record['kind']}/{record['slug']}"[:64]


def translation_differences(old: list[dict], new: list[dict]) -> list[dict]:
    """Like `differences`, for translations: kind "translation", slug "cy/guide/safety-plan"."""
    return _keyed_differences("translation", "translations", {translation_key(r): r for r in old},
                              {translation_key(r): r for r in new})


def pack_records(pack: Pack) -> dict[str, list[dict]]:
    return {kind: [as_record(kind, record) for record in getattr(pack, kind)] for kind in CONTENT_SCHEMAS}


def differences(old: dict[str, list[dict]], new: dict[str, list[dict]]) -> list[dict]:
    """Per record that differs: kind, slug, before and after (None when added or removed), change, fields."""
    result = []
    for kind in CONTENT_SCHEMAS:
        result += _keyed_differences(SINGULAR[kind], kind, {r["slug"]: r for r in old[kind]},
                                     {r["slug"]: r for r in new[kind]})
    return result


def _keyed_differences(kind: str, kinds: str, before_by_key: dict, after_by_key: dict) -> list[dict]:
    result = []
    for key in [*before_by_key, *(k for k in after_by_key if k not in before_by_key)]:
        before, after = before_by_key.get(key), after_by_key.get(key)
        if before != after:
            result.append({"kind": kind, "kinds": kinds, "slug": key, "before": before, "after": after,
                           "change": "added" if before is None else "removed" if after is None else "changed",
                           "fields": changed_fields(before, after)})
    return result


def changed_fields(before: dict | None, after: dict | None) -> list[str]:
    if before is None or after is None:
        return []
    return [name for name in dict.fromkeys([*before, *after]) if before.get(name) != after.get(name)]


def describe_difference(change: dict) -> str:
    """One line for people: "service halton-domestic-abuse-forum: changed phone, last_checked"."""
    what = f"changed {', '.join(change['fields'])}" if change["change"] == "changed" else change["change"]
    return f"{change['kind']} {change['slug']}: {what}"


# Export: published content written out as a pack ----------------------------------------------------------

EXPORT_HEADER = ("# Exported from {app} on {day} (content version {version}).\n"
                 "# Check with `flask content check --dir DIR`; load into an empty server with `flask content load`.\n")


def export_files(records: dict[str, list[dict]], header: str = "", translations: list[dict] = ()) -> dict[str, str]:
    """A pack's files (path within the pack: text) holding these records, which `read_pack` reads back as they are."""
    files = {
        "areas.toml": header + "".join(f"\n[[area]]\n{_toml_table(r)}" for r in records["areas"]),
        "services.toml": header + "".join(f"\n[[service]]\n{_toml_table(r)}" for r in records["services"]),
        "plan.toml": header + "".join(f"\n[[question]]\n{_toml_table(r)}" for r in records["questions"]),
        TECH_CHECK_FILE: header + "".join(f"\n[[step]]\n{_toml_table(r)}" for r in records.get("steps", [])),
    }
    for guide in records["guides"]:
        front = {k: v for k, v in guide.items() if k not in ("slug", "body_markdown")}
        files[f"guides/{guide['slug']}.md"] = f"+++\n{_toml_table(front)}+++\n{guide['body_markdown']}"
    for record in translations:
        folder = f"translations/{record['language']}"
        if record["kind"] == "guide":
            front = {k: record[k] for k in ("title", "summary", *TRANSLATION_STATE)}
            files[f"{folder}/guides/{record['slug']}.md"] = f"+++\n{_toml_table(front)}+++\n{record['body_markdown']}"
        else:
            table = {k: record[k] for k in ("slug", "description", "hours_note", *TRANSLATION_STATE)}
            name = f"{folder}/services.toml"
            files[name] = files.get(name, header) + f"\n[[service]]\n{_toml_table(table)}"
    return files


# A translation's review state, written after its words. needs_review is always written: false is news.
TRANSLATION_STATE = ("needs_review", "translated_on", "reviewed_by", "reviewed_on")


def write_pack(directory: Path, files: dict[str, str]) -> None:
    """Write a pack's files, replacing its areas, services, guides, plan and translations (guides and translations
    no longer in it are removed)."""
    (directory / "guides").mkdir(parents=True, exist_ok=True)
    old_files = [*(directory / "guides").glob("*.md"), *(directory / "translations").glob("*/guides/*.md"),
                 *(directory / "translations").glob("*/services.toml")]
    for old in old_files:
        if old.relative_to(directory).as_posix() not in files:
            old.unlink()
    for name, text in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text, encoding="utf-8")


def _toml_table(record: dict) -> str:
    # Defaults are left out, as in a hand-written pack; the schemas fill them in again on reading.
    return "".join(f"{key} = {_toml_value(key, value)}\n" for key, value in record.items()
                   if value not in (None, "", [], False) or key in ("position", "needs_review"))


def _toml_value(key: str, value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if key in ("last_checked", "translated_on", "reviewed_on", "postcode_last_checked"):
        return date.fromisoformat(value).isoformat()  # a TOML date, not a string
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value("", item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(k, v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _toml_string(text: str) -> str:
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    return '"' + re.sub(r'["\\\x00-\x1f\x7f]',
                        lambda m: escapes.get(m[0], f"\\u{ord(m[0]):04x}"), text) + '"'


def digest(data) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]


def _split_front_matter(text: str) -> tuple[str, str]:
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "+++":
        raise ValueError("must start with a +++ line of TOML front matter")
    for index, line in enumerate(lines[1:], start=1):
        if line.strip() == "+++":
            return "".join(lines[1:index]), "".join(lines[index + 1:]).strip() + "\n"
    raise ValueError("front matter has no closing +++ line")


def flatten_messages(messages, prefix=""):
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                name = prefix or "record"
            yield from flatten_messages(value, name)
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        yield prefix, " ".join(messages)
    elif isinstance(messages, list):
        for item in messages:
            yield from flatten_messages(item, prefix)
    else:
        yield prefix, str(messages)


def _repeats(values):
    seen, repeated = set(), []
    for value in values:
        if value in seen:
            repeated.append(value)
        seen.add(value)
    return repeated
