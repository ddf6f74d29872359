"""The `lambdabase` command beside a running local stack: it attaches to that stack's moto and changes nothing else."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support.records_api import Api
from tests.support.stack_process import ROOT, StackProcess


def test_a_superuser_upserted_beside_the_running_stack_signs_in_and_its_key_stays(
        stack: StackProcess, api: Api) -> None:
    # Given a running stack whose settings hold a secret (encrypted with the stack's own KMS key)
    api.ok("PATCH", "/api/settings", json={"smtp": {"password": "smtp-secret-1"}})
    keys_before = (stack.data_dir / "kms_keys.json").read_bytes()

    # When the command line upserts a superuser into that stack's data folder
    env = {**os.environ, "LB_DATA_DIR": str(stack.data_dir)}
    done = subprocess.run([sys.executable, "-m", "local.cli", "superuser", "upsert", "cli@example.com",
                           "Cli-pass-123456789"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    # Then it succeeds, the new superuser signs in at once, and the stack's key is the one it had
    assert done.returncode == 0, done.stderr
    signed_in = stack.client().post("/api/collections/_superusers/auth-with-password",
                                    json={"identity": "cli@example.com", "password": "Cli-pass-123456789"})
    assert signed_in.status_code == 200, signed_in.text
    assert (stack.data_dir / "kms_keys.json").read_bytes() == keys_before
