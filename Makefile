# Fugong: `make demo` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON ?= $(shell PATH="$$HOME/.local/bin:$$PATH" scripts/find-python 2>/dev/null)
export PATH := $(HOME)/.local/bin:$(PATH)
UV := uv
RUN := $(UV) run --frozen
HOST ?= 127.0.0.1
PORT ?= 8000
# Links sent or printed by the demo and the server (not exported: `make test` keeps its own).
BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: help install uv system-deps frontend demo serve worker test lint types unit bench messages clean

help:
	@echo "make demo   install, migrate, load the demo county, serve http://$(HOST):$(PORT) with a worker"
	@echo "make test   install, lint, type-check and run the whole suite"
	@echo "make lint | types | unit | bench | serve | worker | messages"

uv:
	@command -v uv >/dev/null || python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv

# Python packages from uv.lock and front-end packages from package-lock.json.
install: uv frontend
	@$(UV) sync --frozen --quiet

frontend:
	@if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
		npm ci --no-audit --no-fund --loglevel=error; fi

# Chromium and CJK fonts for the browser tests and PDFs, Java for Spark (the resumption engine at
# cluster scale); installed when missing and allowed.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing="$$missing fonts-noto-cjk"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else echo "Please install:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi

demo: install
	@BASE_URL='$(BASE_URL)' DEBUG=1 $(RUN) fugong demo
	@$(MAKE) --no-print-directory serve

# Web server and one worker together; Ctrl+C stops both.
serve:
	@echo "Serving http://$(HOST):$(PORT) (worker running alongside; links in messages start with $(BASE_URL))"
	@trap 'kill 0' INT TERM EXIT; export BASE_URL='$(BASE_URL)'; \
	DEBUG=1 $(RUN) fugong worker --no-reload --verbosity 0 & \
	DEBUG=1 $(RUN) fugong runserver $(HOST):$(PORT) --noreload

worker:
	$(RUN) fugong worker

test: install system-deps lint types unit

lint:
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) lint-imports --no-cache

types:
	$(RUN) mypy

# One worker per core (two on CI's machine): the suite is about half as long as in one process.
unit:
	$(RUN) pytest -n auto --durations=15

# The benchmarks' own references (OR-Tools for routing) live in the "bench" dependency group.
bench: install
	@$(UV) sync --frozen --quiet --group bench
	@# The load test runs its own PgBouncer (Debian's package); as root, install it when missing.
	@[ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null || [ "$$(id -u)" != 0 ] || apt-get install -y -qq pgbouncer
	@# Every script runs and prints its figures; a target missed by one does not hide the others' figures.
	@shopt -s nullglob; scripts=(benchmarks/*.py); [ $${#scripts[@]} -gt 0 ] || { echo "No benchmarks yet."; exit 0; }; \
	missed=(); for script in "$${scripts[@]}"; do echo "== $$script"; $(RUN) --group bench python "$$script" || missed+=("$$script"); done; \
	if [ $${#missed[@]} -gt 0 ]; then echo "Targets not met: $${missed[*]}"; exit 1; fi; echo "Every benchmark met its target."

messages:
	DEBUG=1 $(RUN) fugong makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests --ignore=benchmarks
	DEBUG=1 $(RUN) fugong compilemessages --ignore=.venv

clean:
	rm -rf .venv node_modules var/static .pytest_cache .mypy_cache .ruff_cache
