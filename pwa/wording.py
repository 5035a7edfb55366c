"""Wording shared by pages, the admin and the command line."""
from .i18n import N_


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The count with the word that agrees with it: "1 photo", "2 photos", "3 entries"."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"

# Said beside every link to another website, before it is tapped (components/leaving.js asks as well, when it runs).
# Pages translate it (_links.html); links inside guides keep it in English until guides are translated.
OTHER_SITE_HINT = N_("another website: it will show in your browser history")
