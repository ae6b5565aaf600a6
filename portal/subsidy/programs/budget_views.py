"""`/subsidies/budget`: the money left in every province's programs, for anyone."""

from datetime import date, datetime
from types import SimpleNamespace

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

from portal import cache, db
from portal.audit import china_today
from portal.fields import ProvinceFilterForm
from portal.subsidy.programs import money_left
from portal.subsidy.rules.window import ProgramState
from portal.subsidy.terms import Kind

bp = Blueprint("budget", __name__, url_prefix="/subsidies")


@bp.get("/budget")
def budget():
    today = china_today()
    form = ProvinceFilterForm(formdata=request.args)
    province = form.chosen()
    # The listing is our own template's output, escaped when it was rendered.
    listing = Markup(_listing(today, province))  # nosec B704
    page = render_template(
        "subsidy/programs/budget.html", year=today.year, form=form, listing=listing
    )
    # Browsers and proxies may keep it as long as the shared copy lives.
    return page, 200, {"Cache-Control": f"public, max-age={money_left.SECONDS}"}


def _listing(today: date, province: str | None) -> str:
    """The programs' figures as HTML, rendered once per language and province and shared
    like the figures themselves: on opening day every visitor reads the same few pages,
    and rendering them is most of their cost (issue 9). The whole country is one compact
    table; a province shows its programs in full."""

    def render() -> str:
        figures = money_left.figures(db.session(), today)
        rows = [shown(row) for row in money_left.programs_in(figures, province)]
        return render_template(
            "subsidy/programs/_budget_list.html",
            rows=rows,
            province=province,
            as_of=datetime.fromisoformat(figures["as_of"]),
        )

    key = f"subsidy:budget:html:{get_locale()}:{province or 'all'}:{today.isoformat()}"
    return cache.remembered(key, money_left.SECONDS, render)


def shown(row: dict) -> SimpleNamespace:
    """A cached row with its codes and dates as the template shows them."""
    return SimpleNamespace(
        **row
        | {
            "kind": Kind(row["kind"]),
            "state": ProgramState(row["state"]),
            "pause_at": _day(row["pause_at"]),
            "grace_until": _day(row["grace_until"]),
            "closes": _day(row["closes"]),
            "updated_at": datetime.fromisoformat(row["updated_at"]),
        }
    )


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
