# Two commands matter: `make demo` and `make test`. Everything else is below them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
VENDOR := static/vendor

.PHONY: install demo serve test lint format bench browser dovecot redis clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

$(VENDOR)/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/socket.io-client/dist/socket.io.min.js $(VENDOR)/
	touch $@

install: $(STAMP) $(VENDOR)/.stamp

## Serve the desk with demo data on the embedded PostgreSQL (./.servicedesk).
demo: install
	$(BIN)/servicedesk serve --demo

serve: install
	$(BIN)/servicedesk serve

## Debian's Chromium for the browser tests (installed when missing and we may).
browser:
	scripts/ensure-chromium.sh

## Debian's Dovecot for the IMAP intake tests (installed when missing and we may).
dovecot:
	scripts/ensure-dovecot.sh

## Redis on 127.0.0.1:6379 for the scale-out test (started when nothing answers there).
redis:
	scripts/ensure-redis.sh

## The whole suite on a real PostgreSQL (embedded unless TEST_DATABASE_URL is set).
test: install browser dovecot redis
	$(BIN)/python -m pytest --ignore=tests/sla --ignore=tests/telephony
	# sla/ and telephony/ are small and need no database: their own tests must cover
	# every branch (STYLE rule 12).
	$(BIN)/python -m pytest tests/sla --cov=sla --cov-branch --cov-fail-under=100 \
		--cov-report=term-missing:skip-covered
	$(BIN)/python -m pytest tests/telephony --cov=telephony --cov-branch --cov-fail-under=100 \
		--cov-report=term-missing:skip-covered

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy servicedesk sla telephony
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Benchmarks: figures beside raw baselines measured in the same run.
bench: install
	scripts/ensure-wrk.sh
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.mail
	$(BIN)/python -m bench.sla_calendar
	$(BIN)/python -m bench.sla_tracking
	$(BIN)/python -m bench.chat
	$(BIN)/python -m bench.sms_webhooks
	$(BIN)/python -m bench.routing
	$(BIN)/python -m bench.live

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .mypy_cache .ruff_cache
