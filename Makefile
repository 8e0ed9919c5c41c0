# Guanai: `make run` serves the demo city on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test test-next-day install install-test system-packages runtime-packages deploy-packages deploy-local load drills clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test system-packages

# Debian packages the project needs: Chromium for the browser tests (Playwright's
# own browser download is not used). Add to this list; installed once, by name.
SYSTEM_PACKAGES := chromium
# The app at run time: Noto CJK (Chinese in PDF briefings, the DOCX fallback font, chart
# labels) and Pango for WeasyPrint; the archive reads old Word/WPS files through LibreOffice
# (headless), renders scanned PDF pages with Poppler's pdftoppm and reads them with Tesseract
# and its simplified-Chinese data; `make run` installs only these. The tests also read
# briefings back (Poppler's pdftotext) and open the DOCX in LibreOffice.
RUNTIME_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 \
	libreoffice-writer-nogui poppler-utils tesseract-ocr tesseract-ocr-chi-sim
# PostgreSQL's client (pg_dump/pg_restore for `guanai backup`) and server: the suite's
# second run and the backup drill use them.
SYSTEM_PACKAGES += $(RUNTIME_PACKAGES) postgresql postgresql-client
# `make deploy-local`: nginx in front, PostgreSQL behind, a certificate made with openssl.
DEPLOY_PACKAGES := $(RUNTIME_PACKAGES) nginx postgresql postgresql-client openssl
APT_PACKAGES = $(SYSTEM_PACKAGES)
system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

runtime-packages:
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES="$(RUNTIME_PACKAGES)"

deploy-packages:
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES="$(DEPLOY_PACKAGES)"

# One process on SQLite, debug off (GUANAI_DEBUG=1 for Django's debug pages).
run: install runtime-packages
	mkdir -p var
	$(BIN)/guanai migrate --noinput
	$(BIN)/guanai demo --if-empty
	$(BIN)/guanai serve --port $(PORT)

# A province-style installation on this machine: nginx (https://127.0.0.1:8443), two
# web processes, two workers, PostgreSQL; all under var/deploy/. DEPLOY_ARGS="--demo province".
deploy-local: install deploy-packages
	$(BIN)/python deploy/local.py $(DEPLOY_ARGS)

# Month-end load test against deploy-local (bench/load.py; province demo: DEPLOY_ARGS="--demo province").
load: install deploy-packages
	$(BIN)/pip install --quiet -e '.[load]'
	$(BIN)/python bench/load.py $(LOAD_ARGS)

# Bad-input drills that take minutes: PostgreSQL restarted during an import, a web
# process killed mid-request under load (bench/drills.py).
drills: install-test deploy-packages
	$(BIN)/python bench/drills.py

# The layers contract (pyproject.toml, import-linter) first: a cycle fails before any test runs.
test: install-test
	$(BIN)/lint-imports
	$(BIN)/pytest

# The tests whose figures depend on the date, with the day changing after the first test
# (pytest --next-day, root conftest.py): a session that runs past midnight must still pass.
NEXT_DAY_TESTS = src/guanai/stats src/guanai/dashboards src/guanai/coordination src/guanai/care \
	src/guanai/registry/tests/test_registry.py src/guanai/briefings tests/test_figures_agree.py
test-next-day: install-test
	$(BIN)/pytest --next-day -p no:cacheprovider $(NEXT_DAY_TESTS)

clean:
	rm -rf $(VENV) var/static
