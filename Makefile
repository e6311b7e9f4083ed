# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.12
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
INTEROP := tests/interop
FRONTEND := frontend
ASSETS := static/build/site.css
PYTEST_ARGS ?=

.PHONY: install run test lint format bench clean

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

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `make bench` runs every benchmark; `make bench NAME=slots` one of them.
bench: install
	@if [ -n "$(NAME)" ]; then $(BIN)/python manage.py bench $(NAME); else \
		for name in $$($(BIN)/python manage.py bench | cut -d' ' -f1); do \
			echo "== $$name"; $(BIN)/python manage.py bench $$name || exit 1; done; fi

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis $(INTEROP)/node_modules \
		$(FRONTEND)/node_modules static/build
