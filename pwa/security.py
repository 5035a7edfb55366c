"""Security headers on every response.

No third-party host appears anywhere: every fetch, script, style, font and image is same-origin.
"""
from flask import Flask, request

# Scripts, styles, fonts, fetches, the manifest and workers fall back to default-src: same-origin only. Listing
# them again would change nothing and cost some 110 bytes on every page, twice over on a first visit.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    # The journal's camera capture is the only powerful feature the app uses.
    "Permissions-Policy": "camera=(self), geolocation=(), microphone=(), payment=(), usb=(), interest-cohort=()",
}


# Scripts, styles, pictures and web app manifests are never documents: a policy about framing, powerful features
# or what a page may load means nothing on them, and it would cost some 500 bytes a response, twice over on a
# first visit (the page, then the worker's precache). They keep what does apply to them.
SUBRESOURCE_TYPES = {"text/javascript", "application/javascript", "text/css", "image/png", "application/manifest+json"}
SUBRESOURCE_HEADERS = ("Referrer-Policy", "X-Content-Type-Options", "Cross-Origin-Resource-Policy")
# The modules' text (/i18n/<lang>.json, pwa/i18n_json.py) is read by scripts only, as a manifest is: about 400 bytes
# less a response on a translated first visit. Not the API's JSON, which other clients read.
SUBRESOURCE_JSON_ENDPOINTS = {"i18n_json.catalogue", "i18n_json.part_catalogue"}


def _subresource(response) -> bool:
    if response.mimetype == "application/json":
        return request.endpoint in SUBRESOURCE_JSON_ENDPOINTS
    return response.mimetype in SUBRESOURCE_TYPES and request.path != "/sw.js"


def init_app(app: Flask) -> None:
    @app.after_request
    def add_security_headers(response):
        names = SUBRESOURCE_HEADERS if _subresource(response) else HEADERS
        # As setdefault for each, with one look at the headers (each missed lookup raises and catches an exception:
        # seven a response, on the hottest path, a revalidation).
        present = {name.lower() for name in response.headers.keys()}
        for name in names:
            if name.lower() not in present:
                response.headers.add(name, HEADERS[name])
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response
