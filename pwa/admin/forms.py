"""Edit forms for areas, services and guides, described once and rendered by one template.

A form becomes a record in content-pack shape, which the content schemas validate, so admins see the
same field errors as `flask content check`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from marshmallow import ValidationError

from ..hours import DAYS
from ..schemas import AUDIENCES, CATEGORIES
from .drafts import KINDS


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    widget: str = "text"  # text, textarea, select, radios, checkboxes, checkbox, date, number, hours, tel, url
    hint: str = ""
    options: tuple = ()
    required: bool = False
    attrs: dict = field(default_factory=dict)


SLUG_HINT = "Part of the web address: lower-case letters, digits and hyphens. It cannot be changed later."
DATE_HINT = "The date someone last confirmed these details with the source."

FORMS = {
    "areas": [
        FormField("slug", "Short name", hint=SLUG_HINT, required=True),
        FormField("name", "Name", required=True),
        FormField("kind", "Covers", "radios", options=(("national", "The whole country"), ("local", "A local area")),
                  required=True),
        FormField("description", "Description", "textarea"),
        FormField("position", "Order", "number", hint="Lower numbers are listed first."),
    ],
    "services": [
        FormField("slug", "Short name", hint=SLUG_HINT, required=True),
        FormField("name", "Name", required=True),
        FormField("area", "Area", "select", required=True),
        FormField("description", "Description", "textarea"),
        FormField("phone", "Phone number", "tel", hint="Digits and spaces, e.g. 0808 2000 247."),
        FormField("phone_extra", "After dialling", hint="For example: option 2."),
        FormField("text_number", "Text message number", "tel"),
        FormField("web_url", "Website", "url", hint="A full https:// address."),
        FormField("open_24_hours", "Open 24 hours a day, every day", "checkbox"),
        FormField("hours", "Opening hours", "hours",
                  hint="One line per period, for example: mon-fri 09:00-17:00 or sat sun 10:00-14:00. "
                       "UK time. Leave empty if open 24 hours or not known."),
        FormField("hours_note", "Note about hours", hint="For example: closed on bank holidays."),
        FormField("categories", "Categories", "checkboxes", options=tuple((c, c.replace("-", " ").capitalize())
                                                                        for c in CATEGORIES), required=True),
        FormField("source", "Source", "url", hint="The https:// page these details come from.", required=True),
        FormField("last_checked", "Last checked", "date", hint=DATE_HINT, required=True),
        FormField("position", "Order", "number", hint="Lower numbers are listed first within the area."),
    ],
    "guides": [
        FormField("slug", "Short name", hint=SLUG_HINT, required=True),
        FormField("title", "Title", required=True),
        FormField("summary", "Summary", "textarea", hint="One or two sentences shown in lists."),
        FormField("audience", "Written for", "radios",
                  options=tuple(zip(AUDIENCES, ("The person experiencing abuse", "Someone worried about them"))),
                  required=True),
        FormField("body_markdown", "Text", "textarea",
                  hint="Markdown: ## for headings, - for lists, [words](address) for links to https://, tel:, sms:, "
                       "mailto: or a page of this site. No HTML, no images.",
                  required=True, attrs={"rows": 16}),
        FormField("source", "Source", "url", hint="The https:// page this guide is based on."),
        FormField("last_checked", "Last checked", "date", hint=DATE_HINT, required=True),
        FormField("position", "Order", "number", hint="Lower numbers are listed first."),
    ],
}
OPTIONAL_TEXT = {"phone", "phone_extra", "text_number", "web_url"}  # empty means "none", not ""
HOURS_LINE = re.compile(r"^(?P<days>.+?)\s+(?P<opens>\d{1,2}:\d{2})\s*-\s*(?P<closes>\d{1,2}:\d{2})$")


def hours_to_text(hours: list[dict]) -> str:
    return "\n".join(f"{' '.join(p['days'])} {p['opens']}-{p['closes']}" for p in hours)


def hours_from_text(text: str) -> list[dict]:
    periods = []
    for number, line in enumerate(filter(None, (x.strip() for x in text.splitlines())), start=1):
        match = HOURS_LINE.match(line)
        if not match:
            raise ValidationError(f"Line {number}: write the days, then the times, e.g. mon-fri 09:00-17:00.")
        days = []
        for word in re.split(r"[\s,]+", match["days"].lower()):
            ends = word.split("-")
            if not all(end[:3] in DAYS for end in ends) or len(ends) > 2:
                raise ValidationError(f"Line {number}: {word!r} is not a day; use mon, tue, wed, thu, fri, sat, sun.")
            first, last = DAYS.index(ends[0][:3]), DAYS.index(ends[-1][:3])
            days += [DAYS[i % 7] for i in range(first, last + (7 if last < first else 0) + 1)]
        periods.append({"days": list(dict.fromkeys(days)), "opens": match["opens"].zfill(5),
                        "closes": match["closes"].zfill(5)})
    return periods


def values_for(kind: str, record: dict | None) -> dict:
    """Form values (strings) for a record."""
    values = {}
    for f in FORMS[kind]:
        value = (record or {}).get(f.name)
        if f.widget == "hours":
            value = hours_to_text(value or [])
        elif f.widget in ("checkboxes", "checkbox"):
            value = value or ([] if f.widget == "checkboxes" else False)
        else:
            value = "" if value is None else str(value)
        values[f.name] = value
    return values


def from_form(kind: str, form, slug: str | None) -> tuple[dict, dict | None, dict]:
    """(values to show again, the validated record or None, errors per field)."""
    values, raw, errors = {}, {}, {}
    for f in FORMS[kind]:
        if f.widget == "checkboxes":
            values[f.name] = raw[f.name] = form.getlist(f.name)
            continue
        if f.widget == "checkbox":
            values[f.name] = raw[f.name] = form.get(f.name) == "yes"
            continue
        text = form.get(f.name, "").replace("\r\n", "\n").replace("\x00", "")
        values[f.name] = text.strip() if f.widget not in ("textarea", "hours") else text
        if f.widget == "hours":
            try:
                raw[f.name] = hours_from_text(text)
            except ValidationError as err:
                errors[f.name] = " ".join(err.messages)
        elif f.widget == "number":
            if text.strip():
                raw[f.name] = text.strip()
        elif not values[f.name] and (f.name in OPTIONAL_TEXT or not f.required):
            continue
        else:
            raw[f.name] = values[f.name]
    if slug is not None:  # editing: the slug is fixed
        values["slug"] = raw["slug"] = slug
    try:
        record = KINDS[kind]().load(raw)
    except ValidationError as err:
        for name, messages in err.messages.items():
            errors.setdefault(name, " ".join(_flat(messages)))
        record = None
    return values, (None if errors else record), errors


def _flat(messages) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flat(value)]
    return [m for value in messages for m in _flat(value)]
