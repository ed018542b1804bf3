# `make demo` and `make test` each do all of their own set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_FLAGS ?= -rA -p no:cacheprovider --durations=25

.PHONY: demo test lint format install services-help clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# torch first, pinned to the version the range allows, so a CPU-only machine with a local
	# CPU wheel takes that instead of pulling CUDA packages.
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[dev]"
	# without its declared dependencies: see resemblyzer in pyproject.toml
	$(BIN)/pip install -q --no-deps "resemblyzer==0.1.4"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	scripts/apt-ensure espeak-ng:espeak-ng
	$(BIN)/python manage.py migrate --no-input -v0
	# the demo is built here, in order (metrics before the report that ranks by them), not queued
	CELERY_TASK_ALWAYS_EAGER=1 $(BIN)/python manage.py demo_setup --base-url http://127.0.0.1:8000
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop), one Celery worker beside it"
	# With no CELERY_BROKER_URL, jobs go through Kombu's filesystem transport in the data folder:
	# this worker (with the beat sweep, -B) takes them; no Redis is needed.
	$(BIN)/celery -A config worker -B -Q celery,gpu --concurrency 2 -l warning & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver 127.0.0.1:8000 --noreload

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The suite runs on SQLite, then again on PostgreSQL when DATABASE_URL points at one (the `slow`
# simulations touch no database and the `browser` tests see the same pages either way, so they run
# in the first pass only; the `fault` tests restart PostgreSQL and run in the second only, which
# repeats only the tests that touch a database: tests/conftest.py).
# Integration tests need Redis (AURICLE_TEST_REDIS_URL, default redis://127.0.0.1:6379/15) and
# Chromium (/usr/bin/chromium); outside CI they skip, naming what is missing; with CI=true they fail.
test: $(STAMP) lint
	@case "$$CI:$$DATABASE_URL" in \
	  true:postgres*|1:postgres*|yes:postgres*) ;; \
	  true:*|1:*|yes:*) echo "CI=true needs DATABASE_URL=postgres://...: the PostgreSQL run must not be skipped" >&2; \
	          exit 1 ;; \
	esac
	scripts/apt-ensure chromium:chromium espeak-ng:espeak-ng
	DATABASE_URL= $(BIN)/python -m pytest $(PYTEST_FLAGS) -m "not fault"
	@case "$$DATABASE_URL" in \
	  postgres*) echo "== again on PostgreSQL ($$DATABASE_URL), the tests that touch a database, less the browser =="; \
	             AURICLE_SUITE_PASS=database $(BIN)/python -m pytest $(PYTEST_FLAGS) -m "not slow and not browser" ;; \
	  *) echo "DATABASE_URL is not PostgreSQL: the PostgreSQL run is skipped" ;; \
	esac

clean:
	rm -rf $(VENV) var staticfiles
