"""Reading and checking an exported journal bundle (made in the browser by js/journal/export.js).

Layout (JSON, binary fields in standard base64):
    format, v                  "open-door-journal-export", 1
    kdf                        {name: "PBKDF2-SHA256", iterations, salt}: export code -> code key
    exportKey                  a random export key sealed under the code key
    manifest                   sealed under the export key: {exportedAt, count, head, attachments}
    revisions[]                the device's append-only log, oldest first: seq, entry, rev, prev, hash,
                               key (the revision's content key, re-sealed under the export key), body
                               (the revision exactly as sealed on the device)
    attachments[]              id, key (re-sealed under the export key), body (as sealed on the device)
    head                       hash of the last revision

Without the code the hash chain can still be checked; with it every tag is checked too and the sealed
manifest proves nothing was cut off the end.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..wording import plural
from . import crypto

FORMAT = "open-door-journal-export"
RECORD_OPS = ("create", "edit", "delete")


class BundleError(Exception):
    exit_code = 1

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


class MalformedBundle(BundleError):
    exit_code = 4


class WrongCode(BundleError):
    exit_code = 3


class TamperedBundle(BundleError):
    exit_code = 1


@dataclass
class Revision:
    seq: int
    entry: str
    rev: int
    prev: str
    hash: str
    key: bytes
    body: bytes
    record: dict = field(default_factory=dict)  # filled in once decrypted


@dataclass
class Bundle:
    kdf: dict
    export_key: bytes
    manifest: bytes
    revisions: list[Revision]
    attachments: dict[str, tuple[bytes, bytes]]  # id -> (sealed key, sealed body)
    head: str
    opened_manifest: dict = field(default_factory=dict)
    photos: dict[str, bytes] = field(default_factory=dict)  # attachment id -> original bytes


def _b64(value, where: str) -> bytes:
    if not isinstance(value, str):
        raise MalformedBundle(f"{where} should be base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedBundle(f"{where} is not valid base64") from None


def _field(obj: dict, name: str, kind, where: str):
    value = obj.get(name) if isinstance(obj, dict) else None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise MalformedBundle(f"{where}: '{name}' is missing or has the wrong type")
    if kind is str and not _encodable(value):
        raise MalformedBundle(f"{where}: '{name}' is not valid text")
    return value


def _encodable(text: str) -> bool:
    """False for JSON text with lone surrogates ("\\ud800"), which cannot be hashed, bound or printed as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse(data: bytes | str) -> Bundle:
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise MalformedBundle(f"not a journal export file (not JSON: {err.msg if hasattr(err, 'msg') else err})") from None
    except RecursionError:
        raise MalformedBundle("not a journal export file (JSON nested too deeply)") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise MalformedBundle("not a journal export file (unknown format)")
    if type(doc.get("v")) is not int or doc.get("v") != crypto.VERSION:  # true and 1.0 are not version 1
        raise MalformedBundle(f"unsupported export version {doc.get('v')!r}: this tool reads version {crypto.VERSION}")
    kdf = _field(doc, "kdf", dict, "bundle")
    if kdf.get("name") != crypto.KDF_NAME:
        raise MalformedBundle(f"unsupported key derivation {kdf.get('name')!r}")
    iterations = _field(kdf, "iterations", int, "kdf")
    if iterations < crypto.KDF_FLOOR:
        raise MalformedBundle(f"key derivation below the floor ({iterations} < {crypto.KDF_FLOOR} iterations): refused")
    if iterations > crypto.KDF_CEILING:
        raise MalformedBundle(f"key derivation above {crypto.KDF_CEILING} iterations: refused")
    kdf = {"name": kdf["name"], "iterations": iterations, "salt": _b64(kdf.get("salt"), "kdf.salt")}
    if len(kdf["salt"]) < 16:
        raise MalformedBundle("key derivation salt shorter than 16 bytes: refused")
    revisions = []
    raw_revisions = _field(doc, "revisions", list, "bundle")
    for index, item in enumerate(raw_revisions):
        where = f"revision {index + 1}"
        revisions.append(Revision(
            seq=_field(item, "seq", int, where), entry=_field(item, "entry", str, where),
            rev=_field(item, "rev", int, where), prev=_field(item, "prev", str, where),
            hash=_field(item, "hash", str, where), key=_b64(item.get("key"), f"{where} key"),
            body=_b64(item.get("body"), f"{where} body")))
    attachments = {}
    for index, item in enumerate(_field(doc, "attachments", list, "bundle")):
        where = f"attachment {index + 1}"
        ident = _field(item, "id", str, where)
        if ident in attachments:
            raise MalformedBundle(f"{where}: duplicate id {ident}")
        attachments[ident] = (_b64(item.get("key"), f"{where} key"), _b64(item.get("body"), f"{where} body"))
    return Bundle(kdf=kdf, export_key=_b64(doc.get("exportKey"), "exportKey"),
                  manifest=_b64(doc.get("manifest"), "manifest"), revisions=revisions,
                  attachments=attachments, head=_field(doc, "head", str, "bundle"))


