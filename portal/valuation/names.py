"""Brand and series names in the reader's language (issue 14, point 10).

The registry, applications and transfer cases keep the Chinese names the papers carry
(大众 朗逸); English pages show the maker's English or pinyin name from the catalog
(Volkswagen Lavida) where it has one, and the Chinese name where it has none. PDFs keep
the Chinese names: they are papers for Chinese authorities. Every page asks here, and the
names come from the catalog's lists kept per process (services.catalog_lists): no query
per row.
"""

from flask import Flask
from flask_babel import get_locale

from portal import db
from portal.valuation import services


def _english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language != "zh"


def brand_name(brand: str | None) -> str:
    """A brand as the reader's language names it: 大众, or Volkswagen in English."""
    if not brand or not _english():
        return brand or ""
    return services.catalog_lists(db.session()).brand_en.get(brand, brand)


def series_name(brand: str | None, series: str | None) -> str:
    """A brand's series as the reader's language names it: 朗逸, or Lavida in English."""
    if not series or not _english():
        return series or ""
    return services.catalog_lists(db.session()).series_en.get((brand or "", series), series)


def car_name(brand: str | None, series: str | None = None) -> str:
    """Brand and series in the reader's language: 大众 朗逸, or Volkswagen Lavida."""
    return " ".join(part for part in (brand_name(brand), series_name(brand, series)) if part)


def register(app: Flask) -> None:
    """Make the names available in every template."""
    app.jinja_env.globals.update(car_name=car_name, brand_name=brand_name, series_name=series_name)
