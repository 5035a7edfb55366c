"""Numbers that must read left to right inside right-to-left text (issue 14).

In an Urdu sentence the Unicode bidi algorithm lays out the groups of "0808 2000 247" from right to left, so the
page shows "247 2000 0808": a wrong number for someone who needs it now. Each phone number, text number and time
is isolated in `<bdi dir="ltr">`, which keeps its own order and leaves the sentence around it alone. The wrappers
change nothing in left-to-right text.
"""
from __future__ import annotations

import re

from markupsafe import Markup, escape

# A time ("9am", "5:30pm", "17:00"), optionally a range of two ("9am to 5pm", "10:00-16:00").
_TIME = r"\d{1,2}(?::\d{2}\s?(?:[ap]\.?m\.?)?|\s?[ap]\.?m\.?)(?![\w:])"
_RANGE = rf"{_TIME}(?:\s?(?:-|\u2013|to)\s?{_TIME})?"
# A phone-like number: groups of digits joined by single spaces or hyphens, perhaps after "+44 " and an area
# code in brackets ("+44 (0)20 7946 0000", "(020) 7946 0000"), or one run of three digits or more (a lone "999"
# too; a year such as 2021 is not one). Not digits joined to a word, a path or a decimal point.
_NUMBER = r"(?:\+\d+\s?)?(?:\(\d+\)\s?)?\d+(?:[ \u00a0-]\d+)+|\+?(?!(?:19|20)\d\d(?!\d))\d{3,}"
NUMBERISH = re.compile(rf"(?<![\w/.,:#=?&%+-])(?:{_RANGE}|{_NUMBER})(?![\w/]|[.,:]\d)")
# Left as they are in text: web addresses and character references (the digits of "&#8212;").
_UNTOUCHED = re.compile(r"(?:https?://|www\.)[^\s<]+|&#?\w+;")
# A whole link text that is only a phone number, however it is punctuated: "+44 (0)20 7946 0000".
_PHONE_TEXT = re.compile(r"\s*\+?[\d\s()\u00a0.-]*\d[\d\s()\u00a0.-]*\s*")
# Markdown's HTML: its serializer escapes "<" and ">" in text and attribute values, so a tag is "<...>".
_TAG = re.compile(r"(<[^>]*>)")
_HREF = re.compile(r"""\shref=["']\s*(?:tel|sms):""", re.IGNORECASE)

OPEN, CLOSE = '<bdi dir="ltr">', "</bdi>"


def ltr(value) -> Markup:
    """Jinja filter `ltr`: the value, escaped, isolated left to right. Empty stays empty."""
    if value is None or value == "":
        return Markup("")
    return Markup(OPEN + "{}" + CLOSE).format(value)


def isolate_numbers(html: str) -> str:
    """Rendered guide HTML with phone numbers, times and tel:/sms: link texts isolated left to right.

    Only text between tags changes: attributes (an href's digits) and web addresses written out stay as they are,
    as do numbers already inside a <bdi>, so running it twice changes nothing.
    """
    out = []
    in_bdi = 0
    phone_link = False
    for piece in _TAG.split(html):
        if piece.startswith("<"):
            name = piece[1:].split(None, 1)[0].rstrip("/>").lower() if len(piece) > 2 else ""
            if name == "bdi":
                in_bdi += 1
            elif name == "/bdi":
                in_bdi = max(in_bdi - 1, 0)
            elif name == "a":
                phone_link = bool(_HREF.search(piece))
            elif name == "/a":
                phone_link = False
            out.append(piece)
        elif not piece or in_bdi:
            out.append(piece)
        elif phone_link and _PHONE_TEXT.fullmatch(piece):
            lead, core, trail = _split_space(piece)
            out.append(f"{lead}{OPEN}{core}{CLOSE}{trail}")
        else:
            out.append(_isolate_in_text(piece))
    return "".join(out)


def _isolate_in_text(text: str) -> str:
    parts, last = [], 0
    for kept in _UNTOUCHED.finditer(text):
        parts.append(NUMBERISH.sub(_wrap, text[last:kept.start()]))
        parts.append(kept.group())
        last = kept.end()
    parts.append(NUMBERISH.sub(_wrap, text[last:]))
    return "".join(parts)


def _wrap(match: re.Match) -> str:
    return f"{OPEN}{match.group()}{CLOSE}"


def _split_space(text: str) -> tuple[str, str, str]:
    core = text.strip()
    start = text.index(core)
    return text[:start], core, text[start + len(core):]


def ltr_numbers(value) -> Markup:
    """Jinja filter `ltr_numbers`: plain text (a service's hours note, a summary), escaped, with its phone numbers
    and times isolated as in guides."""
    return Markup(isolate_numbers(str(escape(value)))) if value else Markup("")
