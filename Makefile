# SkyFrame — `make run` serves the embedded default; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# `make test` spreads the tests over this many processes (pytest-xdist), each
# with its own throwaway databases; PYTEST_WORKERS=0 runs them in this one.
PYTEST_WORKERS ?= auto

.PHONY: run test lint format migrate bench worker prod prod-stop prod-status load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

## run: install, migrate the database (SQLite under instance/ by default), serve on HOST:PORT
run: $(VENV)/.runtime-installed
	$(BIN)/python scripts/run_dev.py

## test: lint, then the whole test suite (PostgreSQL/Redis too when SKYFRAME_TEST_* are set)
test: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## migrate: apply migrations to the configured database
migrate: $(VENV)/.runtime-installed
	$(BIN)/flask db upgrade

## worker: run queued jobs and the periodic tasks (JOBS_BACKEND=rq; WORKER_ARGS=--no-scheduler: jobs only)
worker: $(VENV)/.runtime-installed
	$(BIN)/flask --app wsgi worker $(WORKER_ARGS)

## prod: a production-shaped stack on this machine (PostgreSQL, Redis, S3 stand-in, 2 gunicorn, RQ worker, nginx on PROD_PORT)
prod: $(VENV)/.dev-installed
	$(BIN)/python scripts/prod.py up

## prod-stop: stop exactly what `make prod` started (data stays in PROD_DIR)
prod-stop: $(VENV)/.dev-installed
	$(BIN)/python scripts/prod.py down

prod-status: $(VENV)/.dev-installed
	$(BIN)/python scripts/prod.py status

## load: the load run on `make prod` (LOAD_ARGS="--users 50 --minutes 5"), then the exactness check
load: $(VENV)/.dev-installed
	$(BIN)/python loadtest/run.py $(LOAD_ARGS)

## bench: run every benchmark under benchmarks/
bench: $(VENV)/.dev-installed
	@for script in $(wildcard benchmarks/*.py); do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
