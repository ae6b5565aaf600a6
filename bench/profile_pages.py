"""Where a page's time goes: cProfile over many requests to one page, in this process.

Usage (on the data set `bench/load.py` built):
    .venv/bin/python bench/profile_pages.py --database postgresql+psycopg://…/portal_load
        [--requests 200] [--top 30] [--only NAME ...]

Each page is asked through the Flask test client, signed in as its role, warmed up, then
asked --requests times under cProfile. It prints the milliseconds of CPU per request and
the functions that took the most time of their own and in all. A worker under wrk spends
the same CPU plus the WSGI server's; this tells which part of the page to make cheaper.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import national  # noqa: E402
from bench.credentials import CHEAP, signed_in_client  # noqa: E402
from portal import create_app  # noqa: E402


def signed_in(app, email: str):
    from portal.accounts import services as accounts

    accounts.hasher = CHEAP  # the data set's hashes are cheap
    return signed_in_client(app, email)


def pages(app) -> list[tuple[str, object, str]]:
    """(name, client, path) of the pages load.py measures with a GET."""
    with app.extensions["db_engine"].connect() as c:
        car = c.execute(
            text("SELECT id, vin, plate FROM vehicle WHERE province_code = '440000' LIMIT 1")
        ).first()
        layout = json.loads(c.execute(text("SELECT layout FROM bench_layout")).scalar())
    applications = layout["applications"]
    visitor = app.test_client()
    reviewer = signed_in(app, "reviewer-440000@bench.cn")
    officer = signed_in(app, "officer-440000@bench.cn")
    dealer = signed_in(app, "dealer1@bench.cn")
    last = applications - 1  # load.py's owner: the last of the queue
    waiting = signed_in(app, f"owner{last}@bench.cn")
    valuation = f"vin={car.vin}&mileage=60000&condition=good&province=440000&city=440300"
    return [
        ("home", visitor, "/"),
        ("public budget page", visitor, "/subsidies/budget"),
        ("owner's application, queue place", waiting, f"/subsidies/{last + 1000}"),
        ("valuation result by VIN", visitor, "/valuation/result?" + valuation),
        ("staff search, VIN prefix", reviewer, "/vehicles?q=" + car.vin[:10]),
        ("staff search, plate prefix", reviewer, "/vehicles?q=" + quote(car.plate[:5])),
        ("vehicle page", reviewer, f"/vehicles/{car.id}"),
        ("reviewer queue, first page", reviewer, "/review/"),
        ("reviewer queue, by kind", reviewer, "/review/?kind=replacement"),
        ("officer queue, outgoing", officer, "/transfers/?direction=outgoing"),
        ("dealer case list", dealer, "/transfers/"),
        ("GET /api/v1/models", visitor, "/api/v1/models?q=" + quote("大众")),
    ]


def profile(name: str, client, path: str, requests: int, top: int) -> None:
    for _ in range(20):
        assert client.get(path).status_code == 200, (name, path)
    profiler = cProfile.Profile()
    started = time.process_time()
    profiler.enable()
    for _ in range(requests):
        client.get(path)
    profiler.disable()
    per_request = (time.process_time() - started) / requests * 1000
    print(f"\n=== {name}: {per_request:.2f} ms CPU per request (under the profiler)")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    os.environ["CARD_KEYS"] = national.CARD_KEYS
    config = national.app_config(args.database) | {"RATELIMIT_ENABLED": False}
    app = create_app(config | {"PORTAL_ENV": "production"})
    for name, client, path in pages(app):
        if not args.only or any(o in name for o in args.only):
            profile(name, client, path, args.requests, args.top)


if __name__ == "__main__":
    main()
