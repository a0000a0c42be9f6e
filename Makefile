# Two commands set up everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := registry

.PHONY: demo test serve install install-test clean

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

# Production-style serving: gunicorn with a few workers (see README, "Deployment").
GUNICORN_WORKERS ?= 4
serve: install
	$(BIN)/flask --app registry init-db
	$(BIN)/gunicorn --workers $(GUNICORN_WORKERS) --bind 127.0.0.1:8000 --access-logfile - \
		-c python:registry.gunicorn_hooks 'registry:create_app()'

# Branch coverage is measured on every run and must stay at 90 % or more ([tool.coverage] in
# pyproject.toml); `make test COVERAGE= PYTEST_ARGS=tests/…` runs a subset without the gate.
COVERAGE ?= --cov --cov-report=term
test: install-test
	$(BIN)/python -m pytest $(COVERAGE) $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
