"""OpenAPI 3.1 description of the API, generated from the marshmallow schemas it already uses.

Query parameters come from the strict query schemas and response bodies from the output schemas,
so the spec cannot drift from what the views validate and dump. A test checks every /api/v1 route is here.
"""
from flask import current_app
from marshmallow import Schema, fields, validate

from ..backup import wire
from ..schemas import (SLUG, AreaSchema, EmptyQuerySchema, GuideQuerySchema, GuideSchema, GuideSummarySchema,
                       ServiceQuerySchema, ServiceSchema)
from . import api
from .backups import PAGE_LIMIT, BackupCreateSchema, RecordsQuerySchema
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
    if isinstance(rule, validate.Range):
        return {key: value for key, value in (("minimum", rule.min), ("maximum", rule.max)) if value is not None}
    if isinstance(rule, validate.Length):
        return {key: value for key, value in (("minLength", rule.min), ("maxLength", rule.max)) if value is not None}
    return {}


def object_schema(schema: Schema) -> dict:
    """Output objects: every declared field is present (except those left out when empty), nothing else is."""
    properties = {name: field_schema(schema, name, field) for name, field in schema.fields.items()}
    optional = (*getattr(schema, "OMITTED_WHEN_NULL", ()), *getattr(schema, "OMITTED_WHEN_EMPTY", ()))
    return {"type": "object", "properties": properties, "required": sorted(set(properties) - set(optional)),
            "additionalProperties": False}


def query_parameters(schema: Schema) -> list[dict]:
    return [{"name": name, "in": "query", "required": field.required, "schema": field_schema(schema, name, field)}
            | ({"description": field.metadata["description"]} if field.metadata.get("description") else {})
            for name, field in schema.fields.items()]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def envelope(**properties) -> dict:
    return {"type": "object", "properties": properties, "required": sorted(properties), "additionalProperties": False}


def with_open_now(schema: dict) -> dict:
    # open_now is worked out per request (null when the hours are not known), so it is not in the bundle.
    schema = {**schema, "properties": {**schema["properties"],
                                       "open_now": {"type": ["boolean", "null"]}}}
    return schema | {"required": sorted([*schema["required"], "open_now"])}


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
            "description": "Read-only published helplines and guidance: unknown query parameters are an error "
                           "(400); every response carries an ETag, send it back in If-None-Match to get a 304. "
                           "And the journal's end-to-end encrypted backup (/backups/...), private and never cached: "
                           "see docs/backup.md for the format of what is stored.",
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
            **backup_paths(),
        },
        "components": {"securitySchemes": {"writeToken": WRITE_TOKEN}, "schemas": {
            "Area": object_schema(AreaSchema()),
            "Service": object_schema(ServiceSchema()),
            "ServiceNow": service,
            "GuideSummary": object_schema(GuideSummarySchema()),
            "Guide": object_schema(GuideSchema()),
            "Error": ERROR,
            **BACKUP_SCHEMAS,
        }},
    }


# The backup API -----------------------------------------------------------------------------------------------

WRITE_TOKEN = {"type": "http", "scheme": "bearer",
               "description": "The backup's write token, 64 lower-case hex digits (HKDF of the recovery code). "
                              "The server keeps only its SHA-256."}
HEX32 = {"type": "string", "pattern": wire.BACKUP_ID_PATTERN}
HEX64 = {"type": "string", "pattern": wire.HEX64_PATTERN}
TIME = {"type": "string", "pattern": wire.TIME_PATTERN, "description": "UTC, to the second"}
COUNT = {"type": "integer", "minimum": 0}
BACKUP_SCHEMAS = {
    "Receipt": envelope(
        v={"type": "integer", "const": wire.VERSION}, backup=HEX32, seq={"type": "integer", "minimum": 1},
        hash=HEX64 | {"description": "the record hash (docs/backup.md)"}, time=TIME,
        key=HEX32 | {"description": "fingerprint of the signing key: /.well-known/backup-receipt-key"},
        sig={"type": "string", "description": "Ed25519 signature over the receipt's bytes, base64"}),
    "BackupStatus": envelope(
        id=HEX32, records=COUNT, bytes=COUNT, lastSeq=COUNT,
        conflicts=COUNT | {"description": "writes refused because different bytes were sent for a stored record"},
        deletion={"oneOf": [{"type": "null"}, envelope(requestedAt=TIME, dueAt=TIME)],
                  "description": "a requested deletion, which can be cancelled until it is due"},
        limits=envelope(quotaBytes=COUNT, maxRecordBytes=COUNT, minRecordBytes=COUNT,
                        deletionWaitDays={"type": "number", "minimum": 0})),
    "StoredRecord": envelope(
        seq={"type": "integer", "minimum": 1}, size=COUNT, receipt=ref("Receipt"),
        body={"type": "string", "contentEncoding": "base64", "description": "the record's bytes as written"}),
}


