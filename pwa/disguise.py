"""Disguises: the working decoy apps, the page to choose an appearance, and where quick-hide lands.

The decoys are plain GET pages, so the service worker precaches them and they open offline.
The secret way back in (a PIN checked in the browser) lives in static/js/decoys/door.js.
"""
from datetime import timedelta

from flask import Blueprint, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .i18n import DEFAULT as DEFAULT_LANGUAGE
from .identities import COOKIE, IDENTITIES, Identity, current, presented

bp = Blueprint("disguise", __name__)

DECOYS = ("calculator", "weather", "notes")
# How to get from each decoy back into the app is told in whole sentences per decoy: templates/_ways_in.html.
# Browsers cap cookie lifetime at 400 days; the appearance must outlive any sensible install.
COOKIE_MAX_AGE = timedelta(days=400)
SAME_ORIGIN_FETCHES = {None, "same-origin", "none"}


@bp.record_once
def configure(state) -> None:
    # The undisguised identity still needs somewhere neutral for quick-hide to land.
    config = state.app.config
    if config["PLAIN_DECOY"] not in DECOYS:
        raise ValueError(f"PLAIN_DECOY must be one of {', '.join(DECOYS)}, not {config['PLAIN_DECOY']!r}")


def decoy_for(identity: Identity) -> str:
    return identity.key if identity.disguise else current_app.config["PLAIN_DECOY"]


@bp.app_template_global()
def decoy() -> Identity:
    """The decoy quick-hide shows for the current identity."""
    return IDENTITIES[decoy_for(current())]


def _render_decoy(key: str):
    # Always in its own name, icon, colour and manifest: a weather app called "Open Door" would give it away.
    # In English and left to right whatever the language chosen (README, Languages: a calculator that spoke the
    # app's language would show it knows the person's settings); <html lang> and Content-Language say so.
    response = make_response(render_template(f"decoys/{key}.html", decoy_key=key, identity=IDENTITIES[key],
                                             html_lang=DEFAULT_LANGUAGE, html_dir="ltr"))
    response.headers["Content-Language"] = DEFAULT_LANGUAGE
    return response


@bp.get("/calculator")
def calculator():
    return _render_decoy("calculator")


@bp.get("/weather")
def weather():
    return _render_decoy("weather")


@bp.get("/notes")
def notes():
    return _render_decoy("notes")


@bp.get("/appearance")
def appearance():
    saved = IDENTITIES.get(request.args.get("saved", ""))
    return _render_appearance(saved=saved and presented(saved))


@bp.post("/appearance")
def choose_appearance():
    # Another site must not be able to switch someone's disguise off behind their back.
    if not _same_origin():
        return _render_appearance(error=_("The appearance can only be changed from this app's own page.")), 403
    chosen = IDENTITIES.get(request.form.get("look", ""))
    if chosen is None:
        return _render_appearance(error=_("Choose one of the appearances listed.")), 400
    response = redirect(url_for("disguise.appearance", saved=chosen.key), code=303)
    response.set_cookie(COOKIE, chosen.key, max_age=COOKIE_MAX_AGE, path="/", secure=request.is_secure,
                        httponly=True, samesite="Strict")
    return response


def _render_appearance(saved: Identity | None = None, error: str | None = None) -> str:
    return render_template("appearance.html", identities=IDENTITIES.values(), chosen=current(), saved=saved,
                           error=error, plain_decoy=IDENTITIES[current_app.config["PLAIN_DECOY"]])


def _same_origin() -> bool:
    if request.headers.get("Sec-Fetch-Site") not in SAME_ORIGIN_FETCHES:
        return False
    origin = request.headers.get("Origin")
    return origin is None or origin == request.host_url.rstrip("/")
