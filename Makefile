# Every target creates the virtualenv it needs, so a fresh clone needs only `make run` or `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# compat mode: the repo folder goes on sys.path as a regular path entry, so our `schemas`
	# package wins over the data-only `schemas/` folder that chromadb installs into site-packages.
	$(BIN)/pip install -q -e '.[dev]' --config-settings editable_mode=compat
	touch $(STAMP)

## Install, then run the whole pipeline offline on the bundled corpus and write a report.
run: $(STAMP)
	$(BIN)/segscribe run corpus/

## Install, then run the test suite (the same command CI runs).
test: $(STAMP)
	$(BIN)/ruff check agent schemas evals tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check agent schemas evals tests bench
	$(BIN)/mypy

## Benchmarks (not tests): writes bench/results/*.json.
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .segscribe runs .pytest_cache .mypy_cache .ruff_cache .hypothesis
