# unionhome: two commands on a fresh machine — `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
RUN_ENV := DEBUG=1 UNIONHOME_INSECURE_HTTP=1

.PHONY: install run test lint format bench bench-peer lock clean-db messages

$(STAMP): requirements/base.txt requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "unionhome needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/base.txt -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

## make run: migrate the embedded SQLite database, load the demo province once, serve on :8000
run: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@echo "Serving http://127.0.0.1:8000 with a task worker for imports and exports and the intake worker for the web form (Ctrl-C stops all three)"
	$(RUN_ENV) $(BIN)/python manage.py db_worker --no-startup-delay & worker=$$!; \
	  $(RUN_ENV) $(BIN)/python manage.py intake_worker & intake=$$!; \
	  trap 'kill $$worker $$intake 2>/dev/null' EXIT INT TERM; \
	  $(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

## make test: the whole suite (SQLite, or PostgreSQL when DATABASE_URL is set)
test: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench: the project's own benchmarks (bench/*.py), each figure beside its goal (long)
bench: install
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

## make bench-peer: unionhome against django-helpdesk 2.6.1 (its own venv), SQLite and PostgreSQL
PEER_VENV := var/bench/helpdesk-venv
PEER_STAMP := $(PEER_VENV)/.installed-stamp

$(PEER_STAMP): bench/peer/requirements.txt
	test -x $(PEER_VENV)/bin/python || $(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PEER_VENV)/bin/python -m pip install --quiet -r bench/peer/requirements.txt
	touch $(PEER_STAMP)

bench-peer: install $(PEER_STAMP)
	$(BIN)/python bench/peer_compare.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## make lock: re-pin requirements/*.txt from requirements/*.in
lock: install
	cd requirements && ../$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links base.in -o base.txt
	cd requirements && ../$(BIN)/pip-compile -q --strip-extras --no-header --no-emit-index-url --no-emit-find-links dev.in -o dev.txt

## make messages: refresh translation catalogues (zh-Hant is derived from zh-Hans with OpenCC)
messages: install
	$(BIN)/python manage.py translate_catalogs

clean-db:
	rm -f var/unionhome.sqlite3 var/unionhome.sqlite3-wal var/unionhome.sqlite3-shm \
	  var/unionhome-intake.sqlite3 var/unionhome-intake.sqlite3-wal var/unionhome-intake.sqlite3-shm
