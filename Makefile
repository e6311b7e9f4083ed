# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
INTEROP := tests/interop
FRONTEND := frontend
ASSETS := static/build/site.css
PYTEST_ARGS ?=

.PHONY: install run test test-awkward-days lint format bench cluster cluster-stop load clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# The pages' assets: govuk-frontend and the Sass compiler from npm (pinned in
# frontend/package-lock.json), built into static/build for Django and whitenoise to serve.
$(FRONTEND)/node_modules/.package-lock.json: $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --silent --no-audit --no-fund --omit=optional
	touch $@

$(ASSETS): $(FRONTEND)/node_modules/.package-lock.json $(FRONTEND)/build.mjs $(wildcard $(FRONTEND)/scss/*.scss $(FRONTEND)/js/*.mjs)
	cd $(FRONTEND) && npm run --silent build

install: $(STAMP) $(ASSETS)
	@mkdir -p var/static var/mail
	@if command -v npm >/dev/null 2>&1 && [ -f $(INTEROP)/package-lock.json ]; then \
		[ -d $(INTEROP)/node_modules ] || (cd $(INTEROP) && npm ci --silent --no-audit --no-fund); \
	fi

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Serving http://127.0.0.1:8000 (API docs: http://127.0.0.1:8000/api/docs), with a task worker. Ctrl-C stops both."
	@$(BIN)/python manage.py qcluster & QCLUSTER=$$!; \
		trap 'kill $$QCLUSTER 2>/dev/null' EXIT INT TERM; \
		$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The date-sensitive tests again with "now" moved (time-machine; real time zones kept) to the
# awkward days: 31 December late in the evening, the last day of a month, 29 February, the
# Saturdays before both UK clock changes and a bank holiday.
AWKWARD_DAYS := 2026-12-31T23:00+00:00 2027-04-30T16:00+01:00 2028-02-29T12:00+00:00 \
	2027-03-27T12:00+00:00 2027-10-30T12:00+01:00 2027-08-30T12:00+01:00
DATE_SENSITIVE := tests/peers/test_availability_api.py tests/peers/test_availability_pages.py \
	tests/peers/test_past_dates.py tests/peers/test_free_time.py tests/peers/test_seed_demo.py \
	tests/sessions/api/test_bookings.py tests/sessions/services/test_approval.py \
	tests/sessions/services/test_restaffing.py tests/sessions/services/test_invites.py \
	tests/sessions/webinars/test_webinar_reminders.py tests/sessions/test_demo_bookings.py \
	tests/sessions/programme/test_figures.py

test-awkward-days: install
	@for now in $(AWKWARD_DAYS); do echo "== now $$now"; \
		$(BIN)/python -m pytest -q -p no:cacheprovider --now=$$now $(DATE_SENSITIVE) || exit 1; done

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `make bench` runs every benchmark; `make bench NAME=slots` one of them.
bench: install
	@if [ -n "$(NAME)" ]; then $(BIN)/python manage.py bench $(NAME); else \
		for name in $$($(BIN)/python manage.py bench | cut -d' ' -f1); do \
			echo "== $$name"; $(BIN)/python manage.py bench $$name || exit 1; done; fi

# The production shape on this machine, loopback only (deploy/cluster.sh; README, Operations):
# nginx on 127.0.0.1:8380 in front of two web nodes, two task workers, Redis, and PostgreSQL
# through pgbouncer in transaction mode. CLUSTER_PORT and CLUSTER_NAME change where and which.
cluster: install
	deploy/cluster.sh start

cluster-stop:
	deploy/cluster.sh stop

# Locust against a cluster of its own at rising user counts (scheduling/benchmarks/load.py).
load: install
	$(BIN)/python manage.py bench load

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis $(INTEROP)/node_modules \
		$(FRONTEND)/node_modules static/build
