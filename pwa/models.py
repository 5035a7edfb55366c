"""Published content: areas, the services in them, and guidance articles.

Nothing about the people using the app is ever stored here.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


class Area(db.Model):
    __tablename__ = "area"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))  # "national" or "local"
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # First parts of postcodes (outward codes) such as "CW1", for the local finder: approximate, and a district
    # can be in two areas. Where the list comes from and when it was checked, as services say theirs.
    postcode_districts: Mapped[list] = mapped_column(JSON, default=list)
    postcode_source: Mapped[str] = mapped_column(Text, default="")
    postcode_last_checked: Mapped[date | None]

    services: Mapped[list[Service]] = relationship(
        back_populates="area", order_by="Service.position", cascade="all, delete-orphan"
    )


class Service(db.Model):
    __tablename__ = "service"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str | None] = mapped_column(String(32))
    phone_extra: Mapped[str | None] = mapped_column(String(80))  # e.g. "option 2"
    text_number: Mapped[str | None] = mapped_column(String(32))
    chat_url: Mapped[str | None] = mapped_column(String(300))  # the service's web chat, on its own site
    web_url: Mapped[str | None] = mapped_column(String(300))
    open_24_hours: Mapped[bool] = mapped_column(default=False)
    # [{"days": ["mon", ...], "opens": "09:00", "closes": "17:00"}], UK local time.
    hours: Mapped[list] = mapped_column(JSON, default=list)
    hours_note: Mapped[str] = mapped_column(Text, default="")
    categories: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(300))
    last_checked: Mapped[date]
    position: Mapped[int] = mapped_column(default=0)

    area: Mapped[Area] = relationship(back_populates="services")


class Guide(db.Model):
    __tablename__ = "guide"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    summary: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(String(16))  # "you" or "worried"
    body_markdown: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300), default="")
    last_checked: Mapped[date]
    position: Mapped[int] = mapped_column(default=0)


class PlanQuestion(db.Model):
    """One question of the safety plan (pwa/plan.py): the words and options people choose from, never answers."""
    __tablename__ = "plan_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    part: Mapped[str] = mapped_column(String(16))  # plan.PART_SLUGS
    text: Mapped[str] = mapped_column(String(200))
    hint: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(8))  # plan.QUESTION_KINDS
    # [{"value": "yes", "label": "Yes"}, ...]; empty for a question answered in one's own words.
    options: Mapped[list] = mapped_column(JSON, default=list)
    show_if: Mapped[str] = mapped_column(String(128), default="")  # "" or "question-slug=option-value"
    source: Mapped[str] = mapped_column(String(300), default="")
    last_checked: Mapped[date]
    position: Mapped[int] = mapped_column(default=0)


class TechStep(db.Model):
    """One step of the tech-safety check (/tech-check): what to look at on Android and on an iPhone, in Markdown."""
    __tablename__ = "tech_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    why: Mapped[str] = mapped_column(Text)
    android: Mapped[str] = mapped_column(Text)
    iphone: Mapped[str] = mapped_column(Text)
    warning: Mapped[str] = mapped_column(Text, default="")  # "": changing nothing here can alert anyone
    source: Mapped[str] = mapped_column(String(300))
    last_checked: Mapped[date]
    position: Mapped[int] = mapped_column(default=0)


class Translation(db.Model):
    """A guide's or a service's words in another language (or Easy Read): the English record stays the source.

    Only the words are translated: numbers, hours and links come from the English record, and a translation's
    numbers must be the English ones (content.translation_problems). Service names stay the organisation's own.
    Made by translators and marked reviewed by an agency (admin: Translations)."""
    __tablename__ = "translation"
    __table_args__ = (UniqueConstraint("kind", "slug", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "guide" or "service"
    slug: Mapped[str] = mapped_column(String(64))  # the English record's slug
    language: Mapped[str] = mapped_column(String(16))  # a tag from i18n.CHOOSABLE other than en-GB
    title: Mapped[str] = mapped_column(String(160), default="")  # guides
    summary: Mapped[str] = mapped_column(Text, default="")  # guides
    body_markdown: Mapped[str] = mapped_column(Text, default="")  # guides
    body_html: Mapped[str] = mapped_column(Text, default="")  # guides
    description: Mapped[str] = mapped_column(Text, default="")  # services
    hours_note: Mapped[str] = mapped_column(Text, default="")  # services
    # True until someone fluent, for an agency, has checked it; pages say so meanwhile.
    needs_review: Mapped[bool] = mapped_column(default=True)
    translated_on: Mapped[date]
    reviewed_by: Mapped[str] = mapped_column(String(254), default="")
    reviewed_on: Mapped[date | None]


class ContentVersion(db.Model):
    """The published content's version (content.bundle's), stored in one row when content changes.

    Requests read it from memory (pwa/content_version.py) instead of working it out from every table; each
    worker looks at this row at most four times a second, so a publish reaches them all within a quarter of a
    second."""
    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)  # always ROW_ID: one row
    version: Mapped[str] = mapped_column(String(64))
