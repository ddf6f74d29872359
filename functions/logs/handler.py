"""Lambda entry point of the logs function: PocketBase's request logs API."""

from shared.init_phase import cold_init

with cold_init():
    from functions.logs.routes import router
    from shared.http.app import create_app, lambda_handler

    app = create_app([router])
    handler = lambda_handler(app, signed_in=True)
