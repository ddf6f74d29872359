"""The local stack: AWS emulated on moto, serving the same Lambda handlers on one laptop."""

import logging
import os

from shared.resource_defs import RUNTIME_ENVIRONMENT

# Local defaults only: tracing has no X-Ray daemon to talk to, and the region must be set for boto3.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Lambdabase")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
# What every deployed function runs with (shared/resource_defs.py).
for _name, _value in RUNTIME_ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)

# moto serves on werkzeug, whose per-request access log would drown the functions' own logs.
logging.getLogger("werkzeug").setLevel(logging.ERROR)
