"""Edit forms for areas, services, guides and the safety plan's questions, described once and rendered by one template.

A form becomes a record in content-pack shape, which the content schemas validate, so admins see the
same field errors as `flask content check`. Each field states its length limit (schemas.MAX_CHARS).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from marshmallow import ValidationError

from ..hours import DAYS
from ..plan import PARTS
from ..schemas import AUDIENCES, CATEGORY_LABELS, HoursPeriodSchema, MaxChars, PlanOptionSchema, uk_today
from .drafts import KINDS


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    # text, textarea, select, radios, checkboxes, checkbox, date, number, hours, options, tel, url, districts
    widget: str = "text"
    hint: str = ""
    options: tuple = ()
    required: bool = False
    attrs: dict = field(default_factory=dict)
    max_chars: int | None = None  # from the schema: the form says it and checks it


SLUG_HINT = "Part of the web address: lower-case letters, digits and hyphens. It cannot be changed later."
DATE_HINT = "The date someone last confirmed these details with the source."
HOURS_HINT = ("One line per period, for example: mon-fri 09:00-17:00 or sat sun 10:00-14:00. UK time. A period "
              "past midnight ends with \"overnight\": fri 20:00-08:00 overnight (Friday 8pm to Saturday 8am). "
              "Leave empty if open 24 hours or not known.")
OPTIONS_HINT = ("One option per line, as value: Label, for example yes: Yes. The value is a short name (lower-case "
                "letters, digits and hyphens) that stays the same when you reword the label; the label is what people "
                "read. Leave empty for a question answered in their own words.")
SHOW_IF_HINT = ("To show it only after one answer to an earlier question, write that question's short name = the "
                "answer's value, for example children=yes. Leave empty to always show it.")
DISTRICTS_HINT = ("The first part of each postcode in this local area, separated by spaces or commas, for example: "
                  "CW1 CW2 CW10. The local finder on the contacts page matches a typed postcode against these, on "
                  "the phone. A district that crosses a boundary can be listed in both areas: the finder offers "
                  "both. Leave empty for a national area, or to let people choose the area from the list.")
BODY_HINT = ("Markdown: ## for headings, - for lists, [words](address) for links to https://, tel:, sms:, mailto: or "
             "a page of this site. No HTML, no images. Every phone downloads every guide: keep it short.")

STEP_HINT = ("Markdown: - for lists, **bold** for the words on a button or menu, [words](address) for links to "
                 "https://, tel:, sms:, mailto: or a page of this site. No HTML, no images. Write only what a source "
                 "confirms; where a detail could not be checked, say so.")

FORMS = {
    "areas": [
        FormField("slug", "Short name", hint=SLUG_HINT, required=True),
        FormField("name", "Name", required=True),
        FormField("kind", "Covers", "radios", options=(("national", "The whole country"), ("local", "A local area")),
                  required=True),
        FormField("description", "Description", "textarea"),
        FormField("position", "Order", "number", hint="Lower numbers are listed first."),
        FormField("postcode_districts", "Postcode districts", "districts", hint=DISTRICTS_HINT),
        FormField("postcode_source", "Where the postcode districts come from", "textarea",
                  hint="The pages the list is based on, and anything not checked. Needed with districts."),
        FormField("postcode_last_checked", "Postcode districts last checked", "date",
                  hint="The date someone last checked the list against its source. Needed with districts."),
    ],
    "services": [
        FormField("slug", "Short name", hint=SLUG_HINT, required=True),
        FormField("name", "Name", required=True),
        FormField("area", "Area", "select", required=True),
        FormField("description", "Description", "textarea"),
        FormField("phone", "Phone number", "tel", hint="Digits and spaces, e.g. 0808 2000 247."),
        FormField("phone_extra", "After dialling", hint="For example: option 2."),
        FormField("text_number", "Text message number", "tel"),
        FormField("chat_url", "Web chat", "url", hint="The full https:// address of the service's web chat page, "
                  "if it has one. A service may be reachable by chat only."),
        FormField("web_url", "Website", "url", hint="A full https:// address."),
        FormField("open_24_hours", "Open 24 hours a day, every day", "checkbox"),
        FormField("hours", "Opening hours", "hours", hint=HOURS_HINT),
        FormField("hours_note", "Note about hours", hint="For example: closed on bank holidays."),
        FormField("categories", "Categories", "checkboxes", options=tuple(CATEGORY_LABELS.items()),
                  required=True),
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
        FormField("body_markdown", "Text", "textarea", hint=BODY_HINT, required=True, attrs={"rows": 16}),
        FormField("source", "Source", "url", hint="The https:// page this guide is based on."),
        FormField("last_checked", "Last checked", "date", hint=DATE_HINT, required=True),
        FormField("position", "Order", "number", hint="Lower numbers are listed first."),
    ],
    "questions": [
        FormField("slug", "Short name", hint=SLUG_HINT + " A saved plan refers to it.", required=True),
        FormField("part", "Part of the plan", "radios", options=tuple((p.slug, p.title) for p in PARTS),
                  required=True),
        FormField("text", "Question", required=True),
        FormField("hint", "Hint", "textarea", hint="A few words under the question, to help answer it."),
        FormField("kind", "Answered with", "radios", options=(
            ("one", "One answer (choose one)"), ("many", "Several answers (tick any)"),
            ("text", "Their own words")), required=True),
        FormField("options", "Options", "options", hint=OPTIONS_HINT, attrs={"rows": 6}),
        FormField("show_if", "Show only after", hint=SHOW_IF_HINT),
        FormField("source", "Source", "url", hint="The https:// page the facts in it come from."),
        FormField("last_checked", "Last checked", "date", hint=DATE_HINT, required=True),
        FormField("position", "Order", "number", hint="Lower numbers come first within the part."),
    ],
    "steps": [
        FormField("slug", "Short name", hint=SLUG_HINT, required=True),
        FormField("title", "Title", required=True, hint="What to check, e.g. Location sharing."),
        FormField("why", "Why it matters", "textarea", hint=STEP_HINT, required=True, attrs={"rows": 4}),
        FormField("android", "How to check on Android", "textarea", hint=STEP_HINT, required=True,
                  attrs={"rows": 10}),
        FormField("iphone", "How to check on an iPhone", "textarea", hint=STEP_HINT, required=True,
                  attrs={"rows": 10}),
        FormField("warning", "Warning", "textarea", attrs={"rows": 4}, hint=(
            "What the other person could notice or be told if this is changed, and to plan it with an advocate "
            "first. Leave empty only if a source says nobody can tell.")),
        FormField("source", "Source", "url", hint="The https:// page the step's facts come from.", required=True),
        FormField("last_checked", "Last checked", "date", hint=DATE_HINT, required=True),
        FormField("position", "Order", "number", hint="Lower numbers come first."),
    ],
}


def _with_limits(kind: str, form_fields: list[FormField]) -> list[FormField]:
    schema_fields = KINDS[kind]().fields
    result = []
    for f in form_fields:
        validators = schema_fields[f.name].validators if f.name in schema_fields else []
        limit = next((v.max for v in validators if isinstance(v, MaxChars)), None)
        result.append(FormField(**{**f.__dict__, "max_chars": limit}))
    return result


FORMS = {kind: _with_limits(kind, form_fields) for kind, form_fields in FORMS.items()}
LABELS = {kind: {f.name: f.label for f in form_fields} for kind, form_fields in FORMS.items()}
OPTIONAL_TEXT = {"phone", "phone_extra", "text_number", "chat_url", "web_url"}  # empty means "none", not ""
# Text kept as typed, apart from line endings and outer blank space.
MULTILINE = {"description", "summary", "body_markdown", "hours", "hint", "options", "why", "android", "iphone",
             "warning"}
HOURS_LINE = re.compile(r"^(?P<days>.+?)\s+(?P<opens>\d{1,2}:\d{2})\s*[-\u2013]\s*(?P<closes>\d{1,2}:\d{2})"
                        r"(?:\s+(?P<overnight>overnight))?$", re.IGNORECASE)
# A changed number must be checked again: a new "last checked" date and a source that shows it.
CONTACT_FIELDS = {"phone": "phone number", "text_number": "text message number"}


def hours_to_text(hours: list[dict]) -> str:
    return "\n".join(f"{' '.join(p['days'])} {p['opens']}-{p['closes']}{' overnight' if p.get('overnight') else ''}"
                     for p in hours)


def hours_from_text(text: str) -> list[dict]:
    """Periods from lines such as "mon-fri 09:00-17:00"; every line's problems, each starting "Line 2: "."""
    periods, problems = [], []
    for number, line in enumerate((x.strip() for x in text.splitlines()), start=1):
        if not line:
            continue
        try:
            periods.append(_period(line))
        except ValidationError as err:
            problems += [f"Line {number}: {message}" for message in _flat(err.messages)]
    if problems:
        raise ValidationError(problems)
    return periods


