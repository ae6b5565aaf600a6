"""Valuation pages: what is my car worth, the explained result, the user's history."""

from flask import Blueprint

bp = Blueprint("valuation", __name__, url_prefix="/valuation")
