# The two commands the README promises: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
CATALOGS := portal/translations
MO := $(CATALOGS)/zh/LC_MESSAGES/messages.mo

# Production installs the runtime dependencies only, pinned with hashes in the lock file,
# into a venv of its own (`make lock` renews the file after pyproject.toml changes).
LOCK := requirements.lock
SERVE_VENV := .venv-serve
SERVE_BIN := $(SERVE_VENV)/bin
SERVE_STAMP := $(SERVE_VENV)/.installed-$(shell cat $(LOCK) | cksum | cut -d' ' -f1)

.PHONY: install run serve migrate lock test test-cluster lint format messages bench clean

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
	$(FLASK) seed reference
	$(FLASK) seed demo
	$(BIN)/huey_consumer portal.tasks.huey --workers 2 --quiet & \
	  trap 'kill $$!' EXIT INT TERM; \
	  $(FLASK) run --host 127.0.0.1 --port 5000

$(SERVE_STAMP): $(LOCK)
	test -x $(SERVE_BIN)/python || $(PYTHON) -m venv $(SERVE_VENV)
	$(SERVE_BIN)/python -m pip install --quiet --upgrade pip
	$(SERVE_BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(SERVE_BIN)/python -m pip install --quiet --no-deps -e .
	$(SERVE_BIN)/pybabel compile --use-fuzzy -d $(CATALOGS) -D messages
	rm -f $(SERVE_VENV)/.installed-*
	touch $@

# Production: gunicorn as gunicorn.conf.py says (docs/deploy.md lists the settings). It
# does not migrate: a deploy runs `make migrate` once, before starting the machines.
serve: $(SERVE_STAMP)
	$(SERVE_BIN)/gunicorn --config gunicorn.conf.py wsgi:app

migrate: $(SERVE_STAMP)
	$(SERVE_BIN)/flask --app wsgi db upgrade

lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --quiet --python-version 3.11 --generate-hashes \
	  --no-header -o $(LOCK)

# The suite in parallel (pytest-xdist: one worker per core, at most 4, each with its own
# database), with branch coverage of portal/ that must not fall under the floor.
TEST_WORKERS ?= auto
COVERAGE_FLOOR := 95

# The cluster test (several processes against PostgreSQL, Redis and S3) runs on its own:
# `make test-cluster`, as .ci/run does.
test: install lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 4 -m "not cluster" \
	  --cov --cov-report term:skip-covered --cov-fail-under $(COVERAGE_FLOOR)

test-cluster: install
	$(BIN)/python -m pytest -m cluster -q

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
	rm -rf $(VENV) $(SERVE_VENV) instance .pytest_cache .ruff_cache .mypy_cache .coverage htmlcov
