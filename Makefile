# Rapport: two commands do all the set-up on a fresh machine.
#   make run    install, migrate the SQLite database, load content, serve on :8000 (granian),
#               with a job consumer for Web Push reminders beside it (queue: var/rapport-jobs.db)
#   make serve  production: PostgreSQL + Redis, migrate, load content, granian (scripts/serve.py)
#               and one job consumer (JOB_WORKERS threads; 0 for none) on the Redis queue
#   make worker one more job consumer (scripts/worker.py), e.g. on another machine sharing the
#               database and the Redis queue (DATABASE_URL, JOBS_URL as for `make serve`)
#   make bench  production server vs nginx, check-in writes, big caseload, the due-reminder
#               job over 100,000 partnerships; writes BENCHMARKS.md
#   make test   install test tools, lint, check the phone app's imports, run the whole suite
#               (TEST_DATABASE_URL for PostgreSQL)
#   make audit  Lighthouse (mobile) on the app against a throwaway server; fails under target
#   make screenshots  phone-sized PNGs of the main views, with demo data, into docs/screenshots/

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 2
THREADS ?= 4
export FLASK_APP := api
# Lighthouse 13 needs Node 22; 12.8 is the newest that runs on Node 20.
LIGHTHOUSE_VERSION := 12.8.2
MADGE_VERSION := 8.0.0
NODE_TOOLS := .tools/node
PWA_JS := pwa/js

.PHONY: run serve worker test lint jscheck spec bench bench-reminders migrate content install install-dev clean chromium audit screenshots

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

# The production server (scripts/serve.py: granian) on the embedded SQLite database; it
# migrates and loads content itself, and starts the job consumer, which dies with the server.
run: install
	@echo "Rapport is serving on http://$(HOST):$(PORT)/  (API /api/v1, docs /docs, spec /openapi.json)"
	HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) THREADS=$(THREADS) \
		$(BIN)/python scripts/serve.py --embedded

# Production: settings from the environment (DATABASE_URL, RATELIMIT_STORAGE_URI, JOBS_URL,
# HOST, PORT, WORKERS, THREADS, JOB_WORKERS; defaults in scripts/serve.py), which starts the
# job consumer and execs granian: SIGTERM drains, and the consumer stops with the server.
serve: install
	HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS) THREADS=$(THREADS) $(BIN)/python scripts/serve.py

# A job consumer on its own (scripts/worker.py; same settings as `make serve`, no migrations):
# more machines on one Redis queue, or beside a server started with JOB_WORKERS=0.
worker: install
	$(BIN)/python scripts/worker.py

# Style, then the architecture's rules (import-linter contracts in pyproject.toml).
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Browser tests drive the system Chromium (Playwright's own download does not work here).
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

# Node tools go into a git-ignored folder, not the global npm; the stamp names the version.
$(NODE_TOOLS)/.installed-lighthouse-$(LIGHTHOUSE_VERSION):
	npm install --no-save --no-audit --no-fund --prefix $(NODE_TOOLS) lighthouse@$(LIGHTHOUSE_VERSION)
	touch $@

# Each tool has its own folder: `npm install --no-save` removes what an earlier one put in it.
$(NODE_TOOLS)/.installed-madge-$(MADGE_VERSION):
	npm install --no-save --no-audit --no-fund --prefix $(NODE_TOOLS)/madge madge@$(MADGE_VERSION)
	touch $@

# The phone app's modules import one another without cycles. app.js names each view's file in
# full (import("./views/today.js")): madge cannot follow an import built from a template string.
jscheck: $(NODE_TOOLS)/.installed-madge-$(MADGE_VERSION)
	$(NODE_TOOLS)/madge/node_modules/.bin/madge --circular --extensions js --no-spinner $(PWA_JS)

audit: install chromium $(NODE_TOOLS)/.installed-lighthouse-$(LIGHTHOUSE_VERSION)
	$(BIN)/python scripts/audit.py

# Phone-sized PNGs of the main views for the README, with demo data (docs/screenshots/).
# Phones have a colour emoji font; the README's screenshots should show what they show.
screenshots: install chromium
	fc-list | grep -qi "color emoji" || (apt-get update -qq && apt-get install -y -qq fonts-noto-color-emoji)
	$(BIN)/python scripts/screenshots.py

test: lint jscheck chromium
	$(BIN)/python -m pytest

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[bench]'
	touch $@

bench: install $(VENV)/.installed-bench
	(command -v wrk && command -v nginx) >/dev/null || \
		(apt-get update -qq && apt-get install -y -qq wrk nginx)
	$(BIN)/python bench/run.py
	$(MAKE) bench-reminders

# The due-reminder job (api.jobs.tasks.scan) over 100,000 partnerships, SQLite and PostgreSQL:
# wall time and peak RSS of each scan in a fresh process (bench/reminders_profile.py).
bench-reminders: install
	$(BIN)/python bench/reminders_profile.py

spec: install
	$(BIN)/flask openapi write --format=json openapi/openapi.json
	@echo "Wrote openapi/openapi.json"

clean:
	rm -rf $(VENV) var .tools .pytest_cache .ruff_cache .hypothesis
