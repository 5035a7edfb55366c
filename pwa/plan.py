"""The safety plan's four parts and their questions.

The parts are fixed; the questions and options are content (plan.toml in the content pack, and the admin), so an
agency can adapt them: they are checked, drafted, approved and published like services and guides.
`questions_by_part` is what the plan page renders.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import gettext

from .extensions import db
from .i18n import N_
from .models import PlanQuestion


@dataclass(frozen=True)
class Part:
    slug: str
    title: str
    intro: str


# Titles and introductions in British English, marked for pybabel: the page translates them, the admin does not.
PARTS = (
    Part("situation", N_("My situation"),
         N_("A few questions about where things are now. Answer only what you want to.")),
    Part("safety", N_("My safety"), N_("What you can do to be safer, now and if things get worse.")),
    Part("priorities", N_("My priorities"), N_("What matters most to you, so the plan fits your life.")),
    Part("plan", N_("My plan"), N_("The steps you choose, in one place, to read again or print.")),
)
PART_SLUGS = tuple(part.slug for part in PARTS)
QUESTION_KINDS = ("one", "many", "text")  # one choice (radios), several (checkboxes), own words (textarea)


def question_order(question) -> tuple:
    """Where a question (a row or a pack record) comes in the plan: by part, then position, then slug."""
    get = question.get if isinstance(question, dict) else lambda name: getattr(question, name)
    part = get("part")
    return PART_SLUGS.index(part) if part in PART_SLUGS else len(PART_SLUGS), get("position") or 0, get("slug")


def published_questions() -> list[PlanQuestion]:
    return sorted(db.session.scalars(db.select(PlanQuestion)), key=question_order)


def translated(part: Part) -> Part:
    """The part's title and introduction in the page's language."""
    return replace(part, title=gettext(part.title), intro=gettext(part.intro))


def questions_by_part() -> list[tuple[Part, list[dict]]]:
    """Each part, in the page's language, with its published questions in order (content, not translated here).
    Question: slug, part, text, hint, kind, options [{value, label}], show_if ("" or "question-slug=option-value":
    shown only with that answer), position, source ("" or an https:// page its facts come from) and last_checked
    (an ISO date)."""
    from .schemas import PlanQuestionContentSchema  # schemas reads PART_SLUGS from this module

    questions = PlanQuestionContentSchema(many=True).dump(published_questions())
    return [(translated(part), [q for q in questions if q["part"] == part.slug]) for part in PARTS]
