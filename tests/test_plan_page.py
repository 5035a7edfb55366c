"""The safety plan page as the server renders it: a blank plan that works without JavaScript, nothing typed in
it kept by the browser, and its script kept for offline only once used."""
import re

from markupsafe import escape
from test_plan_browser import QUESTIONS as PUBLISHED
from test_pwa import urls, worker

from pwa.plan import PARTS

QUESTIONS = list(PUBLISHED.values())


def test_the_plan_renders_every_part_and_question_for_reading_or_printing_without_javascript(client):
    response = client.get("/plan")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for number, part in enumerate(PARTS, start=1):
        assert f"Part {number} of {len(PARTS)}</span> {part.title}" in page
    for question in QUESTIONS:
        assert escape(question["text"]) in page
        for option in question["options"]:
            assert f'value="{option["value"]}"' in page and escape(option["label"]) in page
    assert "0808&nbsp;2000&nbsp;247" in page and 'href="tel:08082000247"' in page
    noscript = re.search(r"<noscript>(.*?)</noscript>", page, re.DOTALL).group(1)
    assert "typed answers are not kept" in noscript and "print it and fill it in by hand" in noscript
    # What needs the script starts hidden: without it, nothing offers to keep answers it could not keep.
    assert re.search(r'<section class="plan-keep"[^>]*\bhidden\b', page)
    assert all("hidden" in nav for nav in re.findall(r'<div class="journal-actions plan-nav"[^>]*>', page))


def test_a_question_shown_only_with_an_answer_says_so_in_words(client):
    page = client.get("/plan").get_data(as_text=True)
    for question in QUESTIONS:
        if question["show_if"]:
            slug, value = question["show_if"].split("=")
            depends = next(q for q in QUESTIONS if q["slug"] == slug)
            label = next(o["label"] for o in depends["options"] if o["value"] == value)
            assert f'data-show-if="{question["show_if"]}"' in page
            assert escape(f"If you answered \u201c{label}\u201d to \u201c{depends['text']}\u201d.") in page


def test_nothing_typed_in_the_plan_is_kept_by_the_browser(client):
    page = client.get("/plan").get_data(as_text=True)
    fields = re.findall(r"<(?:input|textarea|select)\b[^>]*>", page)
    assert fields
    for field in fields:
        assert 'autocomplete="off"' in field, field
        if "<textarea" in field or 'type="text"' in field:
            assert 'spellcheck="false"' in field, field
    for form in re.findall(r"<form\b[^>]*>", page):
        assert 'autocomplete="off"' in form


def test_the_journal_home_links_to_the_plan(client):
    assert 'href="/plan">Safety plan</a>' in client.get("/journal").get_data(as_text=True)


def test_the_plan_page_and_its_script_are_kept_on_a_later_visit(client):
    _, precache = worker(client)
    # Not on a first visit: the page comes with its modules on the next one (sw.js keepForOffline).
    assert "/plan" not in urls(precache) and "/plan" not in [entry["url"] for entry in precache["pages"]]
    assert "/plan" in precache["later"]["visit"]
    assert "/static/css/plan.css" in urls(precache)
    kept = {e["url"] for e in precache["onDemand"] if e["url"].startswith("/static/js/plan/")}
    assert kept == {"/static/js/plan/app.js", "/static/js/plan/answers.js", "/static/js/plan/keep.js"}
    assert all(e.get("later") for e in precache["onDemand"] if e["url"] in kept)  # fetched on a later visit
    assert not [url for url in urls(precache) if url.startswith("/static/js/plan/")]


def test_the_pages_the_advice_comes_from_are_named_with_when_they_were_checked(client):
    page = client.get("/plan").get_data(as_text=True)
    sources = {q["source"] for q in QUESTIONS if q.get("source")}
    assert sources
    for url in sources:
        assert page.count(f'href="{url}"') == 1  # once each, however many questions use it
    assert 'rel="noreferrer noopener"' in page and ", checked " in page
