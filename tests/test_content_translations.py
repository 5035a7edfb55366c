"""Content translations (issue 14): content/translations/<language>/ in the pack, checked, loaded, exported,
shown on pages in the chosen language with English fallback, and reviewed in the admin."""
import re
import shutil

import pytest

from pwa import content
from pwa.admin import translations as admin_translations
from pwa.admin.models import AuditEntry
from pwa.extensions import db
from pwa.models import Translation
from pwa.settings import PROJECT_ROOT
from support import create_staff
from test_admin import EMAIL, PASSWORD, csrf_from, sign_in

EDITOR = "editor.only@agency.example"

# Test words, not a real translation: what matters is the format and the numbers.
WELSH_SILENT_SOLUTION = """+++
title = "Os na allwch siarad ar alwad 999"
summary = "Ffoniwch 999, yna pwyswch 55 ar ffôn symudol."
needs_review = true
translated_on = 2026-11-30
+++
Ffoniwch [999](tel:999). Pwyswch 55. Ar linell dir, mae'r llinell ar agor am 45 eiliad. Relay UK: deialwch 18000.
"""
WELSH_SERVICES = """
[[service]]
slug = "police-101"
description = "Ffoniwch 101 i roi gwybod am drosedd pan nad yw'n argyfwng."
hours_note = "Mewn argyfwng, ffoniwch 999 bob amser."
needs_review = false
translated_on = 2026-11-30
reviewed_by = "Cymdeithas Cyfieithwyr"
reviewed_on = 2026-11-30

[[service]]
slug = "emergency-999"
description = "Ffoniwch 999 mewn argyfwng."
translated_on = 2026-11-30
"""


@pytest.fixture
def pack_dir(tmp_path):
    """The default pack with only its Easy Read translations, so each test says which others there are."""
    target = tmp_path / "pack"
    shutil.copytree(PROJECT_ROOT / "content", target)
    for folder in (target / "translations").iterdir():
        if folder.name != "en-GB-x-easy":
            shutil.rmtree(folder)
    return target


@pytest.fixture
def welsh_pack(pack_dir):
    (pack_dir / "translations/cy/guides").mkdir(parents=True)
    (pack_dir / "translations/cy/guides/silent-solution.md").write_text(WELSH_SILENT_SOLUTION, encoding="utf-8")
    (pack_dir / "translations/cy/services.toml").write_text(WELSH_SERVICES, encoding="utf-8")
    return pack_dir


def problems_for(directory) -> list[str]:
    with pytest.raises(content.ContentError) as caught:
        content.read_pack(directory)
    return caught.value.problems


def load(app, directory):
    with app.app_context():
        content.load_pack(content.read_pack(directory))


# The pack ---------------------------------------------------------------------------------------------------

def test_the_default_pack_translates_every_guide_and_service_into_each_language_for_review():
    pack = content.read_pack(PROJECT_ROOT / "content")
    expected = {("guide", g["slug"]) for g in pack.guides} | {("service", s["slug"]) for s in pack.services}
    for language in ("cy", "pl", "ur", "pa"):
        translations = [t for t in pack.translations if t["language"] == language]
        assert {(t["kind"], t["slug"]) for t in translations} == expected, language
        assert all(t["needs_review"] for t in translations), language


def test_the_default_pack_has_easy_read_key_guides_needing_review():
    pack = content.read_pack(PROJECT_ROOT / "content")
    easy = {t["slug"]: t for t in pack.translations if t["language"] == "en-GB-x-easy"}
    assert set(easy) == set(content.EASY_READ_GUIDES)
    assert all(t["kind"] == "guide" and t["needs_review"] for t in easy.values())
    guides = {g["slug"]: g for g in pack.guides}
    for slug, translation in easy.items():  # every number exactly as in the English guide
        english = guides[slug]
        assert content.numbers_in(translation["title"], translation["summary"], translation["body_markdown"]) == \
            content.numbers_in(english["title"], english["summary"], english["body_markdown"])


def test_numbers_are_read_in_any_script_without_list_markers_or_addresses():
    text = "1. Call 0808 2000 247 or ۹۹۹.\n2. Press ੫੫ ([page](https://example.org/2024/7))."
    assert content.numbers_in(text) == {"0808 2000 247", "999", "55"}


