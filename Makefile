# The one entry point: make run | test | lint | bench | build | synth | deploy
SHELL := /bin/bash
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export UV_PYTHON_DOWNLOADS := never

# uv from PATH, else a project-local copy installed with pip (a fresh machine only has Python).
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := $(UV) run --frozen

.PHONY: setup run test test-unit test-integration test-infra test-api test-e2e test-conformance lint bench clean

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

setup: $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	$(UV) sync --frozen --quiet
	@[ -d node_modules ] && [ package-lock.json -ot node_modules ] || npm ci --silent --no-audit --no-fund

run: setup
	$(PY) lambdabase run

# Two workers, one test file each at a time (module fixtures stay whole); most suites wait on loopback I/O. A
# third worker was faster (7m22s against 8m37s) but overloaded two cores: parallel-write tests then timed out.
test: setup
	$(PY) pytest -q -p no:cacheprovider -n 2 --dist loadfile

test-unit: setup
	$(PY) pytest -q tests/unit

test-integration: setup
	$(PY) pytest -q tests/integration

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