def _period(line: str) -> dict:
    match = HOURS_LINE.match(line)
    if not match:
        raise ValidationError('Write the days, then the times, e.g. mon-fri 09:00-17:00 (and "overnight" after '
                              "times that run past midnight).")
    days = []
    for word in re.split(r"[\s,]+", match["days"].lower()):
        ends = word.split("-")
        if not all(end[:3] in DAYS for end in ends) or len(ends) > 2:
            raise ValidationError(f"{word!r} is not a day: use mon, tue, wed, thu, fri, sat or sun.")
        first, last = DAYS.index(ends[0][:3]), DAYS.index(ends[-1][:3])
        days += [DAYS[i % 7] for i in range(first, last + (7 if last < first else 0) + 1)]
    period = {"days": list(dict.fromkeys(days)), "opens": match["opens"].zfill(5), "closes": match["closes"].zfill(5)}
    if match["overnight"]:
        period["overnight"] = True
    return HoursPeriodSchema().load(period)  # the pack's rules: real times, closing after opening unless overnight


def options_to_text(options: list[dict]) -> str:
    return "\n".join(f"{option['value']}: {option['label']}" for option in options)


def options_from_text(text: str) -> list[dict]:
    """Options from lines such as "yes: Yes"; every line's problems, each starting "Line 2: "."""
    options, problems = [], []
    for number, line in enumerate((x.strip() for x in text.splitlines()), start=1):
        if not line:
            continue
        value, colon, label = line.partition(":")
        if not colon:
            problems.append(f"Line {number}: write the value, a colon, then the label, for example yes: Yes.")
            continue
        try:
            options.append(PlanOptionSchema().load({"value": value.strip(), "label": label.strip()}))
        except ValidationError as err:
            problems += [f"Line {number}: {message}" for message in _flat(err.messages)]
    if problems:
        raise ValidationError(problems)
    return options


