"""Lambda entry point of the collections function."""

from shared.init_phase import cold_init

with cold_init():
    from functions.collections.routes import router
    from functions.collections.scaffolds import router as scaffolds_router
    from functions.collections.template_routes import router as templates_router
    from shared.http.app import create_app, lambda_handler

    app = create_app([scaffolds_router, templates_router, router])  # before `{id_or_name}` matches "meta"
    handler = lambda_handler(app, signed_in=True)
