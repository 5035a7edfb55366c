"""The Python verifier/decryptor of exported journal bundles: honest bundles open, any change is caught."""
import base64
import copy
import json

import pytest

from pwa import create_app
from pwa.journal import bundle as bundles
from pwa.journal import crypto

CODE = "K7QM-3XHD-9P2A-W4RT-B8NZ"
PHOTO = b"\x89PNG\r\n\x1a\n not really a png, but bytes all the same"


def record(op, recorded_at, photos=(), **fields):
    return {"kind": "entry", "op": op, "recordedAt": recorded_at, "fields": fields, "photos": list(photos)}


PHOTO_REF = {"id": "p-1", "sha256": crypto.sha256_hex(PHOTO), "type": "image/png", "name": "arm.png",
             "size": len(PHOTO), "capturedAt": "2026-11-21T09:00:00.000Z"}
RECORDS = [
    ("e-2", record("create", "2026-11-21T09:05:00.000Z", [PHOTO_REF], occurredDate="2026-11-21", occurredTime="08:30",
                   what="Grabbed my arm hard when I tried to leave.", injuries="Bruise on the left arm",
                   tags=["physical"])),
    ("e-1", record("create", "2026-11-21T10:00:00.000Z", occurredDate="2026-11-14", approximate=True,
                   partOfDay="evening", place="Kitchen", what="Read all my messages and took my phone.",
                   effect="Scared to text my sister.", tags=["monitoring", "isolation"], childrenPresent="yes")),
    ("e-1", record("edit", "2026-11-22T10:00:00.000Z", occurredDate="2026-11-14", approximate=True,
                   partOfDay="evening", place="Kitchen", what="Read all my messages and took my phone.",
                   effect="Scared to text my sister.", tags=["monitoring", "isolation"], childrenPresent="yes",
                   crimeReference="CC-2026-1234")),
    ("e-3", record("create", "2026-11-22T11:00:00.000Z", occurredDate="2026-11-22", what="Wrote this by mistake")),
    ("e-3", {"kind": "entry", "op": "delete", "recordedAt": "2026-11-22T11:01:00.000Z", "reason": "Duplicate"}),
]


@pytest.fixture(scope="module")
def made():
    return bundles.build(RECORDS, {"p-1": PHOTO}, CODE, exported_at="2026-11-25T12:00:00.000Z")


@pytest.fixture(scope="module")
def code_key(made):
    return bundles.derive_code_key(bundles.parse(json.dumps(made)), CODE)


@pytest.fixture(scope="module")
def cli():
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).test_cli_runner()


