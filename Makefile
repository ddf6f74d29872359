# The one entry point: make run | test | lint | bench | build | synth | deploy
SHELL := /bin/bash
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export UV_PYTHON_DOWNLOADS := never
# Python keeps its bytecode caches (__pycache__, git-ignored) even where the environment turns them off: every
# process a suite starts (a local stack, a CLI call, a probe) would otherwise compile the ~800 modules it imports,
# 4-5 s of a stack's start on two loaded cores, 30-odd times in `make test`.
unexport PYTHONDONTWRITEBYTECODE

# uv from PATH, else a project-local copy installed with pip (a fresh machine only has Python).
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := $(UV) run --frozen

.PHONY: setup ui browser screenshots run test test-ui test-unit test-integration test-infra test-api test-e2e test-conformance lint bench clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

setup: $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --quiet
	@[ -d node_modules ] && [ package-lock.json -ot node_modules ] || npm ci --silent --no-audit --no-fund

# The admin dashboard (ui/, Vite): `make build` builds it; `make run` and `make test` build it when ui/dist is
# missing or older than a source, so the tests never drive a stale copy.
UI_SOURCES := $(shell find ui/src ui/public -type f 2>/dev/null) ui/index.html ui/vite.config.js ui/package-lock.json

ui/node_modules/.package-lock.json: ui/package-lock.json
	npm ci --prefix ui --silent --no-audit --no-fund

ui: ui/node_modules/.package-lock.json
	npm run --prefix ui --silent build

ui/dist/index.html: $(UI_SOURCES) ui/node_modules/.package-lock.json
	npm run --prefix ui --silent build

build: ui

# The UI tests drive Debian's chromium (never a downloaded browser); installed with apt when missing (as root).
browser:
	@[ -x /usr/bin/chromium ] || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

run: setup ui/dist/index.html
	$(PY) lambdabase run

# Two workers, one test file each at a time (module fixtures stay whole); most suites wait on loopback I/O. A
# third worker was faster (7m22s against 8m37s) but overloaded two cores: parallel-write tests then timed out.
test: setup browser ui/dist/index.html
	$(PY) pytest -q -p no:cacheprovider -n 2 --dist loadfile

test-unit: setup
	$(PY) pytest -q tests/unit

test-integration: setup
	$(PY) pytest -q tests/integration

test-ui: setup browser ui
	$(PY) pytest -q -p no:cacheprovider tests/ui

# docs/ui/*.png, the dashboard's main screens on fixed data (tests/ui/screenshots.py)
screenshots: setup browser ui
	$(PY) python -m tests.ui.screenshots

test-infra: setup
	$(PY) pytest -q tests/infra

# the API scenario tables on an in-process local stack (handlers called with API Gateway events on moto)
test-api: setup
	$(PY) pytest -q -p no:cacheprovider tests/api

# the thin smoke layer over a real `lambdabase run` process: JS SDK, lifecycle, WebSocket, a scenario per area
test-e2e: setup
	$(PY) pytest -q tests/e2e

test-conformance: setup
	$(PY) pytest -q tests/conformance

lint: setup
	$(PY) ruff check .
	$(PY) mypy

bench: setup
	$(PY) python -m tests.bench

clean:
	rm -rf .build cdk.out .pytest_cache .mypy_cache .ruff_cache

-include infra/Makefile.inc
