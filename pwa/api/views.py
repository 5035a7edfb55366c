from flask import abort

from .. import content
from ..errors import json_error
from ..extensions import db
from ..hours import is_open
from ..models import Area, Guide, Service
from ..schemas import (AreaSchema, EmptyQuerySchema, GuideQuerySchema, GuideSchema, GuideSummarySchema,
                       ServiceQuerySchema, ServiceSchema)
from . import api
from .responses import cached_json, query_args


def not_found(kind: str, slug: str):
    abort(json_error(404, "not_found", f"No {kind} with slug {slug!r}."))


def by_slug(model, kind: str, slug: str):
    return content.by_slug(model, slug) or not_found(kind, slug)


def service_json(services) -> list[dict]:
    # open_now is worked out at request time, so it is not in the (cacheable) bundle.
    return [ServiceSchema().dump(s) | {"open_now": is_open(s.open_24_hours, s.hours)} for s in services]


@api.get("/")
def index():
    query_args(EmptyQuerySchema())
    return cached_json({"version": 1, "links": {name: f"/api/v1/{name}" for name in
                                                ("areas", "services", "guides", "bundle")}})


@api.get("/areas")
def areas():
    query_args(EmptyQuerySchema())
    return cached_json({"areas": AreaSchema(many=True).dump(content.ordered_areas())})


@api.get("/areas/<slug>")
def area(slug: str):
    query_args(EmptyQuerySchema())
    found = by_slug(Area, "area", slug)
    services = db.session.scalars(content.ordered_services().where(Service.area_id == found.id))
    return cached_json({"area": AreaSchema().dump(found), "services": service_json(services)})


@api.get("/services")
def services():
    args = query_args(ServiceQuerySchema())
    query = content.ordered_services()
    if "area" in args:
        if db.session.scalar(db.select(Area.id).filter_by(slug=args["area"])) is None:
            not_found("area", args["area"])
        query = query.where(Area.slug == args["area"])
    found = list(db.session.scalars(query))
    if "category" in args:
        found = [s for s in found if args["category"] in s.categories]
    rows = service_json(found)
    if "open_now" in args:
        rows = [row for row in rows if bool(row["open_now"]) == args["open_now"]]
    return cached_json({"services": rows})


@api.get("/services/<slug>")
def service(slug: str):
    query_args(EmptyQuerySchema())
    found = by_slug(Service, "service", slug)
    return cached_json({"service": service_json([found])[0]})


@api.get("/guides")
def guides():
    args = query_args(GuideQuerySchema())
    query = content.ordered_guides()
    if "audience" in args:
        query = query.where(Guide.audience == args["audience"])
    return cached_json({"guides": GuideSummarySchema(many=True).dump(db.session.scalars(query))})


@api.get("/guides/<slug>")
def guide(slug: str):
    query_args(EmptyQuerySchema())
    found = by_slug(Guide, "guide", slug)
    return cached_json({"guide": GuideSchema().dump(found)})


@api.get("/bundle")
def bundle():
    """Everything needed offline, in one versioned document."""
    query_args(EmptyQuerySchema())
    data = content.bundle()
    return cached_json(data, etag=data["version"])
