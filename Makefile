# Salon: every task goes through here. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV := python3 -m uv
SALON := .venv/bin/salon
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
# Throwaway PostgreSQL and Redis for the benches (the tests need PgBouncer and Chromium too).
WITH_SERVERS := SALON_TEST_NEEDS="postgresql redis-server" scripts/run-tests

.PHONY: help install serve test lint format typecheck check clean screenshots bench bench-realtime bench-revocation bench-login bench-webhooks

help: ## List the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

install: ## Install uv if missing, then the locked Python environment in .venv
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

serve: install ## Migrate ./var/salon.db, load demo data (credentials in var/demo.json), serve on HOST:PORT (127.0.0.1:8000) with its web pages
	@mkdir -p var
	$(SALON) db upgrade
	$(SALON) demo --file var/demo.json --base-url http://$(HOST):$(PORT)
	@echo "Demo data loaded; people, chatrooms and their credentials are in var/demo.json (kept by later runs)."
	@echo "Chat: http://$(HOST):$(PORT)/ui/chat  Ratings dashboard: http://$(HOST):$(PORT)/ui/ratings  API docs: http://$(HOST):$(PORT)/docs"
	SALON_UI_TOKEN_LINKS=true $(SALON) serve --host $(HOST) --port $(PORT)

test: install ## The whole suite: SQLite, throwaway PostgreSQL and Redis, PgBouncer, Chromium (installed if missing)
	scripts/run-tests $(UV) run --frozen pytest $(PYTEST_ARGS)

lint: install ## ruff (lint + format check), mypy, and no SQLAlchemy in request code
	$(UV) run --frozen ruff check src tests bench
	$(UV) run --frozen ruff format --check src tests bench
	$(UV) run --frozen mypy
	$(UV) run --frozen python scripts/check-request-imports src

format: install ## Format and fix what ruff can
	$(UV) run --frozen ruff format src tests bench
	$(UV) run --frozen ruff check --fix src tests bench

check: lint test ## Lint, type-check and test

bench: install ## Hot routes against the raw reference (wrk; SQLite 1 worker, PostgreSQL 2 workers)
	@command -v wrk >/dev/null || scripts/apt-install wrk
	$(WITH_SERVERS) $(UV) run --frozen python -m bench.http $(BENCH_ARGS)

bench-realtime: install ## Sockets one process holds, memory per socket, delivery latency at 500 messages/s
	$(WITH_SERVERS) $(UV) run --frozen python -m bench.realtime $(BENCH_ARGS)

bench-revocation: install ## How soon a revoked token's socket closes (one process; two through Redis), and the recheck's cost
	$(WITH_SERVERS) $(UV) run --frozen python -m bench.revocation $(BENCH_ARGS)
bench-login: install ## A cheap GET's p50/p99 idle and under 16 login loops (SQLite; PostgreSQL + Redis)
	@command -v wrk >/dev/null || scripts/apt-install wrk
	$(WITH_SERVERS) $(UV) run --frozen python -m bench.login $(BENCH_ARGS)

bench-webhooks: install ## A rating's req/s with one webhook endpoint against none, and one process's delivery rate
	@command -v wrk >/dev/null || scripts/apt-install wrk
	$(WITH_SERVERS) $(UV) run --frozen python -m bench.webhooks $(BENCH_ARGS)

screenshots: install ## Refresh the pages' screenshots in docs/images from the browser tests (Chromium installed if missing)
	SALON_TEST_NEEDS=chromium SALON_SCREENSHOTS=docs/images scripts/run-tests $(UV) run --frozen pytest -q tests/web

clean: ## Remove the environment, local data and caches
	rm -rf .venv var .pytest_cache .mypy_cache .ruff_cache
