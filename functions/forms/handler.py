"""Lambda entry point of the forms function."""

from shared.init_phase import cold_init

with cold_init():
    from functions.forms.routes import router
    from shared.http.app import create_app, lambda_handler

    app = create_app([router])
    handler = lambda_handler(app)
