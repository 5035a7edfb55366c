"""Marshmallow schemas: validating the content pack, API query strings, and API output."""
import re
from datetime import date, datetime

from marshmallow import (RAISE, Schema, ValidationError, fields, post_dump, post_load, pre_load, validate,
                         validates, validates_schema)

from .guide_markdown import LINK_RULE, refused_links
from .hours import DAYS, UK, minutes
from .i18n import CHOOSABLE, N_
from .i18n import DEFAULT as DEFAULT_LANGUAGE
from .plan import PART_SLUGS, QUESTION_KINDS

SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Use lower-case letters, digits and single hyphens.")
PHONE = validate.Regexp(r"^\+?[0-9][0-9 ]{1,18}[0-9]$", error="Use digits and spaces only, e.g. 0808 2000 247.")
CLOCK = validate.Regexp(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$",
                        error="{input} is not a time: use 24-hour times such as 09:00 or 17:30.")
HTTPS_URL = validate.URL(schemes={"https"}, require_tld=True, error="Use a full https:// address.")
# The database column is a 32-bit integer (PostgreSQL refuses anything bigger with an error).
POSITION = validate.Range(min=-(2**31), max=2**31 - 1, error="Use a whole number between {min} and {max}.")
AUDIENCES = ("you", "worried")
# What a service helps with or who it is for, and the one label people see for each (admin form, contacts page).
# In English here; pages translate them where they show them (`_(label)`).
CATEGORY_LABELS = {
    "emergency": N_("Emergencies"),
    "police": N_("Police"),
    "helpline": N_("Helplines"),
    "local-support": N_("Local support"),
    "refuge": N_("Refuges (safe accommodation)"),
    "advice": N_("Advice"),
    "legal": N_("Legal help"),
    "housing": N_("Housing"),
    "money": N_("Money"),
    "children": N_("Children and young people"),
    "immigration": N_("Immigration status"),
    "disability": N_("Disabled people"),
    "older-people": N_("Older people"),
    "lgbt": N_("LGBT+ people"),
    "men": N_("Men"),
    "sexual-violence": N_("Rape and sexual violence"),
    "stalking": N_("Stalking"),
    "honour-based": N_("Honour-based abuse and forced marriage"),
    "deaf-or-speech": N_("If you cannot hear or speak"),
    "own-behaviour": N_("Worried about your own behaviour"),
    "friends-family": N_("Worried about someone else"),
}
CATEGORIES = tuple(CATEGORY_LABELS)
MIDNIGHT = ("00:00", "24:00")

# Longest text per field, in characters. Everything published goes into the offline bundle that every phone
# downloads (content.BUNDLE_BUDGET), so the limits stop accidents (a whole document pasted into a guide) and
# keep within the database columns (String(n) in models.py); the admin form states each one.
MAX_CHARS = {
    "slug": 64, "name": 120, "service_name": 160, "title": 160, "description": 1_000, "summary": 300,
    "phone_extra": 80, "hours_note": 300, "url": 300, "body_markdown": 10_000,
    "question_text": 200, "postcode_source": 600, "question_hint": 600, "option_value": 40, "option_label": 150,
    "step_why": 1_000, "step_how": 3_000, "step_warning": 1_000,
}
MAX_HOURS_LINES = 14
MAX_POSTCODE_DISTRICTS = 200
# A UK outward code: A9, A99, AA9, AA99, A9A or AA9A ("Postcode format",
# https://studylib.net/doc/18359331/postcode-format, read 2026-11-30).
POSTCODE_DISTRICT = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
MAX_OPTIONS = 12
SHOW_IF = validate.Regexp(r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*=[a-z0-9]+(?:-[a-z0-9]+)*)?$",
                          error="Leave it empty, or name a question and one of its answers: question-slug=option-value, "
                                "for example children=yes.")


