# abcd: `make run` starts the demo, `make test` runs every check.
# Each target sets up what it needs, so both work from a fresh clone.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# The operating system's Python 3.11 first: Debian builds it with profile-
# guided optimisation, and a request through the app costs about a fifth less
# CPU on it than on an interpreter compiled without (docs/scaling.md).
PYTHON ?= $(shell for p in /usr/bin/python3.11 python3.11 python3; do \
  command -v $$p >/dev/null && $$p -c 'import ensurepip' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The suite runs in this many processes, each with its own test database.
TEST_PROCESSES ?= 2

# make is the developer's tool: its targets run on the development settings,
# said here because manage.py and Celery default to production. The targets
# that need other settings name them (pytest: test; bench: bench; smoke:
# production). `make check DJANGO_SETTINGS_MODULE=...` still overrides it.
export DJANGO_SETTINGS_MODULE := abcd.settings.dev

.PHONY: help setup venv node static database migrate demo run test lint check audit pytest smoke chromium pango e2e bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed ## Create .venv and install the Python packages

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node: node_modules/.installed ## Install the front-end packages from npm

static: venv node ## Copy front-end packages into static/ and build the CSS
	@rm -rf static/vendor && mkdir -p static/vendor/govuk-frontend static/vendor/moj static/build
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/vendor/govuk-frontend/
	cp -r node_modules/govuk-frontend/dist/govuk/assets static/vendor/govuk-frontend/
	cp node_modules/@ministryofjustice/frontend/moj/assets/images/* static/vendor/govuk-frontend/assets/images/
	cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js static/vendor/moj/
	mkdir -p static/vendor/idb && cp node_modules/idb/build/index.js static/vendor/idb/idb.js
	mkdir -p static/vendor/leaflet static/vendor/leaflet.markercluster
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map node_modules/leaflet/dist/leaflet.css static/vendor/leaflet/
	cp -r node_modules/leaflet/dist/images static/vendor/leaflet/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/leaflet.markercluster.js.map node_modules/leaflet.markercluster/dist/MarkerCluster.css node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css static/vendor/leaflet.markercluster/
	npx --no-install sass --load-path=. --style=compressed --no-source-map --quiet static/scss/abcd.scss static/build/abcd.css
	$(PY) manage.py collectstatic --noinput --verbosity 0

database: venv ## Create the PostgreSQL database named by DATABASE_URL if missing
	$(PY) scripts/ensure_database.py

migrate: database ## Apply migrations
	$(PY) manage.py migrate --noinput

demo: migrate ## Load the demo data (idempotent)
	$(PY) manage.py seed_demo

setup: pango static demo ## Everything `make run` needs before it starts

run: setup ## Set up, then run the web app, a Celery worker and beat (Ctrl-C stops all)
	@PORT=$(PORT) scripts/run.sh

chromium: ## Install Debian's Chromium for the browser tests if it is missing
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "The browser tests need Debian's Chromium at /usr/bin/chromium."; \
	    echo "Install it with: sudo apt-get install chromium"; exit 1; \
	  fi; \
	fi

pango: ## Install Pango for WeasyPrint (the reports' PDFs) if it is missing
	@if ! ldconfig -p | grep -q 'libpangoft2-1.0.so.0'; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation; \
	  else \
	    echo "The reports' PDFs need Pango (WeasyPrint)."; \
	    echo "Install it with: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation"; exit 1; \
	  fi; \
	fi

lint: venv node ## ruff (Python), djLint (templates), ESLint (JavaScript) and the import check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint --lint templates $(wildcard */templates)
	npx --no-install eslint .
	$(PY) scripts/import_cycles.py --all-imports

check: venv database ## Django's system checks and the migrations check
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

audit: venv ## Known vulnerabilities in the Python packages (pip-audit) and security lint (bandit)
	$(VENV)/bin/pip-audit --progress-spinner off --skip-editable
	$(VENV)/bin/bandit --quiet --recursive abcd core communities assets grants evaluation trust demo \
	  --exclude '*/tests/*,*/migrations/*' --severity-level high

pytest: pango static database chromium ## The whole pytest suite, browser tests included
	DJANGO_SETTINGS_MODULE=abcd.settings.test $(VENV)/bin/pytest --create-db -n $(TEST_PROCESSES)

smoke: pango static ## Start the production stack (gunicorn, worker, beat) on a throwaway database and try it
	$(PY) scripts/smoke.py

test: lint check audit pytest smoke ## Every check: lint, Django checks, migrations, audit, the whole suite, the smoke test

e2e: pango static database chromium ## Only the browser tests
	DJANGO_SETTINGS_MODULE=abcd.settings.test $(VENV)/bin/pytest e2e

bench: static ## Benchmark at city scale under gunicorn; writes bench/results.json
	$(PY) bench/run.py

clean: ## Remove built files (not the database)
	rm -rf static/vendor static/build staticfiles .pytest_cache
