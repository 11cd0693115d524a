# The newcomer's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint typecheck pytest bench fuzz chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP)

run: $(STAMP)
	$(BIN)/traceplay serve --host $(HOST) --port $(PORT)

EMOJI_FONT := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
PACKAGES := chromium fonts-noto-color-emoji

chromium:
	@if [ ! -x "$(CHROMIUM)" ] || [ ! -e "$(EMOJI_FONT)" ]; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian's $(PACKAGES) for the browser tests..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PACKAGES) >/dev/null; \
		elif command -v apt-get >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1; then \
			sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PACKAGES) >/dev/null; \
		elif [ -x "$(CHROMIUM)" ]; then \
			echo "note: Debian's fonts-noto-color-emoji is missing; component icons may show as boxes."; \
		else \
			echo "The browser tests need Chromium at $(CHROMIUM): install Debian's 'chromium' package." >&2; exit 1; \
		fi; \
	fi

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

pytest: $(TEST_STAMP) chromium
	$(BIN)/pytest

test: lint typecheck pytest

bench: $(TEST_STAMP) chromium
	$(BIN)/python benchmarks/run_all.py

fuzz: $(TEST_STAMP)
	TRACEPLAY_FUZZ_EXAMPLES=2000 $(BIN)/pytest -p no:cacheprovider tests/integration/test_fuzz_api.py tests/unit/test_fuzz_inputs.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache artifacts
