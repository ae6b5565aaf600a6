"""Health for the load balancer and the deploy: `/healthz` (alive), `/readyz` (can serve).

A machine that is alive but not ready (its database, Redis or storage unreachable) is
taken out of the balancer's rotation instead of being restarted.
"""

import logging

import redis
from flask import Blueprint, current_app

from portal import db, storage

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
REDIS_SETTINGS = ("RATELIMIT_STORAGE_URI", "CACHE_URL", "HUEY_REDIS_URL")


@bp.get("/healthz")
def alive():
    """The process answers; nothing else is asked."""
    return {"status": "ok"}


@bp.get("/readyz")
def ready():
    """200 when every configured part answers, else 503 naming the parts that did not."""
    results = {name: _outcome(name, check) for name, check in _checks().items()}
    healthy = all(result == "ok" for result in results.values())
    return {"status": "ok" if healthy else "unavailable", "checks": results}, (
        200 if healthy else 503
    )


def _checks() -> dict:
    config = current_app.config
    checks = {"database": db.ping}
    redis_urls = {config.get(name) for name in REDIS_SETTINGS} - {None}
    redis_urls = {url for url in redis_urls if url.startswith(("redis://", "rediss://"))}
    if redis_urls:
        checks["redis"] = lambda: [_ping_redis(url) for url in sorted(redis_urls)]
    if config.get("STORAGE_URL"):
        checks["storage"] = storage.current().check
    return checks


def _ping_redis(url: str) -> None:
    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def _outcome(name: str, check) -> str:
    try:
        check()
    except Exception as error:  # any failure means not ready; the log says which and why
        log.warning("readiness: %s failed: %s", name, type(error).__name__)
        return "failed"
    return "ok"
