# Guanai: `make run` serves the demo city on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test install install-test system-packages runtime-packages clean

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
# labels) and Pango for WeasyPrint; `make run` installs only these. The tests also read
# briefings back (Poppler's pdftotext/pdftoppm) and open the DOCX in LibreOffice.
RUNTIME_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0
SYSTEM_PACKAGES += $(RUNTIME_PACKAGES) poppler-utils libreoffice-writer-nogui
APT_PACKAGES = $(SYSTEM_PACKAGES)
system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

runtime-packages:
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES="$(RUNTIME_PACKAGES)"

run: install runtime-packages
	mkdir -p var
	$(BIN)/guanai migrate --noinput
	$(BIN)/guanai demo --if-empty
	$(BIN)/guanai serve --port $(PORT)

test: install-test
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var/static