def test_translations_are_read_with_their_review_state(welsh_pack):
    pack = content.read_pack(welsh_pack)
    welsh = {(t["kind"], t["slug"]): t for t in pack.translations if t["language"] == "cy"}
    assert set(welsh) == {("guide", "silent-solution"), ("service", "police-101"), ("service", "emergency-999")}
    assert welsh["service", "police-101"]["needs_review"] is False
    assert welsh["service", "police-101"]["reviewed_by"] == "Cymdeithas Cyfieithwyr"
    assert welsh["service", "emergency-999"]["needs_review"] is True  # until an agency says otherwise


@pytest.mark.parametrize("change, expected", [
    (("pwyswch 55", "pwyswch 56"), "missing 55; not in the English: 56"),
    (("deialwch 18000.", "deialwch 18000 neu 0800 123 456."), "not in the English: 0800 123 456"),
    (("am 45 eiliad", "am ychydig eiliadau"), "missing 45"),
])
def test_a_translation_whose_numbers_differ_from_the_english_is_an_error(welsh_pack, change, expected):
    path = welsh_pack / "translations/cy/guides/silent-solution.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Pwyswch 55", "pwyswch 55").replace(*change), encoding="utf-8")
    [problem] = problems_for(welsh_pack)
    assert problem.startswith("translations/cy/guides/silent-solution.md: its numbers must be exactly the English")
    assert expected in problem


def test_a_service_translation_with_a_changed_number_is_an_error(welsh_pack):
    path = welsh_pack / "translations/cy/services.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("Ffoniwch 101", "Ffoniwch 111"), encoding="utf-8")
    [problem] = problems_for(welsh_pack)
    assert problem.startswith("translations/cy/services.toml: service (police-101): its numbers must be exactly")
    assert "missing 101; not in the English: 111" in problem


def test_translations_of_nothing_in_unknown_languages_or_twice_are_errors(welsh_pack):
    (welsh_pack / "translations/fr/guides").mkdir(parents=True)
    (welsh_pack / "translations/cy/guides/no-such-guide.md").write_text(
        '+++\ntitle = "Dim"\ntranslated_on = 2026-11-30\n+++\nTestun.\n', encoding="utf-8")
    services = welsh_pack / "translations/cy/services.toml"
    services.write_text(services.read_text(encoding="utf-8") + WELSH_SERVICES.split("[[service]]")[2]
                        .join(["[[service]]", ""]), encoding="utf-8")
    problems = problems_for(welsh_pack)
    assert "translations/fr/: not a language this app offers (use cy, pl, ur, pa, en-GB-x-easy)" in problems
    assert "translations/cy/guides/no-such-guide.md: no English guide with the short name 'no-such-guide'" in problems
    assert "translations/cy/services.toml: service (emergency-999): translated more than once" in problems


def test_a_translation_without_its_date_is_an_error(welsh_pack):
    path = welsh_pack / "translations/cy/guides/silent-solution.md"
    path.write_text(path.read_text(encoding="utf-8").replace("translated_on = 2026-11-30\n", ""), encoding="utf-8")
    assert problems_for(welsh_pack) == [
        "translations/cy/guides/silent-solution.md: guide[0] (silent-solution).translated_on: "
        "Give the date it was translated."]


def test_check_warns_about_missing_and_out_of_date_translations_but_passes(app, runner, welsh_pack):
    path = welsh_pack / "translations/cy/guides/silent-solution.md"
    # The English guide was last checked on 2026-11-30: a translation made before that is out of date.
    path.write_text(path.read_text(encoding="utf-8").replace("translated_on = 2026-11-30",
                                                             "translated_on = 2026-11-01"), encoding="utf-8")
    result = runner.invoke(args=["content", "check", "--dir", str(welsh_pack)])
    assert result.exit_code == 0, result.output
    assert "ok: " in result.output and "6 translations" in result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert ("warning: translations/cy: guide silent-solution is out of date: its English was checked after it "
            "was translated (translated_on)") in warnings
    missing_guides = next(w for w in warnings if w.startswith("warning: translations/cy: no translation of 7 guides"))
    assert "silent-solution" not in missing_guides and "clares-law" in missing_guides
    assert any(w.startswith("warning: translations/cy: no translation of 17 services") for w in warnings)
    assert any(w.startswith("warning: translations/pl: no translation of 8 guides") for w in warnings)
    # Easy Read covers the key guides only, and has all three.
    assert not any(w.startswith("warning: translations/en-GB-x-easy: no translation") for w in warnings)
    assert "warning: translations/cy: 2 of 3 translations need review by a fluent speaker" in warnings


