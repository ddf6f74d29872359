"""Lambda entry point of the crons function: the Crons API, which lists jobs and queues runs (superusers)."""

from shared.init_phase import cold_init

with cold_init():
    from functions.crons.routes import router
    from shared.http.app import create_app, lambda_handler

    app = create_app([router])
    # Not rate limited: its grants are read-only on the tables (shared/resources.py), so it writes no counter.
    handler = lambda_handler(app, rate_limited=False, signed_in=True)
