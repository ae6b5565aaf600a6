"""The demo registry extract: rows in the traffic authority's CSV format, for the seed.

The seed imports these rows through the same importer as a real extract, so they must
pass its checks: VINs, plates, resident ID numbers and USCCs valid (DOMAIN §4), each
plate issued in its car's city (DOMAIN §5), emission standards those of the day of first
registration (DOMAIN §2.1). Vehicles come from the catalogue below; about 15 % are old
enough for the 2026 scrapping program (DOMAIN §1.2). DEMO_OWNER holds three cars in
Guangdong and each of DEALERS about thirty. Same seed, same rows: all chance comes from
one ``random.Random(seed)``.
"""

import csv
import io
import os
import random
from datetime import date, timedelta
from functools import cache
from itertools import accumulate
from typing import IO, NamedTuple

from portal import regions
from portal.identifiers import resident_id_check_char, uscc_check_char, vin_check_digit
from portal.registry.rules import HEADER  # the extract's columns, defined once

LAST_DAY = date(2026, 10, 31)  # the extract is dated the end of October 2026
NEW_ENERGY = frozenset({"bev", "phev", "erev"})


class Series(NamedTuple):
    """A car series as sold in China: years on sale, body, drive train, share of the fleet."""

    brand: str
    model: str
    wmi: str  # the maker's VIN prefix: 3 characters, or 4 where the maker fixes the 4th
    first_year: int
    last_year: int
    body_type: str
    fuel_type: str
    displacement_ml: int | None
    battery_kwh: float | None
    seats: int
    weight: int