class MaxChars(validate.Validator):
    """At most `max` characters, saying how many there are: "Use at most 15,000 characters; this has 612,345."."""

    def __init__(self, max: int, final_newline: bool = False):
        self.max = max
        self.final_newline = final_newline  # a guide's text ends with one, as read from its file: not counted

    def __call__(self, value: str) -> str:
        length = len(value) - (self.final_newline and value.endswith("\n"))
        if length > self.max:
            raise ValidationError(f"Use at most {self.max:,} characters; this has {length:,}.")
        return value


class NotBlank(validate.Validator):
    def __init__(self, error: str):
        self.error = error

    def __call__(self, value: str) -> str:
        if not value.strip():
            raise ValidationError(self.error)
        return value


def uk_today() -> date:
    return datetime.now(UK).date()


def not_in_future(value: date) -> date:
    if value > uk_today():
        raise ValidationError(f"{value.day} {value:%B %Y} is in the future: "
                              "give the date someone last checked these details.")
    return value


def tel_uri(phone: str | None) -> str | None:
    return f"tel:{re.sub(r'[^0-9+]', '', phone)}" if phone else None


def shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(v) for v in value.values())
    return isinstance(value, list) and any(has_nul(v) for v in value)


def required(message: str) -> dict:
    return {"required": message, "null": message}


def last_checked_field():
    return fields.Date(required=True, validate=not_in_future,
                       error_messages=required("Give the date someone last checked these details.")
                       | {"invalid": "Not a valid date: use the form 2026-01-31."})


def optional_source_field():
    """The https:// page a guide or a plan question is based on, or nothing: the length is checked first."""
    def https_if_given(value: str) -> str:
        MaxChars(MAX_CHARS["url"])(value)
        return HTTPS_URL(value) if value else value
    return fields.String(load_default="", validate=https_if_given)


def position_field():
    return fields.Integer(load_default=0, validate=POSITION, error_messages={"invalid": "Use a whole number."})


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def no_nul_characters(self, data, **kwargs):
        # PostgreSQL cannot store NUL in text: say so here rather than fail on load.
        if has_nul(data):
            raise ValidationError("Text must not contain NUL characters.")
        return data


class HoursPeriodSchema(StrictSchema):
    """One period: `{ days = ["fri"], opens = "20:00", closes = "08:00", overnight = true }`.

    A period that runs past midnight says so with `overnight = true` (in the admin: a line ending in
    "overnight"); without it, closing before opening is a mistake such as 09:00-05:00 for 09:00-17:00.
    Closing at 00:00 or 24:00 means midnight at the end of the day."""
    days = fields.List(fields.String(validate=validate.OneOf(DAYS, error="{input} is not a day: use mon, tue, "
                                                                          "wed, thu, fri, sat or sun.")),
                       required=True, validate=validate.Length(min=1, error="Give at least one day."),
                       error_messages=required("Give at least one day."))
    opens = fields.String(required=True, validate=CLOCK, error_messages=required("Give the opening time."))
    closes = fields.String(required=True, validate=CLOCK, error_messages=required("Give the closing time."))
    overnight = fields.Boolean(metadata={"description": "true when the period closes the next day"})

    @validates_schema
    def closes_after_it_opens(self, data, **kwargs):
        opens, closes = data["opens"], data["closes"]
        if opens == "24:00":
            raise ValidationError("Opens at 24:00: use 00:00 for midnight at the start of a day.", "opens")
        if data.get("overnight"):
            if closes in MIDNIGHT[1:] or minutes(closes) >= minutes(opens):
                raise ValidationError(f"Marked overnight, but closes at {closes}, not before it opens at {opens}: "
                                      "an overnight period closes the next morning.", "closes")
        elif closes not in MIDNIGHT and minutes(closes) <= minutes(opens):
            raise ValidationError(f"Closes at {closes}, before it opens at {opens}. If it is open overnight, "
                                  "mark it as overnight; if not, check the times.", "closes")

    @post_load
    def overnight_only_when_true(self, data, **kwargs):
        # Stored and published only when true, so periods saved before the flag existed stay as they were.
        if not data.get("overnight"):
            data.pop("overnight", None)
        return data


