"""`flask journal verify --receipts-key`: the backup server's receipts in an export, checked against its public key.

The receipts come from a real server (the backup API on SQLite): each revision of an export goes up as a backup
record committing to its chain hash, and the export then carries the receipts as docs/backup.md says."""
import base64
import hashlib
import json
import os
import re

import pytest

from backup_support import Device
from conftest import make_app
from pwa.backup import wire
from pwa.extensions import db
from pwa.journal import bundle as bundles

CODE = "K7QM-3XHD-9P2A-W4RT-B8NZ"
RECORDS = [(f"e-{n % 2}", {"kind": "entry", "op": "create" if n < 2 else "edit",
                           "recordedAt": f"2026-11-2{n}T09:00:00.000Z", "fields": {"what": f"Entry text {n}"},
                           "photos": []}) for n in range(4)]
LINE = re.compile(r"entry (\d+) existed no later than \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d (GMT|BST) "
                  r"\(signed by ([0-9a-f]{4} ){7}[0-9a-f]{4}\)")


@pytest.fixture
def server(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'receipts.sqlite'}")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def backed_up(server):
    """An export, and the receipts the server gave for each of its revisions (in the export's own format)."""
    doc = bundles.build(RECORDS, {}, CODE)
    device = Device(server.test_client())
    assert device.create().status_code == 201
    receipts = []
    for revision in doc["revisions"]:
        salt = os.urandom(32)
        header = {"t": "revision", "v": 1, "at": revision["seq"], "salt": base64.b64encode(salt).decode(), "gen": 1,
                  "item": {name: revision[name] for name in ("seq", "entry", "rev", "prev", "hash", "mac", "key")}}
        record = wire.seal_record(device.keys.record_key, device.id, header, base64.b64decode(revision["body"]),
                                  wire.commitment(salt, revision["hash"]))
        _, receipt = device.append(record)
        receipts.append({"revision": revision["seq"], "salt": base64.b64encode(salt).decode(),
                         "sealedHash": hashlib.sha256(record[32:]).hexdigest(), "receipt": receipt})
    return doc, receipts


@pytest.fixture
def key_files(server, tmp_path):
    document = server.test_client().get("/.well-known/backup-receipt-key").get_json()
    as_json, as_pem = tmp_path / "key.json", tmp_path / "key.pem"
    as_json.write_text(json.dumps(document))
    as_pem.write_text(document["pem"])
    return str(as_json), str(as_pem)


def verify(server, tmp_path, doc, *args):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc))
    return server.test_cli_runner().invoke(args=["journal", "verify", str(path), *args])


def test_receipts_say_when_each_entry_existed_at_the_latest(server, backed_up, key_files, tmp_path):
    doc, receipts = backed_up
    doc["receipts"] = receipts
    for key in key_files:  # the JSON the server serves, or the PEM keygen prints
        result = verify(server, tmp_path, doc, "--code", CODE, "--receipts-key", key)
        assert result.exit_code == 0, result.output
        assert "Verified: 4 revisions" in result.output
        assert "4 receipts from the backup server check out, for 4 saved changes" in result.output
        found = LINE.findall(result.output)
        assert [int(n) for n, *_ in found] == [1, 2, 3, 4]
        fingerprint = json.loads(open(key_files[0]).read())["fingerprint"]
        assert wire.show_fingerprint(fingerprint) in result.output
    links_only = verify(server, tmp_path, doc, "--receipts-key", key_files[0])
    assert links_only.exit_code == 0 and "Checked the links only" in links_only.output
    assert len(LINE.findall(links_only.output)) == 4


def test_receipts_are_mentioned_but_not_trusted_without_a_key(server, backed_up, tmp_path):
    doc, receipts = backed_up
    doc["receipts"] = receipts
    result = verify(server, tmp_path, doc, "--code", CODE)
    assert result.exit_code == 0 and "4 receipts from a backup server, not checked" in result.output
    assert not LINE.search(result.output)
    del doc["receipts"]
    assert "No receipts in this export" in verify(server, tmp_path, doc, "--code", CODE, "--receipts-key",
                                                  _a_key(tmp_path)).output


def _a_key(tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from pwa.backup.receipts import public_pem

    path = tmp_path / "other.pem"
    path.write_text(public_pem(Ed25519PrivateKey.generate().public_key()))
    return str(path)


def test_revisions_removed_after_they_were_backed_up_are_shown_by_their_receipts(server, backed_up, key_files,
                                                                                  tmp_path):
    doc, receipts = backed_up
    # An older copy of the journal put back on the phone, then exported: it ends at revision 3, but the server
    # had already signed for revision 4.
    older = bundles.build(RECORDS[:3], {}, CODE)
    older["revisions"], older["head"] = doc["revisions"][:3], doc["revisions"][2]["hash"]
    older["receipts"] = receipts
    result = verify(server, tmp_path, older, "--receipts-key", key_files[0])
    assert result.exit_code == 1
    assert "the backup server received revision 4, which this export does not have" in result.output
    assert [int(n) for n, *_ in LINE.findall(result.output)] == [1, 2, 3]


def test_a_changed_receipt_or_revision_or_another_key_fails(server, backed_up, key_files, tmp_path):
    doc, receipts = backed_up
    later = [dict(r) for r in receipts]
    later[1] = {**later[1], "receipt": {**later[1]["receipt"], "time": "2026-01-01T00:00:00Z"}}  # back-dated
    result = verify(server, tmp_path, {**doc, "receipts": later}, "--receipts-key", key_files[0])
    assert result.exit_code == 1 and "receipt 2 (revision 2): the signature does not match" in result.output
    moved = [dict(r) for r in receipts]
    moved[0] = {**moved[0], "revision": 2}  # a receipt claimed for another revision
    result = verify(server, tmp_path, {**doc, "receipts": moved}, "--receipts-key", key_files[0])
    assert result.exit_code == 1 and "receipt 1: does not match revision 2 as exported" in result.output
    result = verify(server, tmp_path, {**doc, "receipts": receipts}, "--receipts-key", _a_key(tmp_path))
    assert result.exit_code == 1 and "signed by a key that was not given" in result.output
    odd = [*receipts, {"revision": "1"}, "x"]
    result = verify(server, tmp_path, {**doc, "receipts": odd}, "--receipts-key", key_files[0])
    assert result.exit_code == 1 and "receipt 5: malformed" in result.output and "receipt 6: not a receipt" in \
        result.output


def test_a_receipts_key_that_is_not_one_is_a_usage_error(server, backed_up, tmp_path):
    doc, receipts = backed_up
    junk = tmp_path / "junk.pem"
    junk.write_text("not a key")
    result = verify(server, tmp_path, {**doc, "receipts": receipts}, "--receipts-key", str(junk))
    assert result.exit_code == 2 and "is not an Ed25519 public key" in result.output
    result = verify(server, tmp_path, {**doc, "receipts": receipts}, "--receipts-key", str(tmp_path / "none.pem"))
    assert result.exit_code == 5 and "cannot read" in result.output
    result = verify(server, tmp_path, {**doc, "receipts": {"not": "a list"}})
    assert result.exit_code == 4 and "'receipts' should be a list" in result.output
