# Two commands on a fresh machine: `make run` (the app in demo mode) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench build sysdeps screenshot clean

run: sysdeps $(STAMP)
	$(BIN)/neurotimer --demo

test: sysdeps $(STAMP)
	$(BIN)/ruff check .
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: sysdeps $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; QT_QPA_PLATFORM=offscreen $(BIN)/python $$b || exit 1; done

build: sysdeps $(STAMP)
	$(BIN)/pip install -q -e '.[build]'
	$(BIN)/pyinstaller --noconfirm build.spec
	$(BIN)/python scripts/smoke_frozen.py dist/neurotimer

screenshot: sysdeps $(STAMP)
	$(BIN)/python scripts/screenshot.py docs/screenshot.png

sysdeps:
	@bash scripts/sysdeps.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