def write(tmp_path, doc, name="export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc) if isinstance(doc, dict) else doc)
    return str(path)


def reopen(doc, code_key):
    return bundles.open_with_code_key(bundles.parse(json.dumps(doc)), code_key)


def test_an_honest_bundle_opens_with_every_revision_and_photo(made, code_key):
    opened = reopen(made, code_key)
    assert [r.record["op"] for r in opened.revisions] == ["create", "create", "edit", "create", "delete"]
    assert opened.photos == {"p-1": PHOTO}
    assert opened.opened_manifest["exportedAt"] == "2026-11-25T12:00:00.000Z"


def test_the_code_can_be_typed_loosely(made):
    loose = CODE.lower().replace("-", " ")
    assert bundles.open_bundle(bundles.parse(json.dumps(made)), loose).photos == {"p-1": PHOTO}


@pytest.mark.parametrize("field", ["key", "body"])
def test_changing_any_byte_of_any_revision_is_detected(made, code_key, field):
    for index in range(len(made["revisions"])):
        raw = base64.b64decode(made["revisions"][index][field])
        for position in range(len(raw)):
            tampered = copy.deepcopy(made)
            changed = bytearray(raw)
            changed[position] ^= 0x01
            tampered["revisions"][index][field] = base64.b64encode(bytes(changed)).decode()
            with pytest.raises(bundles.TamperedBundle):
                reopen(tampered, code_key)


def test_changing_any_byte_of_a_photo_or_the_manifest_is_detected(made, code_key):
    for where in (("attachments", 0, "body"), ("attachments", 0, "key"), ("manifest",)):
        raw = base64.b64decode(made[where[0]] if len(where) == 1 else made[where[0]][where[1]][where[2]])
        for position in range(0, len(raw), 7):
            tampered = copy.deepcopy(made)
            changed = bytearray(raw)
            changed[position] ^= 0x80
            encoded = base64.b64encode(bytes(changed)).decode()
            if len(where) == 1:
                tampered[where[0]] = encoded
            else:
                tampered[where[0]][where[1]][where[2]] = encoded
            with pytest.raises(bundles.TamperedBundle):
                reopen(tampered, code_key)


@pytest.mark.parametrize("change", [
    "drop-middle", "drop-last", "swap", "reseq", "rename-entry", "renumber-rev", "drop-photo", "swap-bodies",
])
def test_reordering_removing_or_relabelling_revisions_is_detected(made, code_key, change):
    doc = copy.deepcopy(made)
    revisions = doc["revisions"]
    if change == "drop-middle":
        del revisions[2]
    elif change == "drop-last":
        # A careful forger also moves the head back; the sealed manifest still knows the real end.
        revisions.pop()
        doc["head"] = revisions[-1]["hash"]
    elif change == "swap":
        revisions[0], revisions[1] = revisions[1], revisions[0]
    elif change == "reseq":
        revisions[1]["seq"] = 9
    elif change == "rename-entry":
        revisions[0]["entry"] = "e-9"
    elif change == "renumber-rev":
        revisions[2]["rev"] = 1
    elif change == "drop-photo":
        doc["attachments"] = []
    elif change == "swap-bodies":
        revisions[0]["body"], revisions[1]["body"] = revisions[1]["body"], revisions[0]["body"]
    with pytest.raises(bundles.TamperedBundle):
        reopen(doc, code_key)


def test_a_rebuilt_chain_still_fails_its_tags(made, code_key):
    """Recomputing every hash after an edit keeps the chain intact, but the tags and manifest give it away."""
    doc = copy.deepcopy(made)
    body = bytearray(base64.b64decode(doc["revisions"][1]["body"]))
    body[20] ^= 0xFF
    doc["revisions"][1]["body"] = base64.b64encode(bytes(body)).decode()
    prev = crypto.GENESIS
    for item in doc["revisions"]:
        item["prev"] = prev
        item["hash"] = prev = crypto.chain_hash(item["seq"], item["entry"], item["rev"], prev,
                                                base64.b64decode(item["body"]))
    doc["head"] = prev
    assert bundles.check_chain(bundles.parse(json.dumps(doc))) == []
    with pytest.raises(bundles.TamperedBundle) as caught:
        reopen(doc, code_key)
    assert any("authentication tag" in problem for problem in caught.value.problems)


def test_verify_without_code_says_it_checked_the_links_only(cli, made, tmp_path):
    result = cli.invoke(args=["journal", "verify", write(tmp_path, made)])
    assert result.exit_code == 0, result.output
    assert "Checked the links only: 5 revisions link up in order" in result.output
    assert "cannot show whether anything was changed, removed or added" in result.output
    assert "Verified" not in result.output
    broken = copy.deepcopy(made)
    broken["revisions"][3]["prev"] = crypto.GENESIS
    result = cli.invoke(args=["journal", "verify", write(tmp_path, broken, "broken.json")])
    assert result.exit_code == 1
    assert "does not link to the revision before it" in result.output
    assert "Traceback" not in result.output


def test_verify_with_code_says_what_it_proves_and_what_it_cannot(cli, made, tmp_path):
    result = cli.invoke(args=["journal", "verify", write(tmp_path, made), "--code", CODE])
    assert result.exit_code == 0, result.output
    assert "Verified: 5 revisions, 1 photo" in result.output
    assert "This proves that:" in result.output and "none was removed, added or changed since" in result.output
    assert "It cannot prove:" in result.output and "the phone's clock" in result.output
    assert "before the journal's links were keyed" not in result.output


def test_wrong_code_is_a_clear_failure(cli, made, tmp_path):
    result = cli.invoke(args=["journal", "decrypt", write(tmp_path, made), "--code", "AAAA-BBBB-CCCC-DDDD-EEEE",
                              "--out", str(tmp_path / "report.txt")])
    assert result.exit_code == 3
    assert "wrong export code" in result.output
    assert not (tmp_path / "report.txt").exists()


@pytest.mark.parametrize("content, message", [
    ("not json at all", "not JSON"),
    ('{"format": "something-else"}', "unknown format"),
    ('{"format": "open-door-journal-export", "v": 2}', "unsupported export version 2"),
    ('{"format": "sealed-export", "v": 1}', "unsupported export version 1"),
    ('{"format": "sealed-export", "v": 2, "kdf": {"name": "PBKDF2-SHA256", "iterations": 6' + "0" * 5000 + '}}',
     "not JSON"),
    ('{"format": "open-door-journal-export", "v": 1, "kdf": {"name": "PBKDF2-SHA256", "iterations": 1000, '
     '"salt": "AAECAwQFBgcICQoLDA0ODw=="}}', "below the floor"),
    ('{"format": "open-door-journal-export", "v": 1, "kdf": {"name": "PBKDF2-SHA256", "iterations": 10000000000, '
     '"salt": "AAECAwQFBgcICQoLDA0ODw=="}}', "above 20000000 iterations"),
    ('{"format": "open-door-journal-export", "v": 1, "kdf": {"name": "PBKDF2-SHA256", "iterations": 600000, '
     '"salt": "AAECAwQFBgcICQoLDA0ODw=="}, "revisions": [{"seq": "1"}]}', "'seq' is missing or has the wrong type"),
    ('[1, 2]', "unknown format"),
])
def test_malformed_bundles_get_a_clear_message_and_no_traceback(cli, tmp_path, content, message):
    result = cli.invoke(args=["journal", "verify", write(tmp_path, content), "--code", CODE])
    assert result.exit_code == 4
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_file_that_cannot_be_read_or_written_has_its_own_exit_status(cli, made, tmp_path):
    result = cli.invoke(args=["journal", "verify", str(tmp_path / "nope.json")])
    assert result.exit_code == 5
    assert "cannot read" in result.output and "Traceback" not in result.output
    result = cli.invoke(args=["journal", "decrypt", write(tmp_path, made), "--code", CODE,
                              "--out", str(tmp_path / "no-such-folder" / "report.txt")])
    assert result.exit_code == 5
    assert "cannot write" in result.output and "Traceback" not in result.output


def test_decrypt_writes_a_chronological_text_report(cli, made, tmp_path):
    out = tmp_path / "report.txt"
    result = cli.invoke(args=["journal", "decrypt", write(tmp_path, made), "--out", str(out)],
                        env={"JOURNAL_EXPORT_CODE": CODE})
    assert result.exit_code == 0, result.output
    text = out.read_text()
    # Chronological by when it happened, not when it was written; times in UK local time with the zone.
    assert (text.index("1. Around 14 November 2026 (evening)") < text.index("2. 21 November 2026 08:30")
            < text.index("3. 22 November 2026"))
    assert "Crime reference number:\n  CC-2026-1234" in text
    assert "Edited Sun 22 Nov 2026, 10:00 GMT (changed: Crime reference number)" in text
    assert "[DELETED by the writer]" in text and "Deleted by the writer Sun 22 Nov 2026, 11:01 GMT: Duplicate" in text
    assert "Exported: Wed 25 Nov 2026, 12:00 GMT" in text
    assert "Open Door" not in text  # the report names no app: it may be read by anyone
    assert f"SHA-256 {crypto.sha256_hex(PHOTO)}" in text
    assert "Behaviours: Monitoring or tracking me, Isolating me" in text


def test_decrypt_writes_a_self_contained_html_report(cli, made, tmp_path):
    out = tmp_path / "report.html"
    result = cli.invoke(args=["journal", "decrypt", write(tmp_path, made), "--code", CODE, "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert page.startswith("<!doctype html>")
    assert base64.b64encode(PHOTO).decode() in page
    assert "Grabbed my arm hard when I tried to leave." in page


def test_decrypt_refuses_to_write_a_report_for_a_tampered_bundle(cli, made, tmp_path):
    doc = copy.deepcopy(made)
    doc["attachments"][0]["body"] = base64.b64encode(b"\0" * 64).decode()
    out = tmp_path / "report.txt"
    result = cli.invoke(args=["journal", "decrypt", write(tmp_path, doc), "--code", CODE, "--out", str(out)])
    assert result.exit_code == 1
    assert "photo p-1: authentication tag does not match" in result.output
    assert not out.exists()


def test_html_report_escapes_what_was_written(made, code_key):
    from pwa.journal import report

    doc = bundles.build([("e-x", record("create", "2026-11-25T00:00:00Z", what="<script>alert(1)</script>"))], {},
                        CODE)
    opened = bundles.open_bundle(bundles.parse(json.dumps(doc)), CODE)
    page = report.to_html(opened)
    assert "<script>" not in page and "&lt;script&gt;" in page



@pytest.mark.parametrize("odd", [
    {"kind": "entry", "op": "create", "fields": ["not", "a", "dict"]},
    {"kind": "entry", "op": "create", "fields": {"what": {"nested": 1}}},
    {"kind": "entry", "op": "create", "fields": {}, "photos": "p-1"},
    {"kind": "entry", "op": "rename", "fields": {}},
    {"kind": "entry", "op": "create", "fields": {"tags": [["threats"]]}},
    ["a", "list"],
])
def test_odd_records_with_valid_tags_are_refused_without_a_traceback(cli, tmp_path, odd):
    """Someone holding the code could seal anything: the verifier still answers plainly."""
    doc = bundles.build([("e-1", odd)], {}, CODE)
    result = cli.invoke(args=["journal", "decrypt", write(tmp_path, doc), "--code", CODE,
                              "--out", str(tmp_path / "r.txt")])
    assert result.exit_code == 1, result.output
    assert "not a journal record" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def reseal(doc, code_key, plaintext, revision=None):
    """The bundle with one revision's record (or, with revision=None, the manifest) sealed anew as given."""
    doc = copy.deepcopy(doc)
    export_key = crypto.open_sealed(code_key, base64.b64decode(doc["exportKey"]), crypto.aad_export_key())
    if revision is None:
        doc["manifest"] = base64.b64encode(crypto.seal(export_key, plaintext, crypto.aad_export_manifest())).decode()
        return doc
    item = doc["revisions"][revision]
    content_key = crypto.open_sealed(export_key, base64.b64decode(item["key"]),
                                     crypto.aad_record_key(item["entry"], item["rev"]))
    item["body"] = base64.b64encode(crypto.seal(content_key, plaintext, crypto.aad_record(item["entry"], item["rev"]))).decode()
    # Rebuild the chain and its keyed links (the code opens the chain key) so only the odd content is in question.
    chain_key = crypto.open_sealed(export_key, base64.b64decode(doc["chainKey"]), crypto.aad_export_chain_key())
    prev = crypto.GENESIS
    for each in doc["revisions"]:
        each["prev"] = prev
        each["hash"] = prev = crypto.chain_hash(each["seq"], each["entry"], each["rev"], prev, base64.b64decode(each["body"]))
        each["mac"] = crypto.chain_mac(chain_key, each["hash"])
    doc["head"] = prev
    doc = reseal(doc, code_key, json.dumps({"count": len(doc["revisions"]), "head": prev, "attachments": ["p-1"]}).encode())
    return doc


@pytest.mark.parametrize("content, message", [
    (json.dumps({"format": "open-door-journal-export", "v": True}), "unsupported export version True"),
    (json.dumps({"format": "open-door-journal-export", "v": 1.0}), "unsupported export version 1.0"),
    ("[" * 100_000, "nested too deeply"),
])
def test_odd_files_are_unreadable_without_a_traceback(cli, tmp_path, content, message):
    result = cli.invoke(args=["journal", "verify", write(tmp_path, content), "--code", CODE])
    assert result.exit_code == 4, result.output
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("where", ["entry", "prev", "hash"])
@pytest.mark.parametrize("code", [(), ("--code", CODE)])
def test_lone_surrogates_in_the_log_are_unreadable_without_a_traceback(cli, made, tmp_path, where, code):
    doc = copy.deepcopy(made)
    doc["revisions"][0][where] = "\ud800"
    result = cli.invoke(args=["journal", "verify", write(tmp_path, doc), *code])
    assert result.exit_code == 4, result.output
    assert "not valid text" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("plaintext, revision, message", [
    (json.dumps({"kind": "entry", "op": "create", "fields": {}, "photos": [{"id": ["p-1"]}]}).encode(), 1,
     "not a journal record"),
    (b"[" * 100_000, 1, "not valid JSON"),
    (b"[" * 100_000, None, "manifest has been altered"),
    (json.dumps({"count": 5, "head": "x", "attachments": [1, "p-1"]}).encode(), None, "differ from the ones"),
])
def test_odd_sealed_contents_are_refused_without_a_traceback(cli, made, code_key, tmp_path, plaintext, revision, message):
    doc = reseal(made, code_key, plaintext, revision)
    result = cli.invoke(args=["journal", "verify", write(tmp_path, doc), "--code", CODE])
    assert result.exit_code == 1, result.output
    assert message in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("name", ["r.txt", "r.html"])
def test_a_lone_surrogate_written_in_the_browser_still_gets_a_report(cli, made, code_key, tmp_path, name):
    """JSON.stringify writes a lone surrogate as "\\ud800"; the report shows it as that escape."""
    record_json = json.dumps(record("create", "2026-11-21T09:05:00.000Z", [PHOTO_REF], what="half an emoji \ud83d"))
    doc = reseal(made, code_key, record_json.encode(), 0)
    result = cli.invoke(args=["journal", "decrypt", write(tmp_path, doc), "--code", CODE, "--out", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    assert "half an emoji \\ud83d" in (tmp_path / name).read_text(encoding="utf-8")


def test_removing_a_revision_and_recomputing_every_hash_fails_the_keyed_links(made, code_key):
    """What a plain hash chain let through: drop one, re-hash the rest, fix the head and even the manifest."""
    doc = copy.deepcopy(made)
    del doc["revisions"][0]  # the entry about the bruise, with its photo
    prev = crypto.GENESIS
    for seq, item in enumerate(doc["revisions"], start=1):
        item["seq"], item["prev"] = seq, prev
        item["hash"] = prev = crypto.chain_hash(seq, item["entry"], item["rev"], prev, base64.b64decode(item["body"]))
    doc["head"] = prev
    export_key = crypto.open_sealed(code_key, base64.b64decode(doc["exportKey"]), crypto.aad_export_key())
    doc["manifest"] = base64.b64encode(crypto.seal(export_key, json.dumps(
        {"count": len(doc["revisions"]), "head": prev, "attachments": ["p-1"]}).encode(),
        crypto.aad_export_manifest())).decode()
    assert bundles.check_chain(bundles.parse(json.dumps(doc))) == []  # the links alone cannot tell
    with pytest.raises(bundles.TamperedBundle) as caught:
        reopen(doc, code_key)
    assert sum("keyed link does not match" in problem for problem in caught.value.problems) == 4


def test_a_missing_or_swapped_chain_key_is_caught(made, code_key):
    doc = copy.deepcopy(made)
    doc["chainKey"] = bundles.build(RECORDS, {}, CODE)["chainKey"]  # sealed under another export key
    with pytest.raises(bundles.TamperedBundle) as caught:
        reopen(doc, code_key)
    assert "chain key in the bundle has been altered" in caught.value.problems[0]
    del doc["chainKey"]
    with pytest.raises(bundles.MalformedBundle):
        bundles.parse(json.dumps(doc))


def test_a_notice_the_journal_recorded_fails_verification_and_is_reported(cli, tmp_path):
    notice = {"kind": "notice", "op": "integrity", "recordedAt": "2026-11-23T20:15:00.000Z",
              "summary": "The journal was last saved with 6 saved changes, but only 5 are stored."}
    doc = bundles.build([*RECORDS, ("n-1", notice)], {"p-1": PHOTO}, CODE)
    path = write(tmp_path, doc)
    result = cli.invoke(args=["journal", "verify", path, "--code", CODE])
    assert result.exit_code == 1
    assert "the journal itself recorded, on 2026-11-23T20:15:00.000Z: The journal was last saved" in result.output
    out = tmp_path / "report.txt"
    result = cli.invoke(args=["journal", "decrypt", path, "--code", CODE, "--out", str(out), "--partial"])
    assert result.exit_code == 1
    text = out.read_text()
    assert "NOT VERIFIED" in text
    assert "Mon 23 Nov 2026, 20:15 GMT: The journal was last saved with 6 saved changes" in text
    assert "n-1" not in text.split("Changes made to the journal outside the app")[1].split("\n\n")[1]  # not an entry


@pytest.mark.parametrize("name", ["partial.txt", "partial.html"])
def test_a_partial_report_marks_what_could_not_be_read(cli, made, tmp_path, name):
    doc = copy.deepcopy(made)
    body = bytearray(base64.b64decode(doc["revisions"][2]["body"]))
    body[30] ^= 1  # the edit of e-1 is damaged
    doc["revisions"][2]["body"] = base64.b64encode(bytes(body)).decode()
    doc["attachments"][0]["body"] = base64.b64encode(b"\0" * 64).decode()  # and the photo
    out = tmp_path / name
    refused = cli.invoke(args=["journal", "decrypt", write(tmp_path, doc), "--code", CODE, "--out", str(out)])
    assert refused.exit_code == 1 and not out.exists()
    assert "--partial" in refused.output or "altered" in refused.output
    result = cli.invoke(args=["journal", "decrypt", write(tmp_path, doc), "--code", CODE, "--out", str(out), "--partial"])
    assert result.exit_code == 1
    assert "partial report" in result.output
    text = out.read_text()
    assert "NOT VERIFIED" in text
    assert "COULD NOT BE READ" in text or "could not be read" in text
    assert "Read all my messages and took my phone." in text  # the first revision of e-1 is still shown
    assert "Grabbed my arm hard" in text
    assert "missing or damaged" in text.lower()


def test_older_unkeyed_exports_still_verify_with_a_caveat(cli, tmp_path):
    doc = bundles.build(RECORDS, {"p-1": PHOTO}, CODE, version=1)
    assert doc["format"] == "open-door-journal-export" and "chainKey" not in doc
    result = cli.invoke(args=["journal", "verify", write(tmp_path, doc), "--code", CODE])
    assert result.exit_code == 0, result.output
    assert "before the journal's links were keyed" in result.output


def test_the_export_format_is_neutral(made):
    assert made["format"] == "sealed-export" and made["v"] == 2
    assert "door" not in json.dumps({key: value for key, value in made.items() if key in ("format", "v", "kdf")})
