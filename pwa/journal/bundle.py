"""Reading and checking an exported journal bundle (made in the browser by js/journal/export.js).

Layout (JSON, binary fields in standard base64):
    format, v                  "sealed-export", 2 (or "open-door-journal-export", 1: before links were keyed)
    kdf                        {name: "PBKDF2-SHA256", iterations, salt}: export code -> code key
    exportKey                  a random export key sealed under the code key
    chainKey                   (v2) the journal's chain key, sealed under the export key
    manifest                   sealed under the export key: {exportedAt, count, head, attachments}
    revisions[]                the device's append-only log, oldest first: seq, entry, rev, prev, hash, mac (v2:
                               HMAC-SHA256 of the hash under the chain key), key (the revision's content key,
                               re-sealed under the export key), body (the revision exactly as sealed on the device)
    attachments[]              id, key (re-sealed under the export key), body (as sealed on the device)
    head                       hash of the last revision
    receipts[]                 (optional) the backup server's signed receipts: see journal/receipts.py

Without the code only the links can be checked, and anyone can recompute those. With it, every tag, every
keyed link and the sealed manifest are checked, and notices the journal recorded about changes made to it
outside the app are reported (see docs/journal-keys.md for what that proves and what it cannot).
"""
from __future__ import annotations

import base64
import binascii
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..wording import plural
from . import crypto

FORMATS = {"sealed-export": 2, "open-door-journal-export": 1}  # each format name and the version it carries
RECORD_OPS = ("create", "edit", "delete")
MAC_HEX = 64


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


class UnreadableFile(BundleError):
    exit_code = 5


@dataclass
class Revision:
    seq: int
    entry: str
    rev: int
    prev: str
    hash: str
    key: bytes
    body: bytes
    mac: str | None = None
    record: dict = field(default_factory=dict)  # filled in once decrypted; empty when it could not be


@dataclass
class Bundle:
    version: int
    kdf: dict
    export_key: bytes
    chain_key: bytes | None
    manifest: bytes
    revisions: list[Revision]
    attachments: dict[str, tuple[bytes, bytes]]  # id -> (sealed key, sealed body)
    head: str
    opened_manifest: dict = field(default_factory=dict)
    photos: dict[str, bytes] = field(default_factory=dict)  # attachment id -> original bytes
    problems: list[str] = field(default_factory=list)  # after opening: everything that did not check out
    receipts: list = field(default_factory=list)  # as found; checked by journal/receipts.py against a given key

    @property
    def plan_revisions(self) -> list[Revision]:
        """Every saved version of the safety plan, oldest first (each save is a new revision)."""
        return [revision for revision in self.revisions if revision.record.get("kind") == "plan"]

    @property
    def contacts_revisions(self) -> list[Revision]:
        """Every saved version of the trusted contacts (checked, never printed: report.contacts_line)."""
        return [revision for revision in self.revisions if revision.record.get("kind") == "contacts"]

    @property
    def notices(self) -> list[Revision]:
        """What the journal itself recorded about changes made to it outside the app."""
        return [revision for revision in self.revisions if revision.record.get("kind") == "notice"]


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
    except RecursionError:
        raise MalformedBundle("not a journal export file (JSON nested too deeply)") from None
    except (UnicodeDecodeError, ValueError) as err:  # ValueError: bad JSON, or a number of thousands of digits
        raise MalformedBundle(f"not a journal export file (not JSON: {getattr(err, 'msg', None) or err})") from None
    if not isinstance(doc, dict) or doc.get("format") not in FORMATS:
        raise MalformedBundle("not a journal export file (unknown format)")
    version = FORMATS[doc["format"]]
    if type(doc.get("v")) is not int or doc.get("v") != version:  # true and 1.0 are not version 1
        raise MalformedBundle(f"unsupported export version {doc.get('v')!r}: this tool reads "
                              f"{', '.join(f'{name} version {v}' for name, v in FORMATS.items())}")
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
    keyed = version >= 2
    revisions = []
    for index, item in enumerate(_field(doc, "revisions", list, "bundle")):
        where = f"revision {index + 1}"
        mac = _field(item, "mac", str, where) if keyed else None
        if mac is not None and (len(mac) != MAC_HEX or any(ch not in "0123456789abcdef" for ch in mac)):
            raise MalformedBundle(f"{where}: 'mac' is not a SHA-256 MAC in hex")
        revisions.append(Revision(
            seq=_field(item, "seq", int, where), entry=_field(item, "entry", str, where),
            rev=_field(item, "rev", int, where), prev=_field(item, "prev", str, where),
            hash=_field(item, "hash", str, where), mac=mac, key=_b64(item.get("key"), f"{where} key"),
            body=_b64(item.get("body"), f"{where} body")))
    attachments = {}
    for index, item in enumerate(_field(doc, "attachments", list, "bundle")):
        where = f"attachment {index + 1}"
        ident = _field(item, "id", str, where)
        if ident in attachments:
            raise MalformedBundle(f"{where}: duplicate id {ident}")
        attachments[ident] = (_b64(item.get("key"), f"{where} key"), _b64(item.get("body"), f"{where} body"))
    receipts = doc.get("receipts", [])
    if not isinstance(receipts, list):
        raise MalformedBundle("bundle: 'receipts' should be a list")
    return Bundle(version=version, kdf=kdf, export_key=_b64(doc.get("exportKey"), "exportKey"),
                  chain_key=_b64(doc.get("chainKey"), "chainKey") if keyed else None,
                  manifest=_b64(doc.get("manifest"), "manifest"), revisions=revisions,
                  attachments=attachments, head=_field(doc, "head", str, "bundle"), receipts=receipts)


