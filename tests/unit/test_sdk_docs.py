"""shared.sdk_docs: clients built without botocore's documentation modules, whose docstrings still read in full."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

_CLIENTS = """
import json, sys
{defer}
from botocore.session import get_session
session = get_session()
keys = dict(region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
ddb, s3 = session.create_client("dynamodb", **keys), session.create_client("s3", **keys)
built = sorted(m for m in ("botocore.docs.service", "botocore.docs.bcdoc.restdoc", "html.parser") if m in sys.modules)
import inspect
docs = [inspect.getdoc(ddb.get_item), str(ddb.get_paginator("scan").paginate.__doc__),
        str(ddb.get_waiter("table_exists").wait.__doc__), inspect.getdoc(s3.put_object)]
import botocore.docs
print(json.dumps({{"built": built, "docs": docs, "generator": callable(botocore.docs.generate_docs)}}))
"""


def _clients(defer: str) -> dict[str, Any]:
    code = _CLIENTS.format(defer=defer)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_clients_are_built_without_the_documentation_modules_and_docstrings_read_as_botocore_writes_them() -> None:
    # Given one interpreter where the documentation is deferred and one where botocore loads it as it comes
    deferred = _clients("from shared import sdk_docs; sdk_docs.defer()")
    as_it_comes = _clients("")
    # When each builds a DynamoDB and an S3 client, Then only the second loaded the reference generator
    assert deferred["built"] == [] and as_it_comes["built"] != []
    # And every docstring (a method, a paginator, a waiter) reads the same, in full
    assert deferred["docs"] == as_it_comes["docs"] and all(len(doc) > 500 for doc in deferred["docs"])
    # And the documentation package itself still works once asked for
    assert deferred["generator"] is True


def test_nothing_is_deferred_once_botocore_s_client_is_loaded() -> None:
    # Given an interpreter that loaded botocore's client already, When defer() is called, Then the real
    # modules stay where they are
    code = ("import sys, botocore.client; from shared import sdk_docs; sdk_docs.defer(); "
            "print(getattr(sys.modules['botocore.docs.docstring'], '_stand_in', False))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ)
    assert out.stdout.strip() == "False"
