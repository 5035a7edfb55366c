"""The safety plan's four parts and their questions.

The parts are fixed; the questions and options are content (a part of the content pack and the admin), so an
agency can adapt them. `questions_by_part` is what the plan page renders.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    slug: str
    title: str
    intro: str


PARTS = (
    Part("situation", "My situation", "A few questions about where things are now. Answer only what you want to."),
    Part("safety", "My safety", "What you can do to be safer, now and if things get worse."),
    Part("priorities", "My priorities", "What matters most to you, so the plan fits your life."),
    Part("plan", "My plan", "The steps you choose, in one place, to read again or print."),
)
PART_SLUGS = tuple(part.slug for part in PARTS)
QUESTION_KINDS = ("one", "many", "text")  # one choice (radios), several (checkboxes), own words (textarea)

# Placeholder until the plan questions are content: same shape as a published question.
_STUB_QUESTIONS = [
    {"slug": "living-together", "part": "situation", "text": "Do you live with the person who is hurting you?",
     "hint": "", "kind": "one", "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
     "show_if": "", "position": 0},
    {"slug": "children", "part": "situation", "text": "Do children live with you?", "hint": "", "kind": "one",
     "options": [{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}], "show_if": "", "position": 1},
    {"slug": "children-steps", "part": "safety", "text": "Steps for your children", "hint": "", "kind": "many",
     "options": [{"value": "teach-999", "label": "Teach them how to call 999 and what to say"}],
     "show_if": "children=yes", "position": 0},
    {"slug": "safe-people", "part": "plan", "text": "People I can go to", "hint": "", "kind": "text",
     "options": [], "show_if": "", "position": 0},
]


def questions_by_part() -> list[tuple[Part, list[dict]]]:
    """Each part with its questions in order. Question: slug, part, text, hint, kind, options [{value, label}],
    show_if ("" or "question-slug=option-value": shown only with that answer), position."""
    questions = sorted(_STUB_QUESTIONS, key=lambda q: (q["position"], q["slug"]))
    return [(part, [q for q in questions if q["part"] == part.slug]) for part in PARTS]
