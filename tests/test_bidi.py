"""Numbers in right-to-left text (issue 14): the `ltr` filters and the guide post-processor (pwa/bidi.py)."""
import pytest
from markupsafe import Markup

from pwa.bidi import isolate_numbers, ltr, ltr_numbers
from pwa.guide_markdown import render

LTR = '<bdi dir="ltr">'


def test_ltr_isolates_and_escapes():
    assert ltr("0808 2000 247") == Markup('<bdi dir="ltr">0808 2000 247</bdi>')
    assert ltr('<script>alert("x")</script>') == '<bdi dir="ltr">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</bdi>'
    assert ltr(None) == "" and ltr("") == ""


def test_ltr_in_a_template_escapes_and_keeps_the_sentence_translatable(app):
    with app.test_request_context():
        rendered = app.jinja_env.from_string(
            '{% trans number=phone | ltr %}Call {{ number }}{% endtrans %}').render(phone="0808 <b>1</b>")
    assert rendered == 'Call <bdi dir="ltr">0808 &lt;b&gt;1&lt;/b&gt;</bdi>'


def test_ltr_numbers_escapes_plain_text_then_isolates_its_numbers():
    assert ltr_numbers("<i>Call 0808 2000 247</i> & ask") == (
        '&lt;i&gt;Call <bdi dir="ltr">0808 2000 247</bdi>&lt;/i&gt; &amp; ask')
    assert ltr_numbers(None) == ""


@pytest.mark.parametrize("markdown, isolated", [
    ("Call [0808 2000 247](tel:08082000247) now.", f'<a href="tel:08082000247">{LTR}0808 2000 247</bdi></a>'),
    ("Text [999](sms:999).", f'<a href="sms:999">{LTR}999</bdi></a>'),
    ("Ring [+44 (0)20 7946 0000](tel:+442079460000).", f'<a href="tel:+442079460000">{LTR}+44 (0)20 7946 0000</bdi></a>'),
    ("The helpline, 0808 2000 247, is free.", f"The helpline, {LTR}0808 2000 247</bdi>, is free."),
    ("Open 9am to 5pm, Saturday 10:00-16:00.", f"Open {LTR}9am to 5pm</bdi>, Saturday {LTR}10:00-16:00</bdi>."),
    ("In an emergency call 999.", f"In an emergency call {LTR}999</bdi>."),
])
def test_guides_isolate_phone_numbers_and_times(markdown, isolated):
    assert isolated in isolate_numbers(render(markdown))


@pytest.mark.parametrize("markdown", [
    "See [the police](https://www.example.police.uk/news/2020/5/999-web-chat/) page.",  # digits in an href
    "Read www.example.org/2000-247 or https://example.org/0808 2000.",  # addresses written out
    "One in 4 women, 1,000 calls, 2.5 times, press 55, since 2021.",  # counts, decimals, short codes, years
    "A dash \u2014 and &#8212; stay.",
])
def test_guides_leave_other_digits_alone(markdown):
    html = render(markdown)
    assert LTR not in isolate_numbers(html)
    assert isolate_numbers(html) == html


def test_link_attributes_keep_their_digits_and_only_the_text_is_isolated():
    html = isolate_numbers(render("[0800 111 999](https://example.org/0800-111-999?q=0800%20111)"))
    assert '<a href="https://example.org/0800-111-999?q=0800%20111" rel="noreferrer noopener">' in html
    assert html.count(LTR) == 1 and f">{LTR}0800 111 999</bdi>" in html


def test_a_tel_link_in_words_keeps_its_words_in_the_page_direction():
    html = isolate_numbers(render("[Call the helpline](tel:08082000247)"))
    assert LTR not in html


def test_running_it_twice_changes_nothing():
    once = isolate_numbers(render("Call [0808 2000 247](tel:08082000247) or 999, 9am to 5pm."))
    assert isolate_numbers(once) == once


def test_stored_guides_are_rendered_with_numbers_isolated(client):
    html = client.get("/guides/helping-safely").get_data(as_text=True)
    assert f'<a href="tel:999">{LTR}999</bdi></a>' in html
    assert f"{LTR}0808 2000 247</bdi>" in html
