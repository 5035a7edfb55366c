"""Guides' Markdown: rendered with no raw HTML, no images, and only links that are safe to tap.

A link may go to a full https:// address, to tel:, sms: or mailto:, or within this site (a path starting
with a single "/", or "#fragment"). Anything else (javascript:, data:, intent:, plain http:, "//other.site")
is a content error; should one reach the renderer anyway (content stored by an older version), it is
rendered as its text only. A link to another website says so, inside the link, as the templates' links do.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AMP_SUBSTITUTE

from .wording import OTHER_SITE_HINT

LINK_SCHEMES = ("https", "tel", "sms", "mailto")
LINK_RULE = "use https://, tel:, sms:, mailto: or a link within this site."
SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
SPACE_AND_CONTROLS = "".join(chr(code) for code in range(0x21))


def _as_browser_reads(url: str) -> str:
    # Entities decoded, tabs and newlines dropped, outer spaces and controls trimmed.
    return re.sub(r"[\t\n\r]", "", html.unescape(url)).strip(SPACE_AND_CONTROLS)


def goes_to_another_site(url: str) -> bool:
    """Whether an allowed link leaves this site (every https:// address does: this site's own links are paths)."""
    return bool(re.match(r"(?i)https:", _as_browser_reads(url)))


def link_allowed(url: str) -> bool:
    """Whether a link (as it stands in an href attribute) goes somewhere allowed."""
    url = _as_browser_reads(url)
    if url.startswith("#"):
        return True
    if url.startswith("/"):
        return url[1:2] not in ("/", "\\")  # "//host" and "/\host" are another site
    scheme = SCHEME.match(url)
    if not scheme or scheme[1].lower() not in LINK_SCHEMES:
        return False
    return scheme[1].lower() != "https" or bool(urlsplit(url).netloc)  # https needs a host: "https://..."


class SafeLinksTreeprocessor(Treeprocessor):
    """Drops the address of any link that is not allowed, keeping its text, and turns images into their text."""

    def __init__(self, md):
        super().__init__(md)
        self.refused: list[str] = []

    def run(self, root):
        for element in root.iter():
            if element.tag == "a" and element.get("href") is not None:
                href = element.get("href")
                if not link_allowed(href.replace(AMP_SUBSTITUTE, "&")):
                    del element.attrib["href"]
                    self.refused.append(href)
                elif goes_to_another_site(href.replace(AMP_SUBSTITUTE, "&")):
                    element.set("rel", "noreferrer noopener")
                    hint = etree.SubElement(element, "span", {"class": "other-site-hint"})
                    hint.text = f" ({OTHER_SITE_HINT})"
            elif element.tag == "img":  # a request to wherever src points, from every phone that opens the guide
                alt = element.get("alt", "")
                element.tag, element.text = "span", alt
                element.attrib.clear()


class SafeLinks(Extension):
    def extendMarkdown(self, md):
        # Priority below "unescape" (0): the check sees each address with Markdown's escapes resolved.
        md.treeprocessors.register(SafeLinksTreeprocessor(md), "safe_links", -10)


def _convert(text: str) -> tuple[str, markdown.Markdown]:
    md = markdown.Markdown(extensions=["sane_lists", SafeLinks()], output_format="html")
    # Guides are validated to hold no raw HTML; escaping "<" as well makes sure none gets through.
    return md.convert(text.replace("<", "&lt;")), md


def render(text: str) -> str:
    return _convert(text)[0]


def refused_links(text: str) -> list[str]:
    """The links in this Markdown that are not allowed, once each, including unused reference definitions."""
    _, md = _convert(text)
    found = md.treeprocessors["safe_links"].refused
    found += [url for url, _title in md.references.values() if not link_allowed(url)]
    return list(dict.fromkeys(found))
