# Every target creates the virtualenv it needs, so a fresh clone needs only `make run` or `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

## Install, then run the whole pipeline offline on the bundled corpus and write a report.
run: $(STAMP)
	$(BIN)/segscribe run corpus/

## Install, then run the test suite (the same command CI runs).
test: lint
	$(BIN)/pytest -q

## Lint, type-check, check the import layers and that no modules import each other in a cycle. Static tools see the `segscribe` package through a
## symlink mirror (tools/package_tree.py), because pyproject maps several top-level folders into it.
lint: $(STAMP)
	$(BIN)/ruff check agent schemas evals tests bench tools
	$(BIN)/python tools/package_tree.py build/package-tree >/dev/null
	cd build/package-tree && ../../$(BIN)/mypy --config-file ../../pyproject.toml
	cd build/package-tree && PYTHONPATH=. ../../$(BIN)/lint-imports --no-cache ../../pyproject.toml
	cd build/package-tree && PYTHONPATH=. ../../$(BIN)/python ../../tools/check_cycles.py segscribe

## Benchmarks (not tests): writes bench/results/*.json.
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) build .segscribe runs .pytest_cache .mypy_cache .ruff_cache .hypothesis
