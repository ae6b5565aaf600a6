"""gunicorn's settings for `make serve` and deploy/compose.yaml (docs/deploy.md).

Each is read from the environment, with a default that is safe on one machine.
"""

import os

# Loopback unless told otherwise: the load balancer (nginx) on the same machine or network
# is what the world reaches, never gunicorn itself.
bind = os.environ.get("BIND", "127.0.0.1:8000")
# Sync workers, one per core this process may use (a container's limit, not the host's).
workers = int(os.environ.get("WEB_CONCURRENCY", len(os.sched_getaffinity(0))))
timeout = int(os.environ.get("WEB_TIMEOUT", 60))
graceful_timeout = 30
# Whose X-Forwarded-Proto gunicorn believes; the app's TRUSTED_PROXIES does the same for
# X-Forwarded-For, so both name the balancer.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# One line per request: method and path without the query (it may hold what someone
# searched for), status, bytes, microseconds and the request id the portal logs too.
accesslog = "-"
access_log_format = '%({x-forwarded-for}i)s "%(m)s %(U)s" %(s)s %(B)s %(D)sus %({x-request-id}o)s'
errorlog = "-"