class PostcodeDistrict(fields.String):
    """The first part of a UK postcode (its outward code), such as CW1, SK10 or EC1A: stored in capitals."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if not POSTCODE_DISTRICT.fullmatch(text):
            shown = shorten(text, 20)
            if re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}", text):
                raise ValidationError(f"{shown} is a whole postcode: give only its first part, "
                                      f"{text[:-3].strip()}.")
            raise ValidationError(f"{shown!r} is not a postcode district: give the first part of a postcode, "
                                  "such as CW1 or SK10.")
        return text


class AreaContentSchema(StrictSchema):
    slug = fields.String(required=True, validate=[SLUG, MaxChars(MAX_CHARS["slug"])],
                         error_messages=required("Give a short name."))
    name = fields.String(required=True, validate=[NotBlank("Give the area's name."), MaxChars(MAX_CHARS["name"])],
                         error_messages=required("Give the area's name."))
    kind = fields.String(required=True, validate=validate.OneOf(
        ("national", "local"), error="Say whether it covers the whole country (national) or a local area (local)."),
        error_messages=required("Say whether it covers the whole country or a local area."))
    description = fields.String(load_default="", validate=MaxChars(MAX_CHARS["description"]))
    position = position_field()
    # The local finder (components/area-finder.js) matches a typed postcode's first part against these, on the
    # phone. A district may be listed in two areas: it can span a boundary, and the finder offers both.
    postcode_districts = fields.List(
        PostcodeDistrict(), load_default=list,
        validate=validate.Length(max=MAX_POSTCODE_DISTRICTS, error="List at most {max} postcode districts."),
        metadata={"description": "first parts of postcodes (outward codes) in this area, such as CW1"})
    postcode_source = fields.String(load_default="", validate=MaxChars(MAX_CHARS["postcode_source"]),
                                    metadata={"description": "where the postcode districts come from"})
    postcode_last_checked = fields.Date(load_default=None, validate=not_in_future,
                                        error_messages={"invalid": "Not a valid date: use the form 2026-01-31."})

    @validates_schema
    def districts_with_their_source(self, data, **kwargs):
        districts = data.get("postcode_districts") or []
        if not districts:
            return
        if data.get("kind") == "national":
            raise ValidationError("A national area covers everywhere: leave its postcode districts empty.",
                                  "postcode_districts")
        repeated = sorted({d for d in districts if districts.count(d) > 1})
        if repeated:
            raise ValidationError(f"Listed more than once: {', '.join(repeated)}.", "postcode_districts")
        if not data.get("postcode_source", "").strip():
            raise ValidationError("Say where these postcode districts come from (a page and its date), so that "
                                  "they can be checked again.", "postcode_source")
        if data.get("postcode_last_checked") is None:
            raise ValidationError("Give the date someone last checked these postcode districts.",
                                  "postcode_last_checked")


class ServiceContentSchema(StrictSchema):
    slug = fields.String(required=True, validate=[SLUG, MaxChars(MAX_CHARS["slug"])],
                         error_messages=required("Give a short name."))
    area = fields.String(required=True, validate=SLUG, metadata={"description": "slug of an area"},
                         error_messages=required("Choose the area it serves."))
    name = fields.String(required=True, validate=[NotBlank("Give the service's name."),
                                                  MaxChars(MAX_CHARS["service_name"])],
                         error_messages=required("Give the service's name."))
    description = fields.String(load_default="", validate=MaxChars(MAX_CHARS["description"]))
    phone = fields.String(load_default=None, validate=PHONE)
    phone_extra = fields.String(load_default=None, validate=MaxChars(MAX_CHARS["phone_extra"]))
    text_number = fields.String(load_default=None, validate=PHONE)
    chat_url = fields.String(load_default=None, validate=[MaxChars(MAX_CHARS["url"]), HTTPS_URL],
                             metadata={"description": "the service's web chat page"})
    web_url = fields.String(load_default=None, validate=[MaxChars(MAX_CHARS["url"]), HTTPS_URL])
    open_24_hours = fields.Boolean(load_default=False)
    hours = fields.List(fields.Nested(HoursPeriodSchema), load_default=list, validate=validate.Length(
        max=MAX_HOURS_LINES, error=f"Use at most {MAX_HOURS_LINES} periods."))
    hours_note = fields.String(load_default="", validate=MaxChars(MAX_CHARS["hours_note"]))
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), required=True,
                             validate=validate.Length(min=1, error="Choose at least one category."),
                             error_messages=required("Choose at least one category."))
    source = fields.String(required=True, validate=[MaxChars(MAX_CHARS["url"]), HTTPS_URL],
                           error_messages=required("Give the https:// page these details come from."))
    last_checked = last_checked_field()
    position = position_field()

    @validates_schema
    def has_a_way_to_reach(self, data, **kwargs):
        if not any(data.get(way) for way in ("phone", "text_number", "chat_url", "web_url")):
            raise ValidationError("Give a phone number, a text message number, a web chat or a website.", "phone")
        if data.get("open_24_hours") and data.get("hours"):
            raise ValidationError("A 24-hour service needs no hours.", "hours")


def check_guide_markdown(value: str) -> None:
    """A guide's text (or its translation) is plain Markdown: no HTML, no images, only allowed links."""
    if re.search(r"<[a-zA-Z/!?]", value):
        raise ValidationError("Raw HTML is not allowed in guides; use Markdown.")
    # Every image form (inline or reference) starts with "![": an image from another site would be a
    # request to a third party from every phone that opens the guide.
    if "![" in value:
        raise ValidationError("Images are not allowed in guides.")
    refused = refused_links(value)
    if refused:
        raise ValidationError([f'Link "{shorten(link)}" is not allowed: {LINK_RULE}' for link in refused])