S = Series
# brand, model, WMI, on sale from, to, body, fuel, ml, kWh, seats, relative sales.
# The WMIs of Li Auto (LW4) and XPeng (L1N) are the least certain ones here.
CATALOGUE: tuple[Series, ...] = (
    S("大众", "朗逸", "LSV", 2008, 2026, "sedan", "petrol", 1498, None, 5, 10),
    S("大众", "桑塔纳", "LSV", 2008, 2022, "sedan", "petrol", 1498, None, 5, 5),
    S("大众", "途观", "LSV", 2010, 2026, "suv", "petrol", 1984, None, 5, 5),
    S("大众", "速腾", "LFV", 2008, 2026, "sedan", "petrol", 1395, None, 5, 6),
    S("大众", "宝来", "LFV", 2008, 2026, "sedan", "petrol", 1498, None, 5, 6),
    S("大众", "迈腾", "LFV", 2008, 2026, "sedan", "petrol", 1984, None, 5, 5),
    S("大众", "捷达", "LFV", 2008, 2019, "sedan", "petrol", 1598, None, 5, 6),
    S("大众", "ID.4 CROZZ", "LFV", 2021, 2026, "suv", "bev", None, 84.8, 5, 2),
    S("奥迪", "A4L", "LFV", 2009, 2026, "sedan", "petrol", 1984, None, 5, 3),
    S("奥迪", "Q5L", "LFV", 2018, 2026, "suv", "petrol", 1984, None, 5, 3),
    S("丰田", "卡罗拉", "LFM", 2008, 2026, "sedan", "petrol", 1598, None, 5, 7),
    S("丰田", "凯美瑞", "LVG", 2008, 2026, "sedan", "petrol", 2487, None, 5, 5),
    S("丰田", "雷凌", "LVG", 2015, 2026, "sedan", "hev", 1798, None, 5, 4),
    S("本田", "雅阁", "LHG", 2008, 2026, "sedan", "petrol", 1498, None, 5, 5),
    S("本田", "飞度", "LHG", 2008, 2026, "hatchback", "petrol", 1497, None, 5, 3),
    S("本田", "思域", "LVH", 2008, 2026, "sedan", "petrol", 1498, None, 5, 4),
    S("本田", "CR-V", "LVH", 2008, 2026, "suv", "petrol", 1498, None, 5, 5),
    S("日产", "轩逸", "LGB", 2008, 2026, "sedan", "petrol", 1598, None, 5, 10),
    S("别克", "英朗", "LSG", 2010, 2026, "sedan", "petrol", 1490, None, 5, 7),
    S("别克", "GL8", "LSG", 2008, 2026, "mpv", "petrol", 1998, None, 7, 3),
    S("雪佛兰", "科鲁兹", "LSG", 2009, 2024, "sedan", "petrol", 1598, None, 5, 4),
    S("雪佛兰", "赛欧", "LSG", 2010, 2020, "sedan", "petrol", 1398, None, 5, 3),
    S("宝马", "3系", "LBV", 2008, 2026, "sedan", "petrol", 1998, None, 5, 4),
    S("宝马", "X3", "LBV", 2018, 2026, "suv", "petrol", 1998, None, 5, 3),
    S("宝马", "iX3", "LBV", 2020, 2026, "suv", "bev", None, 80.0, 5, 1),
    S("奔驰", "C级", "LE4", 2008, 2026, "sedan", "petrol", 1497, None, 5, 4),
    S("奔驰", "GLC", "LE4", 2016, 2026, "suv", "petrol", 1991, None, 5, 3),
    S("现代", "伊兰特", "LBE", 2008, 2026, "sedan", "petrol", 1591, None, 5, 4),
    S("福特", "福克斯", "LVS", 2008, 2022, "hatchback", "petrol", 1596, None, 5, 4),
    S("吉利", "远景", "L6T", 2008, 2021, "sedan", "petrol", 1498, None, 5, 4),
    S("吉利", "帝豪", "L6T", 2010, 2026, "sedan", "petrol", 1498, None, 5, 6),
    S("吉利", "博越", "L6T", 2016, 2026, "suv", "petrol", 1477, None, 5, 4),
    S("长安", "逸动", "LS5", 2012, 2026, "sedan", "petrol", 1598, None, 5, 5),
    S("长安", "CS75", "LS5", 2014, 2026, "suv", "petrol", 1494, None, 5, 6),
    S("哈弗", "H6", "LGW", 2011, 2026, "suv", "petrol", 1497, None, 5, 8),
    S("长城", "风骏5", "LGW", 2011, 2026, "pickup", "diesel", 1996, None, 5, 2),
    S("江铃", "宝典", "LEF", 2008, 2019, "pickup", "diesel", 2771, None, 5, 2),
    S("五菱", "宏光", "LZW", 2010, 2026, "mpv", "petrol", 1485, None, 7, 7),
    S("五菱", "之光", "LZW", 2008, 2020, "mpv", "petrol", 1206, None, 7, 3),
    S("五菱", "宏光MINIEV", "LZW", 2020, 2026, "hatchback", "bev", None, 13.9, 4, 6),
    S("荣威", "RX5", "LSJ", 2016, 2026, "suv", "petrol", 1490, None, 5, 3),
    S("奇瑞", "QQ", "LVV", 2008, 2015, "hatchback", "petrol", 1083, None, 4, 3),
    S("奇瑞", "瑞虎8", "LVV", 2018, 2026, "suv", "petrol", 1498, None, 7, 3),
    S("比亚迪", "F3", "LGXC", 2008, 2015, "sedan", "petrol", 1488, None, 5, 4),
    S("比亚迪", "秦", "LGXC", 2014, 2020, "sedan", "phev", 1497, 13.0, 5, 2),
    S("比亚迪", "e5", "LGXC", 2016, 2020, "sedan", "bev", None, 60.5, 5, 2),
    S("比亚迪", "唐", "LGXC", 2015, 2026, "suv", "phev", 1999, 24.0, 7, 2),
    S("比亚迪", "秦PLUS", "LC0", 2021, 2026, "sedan", "phev", 1498, 8.3, 5, 8),
    S("比亚迪", "宋PLUS", "LC0", 2021, 2026, "suv", "phev", 1498, 18.3, 5, 6),
    S("比亚迪", "汉", "LC0", 2020, 2026, "sedan", "bev", None, 76.9, 5, 3),
    S("比亚迪", "元PLUS", "LC0", 2022, 2026, "suv", "bev", None, 60.5, 5, 4),
    S("比亚迪", "海豚", "LC0", 2021, 2026, "hatchback", "bev", None, 44.9, 5, 4),
    S("比亚迪", "海鸥", "LC0", 2023, 2026, "hatchback", "bev", None, 30.1, 4, 5),
    S("特斯拉", "Model 3", "LRW", 2020, 2026, "sedan", "bev", None, 60.0, 5, 4),
    S("特斯拉", "Model Y", "LRW", 2021, 2026, "suv", "bev", None, 60.0, 5, 6),
    S("理想", "ONE", "LW4", 2019, 2022, "suv", "erev", 1197, 40.5, 6, 2),
    S("理想", "L7", "LW4", 2023, 2026, "suv", "erev", 1496, 42.8, 5, 3),
    S("蔚来", "ES6", "LJ1", 2019, 2026, "suv", "bev", None, 75.0, 5, 2),
    S("小鹏", "P7", "L1N", 2020, 2026, "sedan", "bev", None, 70.8, 5, 2),
    S("广汽埃安", "AION S", "LMG", 2019, 2026, "sedan", "bev", None, 58.8, 5, 4),
)

