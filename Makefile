# Guanai: `make run` serves the demo city on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: run test install install-test system-packages clean

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
system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then $(SUDO) apt-get update -qq && $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

run: install
	mkdir -p var
	$(BIN)/guanai migrate --noinput
	$(BIN)/guanai demo --if-empty
	$(BIN)/guanai serve --port $(PORT)

test: install-test
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var/static
