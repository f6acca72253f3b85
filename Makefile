# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DB ?= var/demo.db
# this checkout's code first, whatever checkout the environment's editable install points at
# (worktrees sharing one .venv: lint-imports and the scripts checked another checkout's code)
export PYTHONPATH := $(CURDIR)$(if $(PYTHONPATH),:$(PYTHONPATH))

.PHONY: run demo test lint unit bench clean translations screenshots package system-packages test-db hq-demo console-screenshots

# The system's part (Debian/Ubuntu): packages, and PostgreSQL running for the tests. As root they
# are installed and started; as another user checked, naming the one command to run as root.
# Quiet when everything is there.
system-packages:
	@bash scripts/install-system-deps.sh packages

test-db: system-packages
	@bash scripts/install-system-deps.sh test-db

$(STAMP): pyproject.toml | system-packages
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Seeds a demo store (idempotent) and opens the cashier window on it. With no display
# (a server, CI) it runs the headless demo instead: a sale through the CLI and `verify`.
# compiled Qt translations (.qm) are built, never committed
QM := resources/translations/pos_app_zh_CN.qm resources/translations/pos_app_en.qm
$(QM): resources/translations/pos_app_zh_CN.ts resources/translations/pos_app_en.ts $(STAMP)
	$(PY) scripts/translations.py release

translations: $(QM)

run: system-packages $(STAMP) $(QM)
	mkdir -p var
	$(PY) -m pos_app.cli --db $(DEMO_DB) demo-seed
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		$(PY) -m pos_app.ui.app --db $(DEMO_DB); \
	else \
		echo "no display: running the headless demo (log in with 1001 / PIN 1234 when a display is there)"; \
		$(PY) -m pos_app.cli --db $(DEMO_DB) demo-run && $(PY) -m pos_app.cli --db $(DEMO_DB) verify; \
	fi

# Headquarters with its console on a demo chain (three stores' tills sold for 30 days through the
# real sync), at http://127.0.0.1:8800/console/ ; the accounts and their password are printed.
HQ_DEMO_DB ?= var/hq-demo.db
HQ_DEMO_PORT ?= 8800
hq-demo: system-packages $(STAMP)
	mkdir -p var
	POS_HQ_KEY_FILE=$(HQ_DEMO_DB).key $(PY) scripts/hq_demo.py --db $(HQ_DEMO_DB)
	@echo "the console: http://127.0.0.1:$(HQ_DEMO_PORT)/console/  (Ctrl+C stops headquarters)"
	POS_HQ_KEY_FILE=$(HQ_DEMO_DB).key $(PY) -m pos_app.hq.cli --db $(HQ_DEMO_DB) serve --port $(HQ_DEMO_PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(PY) scripts/translations.py check
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# in TEST_WORKERS processes (pytest-xdist; many tests wait on PostgreSQL, servers and browsers, so
# three share two cores well); the 30 slowest steps (setup, call, teardown) are listed at the end
TEST_WORKERS ?= 3
unit: $(STAMP) $(QM) test-db
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=30

test: lint unit

bench: $(STAMP) package
	$(PY) benchmarks/run_all.py

# Screenshots of every main screen in both languages, under Xvfb, into docs/screenshots
screenshots: $(STAMP) $(QM)
	for lang in zh_CN en; do \
		QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x1024x24" $(PY) scripts/screenshots.py --lang $$lang --out docs/screenshots || exit 1; \
	done

# Screenshots of every console page in both languages (Chromium, the demo chain), into docs/screenshots/console
console-screenshots: $(STAMP)
	$(PY) scripts/console_screenshots.py --out docs/screenshots/console

# The one-folder application for this machine's OS (dist/pos-app/: pos-app and pos-app-gui);
# see packaging/ and docs/operations/installing.md. It is built with the versions pinned in
# packaging/constraints.txt (the till's libraries and PyInstaller), never with whatever is newest.
PACKAGE_STAMP := $(VENV)/.packaging
CONSTRAINTS := packaging/constraints.txt
$(PACKAGE_STAMP): $(STAMP) $(CONSTRAINTS)
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) -e '.[till]' "pyinstaller>=6.10,<7"
	touch $(PACKAGE_STAMP)

FROZEN := dist/pos-app/pos-app
FROZEN_INPUTS := $(shell find pos_app packaging db/migrations db/demo db/campaigns resources -type f -not -name '*.pyc') db/reference-program.toml

package: $(FROZEN)
	@du -sh dist/pos-app

$(FROZEN): $(PACKAGE_STAMP) $(QM) $(FROZEN_INPUTS)
	$(VENV)/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/pos-app.spec
	touch $(FROZEN)

clean:
	rm -rf $(VENV) var build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
