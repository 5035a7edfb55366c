"""The app's identities: the plain one, and disguises chosen before install.

Each identity gets its own web app manifest (own id, name, icons, theme colour);
its name is the page title and its colour the theme colour on every screen.
"""
from dataclasses import dataclass, replace

from flask import current_app, request


@dataclass(frozen=True)
class Identity:
    key: str
    name: str
    short_name: str
    theme_color: str
    background_color: str
    disguise: bool
    start_url: str  # a disguise opens on its working decoy; the real app needs the secret way in


IDENTITIES = {
    identity.key: identity
    for identity in (
        Identity("plain", "Open Door", "Open Door", "#1d4f6e", "#ffffff", disguise=False, start_url="/"),
        Identity("calculator", "Calculator", "Calculator", "#202124", "#202124", disguise=True, start_url="/calculator"),
        Identity("weather", "Weather", "Weather", "#1565c0", "#1565c0", disguise=True, start_url="/weather"),
        Identity("notes", "Notes", "Notes", "#f6c026", "#fffbe6", disguise=True, start_url="/notes"),
    )
}
DEFAULT = IDENTITIES["plain"]

# The chosen identity lives in a first-party cookie with a dull name, so every page,
# including those the service worker caches, renders with the disguise's title and colour.
COOKIE = "look"


def current() -> Identity:
    return presented(IDENTITIES.get(request.cookies.get(COOKIE, ""), DEFAULT))


def presented(identity: Identity) -> Identity:
    """The identity as the app shows it: the plain one carries the deployment's APP_NAME."""
    if identity.key == DEFAULT.key:
        name = current_app.config["APP_NAME"]
        identity = replace(identity, name=name, short_name=name[:12])
    return identity


def init_app(app) -> None:
    # `look` is what the person chose; `identity` is what this page wears (a decoy always wears its own).
    app.context_processor(lambda: {"identity": current(), "look": current()})
