"""Numbers in right-to-left pages, in real Chromium (issue 14): with Urdu words before it, "0808 2000 247" must
still show as 0808 2000 247, not "247 2000 0808". The Urdu here is a throwaway test catalogue (and, in a guide,
words put in by the test), not a translation the app ships.
"""
from io import BytesIO

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from conftest import make_app
from support import LiveServer

from pwa import i18n
from pwa.extensions import babel

pytestmark = pytest.mark.browser

LIMITS_MSGID = ('If you think your phone is being monitored, a helpline adviser can talk through safer ways to get help: '
                'call <a href="tel:08082000247">%(number)s</a>, ideally from a phone the other person cannot check.')
URDU = {
    LIMITS_MSGID: 'اگر آپ کو لگتا ہے کہ آپ کے فون کی نگرانی ہو رہی ہے تو ہیلپ لائن کو کال کریں '
                  '<a href="tel:08082000247">%(number)s</a> ایسے فون سے جسے دوسرا شخص نہ دیکھ سکے۔',
    "Call %(number)s": "کال کریں %(number)s",
}
# Each run of digits inside the element, in the text's order, with where it is drawn on the screen.
DIGIT_GROUPS = """(element) => {
  const found = []
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT)
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/\\d+/g)) {
      const range = document.createRange()
      range.setStart(node, match.index)
      range.setEnd(node, match.index + match[0].length)
      const box = range.getBoundingClientRect()
      found.push({ digits: match[0], left: box.left, top: Math.round(box.top) })
    }
  }
  return found
}"""


# The order is decided line by line: the measured text is kept on one line, so that a line break (which a long
# number may take at 200% text size, as any text does) is not mistaken for a reversal.
ONE_LINE = "(element) => { element.style.whiteSpace = 'nowrap' }"


def drawn_in_order(groups) -> bool:
    """Whether the groups, all on one line, are drawn left to right in the order they are written."""
    assert len({group["top"] for group in groups}) == 1, groups
    lefts = [group["left"] for group in groups]
    return lefts == sorted(lefts)


def forget_catalogues():
    domain = vars(babel).get("domain_instance")
    if domain is not None:
        domain.cache.clear()


@pytest.fixture
def urdu_server(tmp_path):
    folder = tmp_path / "translations" / "ur" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = "".join(f'msgid "{k.replace(chr(34), chr(92) + chr(34))}"\nmsgstr "{v.replace(chr(34), chr(92) + chr(34))}"\n\n'
                 for k, v in URDU.items())
    with open(folder / "messages.mo", "wb") as mo:
        write_mo(mo, read_po(BytesIO(po.encode()), locale="ur"))
    forget_catalogues()
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}", BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations"))
    server = LiveServer(app).start()
    yield server
    server.stop()
    forget_catalogues()


@pytest.fixture
def urdu_page(browser, urdu_server):
    context = browser.new_context(base_url=urdu_server.url, viewport={"width": 1024, "height": 768})
    context.add_cookies([{"name": i18n.COOKIE, "value": "ur", "url": urdu_server.url}])
    page = context.new_page()
    yield page
    context.close()


def test_a_phone_number_after_urdu_words_keeps_its_order(urdu_page):
    urdu_page.goto("/limits")
    assert urdu_page.evaluate("document.documentElement.dir") == "rtl"
    paragraph = urdu_page.locator("p", has=urdu_page.locator('a[href="tel:08082000247"]')).last
    assert "کال کریں" in paragraph.inner_text()
    link = paragraph.locator('a[href="tel:08082000247"]')
    paragraph.evaluate(ONE_LINE)
    groups = link.evaluate(DIGIT_GROUPS)
    assert [group["digits"] for group in groups] == ["0808", "2000", "247"]
    assert drawn_in_order(groups), groups
    assert not drawn_in_order(without_wrapper(urdu_page, link.inner_text()))


def without_wrapper(page, number: str):
    """The digit groups of Urdu words and the number, as plain text in a right-to-left paragraph: drawn
    "247 2000 0808", which shows the test can tell."""
    return page.evaluate(f"""(text) => {{
      const control = document.createElement('p')
      control.textContent = text
      control.style.whiteSpace = 'nowrap'
      document.querySelector('main').prepend(control)
      return ({DIGIT_GROUPS})(control)
    }}""", f"کال کریں {number}")


def test_call_buttons_keep_the_number_in_order(urdu_page):
    urdu_page.goto("/helplines")
    button = urdu_page.locator("#galop .button--call")
    button.evaluate(ONE_LINE)
    assert button.inner_text().startswith("کال کریں")
    groups = button.evaluate(DIGIT_GROUPS)
    assert [group["digits"] for group in groups] == ["0800", "999", "5428"]
    assert drawn_in_order(groups), groups
    assert not drawn_in_order(without_wrapper(urdu_page, "0800 999 5428"))


def test_a_guide_number_after_urdu_words_keeps_its_order(urdu_page):
    urdu_page.goto("/guides/helping-safely")
    link = urdu_page.locator('.prose a[href="tel:08082000247"]')
    # The guide is not translated yet: put Urdu words before the number, as a translated guide will have.
    link.evaluate("(a) => { a.firstChild.data = 'قومی ہیلپ لائن، ' }")
    link.evaluate("(a) => { a.closest('p, li').style.whiteSpace = 'nowrap' }")
    assert link.evaluate("(a) => a.querySelector('bdi[dir=ltr]').textContent") == "0808 2000 247"
    assert drawn_in_order(link.evaluate(DIGIT_GROUPS))
    assert not drawn_in_order(without_wrapper(urdu_page, "0808 2000 247"))
