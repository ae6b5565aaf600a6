"""Safe redirects after sign-in: only to a path on this site."""

from urllib.parse import urlsplit


def safe_next(target: str | None) -> str | None:
    """The target if it is a local path, else None (`//evil.example` and `////x` included)."""
    if not target:
        return None
    target = target.replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
