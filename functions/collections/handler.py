"""Lambda entry point of the collections function."""

from shared.init_phase import cold_init

with cold_init():
    from functions.collections.routes import router
    from shared.http.app import create_app, lambda_handler

    app = create_app([router])
    handler = lambda_handler(app)
