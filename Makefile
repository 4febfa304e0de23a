# Rapport: two commands do all the set-up on a fresh machine.
#   make run    install, migrate the SQLite database, load content, serve on :8000
#   make test   install test tools, lint, run the whole suite (TEST_DATABASE_URL for PostgreSQL)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 2
THREADS ?= 4
export FLASK_APP := api

.PHONY: run serve test lint spec bench migrate content install install-dev clean chromium

# Installs are stamped so repeat runs are instant; editing pyproject.toml reinstalls.
$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed-run: pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

migrate: install
	mkdir -p var
	$(BIN)/flask db upgrade

content: migrate
	$(BIN)/flask content load

run: content
	@echo "Rapport is serving on http://$(HOST):$(PORT)/  (API /api/v1, docs /docs, spec /openapi.json)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --threads $(THREADS) \
		--worker-class gthread --access-logfile - 'api:create_app()'

lint: install-dev
	$(BIN)/ruff check .

# Browser tests drive the system Chromium (Playwright's own download does not work here).
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

test: lint chromium
	$(BIN)/python -m pytest

bench: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py

spec: install
	$(BIN)/flask openapi write --format=json openapi/openapi.json
	@echo "Wrote openapi/openapi.json"

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis
