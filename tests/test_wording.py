"""Counts agree with their words everywhere people read them: "1 photo", "2 photos", never "1 photos" or "photo(s)"."""
import re
from pathlib import Path

import pytest

from pwa.wording import plural

PWA = Path(__file__).resolve().parent.parent / "pwa"
# The journal's own JavaScript and its report wording are kept by the journal's maintainers.
NOT_CHECKED = {"journal/report.py"}


@pytest.mark.parametrize("count, expected", [(0, "0 photos"), (1, "1 photo"), (2, "2 photos"), (-1, "-1 photos")])
def test_plural_agrees_with_the_count(count, expected):
    assert plural(count, "photo") == expected


def test_plural_takes_an_irregular_form():
    assert plural(1, "entry", "entries") == "1 entry"
    assert plural(3, "entry", "entries") == "3 entries"


def test_no_word_with_s_in_brackets_or_a_count_glued_to_a_plural():
    """Python and templates: no "(s)" after a word, no "{{ n }} services" or f"{n} minutes" left to chance."""
    found = []
    for path in [*PWA.rglob("*.py"), *PWA.rglob("templates/**/*.html")]:
        if str(path.relative_to(PWA)) in NOT_CHECKED:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            bracketed = re.search(r"[a-z]\(s\)(?! [|&+*/=-])", line)  # "photo(s)", not a call such as dump(s) | x
            glued = re.search(r"\}\}? (services|areas|guides|minutes|revisions)\b", line)
            if bracketed or glued:
                found.append(f"{path.relative_to(PWA)}:{number}: {line.strip()}")
    assert found == [], "\n".join(found)


def test_the_dashboard_says_1_service_not_1_services(app):
    from flask import render_template

    with app.test_request_context("/admin/"):
        html = render_template("admin/dashboard.html", counts={"services": 1, "areas": 2, "guides": 1,
                                                                 "questions": 1, "steps": 1},
                               version="v", draft=None, changes=[])
    assert ">1 service</a>" in html and ">2 areas</a>" in html and ">1 guide</a>" in html and ">1 safety plan question</a>" in html
    assert ">1 tech-safety check step</a>" in html
