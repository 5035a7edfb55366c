"""Wording shared by pages, the admin and the command line."""


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The count with the word that agrees with it: "1 photo", "2 photos", "3 entries"."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"

# Said beside every link to another website, before it is tapped (components/leaving.js asks as well, when it runs).
OTHER_SITE_HINT = "another website: it will show in your browser history"