def well_formed(record) -> bool:
    """The shape js/journal/entries.js writes; anything else is refused rather than half-reported."""
    if not isinstance(record, dict) or record.get("op") not in RECORD_OPS:
        return False
    if record["op"] == "delete":
        return isinstance(record.get("reason", ""), str)
    fields, photos = record.get("fields"), record.get("photos", [])
    tags = fields.get("tags", []) if isinstance(fields, dict) else None
    return (isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)
            and all(isinstance(value, (str, bool)) for name, value in fields.items() if name != "tags")
            and isinstance(photos, list)
            and all(isinstance(photo, dict) and isinstance(photo.get("id"), str) for photo in photos))


def read(path: str | Path) -> Bundle:
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise MalformedBundle(f"cannot read {path}: {err.strerror}") from None
    return parse(data)


def check_chain(bundle: Bundle) -> list[str]:
    """Every problem with the hash chain and the revision numbering (empty when intact)."""
    problems = []
    prev = crypto.GENESIS
    next_rev: dict[str, int] = {}
    for index, revision in enumerate(bundle.revisions):
        label = f"revision {index + 1} (entry {revision.entry[:8]}, rev {revision.rev})"
        if revision.seq != index + 1:
            problems.append(f"{label}: sequence number {revision.seq}, expected {index + 1}")
        if revision.prev != prev:
            problems.append(f"{label}: does not link to the revision before it")
        expected = crypto.chain_hash(revision.seq, revision.entry, revision.rev, revision.prev, revision.body)
        if revision.hash != expected:
            problems.append(f"{label}: hash does not match its contents")
        wanted_rev = next_rev.get(revision.entry, 1)
        if revision.rev != wanted_rev:
            problems.append(f"{label}: revision number out of order (expected {wanted_rev})")
        next_rev[revision.entry] = revision.rev + 1
        prev = revision.hash
    if bundle.head != prev:
        problems.append("the bundle's head does not match its last revision (revisions missing or added)")
    return problems


def open_bundle(bundle: Bundle, code: str) -> Bundle:
    """Check the chain and every tag, decrypt everything; raise on any problem."""
    try:
        code_key = derive_code_key(bundle, code)
    except crypto.JournalCryptoError as err:
        raise WrongCode(f"could not open the bundle: {err}") from None
    return open_with_code_key(bundle, code_key)


def derive_code_key(bundle: Bundle, code: str) -> bytes:
    return crypto.derive_key(crypto.normalize_code(code), bundle.kdf["salt"], bundle.kdf["iterations"])


