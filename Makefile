# `make serve` builds the sample blog and previews it; `make test` runs the tests.
# Each creates the virtualenv it needs on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: build serve test clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

build: $(BIN)/.installed
	$(BIN)/blog build

serve: build
	$(BIN)/blog serve --port $(PORT)

test: $(BIN)/.installed
	$(BIN)/python -m pytest

clean:
	rm -rf output .blog-cache
