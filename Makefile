# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DB ?= var/demo.db

.PHONY: run demo test lint unit bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Seeds a demo store (idempotent) and runs it. Until the cashier window exists this is the
# headless demo: a few sales through the CLI and the integrity check.
run: $(STAMP)
	mkdir -p var
	$(PY) -m pos_app.cli --db $(DEMO_DB) demo-seed
	$(PY) -m pos_app.cli --db $(DEMO_DB) demo-run
	$(PY) -m pos_app.cli --db $(DEMO_DB) verify

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

unit: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q

test: lint unit

bench: $(STAMP)
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) var build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
