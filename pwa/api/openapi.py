"""OpenAPI 3.1 description of the API, generated from the marshmallow schemas it already uses.

Query parameters come from the strict query schemas and response bodies from the output schemas,
so the spec cannot drift from what the views validate and dump. A test checks every /api/v1 route is here.
"""
from flask import current_app
from marshmallow import Schema, fields, validate

from ..schemas import (SLUG, AreaSchema, EmptyQuerySchema, GuideQuerySchema, GuideSchema, GuideSummarySchema,
                       ServiceQuerySchema, ServiceSchema)
from . import api
from .responses import cached_json, query_args

# fields.Function has no declared type; these are the types of the values it computes.
COMPUTED_FIELDS = {
    (ServiceSchema, "area"): {"type": "string", "description": "slug of the service's area"},
    (ServiceSchema, "tel"): {"type": ["string", "null"], "description": "tel: link for the phone number"},
}


def field_schema(schema: Schema, name: str, field: fields.Field) -> dict:
    if isinstance(field, fields.Function):
        return dict(COMPUTED_FIELDS[(type(schema), name)])
    if isinstance(field, fields.Nested):
        result = object_schema(field.schema)
    elif isinstance(field, fields.List):
        result = {"type": "array", "items": field_schema(schema, name, field.inner)}
    elif isinstance(field, fields.Boolean):
        result = {"type": "boolean"}
    elif isinstance(field, fields.Integer):
        result = {"type": "integer"}
    elif isinstance(field, fields.Date):
        result = {"type": "string", "format": "date"}
    elif isinstance(field, fields.Dict):
        result = {"type": "object"}
    elif isinstance(field, fields.String):
        result = {"type": "string"}
    else:  # pragma: no cover - a new field type must be described before it can ship
        raise TypeError(f"No OpenAPI mapping for {type(field).__name__} ({name})")
    for rule in field.validators:
        result |= validator_schema(rule)
    if field.allow_none:
        result["type"] = [result["type"], "null"]
    if field.metadata.get("description"):
        result["description"] = field.metadata["description"]
    return result


def validator_schema(rule) -> dict:
    if isinstance(rule, validate.OneOf):
        return {"enum": list(rule.choices)}
    if isinstance(rule, validate.Regexp):
        return {"pattern": rule.regex.pattern}
    if isinstance(rule, validate.Length):
        return {key: value for key, value in (("minLength", rule.min), ("maxLength", rule.max)) if value is not None}
    return {}


def object_schema(schema: Schema) -> dict:
    """Output objects: every declared field is always present, nothing else is."""
    properties = {name: field_schema(schema, name, field) for name, field in schema.fields.items()}
    return {"type": "object", "properties": properties, "required": sorted(properties),
            "additionalProperties": False}


def query_parameters(schema: Schema) -> list[dict]:
    return [{"name": name, "in": "query", "required": field.required, "schema": field_schema(schema, name, field)}
            for name, field in schema.fields.items()]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def envelope(**properties) -> dict:
    return {"type": "object", "properties": properties, "required": sorted(properties), "additionalProperties": False}


def with_open_now(schema: dict) -> dict:
    # open_now is worked out per request (null when the hours are not known), so it is not in the bundle.
    schema = {**schema, "properties": {**schema["properties"],
                                       "open_now": {"type": ["boolean", "null"]}}}
    return schema | {"required": sorted(schema["properties"])}


ERROR = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {"error": {
        "type": "object",
        "required": ["status", "code", "message"],
        "additionalProperties": False,
        "properties": {
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "code": {"type": "string", "description": "machine-readable, e.g. bad_request, not_found"},
            "message": {"type": "string", "description": "for people"},
            "fields": {"type": "object", "description": "per parameter: what is wrong with it"},
        },
    }},
}


def operation(summary: str, body: dict, query: Schema, *, slug_of: str | None = None) -> dict:
    parameters = [{"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"},
                   "description": "ETag of a copy you hold; a 304 with no body means it is still current."}]
    responses = {
        "200": {"description": "OK", "headers": {"ETag": {"schema": {"type": "string"}}},
                "content": {"application/json": {"schema": body}}},
        "304": {"description": "Not modified: the copy matching If-None-Match is current."},
        "400": {"description": "Unknown or invalid query parameter.", "content": error_content()},
    }
    if slug_of:
        parameters.append({"name": "slug", "in": "path", "required": True,
                           "schema": {"type": "string", "pattern": SLUG.regex.pattern},
                           "description": f"the {slug_of}'s slug"})
    if slug_of or "area" in query.fields:
        responses["404"] = {"description": "No such record.", "content": error_content()}
    return {"get": {"summary": summary, "parameters": parameters + query_parameters(query), "responses": responses}}


def error_content() -> dict:
    return {"application/json": {"schema": ref("Error")}}


def spec() -> dict:
    service = with_open_now(object_schema(ServiceSchema()))
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{current_app.config['APP_NAME']} content API",
            "version": "1",
            "description": "Read-only published helplines and guidance. Unknown query parameters are an error "
                           "(400). Every response carries an ETag; send it back in If-None-Match to get a 304.",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/": operation("Links to the collections", envelope(
                version={"type": "integer"},
                links={"type": "object", "additionalProperties": {"type": "string"}}), EmptyQuerySchema()),
            "/areas": operation("National and local areas", envelope(
                areas={"type": "array", "items": ref("Area")}), EmptyQuerySchema()),
            "/areas/{slug}": operation("One area and its services", envelope(
                area=ref("Area"), services={"type": "array", "items": ref("ServiceNow")}),
                EmptyQuerySchema(), slug_of="area"),
            "/services": operation("Services, optionally filtered", envelope(
                services={"type": "array", "items": ref("ServiceNow")}), ServiceQuerySchema()),
            "/services/{slug}": operation("One service", envelope(service=ref("ServiceNow")),
                                          EmptyQuerySchema(), slug_of="service"),
            "/guides": operation("Guidance articles (summaries)", envelope(
                guides={"type": "array", "items": ref("GuideSummary")}), GuideQuerySchema()),
            "/guides/{slug}": operation("One guide, with its body as HTML", envelope(guide=ref("Guide")),
                                        EmptyQuerySchema(), slug_of="guide"),
            "/bundle": operation("Everything needed offline, in one versioned document; the ETag is the version",
                                 envelope(format={"type": "integer", "const": 1},
                                          version={"type": "string", "pattern": "^[0-9a-f]{20}$"},
                                          areas={"type": "array", "items": ref("Area")},
                                          services={"type": "array", "items": ref("Service")},
                                          guides={"type": "array", "items": ref("Guide")}),
                                 EmptyQuerySchema()),
            "/openapi.json": operation("This description", {"type": "object", "required": ["openapi", "paths"]},
                                       EmptyQuerySchema()),
        },
        "components": {"schemas": {
            "Area": object_schema(AreaSchema()),
            "Service": object_schema(ServiceSchema()),
            "ServiceNow": service,
            "GuideSummary": object_schema(GuideSummarySchema()),
            "Guide": object_schema(GuideSchema()),
            "Error": ERROR,
        }},
    }


@api.get("/openapi.json")
def openapi_json():
    query_args(EmptyQuerySchema())
    return cached_json(spec())
