"""The JSON API v1 for dealers' systems: bearer tokens, pydantic bodies, problem+json errors.

`views.py` holds the blueprint, `schemas.py` the bodies, `auth.py` the bearer check and
the rate-limit key, `problems.py` the RFC 9457 error bodies, and `openapi.py` the
OpenAPI 3.1 document made from the same schemas. The endpoints call the transfer
services that the pages call, so no rule exists twice (ARCHITECTURE, JSON API v1).
"""