def well_formed(record) -> bool:
    """The shapes js/journal/entries.js writes; anything else is refused rather than half-reported."""
    if not isinstance(record, dict):
        return False
    if record.get("kind") == "notice":
        return record.get("op") == "integrity" and isinstance(record.get("summary"), str)
    if record.get("kind") == "chaff":  # padding every journal writes (docs/duress.md): never an entry
        return record.get("op") == "chaff"
    if record.get("kind") == "plan":
        return record.get("op") in ("create", "edit") and plan_answers_well_formed(record.get("answers", {})) and (
            "risk" not in record or (isinstance(record["risk"], dict)
                                     and plan_answers_well_formed(record["risk"].get("answers", {}))))
    if record.get("kind") == "contacts":
        return record.get("op") in ("create", "edit") and contacts_well_formed(record)
    if record.get("op") not in RECORD_OPS:
        return False
    if record["op"] == "delete":
        return isinstance(record.get("reason", ""), str)
    fields, photos = record.get("fields"), record.get("photos", [])
    tags = fields.get("tags", []) if isinstance(fields, dict) else None
    return (isinstance(tags, list) and all(isinstance(tag, str) for tag in tags)
            and all(isinstance(value, (str, bool)) for name, value in fields.items() if name != "tags")
            and isinstance(photos, list)
            and all(isinstance(photo, dict) and isinstance(photo.get("id"), str) for photo in photos))


def plan_answers_well_formed(answers) -> bool:
    """A safety plan's answers (js/plan/answers.js): each question's own words kept with what was chosen."""
    def text_list(value):
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(answers, dict) and all(
        isinstance(answer, dict) and isinstance(answer.get("question"), str)
        and (isinstance(answer.get("value"), str) or text_list(answer.get("value")))
        and text_list(answer.get("labels", []))
        for answer in answers.values())


def contacts_well_formed(record: dict) -> bool:
    """Trusted contacts (js/trusted/): up to three names and numbers, a code word, dates practised."""
    contacts = record.get("contacts", [])
    return isinstance(contacts, list) and len(contacts) <= 3 and isinstance(record.get("codeWord", ""), str) and all(
        isinstance(contact, dict) and all(isinstance(contact.get(name, ""), str) for name in ("name", "number", "practisedOn"))
        for contact in contacts)


def read(path: str | Path) -> Bundle:
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise UnreadableFile(f"cannot read {path}: {err.strerror}") from None
    return parse(data)


