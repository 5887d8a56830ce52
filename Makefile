# Everyday commands. `make test` is the exact command CI runs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run test lint fmt bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

# The main job once, on the embedded defaults (SQLite file ./veilleur.db, built-in sources).
run: install
	$(BIN)/veilleur run --once

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	tests/services.sh run $(BIN)/python -m pytest -n 2 -p no:cacheprovider

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	for b in bench/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .work site veilleur.db veilleur.db-*