BACKUP_PROBLEMS = {
    400: "Malformed id, sequence number, query or body (named in fields).",
    401: "No write token (Authorization: Bearer ...).",
    403: "The write token does not match this backup.",
    404: "No such backup (or backups are off on this server).",
    409: "A different record is stored at this number (never replaced), or the number leaves a gap.",
    413: "The record, the body or the backup's quota is too large.",
    415: "Wrong content type.",
    429: "Too many requests for this backup or from this address; Retry-After says when to try again.",
    503: "The server has no receipt-signing key, so it takes no backups.",
}
READ_PROBLEMS = (400, 401, 403, 404, 429)


def backup_operation(summary: str, answers: dict, problems=READ_PROBLEMS, *, path=("backup_id",),
                     secured: bool = True, query: Schema | None = None, body: dict | None = None) -> dict:
    """answers: {status: (description, JSON schema)} for the successes; problems: the error statuses."""
    responses = {str(status): {"description": description, "content": {"application/json": {"schema": schema}}}
                 for status, (description, schema) in answers.items()}
    responses |= {str(status): {"description": BACKUP_PROBLEMS[status], "content": error_content()}
                  for status in problems}
    operation = {"summary": summary, "parameters": [], "responses": responses}
    if "backup_id" in path:
        operation["parameters"].append({"name": "backup_id", "in": "path", "required": True, "schema": HEX32})
    if "seq" in path:
        operation["parameters"].append({"name": "seq", "in": "path", "required": True,
                                        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}})
    if query is not None:
        operation["parameters"] += query_parameters(query)
    if secured:
        operation["security"] = [{"writeToken": []}]
    if body is not None:
        operation["requestBody"] = {"required": True, "content": body}
    return operation


def backup_paths() -> dict:
    status = envelope(backup=ref("BackupStatus"))
    receipt = envelope(receipt=ref("Receipt"))
    return {
        "/backups": {"post": backup_operation(
            "Create a backup: an id and the hash of its write token, nothing else",
            {201: ("Created.", status), 200: ("It already exists with this token hash.", status)},
            (400, 409, 413, 415, 429, 503), path=(), secured=False,
            body={"application/json": {"schema": object_schema(BackupCreateSchema())}})},
        "/backups/{backup_id}": {"get": backup_operation(
            "How many records and bytes, the last sequence number, conflicts, a pending deletion, the limits",
            {200: ("The backup's status.", status)})},
        "/backups/{backup_id}/records/{seq}": {"put": backup_operation(
            "Write a record at seq, once: seq must be lastSeq + 1; the same bytes again are the same receipt",
            {201: ("Stored; the receipt signs it.", receipt),
             200: ("These exact bytes were already stored at seq: the same receipt.", receipt)},
            (400, 401, 403, 404, 409, 413, 415, 429, 503), path=("backup_id", "seq"),
            body={"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}})},
        "/backups/{backup_id}/records": {"get": backup_operation(
            f"Records in order, with their receipts: at most limit (up to {PAGE_LIMIT}) and a page's bytes",
            {200: ("A page of records; next is the after= for the next page, or null after the last.",
                   envelope(records={"type": "array", "items": ref("StoredRecord")},
                            next={"type": ["integer", "null"], "minimum": 1}))},
            query=RecordsQuerySchema())},
        "/backups/{backup_id}/deletion": {
            "post": backup_operation(
                "Ask for the backup to be deleted after the waiting period; asking again changes nothing",
                {202: ("Deletion scheduled (see deletion.dueAt).", status)}),
            "delete": backup_operation("Cancel a requested deletion", {200: ("No deletion pending now.", status)}),
        },
    }


@api.get("/openapi.json")
def openapi_json():
    query_args(EmptyQuerySchema())
    return cached_json(spec())
