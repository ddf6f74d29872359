"""What Lambdabase answers differently from PocketBase today, one line each, shared by the scenario tables.

Each is used as a strict xfail reason: when a difference is fixed its scenarios pass, the xfail turns into a
failure, and the mark (and, once unused, the line here) is removed. LB_CONFORMANCE_LOG=<file> logs both answers.
Deliberate differences are no xfails: they live in deliberate.py and docs/compatibility.md.
"""

# Batch
BATCH_BAD_BODY = (
    "a disabled batch with a malformed JSON body answers the body's 400 (every function parses bodies first), "
    "PocketBase 403"
)
