# Switchyard: `make run` (whole stack, sandbox providers, demo) and `make test` work on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
PY := $(VENV)/bin/python
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export UV_NO_PROGRESS := 1

.PHONY: help run test bench lint migrate up down venv tools

help:
	@echo "make run      the whole stack natively (RabbitMQ + PostgreSQL on this machine)"
	@echo "make test     lint + the whole suite against the real RabbitMQ and PostgreSQL"
	@echo "make bench    benchmarks (tables on stdout, JSON in bench-results/)"
	@echo "make lint     ruff + mypy --strict"
	@echo "make migrate  create the database if missing and apply every migration"
	@echo "make up/down  the stack in docker compose (needs a Docker engine)"

# The virtualenv comes from the lock file; re-synced whenever pyproject.toml or uv.lock change.
$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(VENV)/bin/uv || { $(PYTHON) -m venv $(VENV) && $(VENV)/bin/pip install -q uv==$(UV_VERSION); }
	$(VENV)/bin/uv sync --frozen --inexact --quiet
	@touch $@

venv: $(VENV)/.synced

# Debian tools the suite and the benchmarks use: docker-compose validates the compose
# file without an engine; wrk generates HTTP load.
tools:
	@command -v docker-compose >/dev/null && command -v wrk >/dev/null || { \
	  echo "installing docker-compose and wrk from Debian's packages"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose wrk >/dev/null; }

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: venv tools lint
	$(PY) -m pytest tests --ignore=tests/bench

bench: venv tools
	$(PY) -m tests.bench

migrate: venv
	$(PY) -m libs.db.migrate

run: venv
	$(PY) deploy/devstack.py

up:
	docker compose -f docker-compose.yml up -d --build

down:
	docker compose -f docker-compose.yml down
