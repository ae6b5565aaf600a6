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

test: install lint
	$(BIN)/python -m pytest

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -r portal -ll -q

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-extract the messages after changing user-facing strings; then translate the .po file.
messages: $(STAMP)
	$(BIN)/pybabel extract --no-location -F $(CATALOGS)/babel.cfg -k N_ -k _l -o $(CATALOGS)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i $(CATALOGS)/messages.pot -d $(CATALOGS) -l zh

bench: install
	$(BIN)/python bench/registry_import.py
	$(BIN)/python bench/valuation.py

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
