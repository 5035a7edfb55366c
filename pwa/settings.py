"""Settings read from the environment (cookiecutter-flask style).

Everything has a safe default so `make run` works on a fresh machine.
"""
import os
import secrets
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{Path(instance_path) / 'open-door.sqlite'}"
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants a driver name.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value not in ("0", "false", "no", "off")


def from_environment(instance_path: str) -> dict:
    return {
        # Only the agency admin (if enabled) uses sessions; victims never do.
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_hex(32),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # hide_parameters: a failed query's error (and so the log) would repeat its values, e.g. the guide opened.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "CONTENT_DIR": os.environ.get("CONTENT_DIR", str(PROJECT_ROOT / "content")),
        "BASE_MANIFEST": os.environ.get("BASE_MANIFEST", str(PROJECT_ROOT / "manifest.json")),
        "APP_NAME": os.environ.get("APP_NAME", "Open Door"),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers to trust.
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "JSON_SORT_KEYS": True,
        # The agency admin at /admin (needs a fixed SECRET_KEY outside debug); 0 runs the public site only.
        "ADMIN_ENABLED": flag("ADMIN_ENABLED", True),
        # Brotli (or gzip) for text responses; an agency whose proxy already compresses may turn it off.
        "COMPRESS_RESPONSES": flag("COMPRESS_RESPONSES", True),
        # National-scale content (README, "National-scale content"). With more local areas than this, the contacts
        # page holds national help and one chosen area, and the worker keeps only the areas a phone needs.
        "AREAS_ON_ONE_PAGE": int(os.environ.get("AREAS_ON_ONE_PAGE", "40")),
        # Then: the agency's own areas (comma-separated slugs), saved on every phone at its first visit.
        "HOME_AREAS": [slug.strip() for slug in os.environ.get("HOME_AREAS", "").split(",") if slug.strip()],
        # Guide pages saved at the first visit, the first by position; the others once read.
        "GUIDES_PRECACHED": int(os.environ.get("GUIDES_PRECACHED", "8")),
        # Where the undisguised app hides to: calculator, weather or notes.
        "PLAIN_DECOY": os.environ.get("PLAIN_DECOY", "weather"),
        # Journal auto-lock after this many idle seconds (capped at 300 by the journal itself).
        "JOURNAL_IDLE_SECONDS": int(os.environ.get("JOURNAL_IDLE_SECONDS", "180")),
        # Chaff records in the journal the passphrase opens (docs/duress.md); off only for tests that count records.
        "JOURNAL_CHAFF": os.environ.get("JOURNAL_CHAFF", "1") != "0",
        # The weather decoy's home town until the user searches for another: pick one near the users.
        "DECOY_PLACE": os.environ.get("DECOY_PLACE", "Chester"),
        # The end-to-end encrypted journal backup (pwa/backup/, docs/backup.md); 0 turns its API off.
        "BACKUP_ENABLED": flag("BACKUP_ENABLED", True),
        # The agency's Ed25519 key that signs receipts, made by `flask backup keygen`. Keep it out of the database
        # and its backups' reach: whoever holds it can sign receipts.
        "BACKUP_SIGNING_KEY": (os.environ.get("BACKUP_SIGNING_KEY")
                               or str(Path(instance_path) / "backup-signing-key.pem")),
        # Per backup: everything stored (records are padded ciphertext), and one record (at most 1 MiB, the format's).
        "BACKUP_QUOTA_BYTES": int(os.environ.get("BACKUP_QUOTA_BYTES", str(512 * 1024 * 1024))),
        "BACKUP_MAX_RECORD_BYTES": int(os.environ.get("BACKUP_MAX_RECORD_BYTES", str(1024 * 1024))),
        # A deletion takes effect only after this wait, during which the code can cancel it (a coerced deletion).
        "BACKUP_DELETION_WAIT_DAYS": float(os.environ.get("BACKUP_DELETION_WAIT_DAYS", "7")),
        # `flask backup purge` removes backups nobody has used for this long.
        "BACKUP_RETENTION_DAYS": float(os.environ.get("BACKUP_RETENTION_DAYS", "730")),
        # Requests per minute, per backup and per client address (kept in the database under HMAC keys), and new
        # backups per hour per client address.
        "BACKUP_RATE_PER_BACKUP": int(os.environ.get("BACKUP_RATE_PER_BACKUP", "600")),
        "BACKUP_RATE_PER_ADDRESS": int(os.environ.get("BACKUP_RATE_PER_ADDRESS", "1200")),
        "BACKUP_CREATES_PER_ADDRESS": int(os.environ.get("BACKUP_CREATES_PER_ADDRESS", "20")),
        # A restore reads records in pages of at most this many bytes of records.
        "BACKUP_PAGE_BYTES": int(os.environ.get("BACKUP_PAGE_BYTES", str(8 * 1024 * 1024))),
    }