def test_check_fails_on_a_wrong_number(app, runner, welsh_pack):
    path = welsh_pack / "translations/cy/services.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("ffoniwch 999 bob", "ffoniwch 112 bob"),
                    encoding="utf-8")
    result = runner.invoke(args=["content", "check", "--dir", str(welsh_pack)])
    assert result.exit_code != 0
    assert "error: translations/cy/services.toml: service (police-101): its numbers" in result.output


# Load, export, version ----------------------------------------------------------------------------------------

def test_load_and_export_round_trip_the_translations(app, runner, welsh_pack, tmp_path):
    loaded = runner.invoke(args=["content", "load", "--dir", str(welsh_pack), "--actor", "ops@agency.example"])
    assert loaded.exit_code == 0, loaded.output
    assert "translation cy/guide/silent-solution: changed" in loaded.output  # the default pack had one
    with app.app_context():
        row = db.session.scalar(db.select(Translation).filter_by(language="cy", slug="silent-solution"))
        assert row.kind == "guide" and row.needs_review and '<a href="tel:999"><bdi dir="ltr">999</bdi></a>' in row.body_html
        assert db.session.scalar(db.select(AuditEntry).filter_by(
            action="content-load", kind="translation", slug="cy/guide/silent-solution")) is not None
        in_database = content.translation_records()
    exported = runner.invoke(args=["content", "export", str(tmp_path / "out")])
    assert exported.exit_code == 0, exported.output and "6 translations" in exported.output
    assert (tmp_path / "out/translations/en-GB-x-easy/guides/safety-plan.md").exists()
    assert "needs_review = false" in (tmp_path / "out/translations/cy/services.toml").read_text(encoding="utf-8")
    again = content.read_pack(tmp_path / "out")
    assert content.pack_translation_records(again) == in_database == content.pack_translation_records(
        content.read_pack(welsh_pack))
    # And loading the export changes nothing.
    assert "nothing to load" in runner.invoke(args=["content", "load", "--dir", str(tmp_path / "out")]).output


def test_the_version_changes_with_a_translation_and_the_bundle_leaves_them_out(welsh_pack):
    pack = content.read_pack(welsh_pack)
    version = content.bundle_of(pack)["version"]
    pack.translations[0] = pack.translations[0] | {"needs_review": False}
    changed = content.bundle_of(pack)
    assert changed["version"] != version
    assert "translations" not in changed
    pack.translations = []
    assert content.bundle_of(pack)["version"] not in (version, changed["version"])


def test_a_server_without_translations_gets_the_packs_once(app, runner):
    with app.app_context():
        db.session.execute(db.delete(Translation))
        db.session.commit()
    result = runner.invoke(args=["content", "load", "--if-empty"])
    count = len(content.read_pack(PROJECT_ROOT / "content").translations)
    assert result.exit_code == 0 and f"Added the pack's {count} translations" in result.output, result.output
    with app.app_context():
        db.session.execute(db.delete(Translation))  # an agency removed them: they stay removed
        db.session.commit()
    again = runner.invoke(args=["content", "load", "--if-empty"])
    assert again.exit_code == 0 and "Added" not in again.output
    with app.app_context():
        assert content.translation_records() == []


# Pages ----------------------------------------------------------------------------------------------------

def said(client, language, text):
    """An interface sentence as the page says it in this language (from its catalogue)."""
    from flask_babel import gettext
    with client.application.test_request_context(headers={"Cookie": f"lang={language}"}):
        return gettext(text)


def page(client, path, language=None, isolated=True):
    """The page's HTML; `isolated=False` drops the <bdi dir="ltr"> round numbers (pwa/bidi.py) to compare words."""
    if language:
        client.set_cookie("lang", language)
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html if isolated else html.replace('<bdi dir="ltr">', "").replace("</bdi>", "")


def test_a_welsh_guide_shows_its_translation_and_says_it_is_not_yet_reviewed(app, client, welsh_pack):
    load(app, welsh_pack)
    html = page(client, "/guides/silent-solution", "cy", isolated=False)
    assert "<h1>Os na allwch siarad ar alwad 999</h1>" in html
    assert '<html lang="cy"' in html and '<article class="guide" id="guide-text">' in html  # Welsh under lang="cy"
    assert said(client, "cy", "This translation has not yet been checked by a fluent speaker.") in html
    assert said(client, "cy", "This is not yet available in the language you chose, so it is shown in English.") not in html