# First registrations per year (relative, the fleet still on the road) and the share of
# new-energy cars among them: a rough outline of the market, not statistics.
_YEAR_WEIGHTS = {
    2008: 3,
    2009: 4,
    2010: 6,
    2011: 7,
    2012: 8,
    2013: 9,
    2014: 11,
    2015: 12,
    2016: 14,
    2017: 14,
    2018: 13,
    2019: 13,
    2020: 12,
    2021: 13,
    2022: 13,
    2023: 14,
    2024: 15,
    2025: 16,
    2026: 13,
}
_NEV_SHARE = {
    2014: 0.01,
    2015: 0.02,
    2016: 0.03,
    2017: 0.04,
    2018: 0.05,
    2019: 0.05,
    2020: 0.06,
    2021: 0.13,
    2022: 0.26,
    2023: 0.32,
    2024: 0.45,
    2025: 0.52,
    2026: 0.55,
}
# Cars on the road per province (millions, rounded), by the code's first two digits.
_PROVINCE_WEIGHTS = {
    "44": 30,
    "37": 28,
    "32": 25,
    "33": 22,
    "41": 20,
    "13": 19,
    "51": 16,
    "34": 11,
    "42": 11,
    "43": 11,
    "35": 10,
    "21": 9,
    "45": 9,
    "53": 9,
    "61": 9,
    "14": 9,
    "11": 8,
    "36": 7,
    "52": 7,
    "31": 6,
    "50": 6,
    "15": 6,
    "23": 6,
    "22": 5,
    "65": 5,
    "12": 4,
    "62": 4,
    "46": 2,
    "64": 2,
    "63": 1,
    "54": 1,
}
# 国V came to these eleven eastern provinces on 2016-04-01, elsewhere on 2017-01-01.
_EARLY_CN5 = frozenset({"11", "12", "13", "21", "31", "32", "33", "35", "37", "44", "46"})


def emission_standard(fuel_type: str, registered: date, city_code: str) -> str:
    """The standard a light car first registered that day had to meet; "" for a BEV."""
    if fuel_type == "bev":
        return ""
    if fuel_type == "diesel":  # light diesel lagged: 国IV 2013-07, 国V 2018-01
        steps = [(date(2013, 7, 1), "CN4"), (date(2018, 1, 1), "CN5")]
    else:
        cn5 = date(2016, 4, 1) if city_code[:2] in _EARLY_CN5 else date(2017, 1, 1)
        steps = [(date(2011, 7, 1), "CN4"), (cn5, "CN5")]
    steps = [
        (date(2008, 7, 1), "CN3"),
        *steps,
        (date(2019, 7, 1), "CN6a"),
        (date(2023, 7, 1), "CN6b"),
    ]
    return next((name for start, name in reversed(steps) if registered >= start), "CN2")


class DemoPerson(NamedTuple):
    name: str
    id_number: str
    city_code: str


class DemoDealer(NamedTuple):
    uscc: str
    name: str
    city_code: str


def _resident_id(region: str, birth: date, sequence: int) -> str:
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + resident_id_check_char(first17)


