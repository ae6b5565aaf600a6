"""The car model catalogue: the shipped CSV is complete and sane, and bad rows are refused."""

from decimal import Decimal

import pytest

from portal.registry.terms import EmissionStandard, FuelType
from portal.valuation.catalog import (
    ENGLISH_COLUMNS,
    HEADER,
    InvalidCatalogRow,
    parse_row,
    read_catalog,
)

BRANDS = {
    "大众", "奥迪", "丰田", "本田", "日产", "别克", "雪佛兰", "宝马", "奔驰", "现代", "福特",
    "吉利", "长安", "哈弗", "长城", "五菱", "荣威", "奇瑞", "比亚迪", "特斯拉", "理想", "蔚来",
    "小鹏", "广汽埃安", "名爵", "极氪", "小米", "问界", "零跑", "深蓝", "领克", "坦克",
}  # fmt: skip
# Every (brand, series) of the demo registry, so each demo car finds its model.
REGISTRY_SERIES = {
    "大众": ("朗逸", "桑塔纳", "途观", "速腾", "宝来", "迈腾", "捷达", "ID.4 CROZZ"),
    "奥迪": ("A4L", "Q5L"),
    "丰田": ("卡罗拉", "凯美瑞", "雷凌"),
    "本田": ("雅阁", "飞度", "思域", "CR-V"),
    "日产": ("轩逸",),
    "别克": ("英朗", "GL8"),
    "雪佛兰": ("科鲁兹", "赛欧"),
    "宝马": ("3系", "X3", "iX3"),
    "奔驰": ("C级", "GLC"),
    "现代": ("伊兰特",),
    "福特": ("福克斯",),
    "吉利": ("远景", "帝豪", "博越"),
    "长安": ("逸动", "CS75"),
    "哈弗": ("H6",),
    "长城": ("风骏5",),
    "江铃": ("宝典",),
    "五菱": ("宏光", "之光", "宏光MINIEV"),
    "荣威": ("RX5",),
    "奇瑞": ("QQ", "瑞虎8"),
    "比亚迪": ("F3", "秦", "e5", "唐", "秦PLUS", "宋PLUS", "汉", "元PLUS", "海豚", "海鸥"),
    "特斯拉": ("Model 3", "Model Y"),
    "理想": ("ONE", "L7"),
    "蔚来": ("ES6",),
    "小鹏": ("P7",),
    "广汽埃安": ("AION S",),
}
# Roughly when the China standards came in for new type approvals (DOMAIN §2.1).
EMISSIONS_BY_YEAR = {
    range(2005, 2008): {EmissionStandard.CN2, EmissionStandard.CN3},
    range(2008, 2011): {EmissionStandard.CN3},
    range(2011, 2015): {EmissionStandard.CN3, EmissionStandard.CN4},
    range(2015, 2017): {EmissionStandard.CN4, EmissionStandard.CN5},
    range(2017, 2020): {EmissionStandard.CN5, EmissionStandard.CN6A},
    range(2020, 2031): {EmissionStandard.CN6A, EmissionStandard.CN6B},
}


@pytest.fixture(scope="module")
def catalog():
    return read_catalog()


def good_row(**changes) -> dict[str, str]:
    """A valid row (2021 朗逸), with some columns changed."""
    row = dict(
        zip(
            HEADER,
            (
                "大众", "朗逸", "2021", "1.5L 自动舒适版", "sedan", "petrol", "1498", "", "CN6b",
                "129900", "119900", "0", "autohome 车型库", "compact_car", "1250",
                "Volkswagen", "Lavida",
            ),
            strict=True,
        )
    )  # fmt: skip
    row.update(changes)
    return row


def test_the_shipped_catalogue_parses_with_enough_models(catalog):
    assert len(catalog) >= 160


def test_every_brand_is_present(catalog):
    assert sorted(BRANDS - {model.brand for model in catalog}) == []