def test_a_guide_not_yet_in_welsh_falls_back_to_english_and_says_so(app, client, welsh_pack):
    load(app, welsh_pack)
    html = page(client, "/guides/clares-law", "cy")
    assert said(client, "cy", "This is not yet available in the language you chose, so it is shown in English.") in html
    assert '<article class="guide" id="guide-text" lang="en-GB" dir="ltr">' in html
    listing = page(client, "/guides", isolated=False)
    assert ">Os na allwch siarad ar alwad 999</a>" in listing
    assert '<li lang="en-GB" dir="ltr"><a href="/guides/clares-law">' in listing


def test_english_pages_show_no_language_notes(app, client, welsh_pack):
    load(app, welsh_pack)
    for path in ("/guides/silent-solution", "/guides", "/helplines", "/"):
        assert "language-note" not in page(client, path, "en-GB")


def test_service_descriptions_are_translated_and_reviewed_ones_carry_no_note(app, client, welsh_pack):
    load(app, welsh_pack)
    html = page(client, "/helplines", "cy", isolated=False)
    police = html[html.index('id="police-101"'):html.index("</article>", html.index('id="police-101"'))]
    assert "Ffoniwch 101 i roi gwybod" in police and "Mewn argyfwng, ffoniwch 999 bob amser." in police
    assert "language-note" not in police  # reviewed
    emergency = html[html.index('id="emergency-999"'):html.index("</article>", html.index('id="emergency-999"'))]
    unchecked = said(client, "cy", "This translation has not yet been checked by a fluent speaker.")
    assert "Ffoniwch 999 mewn argyfwng." in emergency and unchecked in emergency
    other = html[html.index('id="samaritans"'):html.index("</article>", html.index('id="samaritans"'))]
    fallback = said(client, "cy", "This is not yet available in the language you chose, so it is shown in English.")
    assert 'class="service__description" lang="en-GB" dir="ltr"' in other and fallback in other


def test_easy_read_chosen_by_the_cookie_shows_the_easy_read_guide(client):
    html = page(client, "/guides/silent-solution", "en-GB-x-easy")
    assert "You must sign up first." in html
    assert said(client, "en-GB-x-easy", "This translation has not yet been checked by a fluent speaker.") in html
    assert '<html lang="en-GB"' in html
    # Guides Easy Read does not cover, and services, are standard English without a note.
    assert "language-note" not in page(client, "/guides/clares-law")
    assert "language-note" not in page(client, "/helplines")


# Admin ----------------------------------------------------------------------------------------------------

@pytest.fixture
def admin(client, runner):
    assert create_staff(runner, EMAIL, PASSWORD).exit_code == 0
    assert sign_in(client).status_code == 302
    return client


def review_form(html: str, language: str, slug: str) -> dict:
    form = re.search(rf'<form method="post" action="/admin/translations/review"[^>]*>(?:(?!</form>).)*'
                     rf'name="language" value="{language}">\s*<input type="hidden" name="slug" value="{slug}">'
                     r'(?:(?!</form>).)*</form>', html, re.S).group(0)
    return dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form))


def test_the_admin_lists_each_languages_state(app, admin, welsh_pack):
    load(app, welsh_pack)
    html = admin.get("/admin/translations").get_data(as_text=True)
    welsh = html[html.index('id="language-cy"'):html.index('id="language-pl"')]
    assert "3 translated, 24 missing, 2 need review, 0 out of date." in welsh
    assert "Guide: If you can&#39;t speak on a 999 call" in welsh and "Service: Clare&#39;s Law" not in welsh
    state = admin_translations.catalogue_state("cy", PROJECT_ROOT / "pwa/translations")
    assert state.total > 50 and f"{state.translated} of {state.total} messages translated." in welsh
    easy = html[html.index('id="language-en-GB-x-easy"'):]
    assert "3 translated, 0 missing, 3 need review" in easy and "Uses the English interface text" in easy


def test_a_publisher_marks_a_translation_reviewed_and_it_is_audited(app, admin, client, welsh_pack):
    load(app, welsh_pack)
    html = admin.get("/admin/translations").get_data(as_text=True)
    form = review_form(html, "cy", "silent-solution")
    with app.app_context():
        version = content.bundle()["version"]
    response = admin.post("/admin/translations/review", data=form | {"reviewed_by": "Cyfieithu Cymru"})
    assert response.status_code == 302
    assert "Marked reviewed: Welsh (Cymraeg) guide If you can" in admin.get("/admin/translations").get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(db.select(Translation).filter_by(language="cy", slug="silent-solution"))
        assert not row.needs_review and row.reviewed_by == "Cyfieithu Cymru" and row.reviewed_on is not None
        entry = db.session.scalar(db.select(AuditEntry).filter_by(action="translation-reviewed"))
        assert (entry.actor, entry.kind, entry.slug) == (EMAIL, "translation", "cy/guide/silent-solution")
        assert entry.before["needs_review"] is True and entry.after["needs_review"] is False
        assert content.bundle()["version"] != version  # pages refresh and drop the note
    assert "Marked a translation reviewed" in admin.get("/admin/audit").get_data(as_text=True)
    public = page(client, "/guides/silent-solution", "cy")
    assert "Os na allwch siarad" in public and "language-note" not in public
    # The same form again is stale: the translation changed since.
    again = admin.post("/admin/translations/review", data=form | {"reviewed_by": "Someone"}, follow_redirects=True)
    assert "Not marked reviewed: the translation changed since the page was shown" in again.get_data(as_text=True)


