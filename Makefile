# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
# The PostgreSQL run uses this server when it answers; tests create and drop their own database on it.
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

# The gazette's PDFs need a Chinese TrueType font (see plugins/gazette/pdf.py); on Debian and Ubuntu
# these packages are installed when missing and we may (root, or sudo without a password).
CJK_FONT_PACKAGES := fonts-arphic-uming fonts-wqy-microhei

.PHONY: run test install clean fonts

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
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then SUDO=""; \
	  elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; \
	  else SUDO="none"; fi; \
	  if [ "$$SUDO" = none ]; then \
	    echo "注意：没有找到中文 TrueType 字体，公报 PDF 无法生成。请安装 $(CJK_FONT_PACKAGES)，或设置 GAZETTE_PDF_FONT。"; \
	  else \
	    echo "安装公报 PDF 所需的中文字体：$(CJK_FONT_PACKAGES)"; \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(CJK_FONT_PACKAGES) >/dev/null 2>&1 \
	    || { $$SUDO apt-get update -q >/dev/null 2>&1 \
	         && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(CJK_FONT_PACKAGES) >/dev/null; }; \
	  fi; \
	fi

run: $(VENV)/.installed fonts
	$(BIN)/cms db upgrade
	$(BIN)/cms tenants sync tenants/demo.yaml
	$(BIN)/cms demo
	$(BIN)/cms run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test fonts
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
