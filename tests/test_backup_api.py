"""The backup API on SQLite and PostgreSQL: write-once records with signed receipts, no gaps, two devices losing
nothing, deletion after a waiting period, limits, and every bad request a JSON 4xx that changes nothing."""
import base64
import hashlib
import io
import json
import logging
import threading
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import inspect, text

from backup_support import API, Device
from pwa.backup import storage, wire
from pwa.backup.models import Backup, BackupRateCount, BackupRecord, utcnow
from pwa.extensions import db


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    error = response.get_json()["error"]
    assert error["status"] == status and error["code"] == code and error["message"]
    return error


def stored(app) -> list[tuple]:
    """Everything the backup tables hold (but the rate counters), to show a refusal changed nothing."""
    with app.app_context():
        backups = [(b.id, b.token_hash, b.record_count, b.stored_bytes, b.last_seq, b.deletion_due_at)
                   for b in db.session.scalars(db.select(Backup).order_by(Backup.id))]
        records = [(r.backup_id, r.seq, hashlib.sha256(r.body).hexdigest(), r.receipt)
                   for r in db.session.scalars(db.select(BackupRecord).order_by(BackupRecord.backup_id,
                                                                                 BackupRecord.seq))]
        db.session.remove()
    return backups + records


def public_key(client) -> tuple[str, Ed25519PublicKey]:
    document = client.get("/.well-known/backup-receipt-key").get_json()
    return document["fingerprint"], Ed25519PublicKey.from_public_bytes(base64.b64decode(document["publicKey"]))


@pytest.fixture
def device(client):
    device = Device(client)
    assert device.create().status_code == 201
    return device


def test_a_backup_is_created_from_an_id_and_a_token_hash_alone(app, client):
    device = Device(client)
    created = device.create()
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    status = created.get_json()["backup"]
    assert status == {"id": device.id, "records": 0, "bytes": 0, "lastSeq": 0, "conflicts": 0, "deletion": None,
                      "limits": {"quotaBytes": 512 * 1024 * 1024, "maxRecordBytes": 1024 * 1024,
                                 "minRecordBytes": 4096, "deletionWaitDays": 7}}
    assert device.create().status_code == 200  # a retried request: the same backup
    before = stored(app)
    other = client.post(API, json={"id": device.id, "tokenHash": "0" * 64})
    error_of(other, 409, "backup_exists")
    assert stored(app) == before
    with app.app_context():
        columns = {column["name"] for column in inspect(db.engine).get_columns("backup")}
        row = db.session.get(Backup, device.id)
        assert row.token_hash == hashlib.sha256(device.keys.write_token).hexdigest() != device.keys.token_hex
        db.session.remove()
    # Nothing that could name a person or a device: counters, times, and the id and hash the device chose.
    assert columns == {"id", "token_hash", "created_at", "touched_at", "record_count", "stored_bytes", "last_seq",
                       "conflicts", "deletion_requested_at", "deletion_due_at"}


def test_an_append_is_stored_once_with_a_receipt_and_a_repeat_gets_the_same_receipt(app, client, device):
    body = device.record("first")
    first = device.put(1, body)
    assert first.status_code == 201
    receipt = first.get_json()["receipt"]
    fingerprint, key = public_key(client)
    assert receipt["key"] == fingerprint and receipt["backup"] == device.id and receipt["seq"] == 1
    assert receipt["hash"] == wire.record_hash(body)
    assert wire.check_receipt(receipt, {fingerprint: key}) is None
    key.verify(base64.b64decode(receipt["sig"]), wire.receipt_message(device.id, 1, receipt["hash"], receipt["time"]))

    again = device.put(1, body)
    assert again.status_code == 200 and again.get_json()["receipt"] == receipt
    status = device.status()
    assert (status["records"], status["bytes"], status["lastSeq"]) == (1, len(body), 1)
    [back] = device.read_all()
    assert base64.b64decode(back["body"]) == body and back["receipt"] == receipt
    assert device.opened(back).payload == b"first"


def test_different_bytes_at_a_stored_number_are_refused_logged_and_never_overwrite(app, client, device, caplog):
    device.put(1, device.record("kept"))
    before = stored(app)
    with caplog.at_level(logging.WARNING):
        error = error_of(device.put(1, device.record("replacement")), 409, "record_conflict")
    assert "never replaced" in error["message"] and error["fields"] == {"seq": ["1 is taken"]}
    assert stored(app) == before
    assert device.status()["conflicts"] == 1
    assert [r.getMessage() for r in caplog.records if "different bytes" in r.getMessage()] == [
        f"Backup {device.id[:8]}…: different bytes sent for record 1, which is already stored; refused, the stored "
        "record kept."]
    assert device.opened(device.read_all()[0]).payload == b"kept"


