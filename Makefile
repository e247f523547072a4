# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

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

.PHONY: run test install clean fonts chromium node editor audit

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

# The admin area's rich-text editor (core/editor): Tiptap and esbuild from the npm registry, exactly
# as package-lock.json pins them, built into core/static/editor/ (not committed). Node.js and npm
# from Debian's packages when missing. Without the built files the fields stay plain textareas.
EDITOR_OUT := core/static/editor/editor.js
node:
	@if ! command -v npm >/dev/null 2>&1; then \
	  PACKAGES="nodejs npm"; \
	  MISSING_MESSAGE="注意：没有找到 Node.js 和 npm，富文本编辑器无法构建，正文将以 HTML 文本框编辑。请安装 Debian 的 nodejs 和 npm 软件包。"; \
	  $(APT_INSTALL); \
	fi

$(EDITOR_OUT): core/editor/package.json core/editor/package-lock.json $(wildcard core/editor/src/*)
	@if command -v npm >/dev/null 2>&1; then \
	  cd core/editor && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build; \
	fi

editor: node $(EDITOR_OUT)

run: $(VENV)/.installed fonts editor
	$(BIN)/cms db upgrade
	$(BIN)/cms tenants sync tenants/demo.yaml
	$(BIN)/cms demo
	PDF_WARM_ON_START=1 $(BIN)/cms run --host $(HOST) --port $(PORT)

# bandit, the suite on SQLite and on PostgreSQL (when one answers), isolation under row-level security
# alone, the dated tests under five risky days; the time of each stage at the end (tests/stages.py).
test: $(VENV)/.installed-test fonts chromium editor
	$(BIN)/python tests/stages.py

clean:
	rm -rf $(VENV) instance .pytest_cache core/editor/node_modules core/static/editor

# Known vulnerabilities in the installed dependencies (PyPA advisory database through PyPI's JSON
# API, or OSV). Needs those services on the network; not part of `make test` (see docs/security.md).
audit: $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check pip-audit
	$(BIN)/pip-audit --progress-spinner off