def test_a_review_needs_a_reviewer_and_a_publisher(app, admin, client, runner, welsh_pack):
    load(app, welsh_pack)
    form = review_form(admin.get("/admin/translations").get_data(as_text=True), "cy", "silent-solution")
    blank = admin.post("/admin/translations/review", data=form | {"reviewed_by": "  "}, follow_redirects=True)
    assert "Not marked reviewed: say who reviewed it" in blank.get_data(as_text=True)
    assert create_staff(runner, EDITOR, PASSWORD, role="editor").exit_code == 0
    admin.post("/admin/logout", data={"csrf_token": csrf_from(admin.get("/admin/"))})
    assert sign_in(client, EDITOR).status_code == 302
    listing = client.get("/admin/translations").get_data(as_text=True)
    assert "Publishers and admins can mark translations reviewed." in listing and "Mark reviewed" not in listing
    refused = client.post("/admin/translations/review", data=form | {"reviewed_by": "Me",
                                                                     "csrf_token": csrf_from(client.get("/admin/"))})
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(Translation).filter_by(language="cy", slug="silent-solution")).needs_review


def test_a_catalogues_state_counts_its_translations_and_reads_its_review_status(tmp_path):
    folder = tmp_path / "pl/LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text("""# Machine translation made 2026-11-30: needs review by a fluent speaker
# before an agency relies on it.
msgid ""
msgstr ""
"Language: pl\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"

msgid "Open now"
msgstr "Otwarte teraz"

msgid "Closed now"
msgstr ""

msgid "%(num)s contact"
msgid_plural "%(num)s contacts"
msgstr[0] "%(num)s kontakt"
msgstr[1] "%(num)s kontakty"
msgstr[2] ""
""", encoding="utf-8")
    state = admin_translations.catalogue_state("pl", tmp_path)
    assert (state.translated, state.total, state.review_status) == (1, 3, "needs review by a fluent speaker")
    assert admin_translations.catalogue_state("ur", tmp_path) is None


def test_every_interface_catalogue_says_it_needs_review():
    for language in ("cy", "pl", "ur", "pa"):
        state = admin_translations.catalogue_state(language, PROJECT_ROOT / "pwa" / "translations")
        assert state.review_status == "needs review by a fluent speaker", language
        assert state.translated == state.total, language


def test_the_admins_download_holds_the_translations(app, admin):
    import io
    import zipfile

    download = admin.get("/admin/export")
    with app.app_context():
        version = content.bundle()["version"]
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        text = archive.read(f"content-{version}/translations/en-GB-x-easy/guides/silent-solution.md").decode()
    assert "needs_review = true" in text and "You must sign up first." in text


def test_numbers_read_left_to_right_in_urdu_text(app, client, pack_dir):
    (pack_dir / "translations/ur").mkdir(parents=True)
    (pack_dir / "translations/ur/services.toml").write_text(
        '[[service]]\nslug = "police-101"\ndescription = "ہنگامی صورت کے علاوہ 101 پر کال کریں۔"\n'
        'hours_note = "ہنگامی صورت میں ہمیشہ ۹۹۹ پر کال کریں۔"\ntranslated_on = 2026-11-30\n', encoding="utf-8")
    load(app, pack_dir)
    html = page(client, "/helplines", "ur")
    police = html[html.index('id="police-101"'):html.index("</article>", html.index('id="police-101"'))]
    assert 'علاوہ <bdi dir="ltr">101</bdi> پر' in police and '<bdi dir="ltr">۹۹۹</bdi>' in police
    other = html[html.index('id="childline"'):html.index("</article>", html.index('id="childline"'))]
    assert 'lang="en-GB" dir="ltr"' in other  # English fallback in a right-to-left page