def check_chain(bundle: Bundle) -> list[str]:
    """Every problem with the links and the revision numbering (empty when they all link up).

    Anyone can recompute these links, so on their own they show only accidental damage."""
    problems = []
    prev = crypto.GENESIS
    next_rev: dict[str, int] = {}
    for index, revision in enumerate(bundle.revisions):
        label = _label(index, revision)
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


def _label(index: int, revision: Revision) -> str:
    return f"revision {index + 1} (entry {revision.entry[:8]}, rev {revision.rev})"


def open_bundle(bundle: Bundle, code: str) -> Bundle:
    """Check the chain and every tag, decrypt everything; raise on any problem."""
    return open_with_code_key(bundle, code_key_for(bundle, code))


def code_key_for(bundle: Bundle, code: str) -> bytes:
    try:
        return derive_code_key(bundle, code)
    except crypto.JournalCryptoError as err:
        raise WrongCode(f"could not open the bundle: {err}") from None


def derive_code_key(bundle: Bundle, code: str) -> bytes:
    return crypto.derive_key(crypto.normalize_code(code), bundle.kdf["salt"], bundle.kdf["iterations"])


def open_with_code_key(bundle: Bundle, code_key: bytes) -> Bundle:
    inspect(bundle, code_key)
    if bundle.problems:
        raise TamperedBundle(f"the bundle has been altered or damaged ({plural(len(bundle.problems), 'problem')})",
                             bundle.problems)
    return bundle


def inspect(bundle: Bundle, code_key: bytes) -> Bundle:
    """Decrypt all that can be decrypted and list, in bundle.problems, everything that does not check out.

    Raises only for a wrong code; what could not be read is left empty (record {}, no photo bytes)."""
    problems = check_chain(bundle)
    try:
        export_key = crypto.open_sealed(code_key, bundle.export_key, crypto.aad_export_key())
    except crypto.JournalCryptoError:
        raise WrongCode("could not open the bundle: wrong export code (or its key was altered)") from None
    problems += _check_manifest(bundle, export_key)
    problems += _check_keyed_links(bundle, export_key)

    ended: set[str] = set()
    for index, revision in enumerate(bundle.revisions):
        label = _label(index, revision)
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
        if record.get("kind") == "notice":
            if revision.rev != 1:
                problems.append(f"{label}: a notice is out of place")
            problems.append(f"the journal itself recorded, on {record.get('recordedAt', 'a date not recorded')}: "
                            f"{record['summary']}")
        elif record.get("kind") == "chaff":
            if revision.rev != 1:
                problems.append(f"{label}: '{record['op']}' is out of place in this entry's history")
        elif (record["op"] == "create") != (revision.rev == 1) or revision.entry in ended:
            problems.append(f"{label}: '{record['op']}' is out of place in this entry's history")
        if record.get("op") == "delete":
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
    bundle.problems = problems
    return bundle


def _check_manifest(bundle: Bundle, export_key: bytes) -> list[str]:
    try:
        manifest = json.loads(crypto.open_sealed(export_key, bundle.manifest, crypto.aad_export_manifest()))
        if not isinstance(manifest, dict):
            raise ValueError
    except (crypto.JournalCryptoError, ValueError, RecursionError):
        return ["the bundle's sealed manifest has been altered"]
    bundle.opened_manifest = manifest
    problems = []
    if manifest.get("head") != bundle.head or manifest.get("count") != len(bundle.revisions):
        problems.append(f"the sealed manifest lists {plural(manifest.get('count'), 'revision')} ending in "
                        f"{str(manifest.get('head'))[:12]}…; the bundle has {len(bundle.revisions)} ending in {bundle.head[:12]}…")
    listed = manifest.get("attachments") or []
    if (not isinstance(listed, list) or not all(isinstance(ident, str) for ident in listed)
            or sorted(listed) != sorted(bundle.attachments)):
        problems.append("the bundle's photos differ from the ones its sealed manifest lists")
    return problems


