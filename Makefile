# Two commands set up everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := registry

.PHONY: demo test test-all serve install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamp files make a second run cheap and re-install when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/flask --app registry init-db
	$(BIN)/flask --app registry demo
	$(BIN)/flask --app registry run --host 127.0.0.1 --port 5000

# Production-style serving: gunicorn with a few workers (see docs/deployment.md).
GUNICORN_WORKERS ?= 4
serve: install
	$(BIN)/flask --app registry init-db
	$(BIN)/gunicorn --workers $(GUNICORN_WORKERS) --bind 127.0.0.1:8000 --access-logfile - \
		-c python:registry.gunicorn_hooks 'registry:create_app()'

# The tests come in tiers, chosen by the pytest markers registered in pyproject.toml:
#   fast      every test without one of the markers below: `make test`, a few minutes, run it often
#   slow      a test over about 3 s (worker processes, mounts, a wheel build, generated API requests)
#   stress    long load, concurrency and kill loops (minutes each)
#   browser   Debian's Chromium driven by Playwright (tests/browser)
#   postgres  needs the PostgreSQL server in REGISTRY_TEST_DATABASE_URL; skipped without it (failing in CI)
# Tests that need Redis use redis://127.0.0.1:6379/0 (or REGISTRY_TEST_REDIS_URL), each on a queue of its own.
# `make test-all` runs every tier on SQLite, then, when TEST_DATABASE_URL names a PostgreSQL server, every
# tier but the browser's (those serve a SQLite file either way) on it, and gates branch coverage of both
# passes together at the 90 % in pyproject.toml. The stress tests run one at a time after the others:
# they measure lock waits and timeouts, which another worker's load would distort. The other tests spread
# over PYTEST_WORKERS processes (0: in this process); `make test PYTEST_ARGS="tests/search -k typo"` runs
# a subset, and `make test COVERAGE=--cov` measures coverage of it without the gate.
PYTEST_WORKERS ?= auto
PYTEST = $(BIN)/python -m pytest -n $(PYTEST_WORKERS)
FAST_TIER := not slow and not stress and not browser
COVERAGE ?=
test: install-test
	$(PYTEST) -m "$(FAST_TIER)" $(COVERAGE) $(PYTEST_ARGS)

TEST_DATABASE_URL ?=
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# Each pass adds to one coverage data file; the gate reads them together at the end.
TEST_ALL_COVERAGE := --cov --cov-append --cov-report= --cov-fail-under=0
# A subset (PYTEST_ARGS) without stress tests is no error (pytest's exit status 5: nothing collected).
STRESS_ALONE = $(BIN)/python -m pytest -m stress $(TEST_ALL_COVERAGE) $(PYTEST_ARGS) || [ $$? -eq 5 ]
# The fast tier runs once, as `make test` itself (the README's command); the other tiers follow.
test-all: install-test
	$(BIN)/python -m coverage erase
	REGISTRY_TEST_DATABASE_URL= REGISTRY_TEST_REDIS_URL=$(TEST_REDIS_URL) \
		$(MAKE) --no-print-directory test COVERAGE="$(TEST_ALL_COVERAGE)"
	REGISTRY_TEST_DATABASE_URL= REGISTRY_TEST_REDIS_URL=$(TEST_REDIS_URL) \
		$(PYTEST) -m "(slow or browser) and not stress" $(TEST_ALL_COVERAGE) $(PYTEST_ARGS) || [ $$? -eq 5 ]
	REGISTRY_TEST_DATABASE_URL= REGISTRY_TEST_REDIS_URL=$(TEST_REDIS_URL) \
		$(STRESS_ALONE)
ifneq ($(TEST_DATABASE_URL),)
	REGISTRY_TEST_DATABASE_URL=$(TEST_DATABASE_URL) REGISTRY_TEST_REDIS_URL=$(TEST_REDIS_URL) \
		$(PYTEST) -m "not browser and not stress" $(TEST_ALL_COVERAGE) $(PYTEST_ARGS)
	REGISTRY_TEST_DATABASE_URL=$(TEST_DATABASE_URL) REGISTRY_TEST_REDIS_URL=$(TEST_REDIS_URL) \
		$(STRESS_ALONE)
endif
	$(BIN)/python -m coverage report

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .coverage .coverage.*