class GuideContentSchema(StrictSchema):
    slug = fields.String(required=True, validate=[SLUG, MaxChars(MAX_CHARS["slug"])],
                         error_messages=required("Give a short name."))
    title = fields.String(required=True, validate=[NotBlank("Give the guide a title."), MaxChars(MAX_CHARS["title"])],
                          error_messages=required("Give the guide a title."))
    summary = fields.String(load_default="", validate=MaxChars(MAX_CHARS["summary"]))
    audience = fields.String(required=True, validate=validate.OneOf(AUDIENCES, error="Use you or worried."),
                             error_messages=required("Say who the guide is written for."))
    body_markdown = fields.String(required=True, validate=[NotBlank("Write the guide's text."),
                                                           MaxChars(MAX_CHARS["body_markdown"], final_newline=True)],
                                  error_messages=required("Write the guide's text."))
    source = optional_source_field()
    last_checked = last_checked_field()
    position = position_field()

    @validates("body_markdown")
    def safe_markdown(self, value, **kwargs):
        check_guide_markdown(value)


def step_text_field(limit: str, required_message: str | None = None):
    """Markdown in a tech-safety step, checked as a guide's is (no HTML, no images, only allowed links)."""
    def safe(value: str) -> str:
        MaxChars(MAX_CHARS[limit], final_newline=True)(value)
        if required_message and not value.strip():
            raise ValidationError(required_message)
        check_guide_markdown(value)
        return value
    if required_message:
        return fields.String(required=True, validate=safe, error_messages=required(required_message))
    return fields.String(load_default="", validate=safe)


class TechStepContentSchema(StrictSchema):
    """A step of the tech-safety check (tech_check.toml's [[step]] tables): what to check on Android and on an
    iPhone, in Markdown. Every step needs the page its facts come from: people act on these menu paths."""
    slug = fields.String(required=True, validate=[SLUG, MaxChars(MAX_CHARS["slug"])],
                         error_messages=required("Give a short name."))
    title = fields.String(required=True, validate=[NotBlank("Give the step a title."), MaxChars(MAX_CHARS["title"])],
                          error_messages=required("Give the step a title."))
    why = step_text_field("step_why", "Say why this step matters.")
    android = step_text_field("step_how", "Say how to check on Android, or that it could not be checked.")
    iphone = step_text_field("step_how", "Say how to check on an iPhone, or that it could not be checked.")
    warning = step_text_field("step_warning")
    source = fields.String(required=True, validate=[MaxChars(MAX_CHARS["url"]), HTTPS_URL],
                           error_messages=required("Give the https:// page the step's facts come from."))
    last_checked = last_checked_field()
    position = position_field()


