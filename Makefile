# `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
export FLASK_APP := pwa

.PHONY: run db test bench system-deps bench-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

db: $(VENV)/.installed
	$(BIN)/flask init-db
	$(BIN)/flask content load --if-empty
	$(BIN)/flask backup keygen --if-missing

# gunicorn.conf.py: no access log, and an error log without client addresses or paths (no record of who looked at what).
run: db
	$(BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS) 'pwa:create_app()'

system-deps:
	bash scripts/install-system-deps.sh

# The test packages plus nginx and wrk for the load benchmark, so `make test` stays lean.
bench-deps:
	bash scripts/install-system-deps.sh bench

test: system-deps $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: bench-deps $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) instance .pytest_cache
