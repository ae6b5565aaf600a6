"""Tests for the regions reference data (DOMAIN §5, §2.1)."""

import re

import pytest

from portal import regions

YRD_PROVINCES = {"310000", "320000", "330000", "340000"}

# DOMAIN §2.1, counted by hand: "2+26" and the Fenwei Plain (Yangling is carried by Xianyang).
KEY_OUTSIDE_YRD = {
    # Beijing–Tianjin–Hebei and surroundings, "2+26"
    "北京市",
    "天津市",
    "石家庄市",
    "唐山市",
    "廊坊市",
    "保定市",
    "沧州市",
    "衡水市",
    "邢台市",
    "邯郸市",
    "太原市",
    "阳泉市",
    "长治市",
    "晋城市",
    "济南市",
    "淄博市",
    "济宁市",
    "德州市",
    "聊城市",
    "滨州市",
    "菏泽市",
    "郑州市",
    "开封市",
    "安阳市",
    "鹤壁市",
    "新乡市",
    "焦作市",
    "濮阳市",
    # Fenwei Plain
    "晋中市",
    "运城市",
    "临汾市",
    "吕梁市",
    "洛阳市",
    "三门峡市",
    "西安市",
    "铜川市",
    "宝鸡市",
    "咸阳市",
    "渭南市",
}
# Shanghai 1 + Jiangsu 13 + Zhejiang 11 + Anhui 16
YRD_CITY_COUNT = 1 + 13 + 11 + 16


def test_31_provinces_with_unique_codes_and_abbreviations():
    provinces = regions.provinces()
    assert len(provinces) == 31
    assert len({p.code for p in provinces}) == 31
    assert len({p.abbr for p in provinces}) == 31
    assert [p.code for p in provinces] == sorted(p.code for p in provinces)
    assert all(re.fullmatch(r"\d{2}0000", p.code) for p in provinces)
    assert all(len(p.abbr) == 1 for p in provinces)


def test_province_lookups():
    guangdong = regions.province("440000")
    assert guangdong == regions.province_by_abbr("粤")
    assert (guangdong.name_zh, guangdong.name_en) == ("广东省", "Guangdong")
    assert regions.province_by_abbr("蒙").name_en == "Inner Mongolia"
    assert regions.province("999999") is None
    assert regions.province_by_abbr("港") is None


def test_every_city_belongs_to_an_existing_province():
    for c in regions.cities():
        p = regions.province(c.province_code)
        assert p is not None, c
        assert c.code[:2] == p.code[:2], c
        assert re.fullmatch(r"\d{6}", c.code), c
        assert regions.province_of_city(c.code) == p


def test_city_codes_unique_and_ordered():
    codes = [c.code for c in regions.cities()]
    assert len(codes) == len(set(codes))
    assert codes == sorted(codes)


def test_every_province_has_a_city():
    for p in regions.provinces():
        assert regions.cities(p.code), p


def test_city_count_is_plausible():
    # 333 prefecture-level divisions + 4 municipalities + a few county-level plate issuers
    assert 335 <= len(regions.cities()) <= 350


def test_no_plate_prefix_on_two_cities():
    prefixes = [prefix for c in regions.cities() for prefix in c.plate_prefixes]
    assert len(prefixes) == len(set(prefixes))


def test_prefixes_are_province_abbreviation_plus_one_letter():
    for c in regions.cities():
        abbr = regions.province(c.province_code).abbr
        for prefix in c.plate_prefixes:
            assert re.fullmatch(re.escape(abbr) + "[A-HJ-NP-Z]", prefix), (c, prefix)
            assert regions.city_for_plate_prefix(prefix) == c


@pytest.mark.parametrize(
    ("prefix", "code", "name_zh"),
    [
        ("粤B", "440300", "深圳市"),
        ("粤A", "440100", "广州市"),
        ("京A", "110100", "北京市"),
        ("沪A", "310100", "上海市"),
        ("苏E", "320500", "苏州市"),
        ("川A", "510100", "成都市"),
        ("新A", "650100", "乌鲁木齐市"),
        ("豫U", "419001", "济源市"),
        ("鄂M", "429004", "仙桃市"),
        ("吉H", "222400", "延边朝鲜族自治州"),
        ("陕V", "610400", "咸阳市"),
    ],
)
def test_plate_prefix_spot_checks(prefix, code, name_zh):
    found = regions.city_for_plate_prefix(prefix)
    assert (found.code, found.name_zh) == (code, name_zh)


@pytest.mark.parametrize("prefix", ["粤Z", "京O", "沪", "粤b", "XX", ""])
def test_unknown_prefix_has_no_city(prefix):
    assert regions.city_for_plate_prefix(prefix) is None


def test_city_lookups():
    shenzhen = regions.city("440300")
    assert (shenzhen.name_zh, shenzhen.name_en, shenzhen.plate_prefixes) == (
        "深圳市",
        "Shenzhen",
        ("粤B",),
    )
    assert regions.city("000000") is None
    assert regions.province_of_city("000000") is None
    assert all(c.province_code == "440000" for c in regions.cities("440000"))
    assert regions.cities("999999") == ()


@pytest.mark.parametrize(
    ("prefix", "key"),
    [
        ("冀A", True),  # Shijiazhuang, 2+26
        ("陕A", True),  # Xi'an, Fenwei
        ("晋K", True),  # Jinzhong, Fenwei
        ("豫C", True),  # Luoyang, Fenwei
        ("粤B", False),  # Shenzhen
        ("鲁B", False),  # Qingdao
    ],
)
def test_key_region_spot_checks(prefix, key):
    assert regions.city_for_plate_prefix(prefix).key_region is key


def test_all_yangtze_delta_cities_are_key_region():
    for code in YRD_PROVINCES:
        assert all(c.key_region for c in regions.cities(code)), code
    assert sum(len(regions.cities(code)) for code in YRD_PROVINCES) == YRD_CITY_COUNT


def test_key_region_cities_match_domain_list():
    key = [c for c in regions.cities() if c.key_region]
    outside = {c.name_zh for c in key if c.province_code not in YRD_PROVINCES}
    assert outside == KEY_OUTSIDE_YRD
    assert len(KEY_OUTSIDE_YRD) == 28 + 11
    assert len(key) == 80 == len(KEY_OUTSIDE_YRD) + YRD_CITY_COUNT
