"""The yardstick of `bench/load.py`: bare Flask on the same gunicorn settings as the portal.

Three pages, one per kind of portal page it is compared with: a 20-row Jinja table (the
HTML pages), a JSON POST answered with JSON (the API), and a JSON POST that inserts one
row in the same PostgreSQL database and commits (the filings and submissions).
"""

import os

from flask import Flask, jsonify, render_template_string, request
from sqlalchemy import create_engine, text

TABLE = """<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>车辆</title></head>
<body><table><thead><tr><th>VIN</th><th>号牌</th><th>品牌</th><th>车型</th><th>初次登记</th></tr>
</thead><tbody>{% for row in rows %}<tr><td>{{ row.vin }}</td><td>{{ row.plate }}</td>
<td>{{ row.brand }}</td><td>{{ row.model }}</td><td>{{ row.registered }}</td></tr>{% endfor %}
</tbody></table></body></html>"""
ROWS = [
    {
        "vin": f"LSVAU2180N21{n:05d}",
        "plate": f"粤A{n:05d}",
        "brand": "大众",
        "model": "朗逸",
        "registered": "2012-09-18",
    }
    for n in range(20)
]

app = Flask(__name__)
engine = create_engine(os.environ["DATABASE_URL"], pool_size=10)


@app.get("/")
def table():
    return render_template_string(TABLE, rows=ROWS)


@app.post("/json")
def echo():
    body = request.get_json()
    return jsonify({"received": body, "price_fen": 12_345_600})


@app.post("/insert")
def insert():
    body = request.get_json()
    with engine.begin() as connection:
        new_id = connection.execute(
            text("INSERT INTO bench_bare (payload) VALUES (:payload) RETURNING id"),
            {"payload": body.get("payload", "")},
        ).scalar_one()
    return jsonify({"id": new_id}), 201
