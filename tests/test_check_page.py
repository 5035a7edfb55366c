"""The risk self-check (/check) and the page for friends and family (/worried), as served, without JavaScript."""
import re
from html import unescape

import pytest

from pwa import content, risk_check
from pwa.extensions import db
from pwa.models import Guide, Service

FACTORS = ["separation", "strangulation", "stalking", "threats-to-kill", "pregnancy", "escalation", "weapons",
           "control"]
NEVER_SAID = ["low risk", "you are safe", "you're safe", "standard risk", "medium risk"]


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_every_factor_is_a_question_with_why_it_matters_and_a_source():
    slugs = [q.slug for q in risk_check.QUESTIONS]
    assert set(FACTORS) <= set(slugs) and len(slugs) == len(set(slugs))
    assert 10 <= len(slugs) <= 12
    for question in (*risk_check.QUESTIONS, risk_check.CLUSTER):
        assert question.why and question.sources, question.slug
        assert all(source.url.startswith("https://") for source in question.sources), question.slug
    assert set(risk_check.CLUSTER_PARTS) <= set(slugs)


def test_without_javascript_every_question_shows_why_it_matters_and_where_to_get_help(client):
    html = client.get("/check").get_data(as_text=True)
    text = text_of(html)
    for question in risk_check.QUESTIONS:
        assert text_of(question.question) in text
        assert text_of(question.why) in text
        for value in risk_check.ANSWERS:
            assert f'name="check-{question.slug}" type="radio" value="{value}" autocomplete="off"' in html
    # The help routes, all in the page as served.
    assert 'href="tel:999"' in html and 'press <strong><bdi dir="ltr">55</bdi></strong>' in html
    assert "does not tell them where you are" in text
    assert 'href="tel:08082000247"' in html and "0808 2000 247" in text and "24 hours" in text
    assert 'href="/helplines"' in html
    assert "What is a Marac?" in text and "What is an IDVA?" in text
    assert "not the checklist that professionals use" in text and "Dash risk assessment" in text
    assert 'does not mean there is no danger' in text
    # Every source the page names is linked once at its foot, with the history warning.
    for source in risk_check.all_sources():
        assert f'href="{source.url}"' in html, source.url
    assert "Last checked 30 November 2026." in text


def test_the_check_cannot_send_its_answers_anywhere(client):
    html = client.get("/check").get_data(as_text=True)
    assert "<form" not in html  # no form: nothing to submit, no answers in a URL or the history
    assert 'type="submit"' not in html and "formaction" not in html
    assert 'type="text"' not in html and "<textarea" not in html  # no free text to leak


def test_the_result_parts_are_hidden_until_the_script_fills_them(client):
    html = client.get("/check").get_data(as_text=True)
    assert re.search(r'<section class="check-result" data-check-result [^>]*hidden>', html)
    assert re.search(r'<p class="check-actions" data-check-actions hidden>', html)
    assert re.search(r'<button [^>]*data-save-to-plan hidden>Save these answers in my safety plan</button>', html)
    assert f'data-cluster-parts="{" ".join(risk_check.CLUSTER_PARTS)}"' in html


@pytest.mark.parametrize("path", ["/check", "/worried"])
def test_never_says_low_risk_or_safe(client, path):
    text = text_of(client.get(path).get_data(as_text=True)).lower()
    for words in NEVER_SAID:
        assert words not in text, words


def test_worried_page_lists_the_worried_guides_only(app, client):
    html = client.get("/worried").get_data(as_text=True)
    with app.app_context():
        guides = db.session.scalars(db.select(Guide)).all()
    worried = [g for g in guides if g.audience == "worried"]
    assert {"worried-about-someone", "helping-safely"} <= {g.slug for g in worried}
    for guide in guides:
        assert (f'href="/guides/{guide.slug}"' in html) == (guide.audience == "worried"), guide.slug
    assert 'href="tel:999"' in html


def test_worried_page_falls_back_to_the_national_helpline_where_no_service_is_tagged(app, client):
    with app.app_context():
        for service in db.session.scalars(db.select(Service)):
            service.categories = [c for c in service.categories if c != "friends-family"] or ["helpline"]
        db.session.commit()
    text = text_of(client.get("/worried").get_data(as_text=True))
    assert "No service here is listed yet as being for friends and family" in text
    assert "0808 2000 247" in text
    assert "0300 123 5101" not in text  # a local service is not passed off as one for friends and family


def test_worried_page_lists_services_tagged_for_friends_and_family(app, client):
    with app.app_context():
        service = db.session.scalar(db.select(Service).where(Service.phone == "0300 123 5101"))
        service.categories = [*service.categories, "friends-family"]
        db.session.commit()
    text = text_of(client.get("/worried").get_data(as_text=True))
    assert "0300 123 5101" in text
    assert "No service here is listed yet" not in text


def test_worried_guides_are_short_and_sourced(app):
    with app.app_context():
        worried = db.session.scalars(content.ordered_guides().where(Guide.audience == "worried")).all()
        for guide in worried:
            assert guide.source.startswith("https://") and guide.last_checked.isoformat() == "2026-11-30"
            assert len(guide.body_markdown) < 1500, guide.slug  # every phone downloads it on the first visit