def _uscc(city_code: str, organization: str) -> str:
    """A company's USCC: 9 (registered by market regulation), 1 (enterprise), region, org code."""
    # The 8-character organization code takes its own GB 11714 check character.
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in organization]
    total = sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = (11 - total % 11) % 11
    first17 = f"91{city_code}{organization}{'X' if check == 10 else check}"
    return first17 + uscc_check_char(first17)


DEALERS: tuple[DemoDealer, ...] = (
    DemoDealer(_uscc("440100", "MA59K2T7"), "广州市粤骏二手车销售有限公司", "440100"),
    DemoDealer(_uscc("330100", "MA2GD8QL"), "杭州钱塘优车汽车销售服务有限公司", "330100"),
    DemoDealer(_uscc("510100", "MA6C4HR3"), "成都蓉锦二手车经纪有限公司", "510100"),
)
DEMO_OWNER = DemoPerson("陈建华", _resident_id("440100", date(1979, 8, 14), 213), "440100")
# DEMO_OWNER's cars: an old petrol car the 2026 program takes for scrapping, a used car
# held long enough for replacement renewal, and a plug-in hybrid (DOMAIN §1.2).
_DEMO_OWNER_CARS = (
    ("朗逸", "440100", date(2012, 9, 18), date(2012, 9, 18)),
    ("凯美瑞", "440600", date(2018, 5, 6), date(2021, 3, 12)),
    ("秦PLUS", "440100", date(2022, 11, 20), date(2022, 11, 20)),
)
CARS_PER_DEALER = 30

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾"
)
_GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭宁龙林阳建国志文海东峰成亮兵晨博"
_GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲燕萍红婷雪琳洁梅莉颖倩慧佳欣怡晶丹蕾悦露瑶雯琪璐婧雅"
_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
_VIN_YEARS = "ABCDEFGHJKLMNPRSTVWXY123456789"  # model years 1980–2009, repeating every 30
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # GA 36: no I or O


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@cache
def _places() -> tuple[dict[str, tuple[str, ...]], list[str], list[float]]:
    """Cities that issue plates, the prefixes that lead back to them, cumulative weights."""
    prefixes: dict[str, tuple[str, ...]] = {}
    for city in regions.cities():
        own = tuple(p for p in city.plate_prefixes if regions.city_for_plate_prefix(p) == city)
        if own and city.code[:2] in _PROVINCE_WEIGHTS:
            prefixes[city.code] = own
    # A province's share is split among its cities; a capital (xx01xx) counts as four.
    shares = {code: 4 if code[2:4] == "01" else 1 for code in prefixes}
    totals: dict[str, int] = {}
    for code, share in shares.items():
        totals[code[:2]] = totals.get(code[:2], 0) + share
    codes = list(prefixes)
    weights = [_PROVINCE_WEIGHTS[c[:2]] * shares[c] / totals[c[:2]] for c in codes]
    return prefixes, codes, list(accumulate(weights))


@cache
def _on_sale(year: int, new_energy: bool) -> tuple[list[Series], list[int]]:
    series = [
        s
        for s in CATALOGUE
        if s.first_year <= year <= s.last_year and (s.fuel_type in NEW_ENERGY) == new_energy
    ]
    return series, list(accumulate(s.weight for s in series))


@cache
def _years(last_year: int) -> tuple[list[int], list[int]]:
    """The years up to last_year and their cumulative weights."""
    years = [y for y in _YEAR_WEIGHTS if y <= last_year]
    return years, list(accumulate(_YEAR_WEIGHTS[y] for y in years))


