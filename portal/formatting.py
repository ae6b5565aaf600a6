"""Template helpers: translated labels for stored codes, times in Asia/Shanghai, masks.

The labels themselves belong to the features (their `labels.py`), registered with
`portal.labels` by create_app; this module only hands the lookups to the templates.
"""

from types import SimpleNamespace

from flask import Flask, g
from flask_babel import format_date, format_datetime, get_locale, get_translations

from portal import regions, web
from portal.db import COUNT_CAP
from portal.errors import translate
from portal.labels import label
from portal.money import yuan


def message(item) -> str:
    """A stored or computed message (an error, a rule's reason, a saved note) translated."""
    if isinstance(item, dict):  # saved as JSON: {"message": ..., "params": {...}}
        item = SimpleNamespace(message=item["message"], params=item.get("params", {}))
    return translate(item)


def region_name(code: str | None) -> str:
    """A city or province name in the user's language, from its administrative code."""

    place = regions.city(code) or regions.province(code) if code else None
    if place is None:
        return code or "—"
    return place.name_zh if str(get_locale()).startswith("zh") else place.name_en


def _translations():
    """The catalog of the request's language, looked up once per request and language.

    flask-babel looks it up again for every string (16 µs each, a millisecond or more
    per page). The copy is used only while flask-babel's locale of the request is the
    very Locale it was made for: force_locale() sets another, so it is obeyed; should a
    later flask-babel keep its locale elsewhere, the copy is simply never used.
    """
    kept = g.get("portal_translations")
    if kept is not None and kept[0] is getattr(g.get("_flask_babel"), "babel_locale", None):
        return kept[1]
    locale, translations = get_locale(), get_translations()
    g.portal_translations = (locale, translations)
    return translations


# Dates nobody misreads (issue 14): "6 Dec 2026" in English, not "12/6/26", which half the
# world reads as June; 2026年12月6日 in Chinese. Times in 24 hours, in Beijing time.
DATE_PATTERNS = {"zh": "y年M月d日", "en": "d MMM y"}


def date_text(value) -> str:
    """A date (or the day of a datetime) in the reader's language, unambiguous."""
    if not value:
        return "—"
    return format_date(value, DATE_PATTERNS.get(get_locale().language, DATE_PATTERNS["en"]))


def datetime_text(value) -> str:
    """A moment in Beijing time: the unambiguous date, then the 24-hour time."""
    if not value:
        return "—"
    pattern = DATE_PATTERNS.get(get_locale().language, DATE_PATTERNS["en"])
    return format_datetime(value, f"{pattern} HH:mm")


def count_text(count: int) -> str:
    """A capped count (db.capped_count) as a person reads it: "1,000+" past the cap."""
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"


def register(app: Flask) -> None:
    """Make the helpers available in every template."""
    app.jinja_env.install_gettext_callables(
        lambda string: _translations().ugettext(string),
        lambda singular, plural, n: _translations().ungettext(singular, plural, n),
        newstyle=True,
        pgettext=lambda context, string: _translations().upgettext(context, string),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.filters.update(
        label=label,
        message=message,
        region=region_name,
        yuan=yuan,
        datetime=datetime_text,
        count=count_text,
        date=date_text,
    )
    app.jinja_env.globals.update(
        regions_provinces=regions.provinces, current_locale=get_locale, max_page=web.MAX_PAGE
    )
