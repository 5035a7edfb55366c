"""The backup API (/api/v1/backups/...): JSON, private, never cached. The storage rules are in pwa/backup/.

Every request that gets as far as the database counts against the client address's limit, and against the
backup's when it names one, refusals included (a wrong token, a conflict); what is refused before (a malformed
number, a wrong content type, a body too large) costs no database work. A body is read before the database is
touched, so that no lock waits on a slow upload. The write token travels as `Authorization: Bearer <64 hex
digits>`. Every refusal is a JSON error that names the problem, and nothing stored changes (docs/backup.md).
"""
from __future__ import annotations

import base64
import json
import re
from functools import wraps

from flask import Response, current_app, request
from marshmallow import ValidationError, fields, validate
from werkzeug.exceptions import RequestEntityTooLarge

from ..backup import limits, receipts, storage, wire
from ..errors import json_error
from ..extensions import db
from ..schemas import StrictSchema
from . import api

SEQ_TEXT = re.compile(r"^[0-9]{1,10}\Z")
PAGE_LIMIT = 1000


class WrongContentType(storage.BackupError):
    status, code = 415, "unsupported_media_type"


class BodyTooLarge(storage.BackupError):
    status, code = 413, "payload_too_large"


class BackupCreateSchema(StrictSchema):
    # The lengths as well: Python's $ would let a final newline through.
    id = fields.String(required=True, validate=[validate.Regexp(wire.BACKUP_ID_PATTERN), validate.Length(32, 32)],
                       metadata={"description": "the backup id: 32 lower-case hex digits, from the recovery code"})
    tokenHash = fields.String(required=True,  # noqa: N815
                              validate=[validate.Regexp(wire.HEX64_PATTERN), validate.Length(64, 64)],
                              metadata={"description": "SHA-256 of the write token, 64 lower-case hex digits"})


class RecordsQuerySchema(StrictSchema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=storage.MAX_SEQ),
                           metadata={"description": "only records with a higher sequence number"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=PAGE_LIMIT),
                           metadata={"description": "at most this many (a page also stops at BACKUP_PAGE_BYTES)"})


def private_json(payload: dict, status: int = 200) -> Response:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


def backup_view(view):
    """Commits what the view did, or, when it refused, only what refusals keep (counters); errors as JSON."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_app.config["BACKUP_ENABLED"]:
            return json_error(404, "backups_off", "This server does not keep backups.")
        try:
            response = view(*args, **kwargs)
        except limits.RateLimited as refused:
            db.session.commit()
            response = json_error(429, "rate_limited", f"{refused.what} Try again in {refused.retry_after} s.")
            response.headers["Retry-After"] = str(refused.retry_after)
            return response
        except storage.BackupError as refused:
            db.session.commit()
            response = json_error(refused.status, refused.code, refused.message, refused.fields)
            if refused.status == 401:
                response.headers["WWW-Authenticate"] = 'Bearer realm="backup"'
            return response
        db.session.commit()
        return response
    return wrapped


def _token() -> bytes | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip().lower()
    if scheme.lower() != "bearer" or not wire.HEX64.match(value):
        return None
    return bytes.fromhex(value)


def _authorised(backup_id: str):
    """Count the request, then the backup if the token is its own."""
    if not wire.BACKUP_ID.match(backup_id):
        limits.count(limits.per_address())
        raise storage.BackupError("A backup id is 32 lower-case hex digits.",
                                  {"backup_id": ["not 32 lower-case hex digits"]})
    limits.count(limits.per_address(), limits.per_backup(backup_id))
    return storage.authorise(backup_id, _token())


def _load(schema, data) -> dict:
    try:
        return schema.load(data)
    except ValidationError as err:
        raise storage.BackupError("Invalid request.", err.messages) from None


def _signing_ready() -> None:
    try:
        receipts.signing_key()
    except receipts.KeyUnavailable as err:
        raise storage.Unavailable(f"This server cannot sign receipts, so it takes no backups: {err}.") from None


@api.post("/backups")
@backup_view
def create_backup():
    """A new, empty backup: only an id and a token's hash, nothing about anyone. (The body is read first, as for
    a record: see append_record.)"""
    if request.mimetype != "application/json":
        raise WrongContentType("Send the new backup as application/json: {\"id\": ..., \"tokenHash\": ...}.")
    try:
        data = request.get_json(silent=True)
    except RequestEntityTooLarge:
        raise BodyTooLarge("The request body is too large.") from None
    if not isinstance(data, dict):
        raise storage.BackupError("The body is not a JSON object.")
    found = _load(BackupCreateSchema(), data)
    limits.count(limits.per_address(), limits.creates_per_address())
    _signing_ready()
    backup, created = storage.create(found["id"], found["tokenHash"])
    return private_json({"backup": storage.status(backup)}, 201 if created else 200)


@api.get("/backups/<backup_id>")
@backup_view
def backup_status(backup_id: str):
    backup = _authorised(backup_id)
    storage.touch(backup)
    return private_json({"backup": storage.status(backup)})


@api.put("/backups/<backup_id>/records/<seq>")
@backup_view
def append_record(backup_id: str, seq: str):
    """Write a record at `seq`, once. The same bytes again get the same receipt; anything else at it, a 409.

    The body is read before the database is touched: counting the request takes the counters' rows (and, on
    SQLite, the write lock) until the commit, which must not wait on a slow upload."""
    number = int(seq) if SEQ_TEXT.match(seq) else 0
    if not 1 <= number <= storage.MAX_SEQ:
        raise storage.BackupError(f"A sequence number is a whole number from 1 to {storage.MAX_SEQ}.",
                                  {"seq": ["not a whole number in range"]})
    if request.mimetype != "application/octet-stream":
        raise WrongContentType("Send the record as application/octet-stream: its bytes exactly, nothing else.")
    largest = current_app.config["BACKUP_MAX_RECORD_BYTES"]
    too_large = storage.RecordTooLarge(f"A record may be at most {largest} bytes on this server.")
    if (request.content_length or 0) > largest:
        raise too_large
    # A body sent without its length (chunked) is cut off at max_content_length without any error, and a record
    # cut off at 1 MiB would still be a valid size: read one byte more than allowed to tell.
    request.max_content_length = largest + 1
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise too_large from None
    if len(body) > largest:
        raise too_large
    backup = _authorised(backup_id)
    receipt, created = storage.append(backup, number, body)
    return private_json({"receipt": receipt}, 201 if created else 200)


@api.get("/backups/<backup_id>/records")
@backup_view
def list_records(backup_id: str):
    """Records in order with their receipts, a page at a time, for a restore."""
    backup = _authorised(backup_id)
    args = _load(RecordsQuerySchema(), request.args.to_dict(flat=True))
    storage.touch(backup)
    page = storage.read_records(backup, args["after"], args["limit"])
    return private_json({"records": [{"seq": record.seq, "size": record.size, "receipt": json.loads(record.receipt),
                                      "body": base64.b64encode(record.body).decode()} for record in page.records],
                         "next": page.next_after})


@api.post("/backups/<backup_id>/deletion")
@backup_view
def request_deletion(backup_id: str):
    """Delete the backup after the waiting period (BACKUP_DELETION_WAIT_DAYS); until then it can be cancelled."""
    backup = _authorised(backup_id)
    storage.request_deletion(backup)
    storage.touch(backup)
    return private_json({"backup": storage.status(backup)}, 202)


@api.delete("/backups/<backup_id>/deletion")
@backup_view
def cancel_deletion(backup_id: str):
    backup = _authorised(backup_id)
    storage.cancel_deletion(backup)
    storage.touch(backup)
    return private_json({"backup": storage.status(backup)})
