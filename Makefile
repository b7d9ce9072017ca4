# farmadvice: the project's front door. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= farmadvice.settings

.PHONY: help setup system-deps venv messages run serve demo test lint format bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

system-deps: ## Install the Debian packages (pango, Noto CJK fonts, poppler) where missing
	@scripts/system-deps.sh $(SYSTEM_DEPS_FLAGS)

# `run` and `demo` go on with a warning where the packages cannot be installed (no root, no sudo);
# `test` and `make system-deps` fail there.
run demo: SYSTEM_DEPS_FLAGS = --warn-only

$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.lock -e '.[dev]'
	@touch $@

messages: venv ## Compile the translation catalogues (zh-Hans source strings, English translations)
	DEBUG=1 $(PY) manage.py compilemessages -v 0 --ignore .venv --ignore var --ignore build

venv: $(VENV)/.installed ## Create the virtual environment and install the pinned Python packages

setup: system-deps venv messages ## Everything `run` and `test` need

demo: setup ## Migrate, load the reference data and the demo population
	@mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --no-input -v 0
	DEBUG=1 $(PY) manage.py load_reference
	DEBUG=1 $(PY) manage.py load_rainfall
	DEBUG=1 $(PY) manage.py load_demo
	DEBUG=1 $(PY) manage.py fit_runoff_model --target both --activate --unless-active --user committee

run: demo ## Serve the service with demo data on http://127.0.0.1:8000 (and a task worker)
	@echo "farmadvice on http://$(HOST):$(PORT)/  (admin: /admin/, API docs: /api/v1/docs)"
	@trap 'kill 0' EXIT; \
	DEBUG=1 $(PY) manage.py db_worker -v 0 & \
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: setup ## Run the whole test suite (SQLite, or PostgreSQL when DATABASE_URL is set)
	DJANGO_SETTINGS_MODULE=farmadvice.settings_test $(PY) -m pytest $(PYTEST_ARGS)

lint: venv ## ruff lint and format check, and a migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run -v 0

format: venv ## Format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup ## Run the benchmarks (results go into docs/benchmarks.md by hand)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## Remove the local database, media and caches (keeps the virtual environment)
	rm -rf var .pytest_cache .ruff_cache
