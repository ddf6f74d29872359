#!/bin/sh
# Lambda Web Adapter entry (AWS_LAMBDA_EXEC_WRAPPER=/opt/bootstrap): the adapter proxies each invocation to this
# server on $PORT and streams its response back (AWS_LWA_INVOKE_MODE=response_stream). The runtime's own
# bootstrap, which puts the layers on sys.path, never runs here, so the path is set as it would set it.
export PYTHONPATH="/opt/python:${LAMBDA_TASK_ROOT:-/var/task}${PYTHONPATH:+:$PYTHONPATH}"
exec python3 -m uvicorn functions.realtime_sse.handler:app --host 127.0.0.1 --port "${PORT:-8080}" \
  --no-access-log --timeout-graceful-shutdown 1
