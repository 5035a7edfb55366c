from flask import abort, url_for

from .. import content, response_cache
from ..errors import json_error
from ..extensions import db
from ..hours import is_open
from ..models import Area, Guide, Service
from ..schemas import (AreaSchema, EmptyQuerySchema, GuideQuerySchema, GuideSchema, GuideSummarySchema,
                       ServiceQuerySchema, ServiceSchema)
from . import api
from .responses import cached_json, content_json, kept_json, query_args

# Made once: a schema instance is reusable, and making one copies every field.
NO_QUERY, SERVICE_QUERY, GUIDE_QUERY = EmptyQuerySchema(), ServiceQuerySchema(), GuideQuerySchema()


def not_found(kind: str, slug: str):
    abort(json_error(404, "not_found", f"No {kind} with slug {slug!r}."))


def by_slug(model, kind: str, slug: str):
    return content.by_slug(model, slug) or not_found(kind, slug)


def service_json(services) -> list[dict]:
    # open_now is worked out at request time, so it is not in the (cacheable) bundle.
    return [ServiceSchema().dump(s) | {"open_now": is_open(s.open_24_hours, s.hours)} for s in services]


@api.get("/")
def index():
    query_args(NO_QUERY)
    return cached_json({"version": 1, "links": {name: f"/api/v1/{name}" for name in
                                                ("areas", "services", "guides", "bundle")}})


# Every response below is built once per content version, path and validated query (api/responses.content_json).
# Those with open_now (worked out at request time: area, services, service) ask the time while they are built, so
# they are kept for that minute only: what a build in the same minute gives. The others until the content changes.

@api.get("/areas")
def areas():
    args = query_args(NO_QUERY)
    return content_json(lambda: {"areas": AreaSchema(many=True).dump(content.ordered_areas())}, args)


@api.get("/areas/<slug>")
def area(slug: str):
    args = query_args(NO_QUERY)

    def build():
        found = by_slug(Area, "area", slug)
        services = db.session.scalars(content.ordered_services().where(Service.area_id == found.id))
        return {"area": AreaSchema().dump(found), "services": service_json(services)}
    return content_json(build, args)


@api.get("/services")
def services():
    args = query_args(SERVICE_QUERY)

    def build():
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
        return {"services": rows}
    return content_json(build, args)


@api.get("/services/<slug>")
def service(slug: str):
    args = query_args(NO_QUERY)
    return content_json(lambda: {"service": service_json([by_slug(Service, "service", slug)])[0]}, args)


@api.get("/guides")
def guides():
    args = query_args(GUIDE_QUERY)

    def build():
        query = content.ordered_guides()
        if "audience" in args:
            query = query.where(Guide.audience == args["audience"])
        return {"guides": GuideSummarySchema(many=True).dump(db.session.scalars(query))}
    return content_json(build, args)


@api.get("/guides/<slug>")
def guide(slug: str):
    args = query_args(NO_QUERY)
    return content_json(lambda: {"guide": GuideSchema().dump(by_slug(Guide, "guide", slug))}, args)


@api.get("/bundle")
def bundle():
    """Everything needed offline, in one versioned document: a revalidation reads nothing but memory."""
    args = query_args(NO_QUERY)
    return content_json(content.bundle, args, etag_of=bundle_etag)


def bundle_etag(data: dict) -> str:
    return data["version"]


def bundle_version() -> str:
    """The bundle's version (as its ETag), from the kept bundle: for the worker's precache list."""
    if not response_cache.caches().enabled:
        return content.bundle()["version"]
    return kept_json(content.bundle, {}, etag_of=bundle_etag, path=url_for("api.bundle")).etag