def test_every_registry_series_has_a_model(catalog):
    present = {(model.brand, model.series) for model in catalog}
    wanted = {(brand, series) for brand, names in REGISTRY_SERIES.items() for series in names}
    assert sorted(wanted - present) == []


def test_each_trim_appears_once(catalog):
    keys = [(m.brand, m.series, m.model_year, m.trim) for m in catalog]
    assert len(keys) == len(set(keys))


# Issue 14: the maker's own English or pinyin names, a sample a reader would check.
ENGLISH = {
    ("丰田", "卡罗拉"): "Toyota Corolla",
    ("大众", "朗逸"): "Volkswagen Lavida",
    ("比亚迪", "秦PLUS"): "BYD Qin PLUS",
    ("理想", "L7"): "Li Auto L7",
    ("问界", "M7"): "AITO M7",
    ("特斯拉", "Model 3"): "Tesla Model 3",
}


def test_every_brand_and_non_latin_series_has_one_english_name(catalog):
    brands, series = {}, {}
    for model in catalog:
        brands.setdefault(model.brand, set()).add(model.brand_en)
        series.setdefault((model.brand, model.series), set()).add(model.series_en)
    assert {brand: names for brand, names in brands.items() if len(names) != 1 or "" in names} == {}
    assert {key: names for key, names in series.items() if len(names) != 1} == {}
    untranslated = {key for key, names in series.items() if names == {""} and not key[1].isascii()}
    assert untranslated == set()
    for (brand, name), english in ENGLISH.items():
        (brand_en,), (series_en,) = brands[brand], series[(brand, name)]
        assert f"{brand_en} {series_en or name}" == english


def test_a_file_without_the_english_columns_still_reads(tmp_path):
    path = tmp_path / "models.csv"
    old_header = HEADER[: -len(ENGLISH_COLUMNS)]
    row = good_row()
    path.write_text(
        ",".join(old_header) + "\n" + ",".join(row[c] for c in old_header) + "\n",
        encoding="utf-8",
    )
    (model,) = read_catalog(path)
    assert (model.brand, model.brand_en, model.series_en) == ("大众", None, None)


@pytest.mark.parametrize(
    "name",
    ["<script>alert(1)</script>", "=HYPERLINK(1)", "Lavida\u202e", "L" * 65, 'Qin "PLUS"'],
)
def test_a_hostile_or_oversized_english_name_is_refused(name):
    with pytest.raises(InvalidCatalogRow) as caught:
        parse_row(good_row(series_en=name))
    assert caught.value.column == "series_en"


def test_model_years_cover_2015_to_2026(catalog):
    assert {model.model_year for model in catalog} >= set(range(2015, 2027))


def test_popular_series_have_several_model_years(catalog):
    years = {model.model_year for model in catalog if model.series == "朗逸"}
    assert len(years) >= 4


def test_electric_cars_have_a_battery_and_no_engine(catalog):
    for model in catalog:
        if model.fuel_type is FuelType.BEV:
            assert model.battery_kwh is not None and model.displacement_ml is None, model
            assert model.emission_standard is None, model
        else:
            assert model.displacement_ml is not None and model.emission_standard, model


def test_the_nev_catalogue_flag_follows_the_fuel_type(catalog):
    for model in catalog:
        assert model.nev_catalogue == model.fuel_type.new_energy, model


def test_current_prices_stay_near_launch_prices(catalog):
    for model in catalog:
        assert 0 < model.current_price_fen <= model.launch_price_fen * 6 // 5, model


def test_emission_standards_fit_the_model_year(catalog):
    for model in catalog:
        if model.emission_standard is not None:
            allowed = next(s for years, s in EMISSIONS_BY_YEAR.items() if model.model_year in years)
            assert model.emission_standard in allowed, model


def test_a_good_row_is_read_in_fen():
    model = parse_row(good_row(trim="  1.5L 自动舒适版 "))
    assert model.trim == "1.5L 自动舒适版"
    assert model.launch_price_fen == 12_990_000
    assert model.current_price_fen == 11_990_000
    assert model.battery_kwh is None and model.nev_catalogue is False


