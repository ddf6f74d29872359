"""Lambda entry point of the backups function: the backups API."""

from shared.init_phase import cold_init

with cold_init():
    from functions.backups.routes import router
    from shared.http.app import create_app, lambda_handler

    app = create_app([router])
    handler = lambda_handler(app, signed_in=True)
