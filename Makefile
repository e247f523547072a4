# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
# The PostgreSQL run uses this server when it answers; tests create and drop their own database on it.
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: run test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/cms db upgrade
	$(BIN)/cms tenants sync tenants/demo.yaml
	$(BIN)/cms demo
	$(BIN)/cms run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test
	@echo "== tests on SQLite =="
	env -u TEST_DATABASE_URL $(BIN)/pytest -q
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2).close()" 2>/dev/null; then \
	  echo "== tests on PostgreSQL =="; \
	  TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(PG_TEST_URL)}" $(BIN)/pytest -q; \
	else \
	  echo "PostgreSQL does not answer on 127.0.0.1:5432: the PostgreSQL run was not done."; \
	fi

clean:
	rm -rf $(VENV) instance .pytest_cache