def test_sequence_numbers_have_no_gaps(app, device):
    device.put(1, device.record())
    before = stored(app)
    error = error_of(device.put(3, device.record()), 409, "sequence_gap")
    assert "the next one is 2" in error["message"]
    assert stored(app) == before
    assert device.put(2, device.record()).status_code == 201


@pytest.mark.parametrize("seq", ["0", "-1", "x", "1.5", "2147483648", "99999999999", "%C2%B2", "1%0A", "%EF%BC%91"])
def test_malformed_sequence_numbers_are_a_400(app, device, seq):
    response = device.client.put(f"{API}/{device.id}/records/{seq}", data=device.record(),
                                 headers={**device.auth, "Content-Type": "application/octet-stream"})
    assert "seq" in error_of(response, 400, "bad_request")["fields"]


def test_wrong_token_missing_token_and_unknown_backup_change_nothing(app, client, device):
    device.put(1, device.record())
    before = stored(app)
    body = device.record("intruder")
    url = f"{API}/{device.id}/records/2"
    octets = {"Content-Type": "application/octet-stream"}
    stranger = Device(client)  # another code: another id and token
    error_of(client.put(url, data=body, headers={**stranger.auth, **octets}), 403, "wrong_token")
    missing = client.put(url, data=body, headers=octets)
    error_of(missing, 401, "token_missing")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    error_of(client.put(url, data=body, headers={"Authorization": "Bearer not-hex", **octets}), 401, "token_missing")
    error_of(client.put(url, data=body, headers={"Authorization": "Basic " + "a" * 64, **octets}), 401,
             "token_missing")
    error_of(stranger.put(1, body), 404, "backup_not_found")
    error_of(client.get(f"{API}/{device.id}", headers=stranger.auth), 403, "wrong_token")
    error_of(client.get(f"{API}/{device.id}/records", headers=stranger.auth), 403, "wrong_token")
    error_of(client.post(f"{API}/{device.id}/deletion", headers=stranger.auth), 403, "wrong_token")
    error_of(client.get(f"{API}/{device.id.upper()}", headers=device.auth), 400, "bad_request")
    assert stored(app) == before


def test_bad_records_and_bodies_are_named_and_change_nothing(app, client, device):
    device.put(1, device.record())
    before = stored(app)
    record = device.record()
    error = error_of(device.put(2, record[:-1]), 400, "malformed_record")  # truncated: not a bucket size
    assert "4095 bytes is not one of them" in error["message"]
    error_of(device.put(2, b""), 400, "malformed_record")
    error_of(device.put(2, record, headers={"Content-Type": "application/json"}), 415, "unsupported_media_type")
    error_of(device.put(2, record, headers={"Content-Type": "text/plain"}), 415, "unsupported_media_type")
    too_big = bytes(2 * 1024 * 1024)
    assert "at most 1048576 bytes" in error_of(device.put(2, too_big), 413, "record_too_large")["message"]
    huge = client.put(f"{API}/{device.id}/records/2", data=bytes(20 * 1024 * 1024),
                      headers={**device.auth, "Content-Type": "application/octet-stream"})
    error_of(huge, 413, "record_too_large")
    error_of(client.post(API, data="x" * (2 * 1024 * 1024), content_type="application/json"), 413,
             "payload_too_large")
    error_of(client.post(API, data="id=1", content_type="application/x-www-form-urlencoded"), 415,
             "unsupported_media_type")
    error_of(client.post(API, data="{not json", content_type="application/json"), 400, "bad_request")
    bad = error_of(client.post(API, json={"id": "X" * 32, "tokenHash": "0" * 64, "email": "a@b.c"}), 400,
                   "bad_request")
    assert set(bad["fields"]) == {"id", "email"}
    error_of(client.get(f"{API}/{device.id}/records?limit=0", headers=device.auth), 400, "bad_request")
    error_of(client.get(f"{API}/{device.id}/records?colour=red", headers=device.auth), 400, "bad_request")
    assert stored(app) == before


