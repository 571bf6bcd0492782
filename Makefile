# lcanalysis: one front door. `make help` lists the targets.
# The environment lives in .venv and is rebuilt when pyproject.toml or
# requirements.lock change; uv (installed into the venv from PyPI) makes that fast.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.9
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Bytecode: Python caches each module it compiles, the first time it imports it
# (a shell that sets PYTHONDONTWRITEBYTECODE would otherwise make every kernel and
# worker compile statsmodels, pandas and polars again, each run). Compiling every
# installed package up front (uv --compile-bytecode) took 27 s of a fresh `make run`
# here, for modules the run mostly never imports; compiling on first import costs the
# first run at most 7 s (docs/performance.md).
unexport PYTHONDONTWRITEBYTECODE

.DEFAULT_GOAL := help

.PHONY: help env run clean-data demo-data test test-fast bench lab lint lock browser check

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sort | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

# The venv is made without pip (ensurepip took 7 s of a fresh `make env`, for a pip that
# `uv pip sync` then removed, since the lock does not list it): uv is installed into it by
# the pip of $(PYTHON) (`pip --python`, pip 22.3 or later), or, where $(PYTHON) has no
# such pip, by a pip bootstrapped into the venv as before. Install more with
# `.venv/bin/uv pip install`. The package is built by uv's own backend (pyproject.toml):
# its editable install takes 0.2 s, setuptools' took 2.3 s.
$(STAMP): pyproject.toml requirements.lock
	@echo "Creating the environment in $(VENV) (uv $(UV_VERSION))"
	@test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	@test -x $(BIN)/uv && [ "$$($(BIN)/uv --version | cut -d' ' -f2)" = "$(UV_VERSION)" ] || \
		$(PYTHON) -m pip --python $(BIN)/python install --quiet "uv==$(UV_VERSION)" 2>/dev/null || \
		{ $(BIN)/python -m ensurepip --default-pip >/dev/null && \
		  $(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)" 2>&1 | grep -v -i -E "ignored|warning"; \
		  test -x $(BIN)/uv; }
	@$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	@$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $(STAMP)

env: $(STAMP) ## Create or update the Python environment

run: $(STAMP) browser ## Run the main job (generates the synthetic demo world when data/raw has no real data)
	$(BIN)/lcanalysis run

demo-data: $(STAMP) ## Write the synthetic demo world to data/raw/demo
	$(BIN)/lcanalysis demo-data

clean-data: $(STAMP) ## Clean data/raw into data/processed
	$(BIN)/lcanalysis clean

check: $(STAMP) ## Privacy gate over data/processed, reports and figures
	$(BIN)/lcanalysis check

browser: ## Install Debian's Chromium (prints the report and posters; drives the JupyterLab test), if missing
	@bash scripts/ensure-chromium

# The tests run on one pytest worker per core (pytest-xdist; `-n auto` is 2 on this
# project's machines and CI). Each test file's tests stay on one worker (--dist loadfile),
# so a file's module fixtures (demo worlds, cleaned folders, executed notebooks) are built
# once. `.venv/bin/pytest` alone runs them in one process.
WORKERS := -n auto --dist loadfile

test: $(STAMP) browser ## Run the whole test suite (browser test included), on every core
	$(BIN)/pytest $(WORKERS)

test-fast: $(STAMP) ## Run the tests without the browser and slow end-to-end tests, fewer property examples, on every core
	$(BIN)/pytest -m "not browser and not slow" --hypothesis-profile=fast $(WORKERS)

bench: $(STAMP) ## Run the benchmarks and print the ratios (see docs/performance.md)
	$(BIN)/python benchmarks/run_all.py

lab: $(STAMP) ## Start JupyterLab on the project with the lcanalysis kernel
	$(BIN)/jupyter lab --notebook-dir=. notebooks/

lint: $(STAMP) ## ruff over the package, tests and benchmarks
	$(BIN)/ruff check lcanalysis tests benchmarks

lock: ## Re-resolve requirements.lock from pyproject.toml (then commit it)
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --python-version 3.11 -o requirements.lock
