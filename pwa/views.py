"""HTML pages. They work without JavaScript; scripts only enhance them."""
import json
from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, make_response, render_template, request
from flask_babel import format_date, gettext

from . import bidi, content, risk_check, security
from .extensions import db
from .guide_markdown import link_allowed
from .hours import describe, is_open
from .journal.views import idle_seconds
from .models import Guide, Service
from .plan import questions_by_part
from .schemas import CATEGORY_LABELS, tel_uri
from .wording import OTHER_SITE_HINT, plural

bp = Blueprint("pages", __name__)

STALE_AFTER_DAYS = 365


@bp.app_template_global()
def service_facts(service) -> dict:
    return {
        "tel": tel_uri(service.phone),
        "sms": f"sms:{service.text_number.replace(' ', '')}" if service.text_number else None,
        "chat": service.chat_url,
        "hours": describe(service.open_24_hours, service.hours, isolate=bidi.ltr),
        "hours_json": json.dumps({"open_24_hours": service.open_24_hours, "hours": service.hours}),
        "open_now": is_open(service.open_24_hours, service.hours),
        "stale": (date.today() - service.last_checked).days > STALE_AFTER_DAYS,
    }


@bp.app_template_test("safe_link")
def safe_link(url: str | None) -> bool:
    """Whether a stored address may be linked (content saved by an older version may hold others)."""
    return bool(url) and link_allowed(url)


bp.app_template_filter("plural")(plural)
bp.add_app_template_filter(bidi.ltr, "ltr")
bp.add_app_template_filter(bidi.ltr_numbers, "ltr_numbers")
bp.add_app_template_global(OTHER_SITE_HINT, "other_site_hint")
bp.add_app_template_global(CATEGORY_LABELS, "category_labels")


@bp.app_template_filter("long_date")
def long_date(value: date) -> str:
    """"30 November 2026", in the chosen language ("30 Tachwedd 2026", "30 listopada 2026")."""
    return format_date(value, "d MMMM y")


# The home and offline pages lead with the first national services in the pack's order (an agency orders them
# with `position`); the rest are one tap away, by the kind of help people look for.
FIRST_SERVICES = 3


def first_services() -> list:
    return content.national_services()[:FIRST_SERVICES]


@bp.app_template_global()
def kinds_of_help() -> list[tuple[str, str]]:
    """(category, label) for every kind of help some published service gives, in CATEGORY_LABELS' order."""
    given = {category for categories in db.session.scalars(db.select(Service.categories)) for category in categories}
    return [(category, label) for category, label in CATEGORY_LABELS.items() if category in given]


@bp.get("/")
def home():
    guides = db.session.scalars(content.ordered_guides().where(Guide.audience == "you")).all()
    return render_template("home.html", emergency=first_services(), guides=guides)


@bp.app_template_global()
def areas_on_one_page() -> bool:
    return content.areas_on_one_page(current_app.config["AREAS_ON_ONE_PAGE"])


@bp.get("/helplines")
def helplines():
    """Every area and service is on the page; those the choices leave out are hidden, so that
    components/area-filter.js can filter in the page with no request (offline too).

    Above AREAS_ON_ONE_PAGE local areas (a national pack) the page holds national help and the chosen area only:
    the worker keeps each area's page once opened, and the agency's HOME_AREAS from the first visit (sw.js)."""
    chosen = request.args.get("area", "")
    category = request.args.get("category", "")
    one_page = areas_on_one_page()
    if one_page:
        areas = content.ordered_areas()
        choices = [(a.slug, a.name) for a in areas if a.kind != "national"]
    else:
        choices = content.local_area_choices()
        areas = content.areas_with_slugs([chosen] if chosen else [])
    if chosen and chosen not in {slug for slug, _ in choices} | {a.slug for a in areas}:
        abort(404)
    if category and category not in CATEGORY_LABELS:
        abort(404)
    in_area = {a.slug for a in areas if not chosen or a.slug == chosen or a.kind == "national"}
    matching = {s.slug for a in areas if a.slug in in_area for s in a.services
                if not category or category in s.categories}
    shown = {a.slug for a in areas
             if a.slug in in_area and (not category or any(s.slug in matching for s in a.services))}
    used = ({c for a in areas for s in a.services for c in s.categories} if one_page
            else {slug for slug, _ in kinds_of_help()}) | ({category} if category else set())
    categories = [(slug, label) for slug, label in CATEGORY_LABELS.items() if slug in used]
    # The local finder matches a typed postcode against these on the phone: they go in the page, never the postcode
    # to the server. Where each list comes from is shown for the areas on this page.
    districts = content.postcode_districts_by_area()
    district_sources = [a for a in areas if a.kind != "national" and a.postcode_districts]
    return render_template("helplines.html", areas=areas, choices=choices, per_area=not one_page, chosen=chosen,
                           category=category, categories=categories, shown=shown, matching=matching,
                           districts=districts, district_sources=district_sources)