def test_a_final_newline_or_a_nul_is_no_way_round_the_formats(app, client, device):
    before = stored(app)
    refused = client.post(API, json={"id": Device(client).id + "\n", "tokenHash": "0" * 64})
    assert set(error_of(refused, 400, "bad_request")["fields"]) == {"id"}
    refused = client.post(API, json={"id": Device(client).id, "tokenHash": "0" * 64 + "\n"})
    assert set(error_of(refused, 400, "bad_request")["fields"]) == {"tokenHash"}
    for path in (f"{device.id}%0A", f"{device.id[:-1]}%00", f"{device.id}%0A/records"):
        error_of(client.get(f"{API}/{path}", headers=device.auth), 400, "bad_request")
    error_of(client.get(f"{API}/{device.id}", headers={"Authorization": f"Bearer {device.keys.token_hex}\x00"}),
             401, "token_missing")
    error_of(client.get(f"{API}/{device.id}/records?after=%00", headers=device.auth), 400, "bad_request")
    assert stored(app) == before


def test_a_body_sent_without_its_length_is_still_held_to_the_limit(app, client, device):
    import io

    before = stored(app)
    # As gunicorn passes a chunked body: no length, and a stream it ends itself. Werkzeug would cut it off at the
    # limit without an error, and a record cut off at 1 MiB is a valid size.
    for size in (wire.MAX_RECORD + 1, 3 * wire.MAX_RECORD):
        response = client.put(f"{API}/{device.id}/records/1", input_stream=io.BytesIO(bytes(size)),
                              headers={**device.auth, "Content-Type": "application/octet-stream",
                                       "Transfer-Encoding": "chunked"},
                              environ_overrides={"wsgi.input_terminated": True})
        assert response.request.headers.get("Transfer-Encoding") == "chunked"
        error_of(response, 413, "record_too_large")
    assert stored(app) == before
    whole = client.put(f"{API}/{device.id}/records/1", input_stream=io.BytesIO(device.record(size=1_040_000)),
                       headers={**device.auth, "Content-Type": "application/octet-stream",
                                "Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True})
    assert whole.status_code == 201 and device.status()["bytes"] == wire.MAX_RECORD


def test_settings_that_make_no_sense_stop_start_up():
    from pwa import create_app

    for name, value in [("BACKUP_MAX_RECORD_BYTES", 5000), ("BACKUP_MAX_RECORD_BYTES", 2 * 1024 * 1024),
                        ("BACKUP_QUOTA_BYTES", 0), ("BACKUP_DELETION_WAIT_DAYS", -1)]:
        with pytest.raises(RuntimeError, match=name):
            create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", name: value})


def test_a_backup_cannot_grow_past_its_quota(app, device):
    app.config["BACKUP_QUOTA_BYTES"] = 3 * 4096
    for seq in (1, 2, 3):
        assert device.put(seq, device.record()).status_code == 201
    before = stored(app)
    error = error_of(device.put(4, device.record()), 413, "quota_exceeded")
    assert "12288 of its 12288 bytes" in error["message"]
    assert stored(app) == before


def test_records_are_read_back_in_pages_with_their_receipts(app, device):
    app.config["BACKUP_PAGE_BYTES"] = 3 * 4096 + 100
    bodies = [device.record(f"revision {n}") for n in range(1, 8)]
    bodies.append(device.record("a photo slice", size=100_000))
    receipts = [device.append(body)[1] for body in bodies]
    first = device.client.get(f"{API}/{device.id}/records?limit=2", headers=device.auth).get_json()
    assert [r["seq"] for r in first["records"]] == [1, 2] and first["next"] == 2
    by_bytes = device.client.get(f"{API}/{device.id}/records?after=2", headers=device.auth).get_json()
    assert [r["seq"] for r in by_bytes["records"]] == [3, 4, 5] and by_bytes["next"] == 5
    alone = device.client.get(f"{API}/{device.id}/records?after=7", headers=device.auth).get_json()
    assert [r["seq"] for r in alone["records"]] == [8] and alone["next"] is None  # over the page size, but alone
    everything = device.read_all(limit=3)
    assert [base64.b64decode(r["body"]) for r in everything] == bodies
    assert [r["receipt"] for r in everything] == receipts
    assert [device.opened(r).payload[:11] for r in everything[:2]] == [b"revision 1", b"revision 2"]


def test_two_devices_taking_turns_lose_nothing(app, client, device):
    phone, laptop = device, Device(client, device.code)
    mine, theirs = [phone.record(f"phone {n}") for n in range(5)], [laptop.record(f"laptop {n}") for n in range(5)]
    for ours, other in zip(mine, theirs):
        seq = phone.status()["lastSeq"] + 1  # both look, then both write at the same number
        assert laptop.put(seq, other).status_code == 201
        error_of(phone.put(seq, ours), 409, "record_conflict")
        phone.append(ours)
    kept = [base64.b64decode(r["body"]) for r in phone.read_all()]
    assert sorted(kept) == sorted(mine + theirs) and len(kept) == 10
    assert phone.status()["conflicts"] == 5


def test_two_devices_writing_at_once_lose_nothing(app, device):
    devices = [device, Device(device.client, device.code)]
    written: dict[int, list[bytes]] = {0: [], 1: []}
    failures = []

    def write(index: int):
        try:
            for n in range(15):
                body = devices[index].record(f"device {index} record {n}")
                devices[index].append(body)
                written[index].append(body)
        except Exception as error:  # reported below: an assertion in a thread would be lost
            failures.append(error)

    threads = [threading.Thread(target=write, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    kept = [base64.b64decode(r["body"]) for r in device.read_all()]
    assert len(kept) == 30 and sorted(kept) == sorted(written[0] + written[1])
    assert [r["seq"] for r in device.read_all()] == list(range(1, 31))
    # Each device's own records are in the order it wrote them.
    for index in (0, 1):
        assert [body for body in kept if body in written[index]] == written[index]


class SlowUpload(io.BytesIO):
    """A request body that arrives only when told to, as from a phone on a bad network."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.started, self.go_on = threading.Event(), threading.Event()

    def read(self, size=-1):
        self.started.set()
        assert self.go_on.wait(30)
        return super().read(size)

    def readinto(self, buffer):
        self.started.set()
        assert self.go_on.wait(30)
        return super().readinto(buffer)


def test_a_slow_upload_holds_up_nobody_else(app, device):
    body = device.record("slow")
    slow = SlowUpload(body)
    other = Device(device.client, device.code)
    answers = {}
    uploading = threading.Thread(target=lambda: answers.update(slow=device.client.put(
        f"{API}/{device.id}/records/1", input_stream=slow, content_length=len(body),
        headers={**device.auth, "Content-Type": "application/octet-stream"})))
    uploading.start()
    try:
        assert slow.started.wait(10)
        meanwhile = threading.Thread(target=lambda: answers.update(other=other.put(1, other.record("meanwhile"))))
        meanwhile.start()
        meanwhile.join(timeout=15)
        assert not meanwhile.is_alive(), "another request waited for the slow upload"
        assert answers["other"].status_code == 201
    finally:
        slow.go_on.set()
        uploading.join(timeout=30)
    error_of(answers["slow"], 409, "record_conflict")  # it lost the race for number 1: written at 2 instead
    assert device.put(2, body).status_code == 201


def test_deletion_waits_can_be_cancelled_and_purge_removes_only_what_is_due(app, client, device, runner):
    device.put(1, device.record())
    keeper = Device(client)
    keeper.create()
    keeper.put(1, keeper.record())
    asked = client.post(f"{API}/{device.id}/deletion", headers=device.auth)
    assert asked.status_code == 202
    deletion = asked.get_json()["backup"]["deletion"]
    with app.app_context():
        row = db.session.get(Backup, device.id)
        assert storage.aware(row.deletion_due_at) - storage.aware(row.deletion_requested_at) == timedelta(days=7)
        db.session.remove()
    again = client.post(f"{API}/{device.id}/deletion", headers=device.auth)
    assert again.get_json()["backup"]["deletion"] == deletion  # asking again does not bring it forward
    assert device.put(2, device.record()).status_code == 201  # still written meanwhile: nothing is lost yet

    result = runner.invoke(args=["backup", "purge"])  # before it is due: nothing goes
    assert result.exit_code == 0 and "Removed 0 backups past their deletion waiting period" in result.output
    assert device.status()["records"] == 2

    cancelled = client.delete(f"{API}/{device.id}/deletion", headers=device.auth)
    assert cancelled.status_code == 200 and cancelled.get_json()["backup"]["deletion"] is None
    client.post(f"{API}/{device.id}/deletion", headers=device.auth)
    with app.app_context():
        purged = storage.purge(utcnow() + timedelta(days=7, minutes=1))
        db.session.commit()
        assert (purged.deleted, purged.untouched, purged.records) == (1, 0, 2)
        db.session.remove()
    error_of(device.client.get(f"{API}/{device.id}", headers=device.auth), 404, "backup_not_found")
    assert keeper.status()["records"] == 1


def test_purge_removes_backups_untouched_for_the_retention_time(app, client, runner):
    old, recent = Device(client), Device(client)
    for device in (old, recent):
        device.create()
        device.put(1, device.record())
    with app.app_context():
        db.session.get(Backup, old.id).touched_at = utcnow() - timedelta(days=731)
        db.session.get(Backup, recent.id).touched_at = utcnow() - timedelta(days=729)
        db.session.commit()
    dry = runner.invoke(args=["backup", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "would remove 0 backups past their deletion waiting period, 1 backup untouched " \
                                  "for 730 days (1 record in all)" in dry.output
    assert old.status()["records"] == 1  # a dry run removes nothing (and the look touched it)
    with app.app_context():
        db.session.get(Backup, old.id).touched_at = utcnow() - timedelta(days=731)
        db.session.commit()
    result = runner.invoke(args=["backup", "purge"])
    assert result.exit_code == 0 and "1 backup untouched for 730 days" in result.output
    error_of(client.get(f"{API}/{old.id}", headers=old.auth), 404, "backup_not_found")
    assert recent.status()["records"] == 1


def test_rate_limits_per_backup_and_per_address_hold_in_the_database_without_addresses(app, client):
    app.config.update(BACKUP_RATE_PER_BACKUP=4, BACKUP_RATE_PER_ADDRESS=9)
    device = Device(client)
    device.create()  # counts against the address (and new backups), not against the backup
    for _ in range(4):
        device.status()
    limited = client.get(f"{API}/{device.id}", headers=device.auth)
    error = error_of(limited, 429, "rate_limited")
    assert "requests for this backup" in error["message"] and 1 <= int(limited.headers["Retry-After"]) <= 60
    other = Device(client)
    other.create()
    for _ in range(2):
        other.status()
    error = error_of(client.get(f"{API}/{other.id}", headers=other.auth), 429, "rate_limited")
    assert "from this network address" in error["message"]
    with app.app_context():
        counters = db.session.scalars(db.select(BackupRateCount)).all()
        assert counters and all(len(c.key) == 64 and set(c.key) <= set("0123456789abcdef") for c in counters)
        assert device.id not in {c.key for c in counters}
        db.session.remove()


def test_too_many_new_backups_from_one_address_are_refused(app, client):
    app.config["BACKUP_CREATES_PER_ADDRESS"] = 2
    assert [Device(client).create().status_code for _ in range(2)] == [201, 201]
    error_of(Device(client).create(), 429, "rate_limited")


def test_no_client_address_reaches_the_database_or_the_log(app, client, caplog):
    address = "203.0.113.77"
    environ = {"REMOTE_ADDR": address}
    device = Device(client)
    with caplog.at_level(logging.DEBUG):
        device.create(environ_base=environ)
        device.put(1, device.record(), environ_base=environ)
        device.put(1, device.record(), environ_base=environ)  # a conflict, which is logged
        client.get(f"{API}/{device.id}", headers=device.auth, environ_base=environ)
    assert address not in caplog.text and "different bytes" in caplog.text
    with app.app_context():
        for table in ("backup", "backup_record", "backup_rate_count"):
            for row in db.session.execute(text(f"SELECT * FROM {table}")):
                assert address not in repr(row) and address.encode() not in b"".join(
                    value for value in row if isinstance(value, (bytes, memoryview)))
        db.session.remove()


def test_without_a_signing_key_no_backup_is_taken(app, client, tmp_path, device):
    app.config["BACKUP_SIGNING_KEY"] = str(tmp_path / "missing.pem")
    error = error_of(Device(client).create(), 503, "backup_unavailable")
    assert "flask backup keygen" in error["message"]
    error_of(device.put(1, device.record()), 503, "backup_unavailable")
    assert device.status()["records"] == 0
    assert client.get("/.well-known/backup-receipt-key").status_code == 404


def test_backups_can_be_switched_off(app, client):
    app.config["BACKUP_ENABLED"] = False
    error_of(Device(client).create(), 404, "backups_off")


def test_the_public_key_is_served_at_a_well_known_path(app, client):
    response = client.get("/.well-known/backup-receipt-key")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    raw = base64.b64decode(document["publicKey"])
    assert len(raw) == 32 and document["alg"] == "Ed25519"
    assert document["fingerprint"] == hashlib.sha256(raw).hexdigest()[:32]
    assert document["pem"].startswith("-----BEGIN PUBLIC KEY-----")
    assert client.get("/.well-known/backup-receipt-key",
                      headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_the_status_touches_a_backup_at_most_daily(app, device):
    with app.app_context():
        db.session.get(Backup, device.id).touched_at = utcnow() - timedelta(days=3)
        db.session.commit()
    device.status()
    with app.app_context():
        assert storage.aware(db.session.get(Backup, device.id).touched_at) > utcnow() - timedelta(minutes=1)
        db.session.remove()


def test_receipts_are_stored_as_given(app, device):
    receipt = device.put(1, device.record()).get_json()["receipt"]
    with app.app_context():
        assert json.loads(db.session.get(BackupRecord, (device.id, 1)).receipt) == receipt
        db.session.remove()
