"""Runs a node test file of tests/js against a stack, as every JS SDK e2e test does."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD
from tests.support.stack_process import ROOT


def needs_node(*packages: str) -> pytest.MarkDecorator:
    """Skip where node or these npm packages (after `npm ci`) are missing."""
    wanted = ("pocketbase", *packages)
    missing = shutil.which("node") is None or not all((ROOT / "node_modules" / p).exists() for p in wanted)
    return pytest.mark.skipif(missing, reason=f"needs Node 20 and `npm ci` (node_modules: {', '.join(wanted)})")


def run_node_suite(url: str, suite: str, *, timeout_s: float = 120, **env: str) -> None:
    """`node --test tests/js/<suite>` against the stack at `url`, signed in as the suite's superuser; fails the
    test with node's output when any of its tests fails."""
    environment = {**os.environ, "LB_URL": url, "LB_SUPERUSER_EMAIL": SUPERUSER_EMAIL,
                   "LB_SUPERUSER_PASSWORD": SUPERUSER_PASSWORD, **env}
    result = subprocess.run(["node", "--test", f"tests/js/{suite}"], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=timeout_s)
    assert result.returncode == 0, f"node --test failed:\n{result.stdout}\n{result.stderr}"