def _check_keyed_links(bundle: Bundle, export_key: bytes) -> list[str]:
    """Each link's MAC under the journal's chain key: a log cut or rewritten without the passphrase fails here."""
    if bundle.chain_key is None:
        return []
    try:
        chain_key = crypto.open_sealed(export_key, bundle.chain_key, crypto.aad_export_chain_key())
    except crypto.JournalCryptoError:
        return ["the journal's chain key in the bundle has been altered"]
    return [f"{_label(index, revision)}: its keyed link does not match (not written by this journal, or altered)"
            for index, revision in enumerate(bundle.revisions)
            if not hmac.compare_digest(crypto.chain_mac(chain_key, revision.hash), revision.mac or "")]


# What a check with the code proves, and what no check of this file can.
PROVES = [
    "every revision and photo is exactly as it was sealed on the phone;",
    "the revisions are in the order they were written, and none was removed, added or changed since, from the "
    "middle or the end (keyed links under a key only the journal's passphrase opens, and the sealed manifest);",
    "each photo matches the fingerprint (SHA-256) taken when it was added.",
]
CANNOT_PROVE = [
    "that what was written is true, or who wrote it: anyone who knows the passphrase can write entries;",
    "when entries were really written: the times come from the phone's clock, which can be set;",
    "that a complete older copy of the phone's journal was not put back before the export was made.",
]
LEGACY_CAVEAT = ("This file was made before the journal's links were keyed: someone with the phone could have "
                 "removed revisions and re-hashed the rest without it showing here.")


def build(records: list[tuple[str, dict]], photos: dict[str, bytes], code: str, exported_at: str = "",
          iterations: int = crypto.KDF_FLOOR, version: int = 2) -> dict:
    """A bundle as js/journal/export.js makes it, from plaintext (entry id, record) pairs, oldest first.

    For tests and tooling; the real ones are made in the browser. version=1 makes the older, unkeyed format.
    """
    import os

    salt = os.urandom(16)
    export_key = os.urandom(crypto.KEY_BYTES)
    chain_key = crypto.derive_chain_key(os.urandom(crypto.KEY_BYTES))
    b64 = lambda data: base64.b64encode(data).decode()  # noqa: E731
    revisions, prev, revs = [], crypto.GENESIS, {}
    for seq, (entry, record) in enumerate(records, start=1):
        rev = revs[entry] = revs.get(entry, 0) + 1
        content_key = os.urandom(crypto.KEY_BYTES)
        body = crypto.seal(content_key, json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode(),
                           crypto.aad_record(entry, rev))
        digest = crypto.chain_hash(seq, entry, rev, prev, body)
        revision = {"seq": seq, "entry": entry, "rev": rev, "prev": prev, "hash": digest,
                    "key": b64(crypto.seal(export_key, content_key, crypto.aad_record_key(entry, rev))),
                    "body": b64(body)}
        if version >= 2:
            revision["mac"] = crypto.chain_mac(chain_key, digest)
        revisions.append(revision)
        prev = digest
    attachments = []
    for ident, data in photos.items():
        key = os.urandom(crypto.KEY_BYTES)
        attachments.append({"id": ident, "key": b64(crypto.seal(export_key, key, crypto.aad_attachment_key(ident))),
                            "body": b64(crypto.seal(key, data, crypto.aad_attachment(ident)))})
    manifest = {"exportedAt": exported_at, "count": len(revisions), "head": prev, "attachments": list(photos)}
    code_key = crypto.derive_key(crypto.normalize_code(code), salt, iterations)
    doc = {"format": next(name for name, v in FORMATS.items() if v == version), "v": version,
           "kdf": {"name": crypto.KDF_NAME, "iterations": iterations, "salt": b64(salt)},
           "exportKey": b64(crypto.seal(code_key, export_key, crypto.aad_export_key())),
           "manifest": b64(crypto.seal(export_key, json.dumps(manifest).encode(), crypto.aad_export_manifest())),
           "revisions": revisions, "attachments": attachments, "head": prev}
    if version >= 2:
        doc["chainKey"] = b64(crypto.seal(export_key, chain_key, crypto.aad_export_chain_key()))
    return doc