def open_with_code_key(bundle: Bundle, code_key: bytes) -> Bundle:
    problems = check_chain(bundle)
    try:
        export_key = crypto.open_sealed(code_key, bundle.export_key, crypto.aad_export_key())
    except crypto.JournalCryptoError:
        raise WrongCode("could not open the bundle: wrong export code (or its key was altered)") from None
    try:
        manifest = json.loads(crypto.open_sealed(export_key, bundle.manifest, crypto.aad_export_manifest()))
        if not isinstance(manifest, dict):
            raise ValueError
    except (crypto.JournalCryptoError, ValueError, RecursionError):
        raise TamperedBundle("the bundle's sealed manifest has been altered", problems) from None
    if manifest.get("head") != bundle.head or manifest.get("count") != len(bundle.revisions):
        problems.append(f"the sealed manifest lists {plural(manifest.get('count'), 'revision')} ending in "
                        f"{str(manifest.get('head'))[:12]}…; the bundle has {len(bundle.revisions)} ending in {bundle.head[:12]}…")
    listed = manifest.get("attachments") or []
    if (not isinstance(listed, list) or not all(isinstance(ident, str) for ident in listed)
            or sorted(listed) != sorted(bundle.attachments)):
        problems.append("the bundle's photos differ from the ones its sealed manifest lists")
    bundle.opened_manifest = manifest

    ended: set[str] = set()
    for index, revision in enumerate(bundle.revisions):
        label = f"revision {index + 1} (entry {revision.entry[:8]}, rev {revision.rev})"
        try:
            content_key = crypto.open_sealed(export_key, revision.key, crypto.aad_record_key(revision.entry, revision.rev))
            record = json.loads(crypto.open_sealed(content_key, revision.body, crypto.aad_record(revision.entry, revision.rev)))
        except crypto.JournalCryptoError:
            problems.append(f"{label}: authentication tag does not match (altered)")
            continue
        except (ValueError, RecursionError):
            problems.append(f"{label}: decrypted, but the record is not valid JSON")
            continue
        if not well_formed(record):
            problems.append(f"{label}: not a journal record")
            continue
        if (record["op"] == "create") != (revision.rev == 1) or revision.entry in ended:
            problems.append(f"{label}: '{record['op']}' is out of place in this entry's history")
        if record["op"] == "delete":
            ended.add(revision.entry)
        revision.record = record

    for ident, (sealed_key, sealed_body) in bundle.attachments.items():
        try:
            key = crypto.open_sealed(export_key, sealed_key, crypto.aad_attachment_key(ident))
            bundle.photos[ident] = crypto.open_sealed(key, sealed_body, crypto.aad_attachment(ident))
        except crypto.JournalCryptoError:
            problems.append(f"photo {ident[:8]}: authentication tag does not match (altered)")
    for revision in bundle.revisions:
        for photo in (revision.record.get("photos") or []):
            ident = photo.get("id") if isinstance(photo, dict) else None
            if ident not in bundle.photos:
                if ident not in bundle.attachments:
                    problems.append(f"photo {str(ident)[:8]} (entry {revision.entry[:8]}) is missing from the bundle")
            elif crypto.sha256_hex(bundle.photos[ident]) != photo.get("sha256"):
                problems.append(f"photo {ident[:8]}: SHA-256 differs from the one recorded at capture")
    if problems:
        raise TamperedBundle(f"the bundle has been altered or damaged ({plural(len(problems), 'problem')})", problems)
    return bundle


def build(records: list[tuple[str, dict]], photos: dict[str, bytes], code: str, exported_at: str = "",
          iterations: int = crypto.KDF_FLOOR) -> dict:
    """A bundle as js/journal/export.js makes it, from plaintext (entry id, record) pairs, oldest first.

    For tests and tooling; the real ones are made in the browser.
    """
    import os

    salt = os.urandom(16)
    export_key = os.urandom(crypto.KEY_BYTES)
    b64 = lambda data: base64.b64encode(data).decode()  # noqa: E731
    revisions, prev, revs = [], crypto.GENESIS, {}
    for seq, (entry, record) in enumerate(records, start=1):
        rev = revs[entry] = revs.get(entry, 0) + 1
        content_key = os.urandom(crypto.KEY_BYTES)
        body = crypto.seal(content_key, json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode(),
                           crypto.aad_record(entry, rev))
        digest = crypto.chain_hash(seq, entry, rev, prev, body)
        revisions.append({"seq": seq, "entry": entry, "rev": rev, "prev": prev, "hash": digest,
                          "key": b64(crypto.seal(export_key, content_key, crypto.aad_record_key(entry, rev))),
                          "body": b64(body)})
        prev = digest
    attachments = []
    for ident, data in photos.items():
        key = os.urandom(crypto.KEY_BYTES)
        attachments.append({"id": ident, "key": b64(crypto.seal(export_key, key, crypto.aad_attachment_key(ident))),
                            "body": b64(crypto.seal(key, data, crypto.aad_attachment(ident)))})
    manifest = {"exportedAt": exported_at, "count": len(revisions), "head": prev, "attachments": list(photos)}
    code_key = crypto.derive_key(crypto.normalize_code(code), salt, iterations)
    return {"format": FORMAT, "v": crypto.VERSION,
            "kdf": {"name": crypto.KDF_NAME, "iterations": iterations, "salt": b64(salt)},
            "exportKey": b64(crypto.seal(code_key, export_key, crypto.aad_export_key())),
            "manifest": b64(crypto.seal(export_key, json.dumps(manifest).encode(), crypto.aad_export_manifest())),
            "revisions": revisions, "attachments": attachments, "head": prev}
