"""The person-facing pages in other languages (issue 14): dates and times in the chosen language (Babel's CLDR
data, no translation needed), whole sentences for each decoy's way back, error titles, numbers isolated."""
import re
from datetime import date, time
from io import BytesIO

import pytest
from babel.dates import format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from conftest import make_app
from werkzeug.exceptions import default_exceptions

from pwa import errors
from pwa.disguise import DECOYS
from pwa.hours import describe
from pwa.views import long_date

WEEKDAYS = [{"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "09:00", "closes": "17:30"}]
LATE = [{"days": ["sat"], "opens": "20:00", "closes": "00:00"}]


def in_language(app, tag):
    return app.test_request_context(headers={"Accept-Language": tag})


@pytest.mark.parametrize("tag, expected", [
    ("en-GB", "30 November 2026"), ("cy", "30 Tachwedd 2026"), ("pl", "30 listopada 2026"),
])
def test_long_dates_are_in_the_chosen_language(app, tag, expected):
    with in_language(app, tag):
        assert long_date(date(2026, 11, 30)) == expected


@pytest.mark.parametrize("tag, expected", [
    ("en-GB", "Monday to Friday, 9am to 5:30pm"),  # GOV.UK's style, as before
    ("cy", "Dydd Llun – Dydd Gwener, 09:00 tan 17:30"),  # CLDR's clocks, the catalogue's words
    ("pl", "Poniedziałek–Piątek, 09:00–17:30"),
])
def test_opening_times_are_in_the_chosen_language(app, tag, expected):
    with in_language(app, tag):
        assert describe(False, WEEKDAYS) == [expected]


def test_outside_a_request_times_are_british_english():
    assert describe(False, WEEKDAYS) == ["Monday to Friday, 9am to 5:30pm"]


def test_isolated_opening_times_keep_each_clock_left_to_right_and_the_words_in_the_page_direction(app):
    from pwa.bidi import ltr

    with in_language(app, "ur"):
        [line] = describe(False, WEEKDAYS, isolate=ltr)
        [late] = describe(False, LATE, isolate=ltr)
    nine, half_five = (format_time(time(*hm), "short", locale="ur") for hm in ((9, 0), (17, 30)))  # CLDR's Urdu
    assert line == f'پیر سے جمعہ تک، <bdi dir="ltr">{nine}</bdi> سے <bdi dir="ltr">{half_five}</bdi> تک'
    assert "<bdi" in late and "midnight" not in late and not late.endswith("</bdi>")  # a word: in the sentence's direction
    with in_language(app, "en-GB"):
        assert describe(False, [{"days": ["mon"], "opens": "09:00", "closes": "17:00"}], isolate=ltr) == [
            'Monday, <bdi dir="ltr">9am</bdi> to <bdi dir="ltr">5pm</bdi>']


def test_guide_and_contact_dates_follow_the_language(client):
    welsh = client.get("/guides/helping-safely", headers={"Accept-Language": "cy"}).get_data(as_text=True)
    assert re.search(r'class="guide__source">[^<]* \d+ (Ionawr|Chwefror|Mawrth|Ebrill|Mai|Mehefin|Gorffennaf|Awst|Medi'
                     r"|Hydref|Tachwedd|Rhagfyr) \d{4}", welsh)
    polish = client.get("/helplines", headers={"Accept-Language": "pl"}).get_data(as_text=True)
    assert re.search(r"\d+ (stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada"
                     r"|grudnia) \d{4}", polish)
    assert "November" not in polish.split("<main")[1]


def test_numbers_on_pages_are_isolated_left_to_right(client):
    for path in ("/", "/offline", "/worried", "/helplines"):
        html = client.get(path).get_data(as_text=True)
        assert '<a class="button button--call' in html, path
        calls = re.findall(r'<a class="button button--call[^"]*" href="tel:[^"]+">([^<]*(?:<bdi[^>]*>[^<]*</bdi>)?)</a>',
                           html)
        assert calls and all('<bdi dir="ltr">' in call for call in calls), (path, calls)
    limits = client.get("/limits").get_data(as_text=True)
    assert '<a href="tel:08082000247"><bdi dir="ltr">0808 2000 247</bdi></a>' in limits


@pytest.mark.parametrize("plain_decoy", DECOYS)
def test_every_decoy_has_its_whole_way_back_sentences(tmp_path, plain_decoy):
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}", PLAIN_DECOY=plain_decoy)
    client = app.test_client()
    html = client.get("/appearance").get_data(as_text=True)
    pin = re.search(r"<span data-way-back-pin hidden>(.*?)</span>", html)[1]
    no_pin = re.search(r"<span data-way-back-no-pin>(.*?)</span>", html)[1]
    switches = f'"Hide" switches this app to a {plain_decoy} page. To come back, '
    assert pin.startswith(switches) and pin.endswith(".")
    assert no_pin.startswith(switches) and no_pin.endswith('<a href="/appearance">choose a PIN</a> so that nobody else can.')
    assert f"The Hide button shows the {plain_decoy} app." in html
    for decoy in DECOYS:
        assert re.search(r'<span class="appearance__hint">Way in: [^<]+\.', html.split(f'id="look-{decoy}"')[1])
        saved = client.get(f"/appearance?saved={decoy}").get_data(as_text=True)
        assert re.search(rf"It opens as a working {decoy} app\. To get back in, [^<]+\.</p>", saved), decoy


def test_error_titles_keep_werkzeugs_english_words():
    for code, title in errors.TITLES.items():
        assert title == default_exceptions[code]().name


@pytest.fixture
def welsh_test_catalogue(tmp_path):
    from pwa.extensions import babel

    def forget():
        domain = vars(babel).get("domain_instance")
        if domain is not None:
            domain.cache.clear()
    folder = tmp_path / "translations" / "cy" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    entries = {
        "Not Found": "TEST-CY Not Found",
        "Guides": "TEST-CY Guides",
        "Before you need it:": "TEST-CY Before",
        '"Hide" switches this app to a weather page. To come back, search for your PIN.': "TEST-CY weather way back",
        "Last checked %(checked)s.": "TEST-CY checked %(checked)s.",
        "Choose one of the appearances listed.": "TEST-CY choose one",
    }
    po = "".join(f'msgid "{k.replace(chr(34), chr(92) + chr(34))}"\nmsgstr "{v}"\n\n' for k, v in entries.items())
    with open(folder / "messages.mo", "wb") as mo:
        write_mo(mo, read_po(BytesIO(po.encode()), locale="cy"))
    forget()
    yield make_app(f"sqlite:///{tmp_path / 'db.sqlite'}", BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"))
    forget()


def test_page_text_from_python_and_templates_is_translated(welsh_test_catalogue):
    client = welsh_test_catalogue.test_client()
    welsh = {"Accept-Language": "cy"}
    missing = client.get("/guides/nothing-here", headers=welsh)
    assert missing.status_code == 404 and "<h1>TEST-CY Not Found</h1>" in missing.get_data(as_text=True)
    guides = client.get("/guides", headers=welsh).get_data(as_text=True)
    assert "<h1>TEST-CY Guides</h1>" in guides
    assert "<strong>TEST-CY Before</strong>" in guides and "TEST-CY weather way back</span>" in guides
    guide = client.get("/guides/helping-safely", headers=welsh).get_data(as_text=True)
    assert re.search(r"TEST-CY checked \d+ Tachwedd \d{4}\.", guide)
    refused = client.post("/appearance", data={"look": "nope"}, headers=welsh)
    assert refused.status_code == 400 and "TEST-CY choose one" in refused.get_data(as_text=True)


def test_words_that_stay_english_are_marked_english_on_other_languages_pages(client):
    urdu = client.get("/helplines", headers={"Accept-Language": "ur"}).get_data(as_text=True)
    assert '<h3 class="service__name" lang="en-GB" dir="ltr">Samaritans</h3>' in urdu  # an organisation's own name
    assert '<h2 id="area-national" lang="en-GB" dir="ltr">' in urdu
    english = client.get("/helplines").get_data(as_text=True)
    assert '<h3 class="service__name">Samaritans</h3>' in english


def test_the_plans_questions_say_they_are_still_english(client):
    welsh = client.get("/plan", headers={"Accept-Language": "cy"}).get_data(as_text=True)
    assert 'class="language-note"' in welsh
    assert re.search(r'<legend lang="en-GB" dir="ltr">[A-Z]', welsh)  # a question, marked as English
    english = client.get("/plan").get_data(as_text=True)
    assert 'class="language-note"' not in english and "<legend>" in english
