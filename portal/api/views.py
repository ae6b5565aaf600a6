"""The JSON API's routes on its one blueprint, for create_app, and the OpenAPI document.

Importing the areas' modules adds their routes to the blueprint of `blueprint.py`; none
of them imports this module, so the API has no import circle.
"""

from flask import jsonify

from portal.api import openapi, subsidy, transfers, valuation
from portal.api.blueprint import bp

AREAS = (transfers, subsidy, valuation)  # their routes are on bp once imported


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())
