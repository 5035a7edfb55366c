"""The journal, the safety plan and the risk self-check read their words from the chosen language's catalogue:
template text, text kept in Python (risk_check.py, plan.py, journal/report.py, views.py) and sentences with numbers."""
import json
import re
from html import unescape

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from conftest import make_app

from pwa import plan, risk_check
from pwa.journal.report import FIELDS

STRANGULATION = risk_check.question("strangulation")
# A throwaway Welsh catalogue: every translation starts "TEST-CY", so a page shows which words came from it.
TRANSLATIONS = {
    # /journal
    "Set up your journal": "TEST-CY Set up",
    dict(FIELDS)["what"]: "TEST-CY What happened",
    "You have an entry you have not saved yet (last changed %(time)s).": "TEST-CY unsaved (%(time)s).",
    # /plan
    plan.PARTS[0].title: "TEST-CY My situation",
    "Part %(number)s of %(total)s": "TEST-CY %(number)s/%(total)s",
    "If you answered \u201c%(answer)s\u201d to \u201c%(question)s\u201d.": "TEST-CY \u00ab%(answer)s\u00bb \u00ab%(question)s\u00bb.",
    "You can also talk your plan through with the National Domestic Abuse Helpline: call %(phone)s, free, 24 hours "
    "a day. In an emergency, call %(emergency)s.": "TEST-CY helpline %(phone)s, emergency %(emergency)s.",
    # /check
    STRANGULATION.question: "TEST-CY strangled?",
    STRANGULATION.factor: "TEST-CY Strangulation",
    risk_check.ANSWERS["yes"]: "TEST-CY Yes",
    risk_check.CLUSTER.why: "TEST-CY 300% <more> danger",  # a "%" that is not a placeholder, and a "<" to escape
    "Call %(number)s": "TEST-CY Call %(number)s",
}


@pytest.fixture
def client(tmp_path, fresh_catalogues):  # noqa: F811 (the fixture imported above)
    folder = tmp_path / "translations" / "cy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalogue = Catalog(locale="cy")
    for english, welsh in TRANSLATIONS.items():
        catalogue.add(english, welsh)
    with open(folder / "messages.mo", "wb") as mo:
        write_mo(mo, catalogue)
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}", BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"))
    return app.test_client()


def pages(client, path) -> tuple[str, str]:
    """The page in Welsh, then in British English."""
    welsh = client.get(path, headers={"Accept-Language": "cy"})
    english = client.get(path)
    assert welsh.status_code == english.status_code == 200
    return welsh.get_data(as_text=True), english.get_data(as_text=True)


def test_the_journal_page_and_its_scripts_labels_come_from_the_catalogue(client):
    welsh, english = pages(client, "/journal")
    assert "<h2>TEST-CY Set up</h2>" in welsh  # template text
    assert '<label for="f-what">TEST-CY What happened</label>' in welsh  # journal/report.py, through the view
    labels = json.loads(unescape(re.search(r'data-labels="([^"]*)"', welsh).group(1)))
    assert labels["fields"]["what"] == "TEST-CY What happened"  # what the browser's report and list show
    assert "TEST-CY unsaved (<span data-secret data-draft-time></span>)." in welsh
    assert "TEST-CY" not in english and "<h2>Set up your journal</h2>" in english


def test_the_plan_page_comes_from_the_catalogue_and_its_questions_stay_content(client):
    welsh, english = pages(client, "/plan")
    assert '<span class="plan-part__count">TEST-CY 1/4</span> TEST-CY My situation</h2>' in welsh  # plan.py
    assert 'data-title="TEST-CY My situation"' in welsh  # what the script prints as the part's title
    assert re.search(r'id="q-[a-z-]+-when">TEST-CY \u00ab[^<]+\u00bb \u00ab[^<]+\u00bb\.</p>', welsh)  # views.py
    assert ('TEST-CY helpline <a href="tel:08082000247"><bdi dir="ltr">0808&nbsp;2000&nbsp;247</bdi></a>, '
            'emergency <a href="tel:999"><bdi dir="ltr">999</bdi></a>.') in welsh
    assert "TEST-CY" not in english and "Part 1 of 4</span> My situation</h2>" in english


def test_the_check_page_comes_from_the_catalogue(client):
    welsh, english = pages(client, "/check")
    assert "<legend>3. TEST-CY strangled?</legend>" in welsh  # risk_check.py, through risk_check.translate
    assert 'data-factor="TEST-CY Strangulation"' in welsh  # what the script lists in the result
    assert re.search(r'<label for="check-violence-yes">TEST-CY Yes</label>', welsh)
    assert "TEST-CY 300% &lt;more&gt; danger" in welsh  # not read as a placeholder; escaped like any text
    assert 'href="tel:999">TEST-CY Call <bdi dir="ltr">999</bdi></a>' in welsh
    assert "TEST-CY" not in english and 'href="tel:999">Call <bdi dir="ltr">999</bdi></a>' in english
    assert "goes up by 300%. Services" in english