class _Generator:
    """One pass of demo_rows: the random source and the identifiers already handed out."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.vins: set[str] = set()
        self.plates: set[str] = set()
        self.ids = {DEMO_OWNER.id_number}
        self.one_car: dict[str, list[tuple[str, str, date]]] = {}  # city → (name, id, birth)
        self.vin_heads = {s: self._vin_head(s) for s in CATALOGUE}

    def _vin_head(self, series: Series) -> str:
        """VIN characters 1–8 and 11 (plant) shared by a series: WMI, descriptor, plant."""
        filler = "".join(self.rng.choices(_VIN_CHARS, k=8 - len(series.wmi)))
        return series.wmi + filler + self.rng.choice(_VIN_CHARS[10:])

    def day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def vin(self, series: Series, registered: date) -> str:
        model_year = registered.year
        if registered.month <= 4 and self.rng.random() < 0.5 and model_year > series.first_year:
            model_year -= 1  # last year's model still in the showroom
        head = self.vin_heads[series]
        while True:
            serial = f"{self.rng.randrange(1_000_000):06d}"
            vin = f"{head[:8]}0{_VIN_YEARS[(model_year - 1980) % 30]}{head[8]}{serial}"
            vin = vin[:8] + vin_check_digit(vin) + vin[9:]
            if vin not in self.vins:
                self.vins.add(vin)
                return vin

    def plate(self, city_code: str, fuel_type: str) -> str:
        prefixes = _places()[0][city_code]
        while True:
            prefix = self.rng.choice(prefixes)
            if fuel_type in NEW_ENERGY:  # small new-energy plate: D electric, F otherwise
                kind = "D" if fuel_type == "bev" else "F"
                second = _PLATE_LETTERS if self.rng.random() < 0.3 else "0123456789"
                tail = kind + self.rng.choice(second) + "".join(self.rng.choices("0123456789", k=4))
            else:
                chars = self.rng.choices("0123456789", k=5)
                letters = self.rng.choices((0, 1, 2), weights=(3, 5, 2))[0]
                for position in self.rng.sample(range(5), letters):
                    chars[position] = self.rng.choice(_PLATE_LETTERS)
                tail = "".join(chars)
            if prefix + tail not in self.plates:
                self.plates.add(prefix + tail)
                return prefix + tail

    def person(self, city_code: str, owner_since: date) -> tuple[str, str]:
        """A person in the city, adult when the car became theirs; now and then a second car."""
        adult_by = _years_before(owner_since, 18)
        waiting = self.one_car.get(city_code, [])
        fits = [i for i, p in enumerate(waiting) if p[2] <= adult_by]
        if fits and self.rng.random() < 0.15:
            name, id_number, _ = waiting.pop(self.rng.choice(fits))
            return name, id_number
        male = self.rng.random() < 0.62
        given = _GIVEN_MALE if male else _GIVEN_FEMALE
        name = self.rng.choice(_SURNAMES) + "".join(
            self.rng.sample(given, 2 if self.rng.random() < 0.7 else 1)
        )
        # 20–75 years old at the end of the data, and adult on owner_since.
        latest = min(_years_before(LAST_DAY, 20), adult_by)
        while True:
            birth = self.day(_years_before(LAST_DAY, 75) + timedelta(days=1), latest)
            id_number = _resident_id(city_code, birth, self.rng.randrange(1, 500) * 2 - male)
            if id_number not in self.ids:
                break
        self.ids.add(id_number)
        waiting.append((name, id_number, birth))
        self.one_car[city_code] = waiting
        return name, id_number

    def city(self) -> str:
        _, codes, cumulative = _places()
        return self.rng.choices(codes, cum_weights=cumulative)[0]

    def car(self, last: date = LAST_DAY) -> tuple[Series, date]:
        """A series and its first registration, following the market year by year."""
        years, cumulative = _years(last.year)
        year = self.rng.choices(years, cum_weights=cumulative)[0]
        new_energy = self.rng.random() < _NEV_SHARE.get(year, 0)
        series, cumulative = _on_sale(year, new_energy)
        if not series:
            series, cumulative = _on_sale(year, not new_energy)
        chosen = self.rng.choices(series, cum_weights=cumulative)[0]
        return chosen, self.day(date(year, 1, 1), min(date(year, 12, 31), last))

    def row(
        self,
        series: Series,
        city_code: str,
        registered: date,
        owner_since: date,
        owner: tuple[str, str, str],
        *,
        status: str = "registered",
        flags: bool = True,
    ) -> dict[str, str]:
        rng = self.rng
        clear = not flags or status != "registered"
        mortgaged = not clear and rng.random() < 0.05
        seized = not clear and rng.random() < 0.005
        violations = 0 if clear else rng.choices((0, 1, 2, 3, 5), (85, 10, 3, 1, 1))[0]
        usage = "commercial" if flags and rng.random() < 0.05 else "private"
        return dict(
            zip(
                HEADER,
                (
                    self.vin(series, registered),
                    self.plate(city_code, series.fuel_type),
                    series.brand,
                    series.model,
                    series.body_type,
                    series.fuel_type,
                    emission_standard(series.fuel_type, registered, city_code),
                    str(series.displacement_ml or ""),
                    f"{series.battery_kwh:.1f}" if series.battery_kwh else "",
                    str(series.seats),
                    usage,
                    registered.isoformat(),
                    city_code,
                    status,
                    str(int(mortgaged)),
                    str(int(seized)),
                    str(violations),
                    *owner,
                    owner_since.isoformat(),
                ),
                strict=True,
            )
        )


def _series(model: str) -> Series:
    return next(s for s in CATALOGUE if s.model == model)


def demo_rows(count: int, seed: int = 2026) -> list[dict[str, str]]:
    """Deterministic rows (same seed, same rows): DEMO_OWNER's cars, the dealers', then others."""
    g = _Generator(seed)
    rows = [
        g.row(
            _series(model),
            city_code,
            registered,
            since,
            ("person", DEMO_OWNER.name, DEMO_OWNER.id_number),
            flags=False,
        )
        for model, city_code, registered, since in _DEMO_OWNER_CARS
    ][:count]
    # Small extracts keep at least half their rows for the general population.
    per_dealer = min(CARS_PER_DEALER, max(0, count - len(rows)) // (2 * len(DEALERS)))
    for dealer in DEALERS:
        province_code = regions.city(dealer.city_code).province_code
        for _ in range(per_dealer):
            # Stock first registered by mid-2025, bought by the dealer from 2025 on.
            series, registered = g.car(last=date(2025, 6, 30))
            city_code = dealer.city_code
            if g.rng.random() < 0.2:
                city_code = g.rng.choice(
                    [c for c in _places()[1] if regions.city(c).province_code == province_code]
                )
            since = g.day(max(registered + timedelta(days=180), date(2025, 1, 1)), LAST_DAY)
            owner = ("dealer", dealer.name, dealer.uscc)
            rows.append(g.row(series, city_code, registered, since, owner))
    while len(rows) < count:
        series, registered = g.car()
        city_code = g.city()
        since = registered
        if g.rng.random() < 0.3 and registered + timedelta(days=180) <= LAST_DAY:
            # Bought used; half of them in the extract's last year, so the demo's recent
            # sales (portal/transfer/demo.py) give the valuation comparables (DOMAIN §3.1).
            earliest = registered + timedelta(days=180)
            if g.rng.random() < 0.5:
                earliest = max(earliest, LAST_DAY - timedelta(days=330))
            since = g.day(earliest, LAST_DAY)
        status = "registered"
        if registered < date(2016, 1, 1) and g.rng.random() < 0.07:
            status = "scrapped"
        elif g.rng.random() < 0.01:
            status = "deregistered"  # exported, stolen or lost
        owner = ("person", *g.person(city_code, since))
        rows.append(g.row(series, city_code, registered, since, owner, status=status))
    return rows


def write_csv(rows, path_or_file: str | os.PathLike | IO) -> None:
    """Write rows under HEADER as UTF-8 CSV to a path, a text file or a binary file."""
    if isinstance(path_or_file, str | os.PathLike):
        with open(path_or_file, "w", encoding="utf-8", newline="") as file:
            _write(rows, file)
    elif isinstance(path_or_file, io.TextIOBase):
        _write(rows, path_or_file)
    else:
        text = io.TextIOWrapper(path_or_file, encoding="utf-8", newline="")
        _write(rows, text)
        text.flush()
        text.detach()  # leave the caller's file open


def _write(rows, file: IO[str]) -> None:
    writer = csv.DictWriter(file, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
