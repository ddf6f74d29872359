"""Lambda entry point of the records function."""

from shared.init_phase import cold_init

with cold_init():
    from functions.records.aggregate_routes import router as aggregate_router
    from functions.records.routes import router
    from functions.records.view_routes import router as view_router
    from shared.http.app import create_app, lambda_handler

    app = create_app([router, view_router, aggregate_router])
    handler = lambda_handler(app)