class PlanOptionSchema(StrictSchema):
    """One answer people can choose: `{ value = "yes", label = "Yes" }`. The value stays put when the label is
    reworded (a saved plan and other questions' show_if name it); the label is what people read."""
    value = fields.String(required=True, validate=[SLUG, MaxChars(MAX_CHARS["option_value"])],
                          error_messages=required("Give the option a short value, such as yes."))
    label = fields.String(required=True, validate=[NotBlank("Give the option the words people see."),
                                                   MaxChars(MAX_CHARS["option_label"])],
                          error_messages=required("Give the option the words people see."))


class PlanQuestionContentSchema(StrictSchema):
    """A question of the safety plan (plan.toml's [[question]] tables). Whether show_if names an earlier
    question that has that answer is checked across the questions (content.show_if_problems)."""
    slug = fields.String(required=True, validate=[SLUG, MaxChars(MAX_CHARS["slug"])],
                         error_messages=required("Give a short name."))
    part = fields.String(required=True, validate=validate.OneOf(
        PART_SLUGS, error=f"Choose the part of the plan: {', '.join(PART_SLUGS)}."),
        error_messages=required("Choose the part of the plan it belongs to."))
    text = fields.String(required=True, validate=[NotBlank("Write the question."),
                                                  MaxChars(MAX_CHARS["question_text"])],
                         error_messages=required("Write the question."))
    hint = fields.String(load_default="", validate=MaxChars(MAX_CHARS["question_hint"]))
    kind = fields.String(required=True, validate=validate.OneOf(
        QUESTION_KINDS, error="Use one (choose one answer), many (tick any) or text (in their own words)."),
        error_messages=required("Say how it is answered: one answer, several, or in their own words."))
    options = fields.List(fields.Nested(PlanOptionSchema), load_default=list, validate=validate.Length(
        max=MAX_OPTIONS, error=f"Use at most {MAX_OPTIONS} options."))
    show_if = fields.String(load_default="", validate=[SHOW_IF, MaxChars(128)])
    source = optional_source_field()
    last_checked = last_checked_field()
    position = position_field()

    @validates_schema
    def options_fit_the_kind(self, data, **kwargs):
        options = data.get("options") or []
        if data["kind"] == "text" and options:
            raise ValidationError("A question answered in their own words has no options: remove them, or make it "
                                  "one answer or several.", "options")
        if data["kind"] != "text" and len(options) < 2:
            raise ValidationError("Give at least two options to choose from.", "options")
        values = [option["value"] for option in options]
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise ValidationError(f"Each option needs its own value: {', '.join(repeated)} is used more than once.",
                                  "options")
        if data.get("show_if", "").split("=")[0] == data["slug"]:
            raise ValidationError("A question cannot depend on its own answer: name an earlier question.", "show_if")


# Translations (content/translations/<language>/): only the words; numbers, hours and links stay the English
# record's. Each says whether someone fluent has checked it for the agency yet.
TRANSLATION_LANGUAGES = tuple(tag for tag in CHOOSABLE if tag != DEFAULT_LANGUAGE)


def translation_state_fields() -> dict:
    return {
        "language": fields.String(required=True, validate=validate.OneOf(
            TRANSLATION_LANGUAGES, error=f"Use a language folder named {', '.join(TRANSLATION_LANGUAGES)}.")),
        "needs_review": fields.Boolean(load_default=True, metadata={
            "description": "true until someone fluent has checked it for the agency"}),
        "translated_on": fields.Date(required=True, validate=not_in_future,
                                     error_messages=required("Give the date it was translated.")
                                     | {"invalid": "Not a valid date: use the form 2026-01-31."}),
        "reviewed_by": fields.String(load_default="", validate=MaxChars(254)),
        "reviewed_on": fields.Date(load_default=None, validate=not_in_future,
                                   error_messages={"invalid": "Not a valid date: use the form 2026-01-31."}),
    }