def values_for(kind: str, record: dict | None) -> dict:
    """Form values (strings) for a record."""
    values = {}
    for f in FORMS[kind]:
        value = (record or {}).get(f.name)
        if f.widget == "hours":
            value = hours_to_text(value or [])
        elif f.widget == "options":
            value = options_to_text(value or [])
        elif f.widget == "districts":
            value = " ".join(value or [])
        elif f.widget in ("checkboxes", "checkbox"):
            value = value or ([] if f.widget == "checkboxes" else False)
        else:
            value = "" if value is None else str(value)
        values[f.name] = value
    return values


def from_form(kind: str, form, slug: str | None, previous: dict | None = None) -> tuple[dict, dict | None, dict]:
    """(values to show again, the validated record or None, errors per field).

    `previous` is the record as the form showed it: ticked boxes keep its order, so saving changes nothing
    that nobody changed."""
    values, raw, errors = {}, {}, {}
    for f in FORMS[kind]:
        if f.widget == "checkboxes":
            ticked = form.getlist(f.name)
            kept = [value for value in (previous or {}).get(f.name, []) if value in ticked]
            values[f.name] = raw[f.name] = kept + [value for value in dict.fromkeys(ticked) if value not in kept]
            continue
        if f.widget == "checkbox":
            values[f.name] = raw[f.name] = form.get(f.name) == "yes"
            continue
        text = form.get(f.name, "").replace("\r\n", "\n").replace("\x00", "")
        values[f.name] = text.strip() if f.name not in MULTILINE else text
        if f.widget in ("hours", "options"):
            try:
                raw[f.name] = (hours_from_text if f.widget == "hours" else options_from_text)(text)
            except ValidationError as err:
                errors[f.name] = " ".join(_flat(err.messages))
        elif f.widget == "number":
            if text.strip():
                raw[f.name] = text.strip()
        elif f.widget == "districts":
            raw[f.name] = [district for district in re.split(r"[\s,;]+", text) if district]
        elif not text.strip():
            continue  # left out: the schema's default, or its "required" message that says what to give
        elif f.name == "body_markdown":
            raw[f.name] = text.strip() + "\n"  # as a pack's guide file is read
        else:
            raw[f.name] = text.strip()
    if slug is not None:  # editing: the slug is fixed
        values["slug"] = raw["slug"] = slug
    try:
        record = KINDS[kind]().load(raw)
    except ValidationError as err:
        for name, messages in err.messages.items():
            errors.setdefault(name, " ".join(_flat(messages)))
        record = None
    return values, (None if errors else record), errors


def changed_contacts(record: dict, previous: dict | None) -> list[str]:
    """The numbers ("phone number", ...) this save changes, added or removed."""
    if previous is None:
        return []
    return [label for name, label in CONTACT_FIELDS.items() if (record.get(name) or None) != previous.get(name)]


def contact_change_errors(record: dict, previous: dict | None, source_confirmed: bool) -> dict:
    """A changed number asks for a new "last checked" date and a source that shows it."""
    changed = changed_contacts(record, previous)
    if not changed:
        return {}
    what = " and ".join(changed)
    errors = {}
    checked_before = date.fromisoformat(previous["last_checked"])
    if record["last_checked"] <= checked_before and record["last_checked"] != uk_today():
        errors["last_checked"] = (f"You changed the {what}: give the date you checked the new details "
                                  f"(it still says {checked_before.day} {checked_before:%B %Y}).")
    if record["source"] == previous["source"] and not source_confirmed:
        errors["source"] = (f"You changed the {what}: give the page that shows the new details, or tick the box "
                            "to confirm that this page shows them.")
    return errors


def summary_line(label: str, message: str) -> str:
    """The error summary's line for a field: "Opening hours, line 2: 25:00 is not a time ..."."""
    if message.startswith("Line "):
        return f"{label}, l{message[1:]}"
    return f"{label}: {message}"


def _flat(messages) -> list[str]:
    if isinstance(messages, str):
        return [messages]
    if isinstance(messages, dict):
        return [m for value in messages.values() for m in _flat(value)]
    return [m for value in messages for m in _flat(value)]
