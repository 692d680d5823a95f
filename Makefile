# sammachip — `make demo` and `make test` set everything up on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup demo lab lint test test-fast bench clean clean-data

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

setup: $(STAMP) ## Create .venv/ and install the project into it

demo: $(STAMP) ## Synthetic province → warehouse → validation → report site
	$(BIN)/sammachip demo

LAB := $(VENV)/.lab

$(LAB): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,lab]'
	touch $(LAB)

lab: $(LAB) ## JupyterLab on the notebooks against the demo warehouse (runs the demo first if there is none)
	@test -f warehouse/sammachip.duckdb || $(MAKE) demo
	cd notebooks && ../$(BIN)/jupyter lab

lint: $(STAMP) ## Style (ruff) and the layers of docs/architecture.md (import-linter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo --no-cache

# One pytest worker per core (pytest-xdist); a test file stays on one worker, so its
# module fixtures (a generated province, a rendered site) are built once.
test: lint ## Lint, then run the whole test suite
	$(BIN)/python -m pytest -q -n auto --dist loadfile

test-fast: lint ## Lint, then the tests without the slow end-to-end and browser ones
	$(BIN)/python -m pytest -q -n auto --dist loadfile -m "not slow and not browser"

bench: $(STAMP) ## Run the benchmarks (they print figures)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean-data: ## Remove the demo inputs, the warehouse and the reports
	rm -rf raw/demo warehouse/*.duckdb warehouse/*.wal warehouse/*.lock reports/20*

clean: clean-data ## Also remove the virtual environment
	rm -rf $(VENV)
