"""Links to other websites say, before the tap, that the visit will show in the browser's history; a contact
card leads with its call button, and its "Source" comes last."""
from html.parser import HTMLParser
from urllib.parse import urlsplit

from pwa import content
from pwa.extensions import db
from pwa.guide_markdown import render
from pwa.models import Guide
from pwa.wording import OTHER_SITE_HINT

NOT_PAGES = ("/api/", "/admin", "/static/", "/sw.js", "/manifests/")


class Links(HTMLParser):
    """Every link: its href, its text (hint included), the hint on its own, and the card it is in."""

    def __init__(self):
        super().__init__()
        self.links, self.open, self.card = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "article" and "service" in classes:
            self.card = attrs["id"]
        if tag == "a":
            self.links.append({"href": attrs.get("href"), "text": "", "hint": "", "card": self.card})
        self.open.append((tag, classes))

    def handle_endtag(self, tag):
        while self.open:
            opened, _ = self.open.pop()
            if opened == tag:
                break
        if tag == "article":
            self.card = None

    def handle_data(self, data):
        inside = [tag for tag, _ in self.open]
        if "a" in inside and self.links:
            self.links[-1]["text"] += data
            if any("other-site-hint" in classes for _, classes in self.open):
                self.links[-1]["hint"] += data


def links_on(client, path):
    parser = Links()
    parser.feed(client.get(path).get_data(as_text=True))
    return parser.links


def public_pages(app):
    client = app.test_client()
    paths = [rule.rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(NOT_PAGES)]
    with app.app_context():
        paths += [f"/guides/{guide.slug}" for guide in db.session.scalars(content.ordered_guides())]
    return [path for path in paths if client.get(path).mimetype == "text/html"]


def is_other_site(href):
    return urlsplit(href or "").scheme in ("http", "https")


def test_every_link_to_another_website_says_so_inside_the_link(app, client):
    seen = 0
    for path in public_pages(app):
        for link in links_on(client, path):
            if is_other_site(link["href"]):
                seen += 1
                assert link["hint"] == f" ({OTHER_SITE_HINT})", (path, link)
            else:
                assert link["hint"] == "", (path, link)  # a call, a text or a page of this app leaves nothing new
    assert seen >= 10  # every card's Source, the Website button, every guide's Source
    assert "history" in OTHER_SITE_HINT


def test_links_in_a_guides_text_to_other_websites_say_so_too(app, client):
    html = render("Read [the police's advice](https://police.example/advice), call [101](tel:101) "
                  "or see [the guides](/guides).")
    assert html.count(OTHER_SITE_HINT) == 1
    assert f'advice<span class="other-site-hint"> ({OTHER_SITE_HINT})</span></a>' in html
    with app.app_context():
        guide = db.session.scalars(db.select(Guide)).first()
        guide.body_markdown = "See [the police's advice](https://police.example/advice)."
        guide.body_html = content.render_markdown(guide.body_markdown)
        db.session.commit()
        slug = guide.slug
    link = next(link for link in links_on(client, f"/guides/{slug}") if link["href"] == "https://police.example/advice")
    assert link["text"] == f"the police's advice ({OTHER_SITE_HINT})"


def test_a_contact_card_leads_with_its_call_button_and_ends_with_its_source(client):
    cards = {}
    for link in links_on(client, "/helplines"):
        if link["card"]:
            cards.setdefault(link["card"], []).append(link)
    assert len(cards) >= 8
    for card, links in cards.items():
        # What a keyboard or screen reader meets first: the call button, else the first other way in.
        ways = [link["href"] for link in links if not link["text"].startswith("Source")]
        assert ways and links[0]["href"] == ways[0], card
        assert not any(href.startswith("tel:") for href in ways) or ways[0].startswith("tel:"), card
        assert links[-1]["text"].startswith("Source"), card
