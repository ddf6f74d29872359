"""Cold starts: what each data function's init imports, as a count of modules (deterministic), never a time.

A budget is the count the function's handler module loads in a fresh interpreter, with a little room; a change
that makes init import more than that (a feature's engine at module level, a client library) fails here, and
either becomes lazy or raises the budget on purpose. The features few routes use are named too: they load with
their first request, not at init.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# Modules loaded by `import functions.<name>.handler` in this environment (tracing off), with about 2% room.
BUDGETS = {"health": 545, "collections": 935, "records": 920, "auth": 960}
# Engines of features few requests use, each loaded by its first request.
LAZY = {
    "collections": ("shared.jobs.runner", "shared.jobs.index_build", "shared.jobs.linked_backfill",
                    "shared.jobs.truncate", "shared.changes.model"),
    "records": ("shared.aggregates.answers", "shared.saved_views.reader", "shared.changes.model"),
    "auth": ("pyotp", "shared.accounts.totp.service", "shared.accounts.oauth2.providers",
             "shared.accounts.oauth2.signin", "shared.accounts.otp", "shared.accounts.password_reset"),
}


def _loaded_by(module: str) -> set[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "POWERTOOLS_TRACE_DISABLED": "true"})
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("function", sorted(BUDGETS))
def test_init_imports_stay_within_the_budget_and_leave_rare_features_for_their_requests(function: str) -> None:
    # Given a fresh interpreter, When the function's handler module is imported (its init)
    loaded = _loaded_by(f"functions.{function}.handler")
    # Then it loaded no more modules than its budget, and none of the engines its first request may not need
    assert len(loaded) <= BUDGETS[function], f"{function} init imports {len(loaded)} modules"
    assert sorted(loaded & set(LAZY.get(function, ()))) == []
