"""Who may do what in the agency admin. Each role can do everything the one before it can."""
from __future__ import annotations

EDITOR, PUBLISHER, ADMIN = "editor", "publisher", "admin"
ROLES = (EDITOR, PUBLISHER, ADMIN)
DESCRIPTIONS = {
    EDITOR: "Editor: changes the draft and previews it.",
    PUBLISHER: "Publisher: also approves other people's changes to contact details, and publishes.",
    ADMIN: "Admin: also manages people's accounts (roles, locks, sessions, leavers).",
}
PERMISSIONS = {
    "edit": set(ROLES),
    "approve": {PUBLISHER, ADMIN},
    "publish": {PUBLISHER, ADMIN},
    "manage people": {ADMIN},
}
# Anyone who can publish, or change who can, signs in with a second factor.
TWO_FACTOR_ROLES = {PUBLISHER, ADMIN}


def can(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


def needs_two_factor(role: str) -> bool:
    return role in TWO_FACTOR_ROLES
