"""Settings read from the environment, with safe local defaults for development."""

import os
from datetime import timedelta
from pathlib import Path

from portal.cards import DEV_CARD_KEYS

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = PROJECT_ROOT / "instance"

# Values that must never fall back to a default outside development.
SECRETS = ("SECRET_KEY", "ID_HASH_KEY", "CARD_KEYS")


def from_environment(environ=os.environ) -> dict:
    """Build the configuration mapping from environment variables."""
    production = environ.get("PORTAL_ENV") == "production"
    config = {
        "PRODUCTION": production,
        "SECRET_KEY": environ.get("SECRET_KEY", "dev-only-secret-key"),
        # Keyed hash for resident ID numbers (ARCHITECTURE, Data): a separate key, so
        # rotating the session key does not orphan every person record.
        "ID_HASH_KEY": environ.get("ID_HASH_KEY", "dev-only-id-hash-key"),
        # Keys that seal bank card numbers at rest (portal/cards.py, docs/security.md):
        # `id=base64,…`, the first seals new values, the others still open old ones.
        "CARD_KEYS": environ.get("CARD_KEYS", DEV_CARD_KEYS),
        # How long a running import may stay silent before it counts as dead (seconds).
        "IMPORT_STALL_SECONDS": int(environ.get("IMPORT_STALL_SECONDS", 600)),
        "DATABASE_URL": environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_PATH / 'portal.db'}"),
        "UPLOAD_FOLDER": environ.get("UPLOAD_FOLDER", str(INSTANCE_PATH / "uploads")),
        # Object storage shared by every machine (portal/storage.py): s3://BUCKET/PREFIX.
        "STORAGE_URL": environ.get("STORAGE_URL"),
        "S3_ENDPOINT_URL": environ.get("S3_ENDPOINT_URL"),
        "AWS_REGION": environ.get("AWS_REGION"),
        # Serve stored files by presigned links this many seconds long (0: stream them).
        "STORAGE_LINK_SECONDS": int(environ.get("STORAGE_LINK_SECONDS", 0)),
        "MAX_CONTENT_LENGTH": int(environ.get("MAX_CONTENT_LENGTH", 32 * 1024 * 1024)),
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis down for a moment: count in this process's memory, and say so in the log
        # (Flask-Limiter logs the switch and the recovery), rather than fail the request.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # How many proxies (load balancers) stand in front: their X-Forwarded-* are trusted.
        "TRUSTED_PROXIES": int(environ.get("TRUSTED_PROXIES", 0)),
        "LOG_FORMAT": environ.get("LOG_FORMAT", "text"),  # or json: one object per line
        # Calls an API token may make, and an address may make to the valuation API without one.
        "API_RATE_LIMIT": environ.get("API_RATE_LIMIT", "120 per minute"),
        "VALUATION_API_ANON_LIMIT": environ.get("VALUATION_API_ANON_LIMIT", "30 per minute"),
        "HUEY_REDIS_URL": environ.get("HUEY_REDIS_URL"),
        # The shared cache (portal/cache.py): Redis when set, this process otherwise.
        "CACHE_URL": environ.get("CACHE_URL"),
        "HUEY_SQLITE_PATH": environ.get("HUEY_SQLITE_PATH", str(INSTANCE_PATH / "huey.db")),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ("zh_CN", "en"),
        "CLI_LOCALE": environ.get("PORTAL_CLI_LOCALE", "zh_CN"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        # As long as a server-side session lasts (portal.accounts.sessions.LIFETIME).
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "PAGE_SIZE": 20,
        # DOMAIN §2.3: how many free numbers a buyer is offered for the new plate.
        "PLATE_CHOICES": int(environ.get("PLATE_CHOICES", 50)),
        # The application wizard warns when a program has less than this share of its
        # budget left (percent; the public budget page shows the same figures).
        "BUDGET_LOW_PERCENT": int(environ.get("BUDGET_LOW_PERCENT", 10)),
        # Stripe (docs/payments.md): without the keys, payment pages say "not configured".
        "STRIPE_SECRET_KEY": environ.get("STRIPE_SECRET_KEY"),
        "STRIPE_PUBLISHABLE_KEY": environ.get("STRIPE_PUBLISHABLE_KEY"),
        "STRIPE_WEBHOOK_SECRET": environ.get("STRIPE_WEBHOOK_SECRET"),
        "STRIPE_API_BASE": environ.get("STRIPE_API_BASE"),  # e.g. localstripe on loopback
        # Email (portal/notices/mail.py): without MAIL_SERVER, .eml files in MAIL_FOLDER.
        "MAIL_SERVER": environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(environ.get("MAIL_PORT", 25)),
        "MAIL_USE_TLS": environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes"),
        "MAIL_USERNAME": environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": environ.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": environ.get("MAIL_DEFAULT_SENDER", "portal@localhost"),
        "MAIL_DOMAIN": environ.get("MAIL_DOMAIN", "portal.localhost"),
        "MAIL_FOLDER": environ.get("MAIL_FOLDER", str(INSTANCE_PATH / "mail")),
        # How long a consumer holds an outbox row it is sending (portal/notices/delivery.py):
        # longer than any SMTP conversation; a consumer that died leaves it this long.
        "NOTICE_CLAIM_SECONDS": int(environ.get("NOTICE_CLAIM_SECONDS", 300)),
        # The address people open the portal at, for the links in emails.
        "PUBLIC_URL": environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        "STRIPE_JS_URL": environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
    }
    if production:
        refuse_development_settings(environ, config)
    return config


def refuse_development_settings(environ, config: dict) -> None:
    """Production starts only with its secrets and with limits shared by every worker."""
    missing = [name for name in SECRETS if name not in environ]
    if missing:
        raise RuntimeError(f"Set {', '.join(missing)} in the environment for production.")
    if config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        raise RuntimeError(
            "Set RATELIMIT_STORAGE_URI=redis://… for production: limits kept in memory are "
            "counted by each worker apart, so every worker would allow them again."
        )
