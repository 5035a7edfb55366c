"""The content pack: files in the repo (or an agency's own folder) loaded into the database.

Layout of a pack:
    areas.toml        [[area]] tables
    services.toml     [[service]] tables, each naming its area's slug
    guides/*.md       TOML front matter between +++ lines, then Markdown
"""
from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from marshmallow import Schema, ValidationError
from sqlalchemy.orm import contains_eager

from . import guide_markdown
from .extensions import db
from .models import Area, Guide, Service
from .schemas import (SLUG, AreaContentSchema, AreaSchema, GuideContentSchema, GuideSchema,
                      ServiceContentSchema, ServiceSchema)


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


def render_markdown(text: str) -> str:
    return guide_markdown.render(text)


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

    def table_list(filename: str, key: str) -> list:
        path = directory / filename
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
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

    guide_files = sorted((directory / "guides").glob("*.md"))
    for path in guide_files:
        name = f"guides/{path.name}"
        try:
            front, body = _split_front_matter(path.read_text(encoding="utf-8"))
            record = tomllib.loads(front) | {"slug": path.stem, "body_markdown": body}
        except (ValueError, tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            problems.append(f"{name}: {err}")
            continue
        pack.guides.extend(validated(GuideContentSchema(), [record], name, "guide"))

    area_slugs = {a["slug"] for a in pack.areas}
    for filename, kind, records in (("areas.toml", "area", pack.areas), ("services.toml", "service", pack.services)):
        problems.extend(f"{filename}: {kind} slug {s!r} is used more than once" for s in _repeats(r["slug"] for r in records))
    for service in pack.services:
        if service["area"] not in area_slugs:
            problems.append(f"services.toml: service ({service['slug']}).area: no area with slug {service['area']!r}")
    if not guide_files:
        problems.append("guides/: no guides found")

    if problems:
        raise ContentError(problems)
    return pack


def load_pack(pack: Pack) -> None:
    """Replace all published content with the pack, in one transaction."""
    db.session.execute(db.delete(Service))
    db.session.execute(db.delete(Area))
    db.session.execute(db.delete(Guide))
    areas = {}
    for record in pack.areas:
        areas[record["slug"]] = Area(**record)
    db.session.add_all(areas.values())
    for record in pack.services:
        db.session.add(Service(**(record | {"area": areas[record["area"]]})))
    for record in pack.guides:
        db.session.add(Guide(**record, body_html=render_markdown(record["body_markdown"])))
    db.session.commit()


def rerender_guides() -> int:
    """Render every stored guide again with today's renderer (which drops links it does not allow).

    HTML stored by an older version may hold links that are no longer allowed. Returns how many changed."""
    changed = 0
    for guide in db.session.scalars(db.select(Guide)):
        body_html = render_markdown(guide.body_markdown)
        if body_html != guide.body_html:
            guide.body_html, changed = body_html, changed + 1
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


def national_services() -> list[Service]:
    """Services anyone in the UK can use: the home and offline pages lead with them."""
    return list(db.session.scalars(ordered_services().where(Area.kind == "national")))


def ordered_guides():
    return db.select(Guide).order_by(Guide.position, Guide.title)


def bundle() -> dict:
    """Everything the app needs offline, with a version that changes whenever any of it does."""
    content = {
        "areas": AreaSchema(many=True).dump(ordered_areas()),
        "services": ServiceSchema(many=True).dump(db.session.scalars(ordered_services())),
        "guides": GuideSchema(many=True).dump(db.session.scalars(ordered_guides())),
    }
    return {"format": 1, "version": digest(content), **content}


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
