"""The local stack: AWS emulated on moto, serving the same Lambda handlers on one laptop."""

import logging
import os

# Local defaults only: tracing has no X-Ray daemon to talk to, and the region must be set for boto3.
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Lambdabase")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

# moto serves on werkzeug, whose per-request access log would drown the functions' own logs.
logging.getLogger("werkzeug").setLevel(logging.ERROR)
