# Two commands on a fresh machine: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup demo test lint typecheck pytest bench postgres chromium clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Ends by serving the web UI on http://127.0.0.1:8000/ until Ctrl-C; DEMO_ARGS=--no-serve only builds.
demo: setup
	$(BIN)/steward demo $(DEMO_ARGS)

postgres:
	bash scripts/ensure-postgres.sh

chromium:
	bash scripts/ensure-chromium.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

pytest: setup postgres chromium
	$(BIN)/pytest

test: lint typecheck pytest

bench: setup
	$(BIN)/python -m benchmarks.proposal_throughput

clean:
	rm -rf $(VENV) .steward .pytest_cache .mypy_cache .ruff_cache