class GuideTranslationSchema(StrictSchema.from_dict(translation_state_fields())):
    """content/translations/<language>/guides/<slug>.md: front matter (title, summary, review state), then text."""
    slug = fields.String(required=True, validate=[SLUG, MaxChars(MAX_CHARS["slug"])])
    title = fields.String(required=True, validate=[NotBlank("Give the guide a title."), MaxChars(MAX_CHARS["title"])],
                          error_messages=required("Give the guide a title."))
    summary = fields.String(load_default="", validate=MaxChars(MAX_CHARS["summary"]))
    body_markdown = fields.String(required=True, validate=[NotBlank("Write the guide's text."),
                                                           MaxChars(MAX_CHARS["body_markdown"], final_newline=True)],
                                  error_messages=required("Write the guide's text."))

    @validates("body_markdown")
    def safe_markdown(self, value, **kwargs):
        check_guide_markdown(value)


class ServiceTranslationSchema(StrictSchema.from_dict(translation_state_fields())):
    """A [[service]] table of content/translations/<language>/services.toml. The name stays the organisation's."""
    slug = fields.String(required=True, validate=[SLUG, MaxChars(MAX_CHARS["slug"])],
                         error_messages=required("Give the service's short name."))
    description = fields.String(load_default="", validate=MaxChars(MAX_CHARS["description"]))
    hours_note = fields.String(load_default="", validate=MaxChars(MAX_CHARS["hours_note"]))


# API query strings: unknown parameters are an error, not silently ignored.

class ServiceQuerySchema(StrictSchema):
    area = fields.String(validate=SLUG)
    category = fields.String(validate=validate.OneOf(CATEGORIES))
    open_now = fields.Boolean()


class GuideQuerySchema(StrictSchema):
    audience = fields.String(validate=validate.OneOf(AUDIENCES))


class EmptyQuerySchema(StrictSchema):
    pass


# API output.

class AreaSchema(Schema):
    # Left out when empty, so that a pack without postcode districts keeps the bundle version it had before them.
    OMITTED_WHEN_EMPTY = ("postcode_districts", "postcode_source", "postcode_last_checked")

    slug = fields.String()
    name = fields.String()
    kind = fields.String()
    description = fields.String()
    postcode_districts = fields.List(fields.String(), metadata={
        "description": "first parts of postcodes (outward codes) in this area, approximate (left out when none)"})
    postcode_source = fields.String(metadata={"description": "where the postcode districts come from"})
    postcode_last_checked = fields.Date(metadata={"description": "when the postcode districts were last checked"})

    @post_dump
    def leave_out_empty(self, data, **kwargs):
        for name in self.OMITTED_WHEN_EMPTY:
            if not data.get(name):
                data.pop(name, None)
        return data


class ServiceSchema(Schema):
    # Left out when empty: every phone downloads the bundle, and its version stays what it was for services
    # without one (the openapi description does not list these as required).
    OMITTED_WHEN_NULL = ("chat_url",)

    slug = fields.String()
    area = fields.Function(lambda s: s.area.slug)
    name = fields.String()
    description = fields.String()
    phone = fields.String(allow_none=True)
    phone_extra = fields.String(allow_none=True)
    tel = fields.Function(lambda s: tel_uri(s.phone))
    text_number = fields.String(allow_none=True)
    chat_url = fields.String(metadata={"description": "the service's web chat page (left out when it has none)"})
    web_url = fields.String(allow_none=True)
    open_24_hours = fields.Boolean()
    hours = fields.List(fields.Dict())
    hours_note = fields.String()
    categories = fields.List(fields.String())
    source = fields.String()
    last_checked = fields.Date()

    @post_dump
    def leave_out_empty(self, data, **kwargs):
        for name in self.OMITTED_WHEN_NULL:
            if data.get(name) is None:
                data.pop(name, None)
        return data


class GuideSummarySchema(Schema):
    slug = fields.String()
    title = fields.String()
    summary = fields.String()
    audience = fields.String()
    last_checked = fields.Date()


class GuideSchema(GuideSummarySchema):
    body_html = fields.String()
    source = fields.String()
