"""Lambda entry point of the audit function: the audit log API (docs/api-audit.md)."""

from shared.init_phase import cold_init

with cold_init():
    from functions.audit.routes import router
    from shared.http.app import create_app, lambda_handler

    app = create_app([router])
    # Read-only on every table: it keeps no rate counters, so it needs no write grant (shared/resources.py).
    handler = lambda_handler(app, rate_limited=False, signed_in=True)
