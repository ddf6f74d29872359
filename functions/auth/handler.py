"""Lambda entry point of the auth function."""

from shared.init_phase import cold_init

with cold_init():
    from functions.auth.routes import routers
    from shared.http.app import create_app, lambda_handler

    app = create_app(routers)
    handler = lambda_handler(app)
