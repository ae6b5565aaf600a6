"""The administrator's subsidy pages: programs, payout batches, the dashboard."""

from flask import Blueprint

bp = Blueprint("subsidy_admin", __name__, url_prefix="/admin/subsidies")
