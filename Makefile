# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
# The PostgreSQL run uses this server when it answers; tests create and drop their own database on it.
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

# System packages from Debian/Ubuntu, installed when missing and we may (root, or sudo without a
# password): a Chinese TrueType font for the gazette's PDFs (see plugins/gazette/pdf.py), and for
# `make test` Debian's chromium, which the browser tests drive (never a browser Playwright downloads).
CJK_FONT_PACKAGES := fonts-arphic-uming fonts-wqy-microhei
APT_INSTALL = if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	  else SUDO="none"; fi; \
	  if [ "$$SUDO" = none ]; then echo "$$MISSING_MESSAGE"; else \
	    echo "安装系统软件包：$$PACKAGES"; \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$PACKAGES >/dev/null 2>&1 \
	    || { $$SUDO apt-get update -q >/dev/null 2>&1 \
	         && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$PACKAGES >/dev/null; }; \
	  fi

# The tests that one tenant's people and the public cannot reach another's data; the RLS-only run
# repeats them with PostgreSQL's policies as the only wall (the whole suite passes that way too:
# TEST_RLS_ONLY=1 TEST_DATABASE_URL=... pytest -m "not orm_filter and not owner").
ISOLATION_TESTS := tests/core/test_tenancy.py tests/core/test_rls.py tests/core/test_attachments.py \
	tests/core/test_site_search.py tests/core/test_api.py tests/catalog/test_isolation.py \
	tests/gazette/test_isolation.py tests/opinions/test_isolation_and_exports.py tests/open_day/test_pages_and_admin.py

.PHONY: run test install clean fonts chromium audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed

fonts:
	@if [ -z "$${GAZETTE_PDF_FONT:-}" ] && [ ! -f /usr/share/fonts/truetype/arphic/uming.ttc ] \
	    && [ ! -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then \
	  PACKAGES="$(CJK_FONT_PACKAGES)"; \
	  MISSING_MESSAGE="注意：没有找到中文 TrueType 字体，公报 PDF 无法生成。请安装 $(CJK_FONT_PACKAGES)，或设置 GAZETTE_PDF_FONT。"; \
	  $(APT_INSTALL); \
	fi

chromium:
	@if [ -z "$${CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then \
	  PACKAGES="chromium"; \
	  MISSING_MESSAGE="注意：没有找到 chromium，浏览器测试将失败。请安装 Debian 的 chromium 软件包，或用 CHROMIUM 指定其路径。"; \
	  $(APT_INSTALL); \
	fi

run: $(VENV)/.installed fonts
	$(BIN)/cms db upgrade
	$(BIN)/cms tenants sync tenants/demo.yaml
	$(BIN)/cms demo
	$(BIN)/cms run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test fonts chromium
	@echo "== bandit: static security checks of core/ and plugins/ (medium and high) =="
	$(BIN)/bandit -q -r core plugins -ll
	@echo "== tests on SQLite =="
	env -u TEST_DATABASE_URL $(BIN)/pytest -q
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2).close()" 2>/dev/null; then \
	  echo "== tests on PostgreSQL =="; \
	  TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(PG_TEST_URL)}" $(BIN)/pytest -q && \
	  echo "== tenant isolation on PostgreSQL with row-level security alone (ORM filter off, app role owns no table) ==" && \
	  TEST_RLS_ONLY=1 TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(PG_TEST_URL)}" $(BIN)/pytest -q -m "not orm_filter and not owner" \
	    $(ISOLATION_TESTS); \
	else \
	  echo "PostgreSQL does not answer on 127.0.0.1:5432: the PostgreSQL run was not done."; \
	fi

clean:
	rm -rf $(VENV) instance .pytest_cache

# Known vulnerabilities in the installed dependencies (PyPA advisory database through PyPI's JSON
# API, or OSV). Needs those services on the network; not part of `make test` (see docs/security.md).
audit: $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check pip-audit
	$(BIN)/pip-audit --progress-spinner off
