"""The shared cache: short-lived public figures and versions of what administrators change.

ARCHITECTURE (real parts): in-process and short-lived by default, Redis when `CACHE_URL`
names one, so every worker on every machine sees the same figures and the same versions.
Two uses:

- `remembered(key, seconds, compute)`: a value computed at most once per `seconds` and
  shared (the home page's registry counts: an exact count of a million rows per request
  is what sank past portals);
- `versioned(name, load)`: a per-process copy of something that changes only when an
  administrator changes it (valuation settings, the catalog's lists), reloaded as soon as
  `bump(name)` is called after that change commits. The version is read once per request.

Values must be JSON-serialisable for `remembered` (they cross machines); `versioned`
keeps Python objects, since only the version number is shared.
"""

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis
from flask import Flask, current_app, g, has_app_context, has_request_context

log = logging.getLogger(__name__)
LOCAL_VALUES = 1000  # without Redis: past this many kept values, the expired ones go


@dataclass
class _Local:
    """The app's own state: its copies always, values and versions without Redis."""

    values: dict[str, tuple[float, Any]] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    copies: dict[str, tuple[int, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def init_app(app: Flask) -> None:
    """Connect to Redis when CACHE_URL is set; otherwise keep the cache in this process."""
    app.extensions["cache_local"] = _Local()
    app.extensions["cache_prefix"] = app.config.get("CACHE_PREFIX", "portal")
    url = app.config.get("CACHE_URL")
    app.extensions["cache_redis"] = redis.Redis.from_url(url, socket_timeout=1) if url else None


def _redis() -> redis.Redis | None:
    return current_app.extensions["cache_redis"]


def _local() -> _Local:
    return current_app.extensions["cache_local"]


def _key(kind: str, name: str) -> str:
    return f"{current_app.extensions['cache_prefix']}:{kind}:{name}"


def remembered(key: str, seconds: int, compute: Callable[[], Any]) -> Any:
    """compute()'s value, computed again only when the shared copy is older than `seconds`."""
    if not has_app_context():  # a script using the services directly: nothing to share
        return compute()
    client = _redis()
    if client is None:
        values, now = _local().values, time.monotonic()
        stored = values.get(key)
        if stored and stored[0] > now:
            return stored[1]
        value = compute()
        if len(values) >= LOCAL_VALUES:  # keys per applicant would otherwise pile up
            for old in [k for k, (until, _) in values.items() if until <= now]:
                del values[old]
        values[key] = (now + seconds, value)
        return value
    try:
        raw = client.get(_key("value", key))
        if raw is not None:
            return json.loads(raw)
        value = compute()
        client.set(_key("value", key), json.dumps(value), ex=seconds)
        return value
    except redis.RedisError:  # the page still answers, at the database's cost
        log.warning("cache unreachable: computing %s directly", key)
        return compute()


def version(name: str) -> int | None:
    """The shared version of `name` (0 until the first bump), read once per request.

    None when Redis cannot be reached: the version is then unknown, and nothing kept may
    be trusted.
    """
    seen = g.setdefault("cache_versions", {}) if has_request_context() else {}
    if name not in seen:
        client = _redis()
        if client is None:
            seen[name] = _local().versions.get(name, 0)
        else:
            try:
                seen[name] = int(client.get(_key("version", name)) or 0)
            except redis.RedisError:
                log.warning("cache unreachable: %s read from the database", name)
                seen[name] = None
    return seen[name]


def bump(name: str) -> None:
    """Say that `name` changed: every process reloads its copy at its next use."""
    client = _redis()
    if client is None:
        local = _local()
        with local.lock:
            local.versions[name] = local.versions.get(name, 0) + 1
    else:
        try:
            client.incr(_key("version", name))
        except redis.RedisError:  # other processes keep their copies until the next bump
            log.error("cache unreachable: other processes did not hear that %s changed", name)
    if has_request_context():
        g.pop("cache_versions", None)


def versioned(name: str, load: Callable[[], Any]) -> Any:
    """This process's copy of load()'s value, loaded again after a bump of `name`."""
    if not has_app_context():
        return load()
    current = version(name)
    if current is None:
        return load()
    copies = _local().copies
    copy = copies.get(name)
    if copy is None or copy[0] != current:
        copy = (current, load())
        copies[name] = copy
    return copy[1]