def test_a_plug_in_hybrid_keeps_engine_and_battery():
    model = parse_row(
        good_row(fuel_type="phev", battery_kwh="18", nev_catalogue="1", emission_standard="CN6b")
    )
    assert model.battery_kwh == Decimal("18.0") and model.displacement_ml == 1498


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"fuel_type": "steam"}, "fuel_type"),
        ({"body_type": "limousine"}, "body_type"),
        ({"launch_price_yuan": "-129900"}, "launch_price_yuan"),
        ({"current_price_yuan": "0"}, "current_price_yuan"),
        ({"current_price_yuan": "100000000"}, "current_price_yuan"),
        ({"launch_price_yuan": "12.99万"}, "launch_price_yuan"),
        ({"model_year": "1899"}, "model_year"),
        ({"model_year": "２０２１"}, "model_year"),
        ({"trim": "<script>alert(1)</script>"}, "trim"),
        ({"trim": "豪" * 65}, "trim"),
        ({"brand": "B" * 33}, "brand"),  # the column is 32 wide
        ({"brand": "=HYPERLINK(1)"}, "brand"),
        ({"series": "朗\x00逸"}, "series"),
        ({"series": "   "}, "series"),
        ({"source": "x" * 65}, "source"),
        ({"displacement_ml": "100"}, "displacement_ml"),
        ({"displacement_ml": ""}, "displacement_ml"),
        ({"battery_kwh": "60.0"}, "battery_kwh"),
        ({"emission_standard": ""}, "emission_standard"),
        ({"emission_standard": "Euro 6"}, "emission_standard"),
        ({"nev_catalogue": "1"}, "nev_catalogue"),
        ({"nev_catalogue": "yes"}, "nev_catalogue"),
        ({"fuel_type": "bev", "nev_catalogue": "1", "battery_kwh": "60.0"}, "displacement_ml"),
        (
            {"fuel_type": "bev", "nev_catalogue": "1", "displacement_ml": "", "battery_kwh": "999"},
            "battery_kwh",
        ),
        (
            {"fuel_type": "bev", "nev_catalogue": "1", "displacement_ml": "", "battery_kwh": "NaN"},
            "battery_kwh",
        ),
    ],
)
def test_bad_values_are_refused_with_the_column_named(changes, column):
    with pytest.raises(InvalidCatalogRow) as caught:
        parse_row(good_row(**changes))
    assert caught.value.column == column
    assert column in str(caught.value)
    assert caught.value.params["value"] == good_row(**changes)[column].strip()


def test_a_missing_column_is_named():
    row = good_row()
    del row["current_price_yuan"]
    with pytest.raises(InvalidCatalogRow, match="current_price_yuan") as caught:
        parse_row(row)
    assert caught.value.column == "current_price_yuan"


def test_a_row_with_extra_values_is_refused():
    with pytest.raises(InvalidCatalogRow):
        parse_row({**good_row(), None: ["surplus"]})


def test_the_messages_are_templates_for_translation():
    with pytest.raises(InvalidCatalogRow) as caught:
        parse_row(good_row(fuel_type="steam"))
    assert caught.value.message == "Column %(column)s: %(value)s is not a fuel type."
    assert str(caught.value) == "Column fuel_type: steam is not a fuel type."


def test_a_file_with_another_header_is_refused(tmp_path):
    path = tmp_path / "models.csv"
    path.write_text("brand,series\n大众,朗逸\n", encoding="utf-8")
    with pytest.raises(InvalidCatalogRow, match="header"):
        read_catalog(path)


def test_a_bad_line_is_reported_with_its_line_number(tmp_path):
    path = tmp_path / "models.csv"
    good = ",".join(good_row().values())
    bad = ",".join(good_row(fuel_type="steam").values())
    path.write_text("\n".join([",".join(HEADER), good, bad]) + "\n", encoding="utf-8")
    with pytest.raises(InvalidCatalogRow) as caught:
        read_catalog(path)
    assert caught.value.__notes__ == [f"{path}, line 3"]