@bp.get("/guides")
def guides():
    return render_template("guides.html", guides=db.session.scalars(content.ordered_guides()).all())


@bp.get("/guides/<slug>")
def guide(slug: str):
    found = content.by_slug(Guide, slug)
    if found is None:
        abort(404)
    return render_template("guide.html", guide=found)


@bp.get("/check")
def check():
    return render_template("check.html", check=risk_check)


@bp.get("/worried")
def worried():
    """For friends, family and colleagues: their guides, and the services that help people who are worried."""
    guides = db.session.scalars(content.ordered_guides().where(Guide.audience == "worried")).all()
    services = db.session.scalars(content.ordered_services()).all() if areas_on_one_page() \
        else content.national_services()  # a national pack: the contacts page has each area's
    for_them = [s for s in services if "friends-family" in s.categories]
    # Where an agency's pack tags none for friends and family, the national helplines stand in, said plainly.
    helplines = [] if for_them else [s for s in services if "helpline" in s.categories and s.area.kind == "national"]
    return render_template("worried.html", guides=guides, services=for_them, helplines=helplines)


@bp.get("/limits")
def limits():
    return render_template("limits.html")


@bp.get("/tech-check")
def tech_check():
    """The tech-safety check: every step, each with Android and iPhone parts (content: tech_check.toml, the admin).
    Nothing on the page is a form: what someone looks at is never stored or sent."""
    steps = [{"slug": step.slug, "title": step.title, "source": step.source, "last_checked": step.last_checked,
              "source_name": urlsplit(step.source).netloc.removeprefix("www."),
              **{name: content.render_markdown(getattr(step, name)) if getattr(step, name) else ""
                 for name in ("why", "android", "iphone", "warning")}}
             for step in content.published_steps()]
    sources: dict[str, date] = {}
    for step in steps:
        sources[step["source"]] = max(step["last_checked"], sources.get(step["source"], step["last_checked"]))
    return render_template("tech_check.html", steps=steps, sources=[
        {"url": url, "name": urlsplit(url).netloc.removeprefix("www."), "last_checked": checked}
        for url, checked in sources.items()])


@bp.get("/plan")
def plan():
    parts = questions_by_part()
    return render_template("plan.html", parts=parts, conditions=plan_conditions(parts),
                           sources=plan_sources(parts), idle_seconds=idle_seconds())


@bp.get("/trusted")
def trusted():
    """Ready text messages to up to three trusted contacts (js/trusted/, docs/trusted-contacts.md). The contacts
    and the code word are kept encrypted in the journal: the server never sees them."""
    response = make_response(render_template("trusted.html", idle_seconds=idle_seconds(), slots=range(1, 4)))
    # The one page that may ask where the phone is, and only when the person ticks it for a message: everywhere
    # else the site's policy (security.py) keeps geolocation off.
    response.headers["Permissions-Policy"] = security.HEADERS["Permissions-Policy"].replace(
        "geolocation=()", "geolocation=(self)")
    return response


def plan_sources(parts) -> list[dict]:
    """The pages the questions' facts come from, once each, with the latest date one was checked."""
    found: dict[str, date] = {}
    for _, questions in parts:
        for question in questions:
            if question.get("source"):
                checked = date.fromisoformat(str(question["last_checked"]))
                found[question["source"]] = max(checked, found.get(question["source"], checked))
    return [{"url": url, "name": urlsplit(url).netloc.removeprefix("www."), "last_checked": checked}
            for url, checked in found.items()]


def plan_conditions(parts) -> dict[str, str]:
    """For each question shown only with another's answer, that condition in words: the page says it when it
    cannot hide the question itself (without JavaScript, or on paper)."""
    questions = {question["slug"]: question for _, listed in parts for question in listed}
    conditions = {}
    for question in questions.values():
        slug, _, value = question["show_if"].partition("=")
        depends = questions.get(slug)
        if depends:
            label = next((option["label"] for option in depends["options"] if option["value"] == value), value)
            # Translators: under a question the plan shows only after a given answer to an earlier question.
            conditions[question["slug"]] = gettext(
                "If you answered \u201c%(answer)s\u201d to \u201c%(question)s\u201d.",
                answer=label, question=depends["text"])
    return conditions
