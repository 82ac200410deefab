# ClearSlate — `make run` opens the app on a demo workspace; `make test` checks everything.
# Both work from a fresh clone: they create .venv, install the Python packages and, when
# run as root on Debian, the system libraries Qt needs offscreen.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo
QT_DEBS := libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fonts-dejavu-core

.PHONY: run test lint demo venv system-deps clean bench dist dist-check

venv: $(STAMP)

$(STAMP): pyproject.toml
	@if ! $(PYTHON) -m venv $(VENV) >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv python3-pip >/dev/null; \
			$(PYTHON) -m venv $(VENV); \
		else echo "Cannot create a virtual environment: install python3-venv"; exit 1; fi; \
	fi
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e ".[test]"
	@touch $(STAMP)

# Qt's offscreen platform needs a few Debian libraries; install the missing ones when we can.
system-deps:
	@command -v dpkg >/dev/null || exit 0; \
	missing=""; for p in $(QT_DEBS) $(EXTRA_DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian packages Qt needs:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else echo "warning: Qt needs these Debian packages:$$missing (run as root, or ask IT)"; fi; \
	fi

lint: venv
	$(VENV)/bin/ruff check app tests bench installers
	$(VENV)/bin/lint-imports

test: venv system-deps lint
	@QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q -p no:cacheprovider; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi; exit $$rc

demo: venv system-deps
	$(PY) -m app demo --out $(DEMO_DIR)

run: venv system-deps
	@[ -f $(DEMO_DIR)/demo.clearslate ] || $(PY) -m app demo --out $(DEMO_DIR)
	$(PY) -m app --workspace $(DEMO_DIR)/demo.clearslate

bench: venv
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# -- packaging (issue 7; see installers/README.md) ------------------------------------------
DIST_STAMP := $(VENV)/.dist-installed
BUNDLE := dist/clearslate

$(DIST_STAMP): $(STAMP)
	$(PY) -m pip install -q --disable-pip-version-check -e ".[test,dist]"
	@touch $(DIST_STAMP)

# The onedir bundle in dist/clearslate (about 30 s here). PyInstaller does not cross-compile:
# the Windows bundle is built on Windows by installers/build_windows.ps1.
dist: venv system-deps $(DIST_STAMP)
	rm -rf $(BUNDLE) build/pyinstaller
	$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist \
		--workpath build/pyinstaller installers/clearslate.spec
	@echo "Built $(BUNDLE)"

# Build, then: no QtNetwork/TLS inside, --version and --self-test (no network), portable
# mode, size and start time; the .deb and portable zip; the NSIS and WiX scripts compile.
dist-check: dist
	$(PY) installers/check_bundle.py $(BUNDLE)
	installers/build_deb.sh $(BUNDLE) dist
	$(PY) installers/make_zip.py $(BUNDLE) dist
	installers/check_installers.sh

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache *.egg-info
