# Two commands do all set-up: `make demo` and `make test`. Both build .venv first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean-venv

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,browse,dask]'
	# The face_recognition CLI is only the benchmark baseline; its own dlib pin
	# would compile for 13+ minutes, and dlib-bin provides the same module.
	$(BIN)/pip install --quiet --no-deps 'face-recognition==1.3.0'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/venue-audit demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check venue_audit tests scripts

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean-venv:
	rm -rf $(VENV)
