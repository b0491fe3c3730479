# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION = 0.13.9
UV = .tools/bin/uv
VENV = .venv
BIN = $(VENV)/bin
DB ?= radar.duckdb
PORT ?= 8501

export UV_PYTHON_DOWNLOADS = never
export UV_PROJECT_ENVIRONMENT = $(VENV)
export RADAR_DB = $(abspath $(DB))

.PHONY: run test lint format install demo bench browser clean

run: install $(DB)
	$(BIN)/python -m radar.serve --server.port $(PORT) --server.headless true

test: install browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	RADAR_REQUIRE_BROWSER=1 $(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

install: $(VENV)/.installed

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

$(DB): | install
	$(BIN)/radar demo

demo: install
	$(BIN)/radar demo --force

bench: install
	$(BIN)/python -m benchmarks.run

# Debian's Chromium for the end-to-end test; never a browser downloaded by a test tool.
# Chromium for the end-to-end tests and the PDFs; poppler-utils (pdftoppm) to look at each
# printed page as an image.
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/pdftoppm ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji poppler-utils >/dev/null; \
	fi

clean:
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache screenshots
