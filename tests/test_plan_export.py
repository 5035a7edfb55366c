"""Safety plan revisions in an exported journal: `flask journal verify` accepts them, `decrypt` prints them.

The records are made as js/plan/answers.js makes them (each question's words and the chosen labels kept with
the values), so a report still reads right after the agency changes the questions.
"""
import json

import pytest

from pwa import create_app
from pwa.journal import bundle as bundles

CODE = "K7QM-3XHD-9P2A-W4RT-B8NZ"


def answer(part, question, value, labels=(), kind="one"):
    return {"part": part.lower().replace(" ", "-"), "partTitle": part, "question": question, "kind": kind,
            "value": value, "labels": list(labels)}


FIRST = {"kind": "plan", "op": "create", "recordedAt": "2026-11-21T09:05:00.000Z", "answers": {
    "living-together": answer("My situation", "Do you live with the person who is hurting you?", "yes", ["Yes"]),
    "children": answer("My situation", "Do children live with you?", "no", ["No"]),
}}
SECOND = {"kind": "plan", "op": "edit", "recordedAt": "2026-11-22T18:30:00.000Z", "answers": {
    "living-together": answer("My situation", "Do you live with the person who is hurting you?", "yes", ["Yes"]),
    "children": answer("My situation", "Do children live with you?", "yes", ["Yes"]),
    "children-steps": answer("My safety", "Steps for your children", ["teach-999"],
                             ["Teach them how to call 999 and what to say"], kind="many"),
    "safe-people": answer("My plan", "People I can go to", "My sister Ana\nMrs Patel next door", kind="text"),
}, "risk": {"title": "Self-check", "recordedAt": "2026-11-22T18:00:00.000Z", "summary": "Talk to an adviser soon.",
            "answers": {"afraid": {"question": "Are you afraid of them?", "value": "yes", "labels": ["Yes"]}}}}
ENTRY = {"kind": "entry", "op": "create", "recordedAt": "2026-11-21T09:00:00.000Z",
         "fields": {"occurredDate": "2026-11-20", "what": "Shouted at me"}, "photos": []}


@pytest.fixture(scope="module")
def cli():
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).test_cli_runner()


def write(tmp_path, records):
    path = tmp_path / "export.json"
    path.write_text(json.dumps(bundles.build(records, {}, CODE, exported_at="2026-11-25T12:00:00.000Z")))
    return str(path)


def test_verify_accepts_plan_revisions(cli, tmp_path):
    result = cli.invoke(args=["journal", "verify", write(tmp_path, [("e-1", ENTRY), ("p-1", FIRST), ("p-1", SECOND)]),
                              "--code", CODE])
    assert result.exit_code == 0, result.output
    assert "Verified: 3 revisions" in result.output


def test_decrypt_prints_the_plan_readably_and_keeps_it_out_of_the_entries(cli, tmp_path):
    out = tmp_path / "report.txt"
    result = cli.invoke(args=["journal", "decrypt", write(tmp_path, [("e-1", ENTRY), ("p-1", FIRST), ("p-1", SECOND)]),
                              "--code", CODE, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert "2. " not in text.split("Safety plan")[0]  # one entry: the plan is not numbered among them
    assert "Safety plan, saved Sun 22 Nov 2026, 18:30 GMT (version 2 of 2)" in text
    assert ("My situation:\n  Do you live with the person who is hurting you?\n    Yes\n"
            "  Do children live with you?\n    Yes") in text
    assert "My safety:\n  Steps for your children\n    Teach them how to call 999 and what to say" in text
    assert "  People I can go to\n    My sister Ana\n    Mrs Patel next door" in text
    assert "Self-check:\n  Done\n    Sun 22 Nov 2026, 18:00 GMT" in text and "Talk to an adviser soon." in text
    # The earlier version is there as what it changed.
    assert "Saved Sat 21 Nov 2026, 09:05 GMT (version 1): Do you live with the person who is hurting you? \u2192 Yes" in text
    assert "(version 2): Do children live with you? \u2192 Yes; Steps for your children \u2192" in text

    html_out = tmp_path / "report.html"
    assert cli.invoke(args=["journal", "decrypt", str(tmp_path / "export.json"), "--code", CODE,
                            "--out", str(html_out)]).exit_code == 0
    page = html_out.read_text()
    assert "<dt>People I can go to</dt><dd>My sister Ana\nMrs Patel next door</dd>" in page


def test_a_plan_in_words_the_agency_has_since_changed_still_reads_as_answered(cli, tmp_path):
    """The record, not today's question list, gives the words: a question renamed or removed changes nothing."""
    old = {**FIRST, "answers": {"gone-question": answer("My situation", "A question no longer asked", "b",
                                                         ["The label it had then"])}}
    out = tmp_path / "report.txt"
    assert cli.invoke(args=["journal", "decrypt", write(tmp_path, [("p-1", old)]), "--code", CODE,
                            "--out", str(out)]).exit_code == 0
    assert "A question no longer asked\n    The label it had then" in out.read_text()


@pytest.mark.parametrize("odd", [
    {"kind": "plan", "op": "delete"},
    {"kind": "plan", "op": "create", "answers": ["not", "a", "dict"]},
    {"kind": "plan", "op": "create", "answers": {"x": {"question": "Q", "value": {"nested": 1}}}},
    {"kind": "plan", "op": "create", "answers": {"x": {"question": "Q", "value": "a", "labels": "A"}}},
    {"kind": "plan", "op": "create", "answers": {}, "risk": "high"},
])
def test_odd_plan_records_are_refused_without_a_traceback(cli, tmp_path, odd):
    result = cli.invoke(args=["journal", "verify", write(tmp_path, [("p-1", odd)]), "--code", CODE])
    assert result.exit_code == 1, result.output
    assert "not a journal record" in result.output


def test_a_second_create_of_the_plan_is_out_of_place(cli, tmp_path):
    result = cli.invoke(args=["journal", "verify", write(tmp_path, [("p-1", FIRST), ("p-1", FIRST)]), "--code", CODE])
    assert result.exit_code == 1 and "out of place" in result.output
