# Two commands do all set-up: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= seeds.clean
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-fast lint bench java

$(BIN)/python:
	@echo "make: creating the virtual environment $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	@echo "make: installing dedupe and its dependencies (numpy, numba, ftfy, regex, datasketch, click) into $(VENV)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,zstd,parquet,spark]'
	touch $@

# Spark needs a Java runtime; install one from the system's packages when there is none.
java:
	@command -v java >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq default-jre-headless; }

# The seeds are a small input: they take dedupe's pure-Python paths and compile nothing (see README).
run: $(VENV)/.installed
	$(BIN)/dedupe run seeds -o $(OUT) --overwrite

test: $(VENV)/.installed-test java
	sh tests/ensure_chromium.sh
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The quick tier while working (about a minute): everything but Spark and the multi-process end-to-end runs.
test-fast: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "not slow"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

bench: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_signatures.py
