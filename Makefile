# `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
export FLASK_APP := pwa

.PHONY: run db test bench system-deps bench-deps clean translations

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

# Interface text catalogues (Flask-Babel). The compiled .mo files are committed, so an install from a clone works
# without this step; a catalogue edited by hand is compiled again here before `make run` and `make test`, and
# tests/test_i18n.py fails when a committed .mo is not what its .po compiles to.
TRANSLATIONS := pwa/translations
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

# After changing interface text: collect it into messages.pot, merge that into each language's .po, compile.
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -c "Translators:" --add-location=file --sort-output \
		--project="Open Door" -o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)

db: $(VENV)/.installed $(MO_FILES)
	$(BIN)/flask init-db
	$(BIN)/flask content load --if-empty
	$(BIN)/flask backup keygen --if-missing

# gunicorn.conf.py: no access log, and an error log without client addresses or paths (no record of who looked at what).
run: db
	$(BIN)/gunicorn -c gunicorn.conf.py --bind $(HOST):$(PORT) --workers $(WORKERS) 'pwa:create_app()'

system-deps:
	bash scripts/install-system-deps.sh

# The test packages (nginx among them) plus wrk for the load benchmark, so `make test` stays lean.
bench-deps:
	bash scripts/install-system-deps.sh bench

test: system-deps $(VENV)/.installed-test $(MO_FILES)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Every benchmarks/bench_*.py, then a summary table; `make bench BENCH="load pwa"` runs only those modules.
bench: bench-deps $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py $(BENCH)

clean:
	rm -rf $(VENV) instance .pytest_cache
