# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Both set up .venv, node_modules and the front-end bundle first, and skip what is up to date.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SETUP_DONE := $(VENV)/.setup-done
BUNDLE := rnnvis_widget/static/index.js
JS_SOURCES := $(wildcard js/*.ts js/*.mjs js/*.css js/views/*.ts) rnnvis_widget/view/contract.json
PIP := PIP_DISABLE_PIP_VERSION_CHECK=1 $(BIN)/pip -q
NODE_BIN := node_modules/.bin
PORT ?= 8888

.PHONY: setup demo test lint docs lab chromium clean

setup: $(SETUP_DONE) $(BUNDLE)

# torch is pinned here (not in pyproject) so pip takes the local CPU build, never a CUDA one.
# The corpus packages come with the `corpora` extra, the modern recurrent models with `ssm`, dependencies included, so `pip check` is clean.
$(SETUP_DONE): pyproject.toml package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install torch==2.13.0
	npm ci --no-audit --no-fund --loglevel=error
	$(PIP) install -e '.[dev,corpora,ssm]'
	$(BIN)/pip check
	touch $@

$(BUNDLE): $(SETUP_DONE) $(JS_SOURCES)
	npm run --silent build

# Browser tests drive Debian's Chromium; never a browser downloaded by a test tool.
chromium:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian chromium (needs root)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

demo: setup
	$(BIN)/python -m rnnvis_widget demo --out demo.html
	@echo
	@echo "Open demo.html in any browser (it works offline)."
	@echo "For the live widget: make lab, then open notebooks/quickstart.ipynb."

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy rnnvis_widget
	$(NODE_BIN)/tsc --noEmit

# The API reference, generated from the docstrings into site/. --strict turns every warning
# into a failure: a docstring that documents a parameter the signature lacks, a dead
# cross-reference, a page missing from the nav.
docs: setup
	$(BIN)/mkdocs build --strict

test: setup chromium lint docs
	$(NODE_BIN)/vitest run
	$(BIN)/pytest -ra

lab: setup
	$(BIN)/jupyter lab --ip=127.0.0.1 --port=$(PORT) --no-browser --allow-root notebooks/

clean:
	rm -rf $(VENV) node_modules rnnvis_widget/static demo.html site
