"""The "What this app cannot hide" page and README's list of traces say the same thing, and nothing untrue."""
import re
from html.parser import HTMLParser

from pwa.settings import PROJECT_ROOT

# Traces the issue named, each as words that must appear on both (in the README section and on /limits).
NAMED_TRACES = {
    "exports in Downloads": [r"exported journal file", r"Downloads"],
    "Notes decoy unencrypted": [r"Notes disguise", r"(unencrypted|not encrypted)"],
    "printed or saved PDFs": [r"Print or save as PDF", r"PDF"],
    "links to other websites": [r"Other websites you open from here", r"history"],
    "calls in the call log": [r"Calls you make", r"call log"],
}


def readme_traces() -> list[str]:
    """README's "What the app cannot hide" bullets, each joined onto one line."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme.split("## What the app cannot hide", 1)[1].split("\n## ", 1)[0]
    bullets = re.findall(r"^- (.*(?:\n  .*)*)", section, re.MULTILINE)
    return [" ".join(line.strip() for line in bullet.splitlines()) for bullet in bullets]


class Traces(HTMLParser):
    """Each <li> of the list marked data-traces: its text, its <strong> title, and any text marked keyboard-only."""

    def __init__(self):
        super().__init__()
        self.items, self.keyboard_only = [], []
        self.open = None  # inside the list: the elements open, each as (tag, classes)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.open is None:
            if tag == "ul" and "data-traces" in attrs:
                self.open = []
            return
        if tag == "li" and not self.open:
            self.items.append({"title": "", "text": ""})
        self.open.append((tag, (attrs.get("class") or "").split()))

    def handle_endtag(self, tag):
        if self.open is None:
            return
        if not self.open:
            self.open = None  # the list's own </ul>
        else:
            self.open.pop()

    def handle_data(self, data):
        if not self.open:
            return
        self.items[-1]["text"] += data
        if any(tag == "strong" for tag, _ in self.open):
            self.items[-1]["title"] += data
        if any("keyboard-only" in classes for _, classes in self.open):
            self.keyboard_only.append(data)


def limits_page(client) -> Traces:
    parser = Traces()
    parser.feed(client.get("/limits").get_data(as_text=True))
    return parser


def test_limits_lists_every_trace_the_readme_lists_and_no_other(client):
    titles_in_readme = [re.match(r"\*\*(.+?)\*\*", bullet)[1] for bullet in readme_traces()]
    titles_on_limits = [" ".join(item["title"].split()) for item in limits_page(client).items]
    assert len(titles_in_readme) >= 13
    assert titles_on_limits == titles_in_readme


def test_the_traces_named_in_the_issue_are_on_both(client):
    readme = " ".join(readme_traces())
    limits = " ".join(" ".join(item["text"].split()) for item in limits_page(client).items)
    for trace, patterns in NAMED_TRACES.items():
        for pattern in patterns:
            assert re.search(pattern, readme), (trace, "README", pattern)
            assert re.search(pattern, limits), (trace, "/limits", pattern)


def test_limits_claims_nothing_the_app_does_not_do(client):
    html = client.get("/limits").get_data(as_text=True)
    assert "always free" not in html  # true (police sources say so) but no trace; it had no source here
    assert "whenever you switch away" not in html  # not while a photo is being chosen, nor without JavaScript
    assert "except while you are choosing a photo" in html and "only the Hide button works" in html
    assert "never contacts any website other than its own" not in html  # links to other sites open when chosen


def test_shift_and_esc_are_only_in_keyboard_only_text(client):
    page = limits_page(client)
    keyboard_only = " ".join(page.keyboard_only)
    assert "Shift" in keyboard_only and "Esc" in keyboard_only
    everything = " ".join(item["text"] for item in page.items)
    for word in ("Shift", "Esc"):
        assert everything.count(word) == keyboard_only.count(word), word
