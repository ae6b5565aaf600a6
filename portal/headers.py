"""Security headers on every answer: what the browser may load, frame, send and remember.

The Content-Security-Policy allows scripts from this site and Stripe.js only, and no
inline script or style at all: the pages carry none (small scripts live in static/js,
htmx's indicator style is in portal.css with `includeIndicatorStyles` off), so an
injected `<script>` or `style=` that slipped past escaping would not run.
"""

from urllib.parse import urlsplit

from flask import Flask, current_app

STRIPE_API = "https://api.stripe.com"
# Stripe Elements draws the card field in frames of these origins, 3-D Secure in hooks.
STRIPE_FRAMES = "https://*.js.stripe.com https://hooks.stripe.com"


def origin(url: str) -> str:
    """scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(config) -> str:
    """The policy for this configuration (Stripe's origins follow STRIPE_JS_URL/API_BASE)."""
    stripe_js = origin(config["STRIPE_JS_URL"])
    stripe_api = origin(config["STRIPE_API_BASE"]) if config.get("STRIPE_API_BASE") else STRIPE_API
    directives = {
        "default-src": "'self'",
        "script-src": f"'self' {stripe_js}",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": f"'self' {stripe_api}",
        "frame-src": f"{stripe_js} {STRIPE_FRAMES}",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "base-uri": "'none'",
        "object-src": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def init_app(app: Flask) -> None:
    """Add the headers to every response of the app."""
    app.after_request(_add_headers)


def _add_headers(response):
    config = current_app.config
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(config))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")  # for browsers without frame-ancestors
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault(
        "Permissions-Policy",
        f"camera=(), microphone=(), geolocation=(), usb=(), "
        f'payment=(self "{origin(config["STRIPE_JS_URL"])}")',
    )
    if config["PRODUCTION"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response
