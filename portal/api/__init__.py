"""The JSON API v1 for dealers' systems: bearer tokens, pydantic bodies, problem+json errors.

`blueprint.py` holds the blueprint, its token check and rate limit; `transfers.py`,
`subsidy.py` and `valuation.py` add each area's routes to it, and `views.py` gathers them
(with the OpenAPI route) for create_app. `common.py` holds the body parsing and JSON
answers they share, `schemas.py` what the bodies share and `transfer_schemas.py`,
`subsidy_schemas.py`, `valuation_schemas.py` the bodies of each area, `auth.py` the bearer
check and the rate-limit key, `problems.py` the RFC 9457 error bodies, and `openapi.py`
the OpenAPI 3.1 document made from the same schemas. The endpoints call the services
that the pages call, so no rule exists twice (ARCHITECTURE, JSON API v1).
"""
