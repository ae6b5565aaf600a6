"""The detailed valuation report: bought through the payments feature, downloaded as PDF."""

from flask import Blueprint

bp = Blueprint("valuation_report", __name__, url_prefix="/valuation/reports")
