# Set-up and day-to-day commands.  A fresh machine needs only two of them:
#   make run    local service on http://127.0.0.1:8000/ with demo data and a recruiter login
#   make test   the test suite (honours DATABASE_URL and CELERY_BROKER_URL from the environment)
#
# Everything runs from the project's own virtualenv in .venv, built with Python 3.11 from the pinned
# lock files (requirements.lock for the service, requirements-test.lock adds the test tools).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
HOST ?= 127.0.0.1
PORT ?= 8000
RUFF_VERSION := 0.17.5

# Local development only: DEBUG on, which is also what lets settings fall back to a development
# SECRET_KEY.  Production settings stay strict (SECRET_KEY required when DEBUG is off).  A DEBUG value
# already in the environment wins.
LOCAL_ENV := DEBUG=$${DEBUG:-1}

.PHONY: help venv deps test-deps bench-deps run migrate bootstrap serve test worker beat lint lock clean

help:
	@echo "make run     venv + pinned deps, migrate, demo data (bootstrap_demo), runserver $(HOST):$(PORT)"
	@echo "make test    venv + pinned deps and test deps, then pytest"
	@echo "make worker  a Celery worker (needs CELERY_BROKER_URL)"
	@echo "make bench-deps  locust for benchmarks/bench_api.py (benchmarks/requirements.txt, not in the locks)"
	@echo "make lint    ruff check and ruff format --check (what CI runs)"
	@echo "make lock    regenerate requirements*.lock from pyproject.toml in a clean venv"

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)

venv: $(PY)

$(VENV)/.deps: requirements.lock | $(PY)
	$(PIP) install -q -r requirements.lock
	@touch $@

$(VENV)/.test-deps: requirements-test.lock $(VENV)/.deps
	$(PIP) install -q -r requirements-test.lock
	@touch $@

# Benchmark tools (locust) on top of the service's pins; the lock files constrain them so nothing pinned moves.
# Not in requirements*.lock: CI does not run benchmarks.
$(VENV)/.bench-deps: benchmarks/requirements.txt $(VENV)/.deps
	$(PIP) install -q -r benchmarks/requirements.txt -c requirements.lock -c requirements-test.lock
	@touch $@

deps: $(VENV)/.deps
test-deps: $(VENV)/.test-deps
bench-deps: $(VENV)/.bench-deps

migrate: deps
	$(LOCAL_ENV) $(PY) manage.py migrate --noinput

bootstrap: migrate
	$(LOCAL_ENV) $(PY) manage.py bootstrap_demo --host $(HOST) --port $(PORT)

serve: deps
	$(LOCAL_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

run: bootstrap
	@[ -n "$$CELERY_BROKER_URL" ] && echo "Celery broker: $$CELERY_BROKER_URL (start 'make worker' too)" \
	  || echo "No CELERY_BROKER_URL: Celery tasks run in-process (eager mode)."
	$(LOCAL_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Two pytest-xdist workers (TEST_WORKERS=0: one process): most of the suite's time is spent waiting on browsers,
# worker processes and servers, not on this process's CPU.  --dist loadgroup --no-loadscope-reorder hands the
# tests out one at a time in pytest-django's order, so each worker runs its TestCase tests before its
# transactional ones (which flush the database); --dist loadfile/loadscope would not.  (xdist 3.8's xdist_group
# marks do not take effect under pytest 9.2, so a module-scoped fixture may be set up on both workers.)
TEST_WORKERS ?= 2

test: test-deps
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

worker: deps
	$(LOCAL_ENV) $(VENV)/bin/celery -A recruiting worker -l info

beat: deps
	$(LOCAL_ENV) $(VENV)/bin/celery -A recruiting beat -l info --schedule /tmp/recruiting-celerybeat-schedule

lint: deps
	@$(VENV)/bin/ruff --version >/dev/null 2>&1 || $(PIP) install -q ruff==$(RUFF_VERSION)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Regenerate the lock files: pyproject.toml is the source of the pins.
lock:
	rm -rf /tmp/recruiting-lock-venv
	$(PYTHON) -m venv /tmp/recruiting-lock-venv
	/tmp/recruiting-lock-venv/bin/pip install -q .
	/tmp/recruiting-lock-venv/bin/pip freeze --exclude-editable | grep -vi '^recruiting-matcher' > /tmp/recruiting-rt.txt
	/tmp/recruiting-lock-venv/bin/pip install -q '.[test]'
	/tmp/recruiting-lock-venv/bin/pip freeze --exclude-editable | grep -vi '^recruiting-matcher' > /tmp/recruiting-all.txt
	{ echo "# Pinned runtime dependencies (web, worker, Docker image)."; \
	  echo "# Generated, not edited: pip freeze of a clean Python 3.11 venv after 'pip install .' (pyproject.toml is the source)."; \
	  echo "# Regenerate with 'make lock'."; \
	  cat /tmp/recruiting-rt.txt; } > requirements.lock
	{ echo "# Pinned test dependencies, on top of requirements.lock."; \
	  echo "# Generated, not edited: pip freeze of a clean venv after 'pip install .[test]', minus requirements.lock. 'make lock'."; \
	  echo "-r requirements.lock"; \
	  comm -13 <(sort /tmp/recruiting-rt.txt) <(sort /tmp/recruiting-all.txt); } > requirements-test.lock
	rm -rf /tmp/recruiting-lock-venv /tmp/recruiting-rt.txt /tmp/recruiting-all.txt
	rm -f $(VENV)/.deps $(VENV)/.test-deps

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
