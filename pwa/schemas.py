"""Marshmallow schemas: validating the content pack, API query strings, and API output."""
import re

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates, validates_schema

from .guide_markdown import LINK_RULE, refused_links
from .hours import DAYS

SLUG = validate.Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", error="Use lower-case letters, digits and single hyphens.")
PHONE = validate.Regexp(r"^\+?[0-9][0-9 ]{1,18}[0-9]$", error="Use digits and spaces only, e.g. 0808 2000 247.")
CLOCK = validate.Regexp(r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$", error="Use 24-hour time, e.g. 09:00.")
HTTPS_URL = validate.URL(schemes={"https"}, require_tld=True, error="Use a full https:// address.")
# The database column is a 32-bit integer (PostgreSQL refuses anything bigger with an error).
POSITION = validate.Range(min=-(2**31), max=2**31 - 1, error="Use a whole number between {min} and {max}.")
AUDIENCES = ("you", "worried")
CATEGORIES = ("emergency", "police", "helpline", "local-support", "refuge", "advice")


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
    days = fields.List(fields.String(validate=validate.OneOf(DAYS)), required=True, validate=validate.Length(min=1))
    opens = fields.String(required=True, validate=CLOCK)
    closes = fields.String(required=True, validate=CLOCK)


class AreaContentSchema(StrictSchema):
    slug = fields.String(required=True, validate=SLUG)
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf(("national", "local")))
    description = fields.String(load_default="")
    position = fields.Integer(load_default=0, validate=POSITION)


class ServiceContentSchema(StrictSchema):
    slug = fields.String(required=True, validate=SLUG)
    area = fields.String(required=True, validate=SLUG, metadata={"description": "slug of an area"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=160))
    description = fields.String(load_default="")
    phone = fields.String(load_default=None, validate=PHONE)
    phone_extra = fields.String(load_default=None, validate=validate.Length(max=80))
    text_number = fields.String(load_default=None, validate=PHONE)
    web_url = fields.String(load_default=None, validate=HTTPS_URL)
    open_24_hours = fields.Boolean(load_default=False)
    hours = fields.List(fields.Nested(HoursPeriodSchema), load_default=list)
    hours_note = fields.String(load_default="")
    categories = fields.List(fields.String(validate=validate.OneOf(CATEGORIES)), required=True,
                             validate=validate.Length(min=1))
    source = fields.String(required=True, validate=HTTPS_URL)
    last_checked = fields.Date(required=True)
    position = fields.Integer(load_default=0, validate=POSITION)

    @validates_schema
    def has_a_way_to_reach(self, data, **kwargs):
        if not (data.get("phone") or data.get("text_number") or data.get("web_url")):
            raise ValidationError("Give at least one of phone, text_number or web_url.", "phone")
        if data.get("open_24_hours") and data.get("hours"):
            raise ValidationError("A 24-hour service needs no hours.", "hours")


class GuideContentSchema(StrictSchema):
    slug = fields.String(required=True, validate=SLUG)
    title = fields.String(required=True, validate=validate.Length(min=1, max=160))
    summary = fields.String(load_default="")
    audience = fields.String(required=True, validate=validate.OneOf(AUDIENCES))
    body_markdown = fields.String(required=True, validate=validate.Length(min=1))
    source = fields.String(load_default="", validate=validate.Length(max=300))
    last_checked = fields.Date(required=True)
    position = fields.Integer(load_default=0, validate=POSITION)

    @validates("source")
    def source_is_https(self, value, **kwargs):
        if value:
            HTTPS_URL(value)

    @validates("body_markdown")
    def safe_markdown(self, value, **kwargs):
        if re.search(r"<[a-zA-Z/!?]", value):
            raise ValidationError("Raw HTML is not allowed in guides; use Markdown.")
        # Every image form (inline or reference) starts with "![": an image from another site would be a
        # request to a third party from every phone that opens the guide.
        if "![" in value:
            raise ValidationError("Images are not allowed in guides.")
        refused = refused_links(value)
        if refused:
            raise ValidationError([f'Link "{shorten(link)}" is not allowed: {LINK_RULE}' for link in refused])


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
    slug = fields.String()
    name = fields.String()
    kind = fields.String()
    description = fields.String()


class ServiceSchema(Schema):
    slug = fields.String()
    area = fields.Function(lambda s: s.area.slug)
    name = fields.String()
    description = fields.String()
    phone = fields.String(allow_none=True)
    phone_extra = fields.String(allow_none=True)
    tel = fields.Function(lambda s: tel_uri(s.phone))
    text_number = fields.String(allow_none=True)
    web_url = fields.String(allow_none=True)
    open_24_hours = fields.Boolean()
    hours = fields.List(fields.Dict())
    hours_note = fields.String()
    categories = fields.List(fields.String())
    source = fields.String()
    last_checked = fields.Date()


class GuideSummarySchema(Schema):
    slug = fields.String()
    title = fields.String()
    summary = fields.String()
    audience = fields.String()
    last_checked = fields.Date()


class GuideSchema(GuideSummarySchema):
    body_html = fields.String()
    source = fields.String()
