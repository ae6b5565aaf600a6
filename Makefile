# The two commands the README promises: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
CATALOGS := portal/translations
MO := $(CATALOGS)/zh/LC_MESSAGES/messages.mo

.PHONY: install run serve test lint format messages bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

$(MO): $(CATALOGS)/zh/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d $(CATALOGS) -D messages

install: $(STAMP) $(MO)

# Migrate and seed the embedded SQLite database, then serve with a job consumer beside.
run: install
	$(FLASK) db upgrade
	$(FLASK) seed
	$(BIN)/huey_consumer portal.tasks.huey --workers 2 --quiet & \
	  trap 'kill $$!' EXIT INT TERM; \
	  $(FLASK) run --host 127.0.0.1 --port 5000

# Production-style: gunicorn workers (set DATABASE_URL, SECRET_KEY, ID_HASH_KEY, PORTAL_ENV).
serve: install
	$(FLASK) db upgrade
	$(BIN)/gunicorn --workers 4 --bind 0.0.0.0:8000 wsgi:app

# The suite in parallel (pytest-xdist: one worker per core, at most 4, each with its own
# database), with branch coverage of portal/ that must not fall under the floor.
TEST_WORKERS ?= auto
COVERAGE_FLOOR := 95

test: install lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 4 \
	  --cov --cov-report term:skip-covered --cov-fail-under $(COVERAGE_FLOOR)

# Style, formatting, mypy --strict on the pure modules ([tool.mypy] in pyproject.toml), bandit.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/bandit -r portal -ll -q

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-extract the messages after changing user-facing strings; then translate the .po file.
messages: $(STAMP)
	$(BIN)/pybabel extract --no-location -F $(CATALOGS)/babel.cfg -k N_ -k _l -o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i $(CATALOGS)/messages.pot -d $(CATALOGS) -l zh

# Opening day at national size (docs/benchmarks.md): builds the data set in that PostgreSQL
# database once, then measures the key pages beside bare Flask (about 10 minutes).
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/portal_load
bench: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/load.py --database $(BENCH_DATABASE_URL)

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache .mypy_cache .coverage htmlcov
