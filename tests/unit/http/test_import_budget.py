"""Cold starts: what each data function's init imports, as a count of modules (deterministic), never a time.

A budget is the count the function's handler module loads in a fresh interpreter, with a little room; a change
that makes init import more than that (a feature's engine at module level, a client library) fails here, and
either becomes lazy or raises the budget on purpose. The features few routes use are named too: they load with
their first request, not at init; and the features that react to writes load with a write's hooks, not with
the composition root every first request builds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

# Modules loaded by `import functions.<name>.handler` in this environment (tracing off, no signing key, so no
# function loads the token verification at init), with about 1% room. health's includes the SDK, which its
# every first request needs for the app settings (prepared at init, where SnapStart keeps it). msgspec's package
# (12 modules, the value objects' base) loads whole from its `__init__`.
BUDGETS = {"health": 549, "collections": 674, "records": 655, "auth": 770, "forms": 666, "webhooks": 669}
# Loaded by no function's init: the clients come from botocore (boto3 adds its resources, docs and s3transfer),
# whose documentation modules load when a docstring is read (shared.sdk_docs); a function reaches its resources
# through shared.runtime_resources, never through the definitions of every function, route and grant.
NEVER_AT_INIT = ("boto3", "s3transfer", "botocore.docs.service", "html.parser", "shared.resources",
                 "shared.function_defs", "shared.resource_routes")
# Engines of features few requests use, each loaded by its first request.
LAZY = {
    "collections": ("shared.jobs.runner", "shared.jobs.index_build", "shared.jobs.linked_backfill",
                    "shared.jobs.truncate", "shared.changes.model"),
    # and the auth package with pyjwt: a guest's request verifies no token (shared.composition loads it for one)
    "records": ("shared.aggregates.answers", "shared.saved_views.reader", "shared.changes.model",
                "shared.auth.caller", "shared.auth.tokens", "jwt"),
    # the HTTP client (httpx, httpcore, h11...): a form's captcha check, a webhook's test POST
    "forms": ("httpx",),
    "webhooks": ("httpx",),
    "auth": ("pyotp", "shared.accounts.totp.service", "shared.accounts.oauth2.providers",
             "shared.accounts.oauth2.signin", "shared.accounts.otp", "shared.accounts.password_reset"),
}


# What the record hooks' features load: with a write's first hook, never with the composition a read uses.
WRITE_FEATURES = ("shared.accounts.record_hooks", "shared.files.record_files", "shared.webhooks.subscription_hooks",
                  "shared.saved_views.record_hooks", "shared.forms.view_hooks")

# A create in a plain collection running its before hooks, with nothing for any feature to do.
WRITE = ("from shared.collections.model import Collection; from shared.records.context import RequestContext; "
         "from shared.records.hooks import RecordEvent; from shared.records.model import StoredRecord; "
         "posts = Collection(id='pbc_posts0000001', name='posts'); "
         "shared.composition.composition().hooks.before(RecordEvent(action='create', collection=posts, "
         "record=StoredRecord(posts.id, 'post00000000001', {}), existing=None, request=RequestContext(method='POST')))")


def _loaded_by(module: str, then: str = "", **env: str) -> set[str]:
    code = f"import json, sys; import {module}; {then or 'pass'}; print(json.dumps(sorted(sys.modules)))"
    # No signing key unless given: another suite of this worker may have left one in the environment
    base = {k: v for k, v in os.environ.items() if k not in ("LB_AUTH_SECRET", "LB_AUTH_SECRET_ARN")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**base, "POWERTOOLS_TRACE_DISABLED": "true", **env})
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("function", sorted(BUDGETS))
def test_init_imports_stay_within_the_budget_and_leave_rare_features_for_their_requests(function: str) -> None:
    # Given a fresh interpreter, When the function's handler module is imported (its init)
    loaded = _loaded_by(f"functions.{function}.handler")
    # Then it loaded no more modules than its budget, and none of the engines its first request may not need
    assert len(loaded) <= BUDGETS[function], f"{function} init imports {len(loaded)} modules"
    assert sorted(loaded & {*LAZY.get(function, ()), *NEVER_AT_INIT}) == []


def test_the_composition_a_read_uses_loads_no_write_feature_until_a_write_runs_its_hooks() -> None:
    # Given a fresh interpreter, When the composition root is built (as every first request builds it)
    composed = _loaded_by("shared.composition", "shared.composition.composition()")
    # and When a write then runs its before hooks
    written = _loaded_by("shared.composition", WRITE)
    # Then the features were loaded by the write only
    assert sorted(composed & set(WRITE_FEATURES)) == []
    assert sorted(written & set(WRITE_FEATURES)) == sorted(WRITE_FEATURES)


TOKEN_VERIFICATION = ("shared.auth.caller", "shared.auth.tokens", "jwt")


def test_with_the_signing_key_the_superusers_apis_verify_tokens_from_init_and_a_guests_function_does_not() -> None:
    # Given a deployed function's signing key, When the handler modules are imported
    with_key = {"LB_AUTH_SECRET": "a-signing-key-of-the-deployment"}
    superusers = _loaded_by("functions.collections.handler", **with_key)
    guests = _loaded_by("functions.records.handler", **with_key)
    # Then the superusers' API (every request signed in) loaded the token verification at init, where SnapStart
    # keeps it, and the records function, whose guests verify no token, left it for a request with a token
    assert sorted(superusers & set(TOKEN_VERIFICATION)) == sorted(TOKEN_VERIFICATION)
    assert sorted(guests & set(TOKEN_VERIFICATION)) == []


# A builtin as a model's default_factory costs a cold start: pydantic inspects each factory's signature for every
# model that has the field, and a builtin's signature is parsed from its text (the tokenize module), about a
# quarter of a millisecond each; an empty list or dict default is copied per instance by pydantic all the same.
BUILTIN_FACTORIES = (list, dict, set, frozenset, tuple)


def test_no_model_builds_an_empty_default_through_a_builtin_factory() -> None:
    # Given every model the functions' handlers define (their imports, in a fresh interpreter)
    code = ("import json, sys, pydantic\n"
            "for name in ('auth', 'collections', 'records', 'settings', 'forms', 'webhooks', 'backups', 'logs'):\n"
            "    __import__(f'functions.{name}.handler')\n"
            "models, seen = [], set()\n"
            "stack = [pydantic.BaseModel]\n"
            "while stack:\n"
            "    for sub in stack.pop().__subclasses__():\n"
            "        if sub not in seen:\n"
            "            seen.add(sub); stack.append(sub); models.append(sub)\n"
            "ours = [m for m in models if m.__module__.startswith(('shared.', 'functions.'))]\n"
            f"builtins = ({', '.join(t.__name__ for t in BUILTIN_FACTORIES)})\n"
            "found = [f'{m.__module__}.{m.__qualname__}.{f}' for m in ours\n"
            "         for f, info in m.__pydantic_fields__.items() if info.default_factory in builtins]\n"
            "print(json.dumps([len(ours), found]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "POWERTOOLS_TRACE_DISABLED": "true"})
    count, found = json.loads(out.stdout.strip().splitlines()[-1])
    # Then there are models to check, and none of their fields has a builtin as its default factory
    assert count > 50
    assert found == []


# Value objects are msgspec structs, built in C: a stdlib dataclass compiles six generated methods at import,
# about a millisecond each class. The one kept (and its subclass) says why at its class.
DATACLASSES_KEPT = {"shared.records.model.StoredRecord", "shared.records.dynamo_reads.ShardRecord"}


def test_the_functions_create_no_stdlib_dataclass_of_ours_at_init() -> None:
    # Given every handler module imported in a fresh interpreter
    code = ("import dataclasses, json, sys\n"
            "for name in ('auth', 'collections', 'records', 'settings', 'forms', 'webhooks', 'backups', 'logs',\n"
            "             'files', 'uploads', 'audit', 'crons', 'health'):\n"
            "    __import__(f'functions.{name}.handler')\n"
            "found = sorted({f'{c.__module__}.{c.__qualname__}' for name, module in list(sys.modules.items())\n"
            "                if name.startswith(('shared.', 'functions.')) for c in vars(module).values()\n"
            "                if isinstance(c, type) and c.__module__ == name and dataclasses.is_dataclass(c)})\n"
            "print(json.dumps(found))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "POWERTOOLS_TRACE_DISABLED": "true"})
    found = set(json.loads(out.stdout.strip().splitlines()[-1]))
    # Then the only dataclasses of ours are the ones kept on purpose
    assert found <= DATACLASSES_KEPT, sorted(found - DATACLASSES_KEPT)
