"""The reviewer's pages: the province's queue, an application, approve, reject, return."""

from flask import Blueprint

bp = Blueprint("review", __name__, url_prefix="/review")
