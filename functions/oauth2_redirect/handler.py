"""Lambda entry point of the oauth2_redirect function: PocketBase's `/api/oauth2-redirect` callback."""

from shared.init_phase import cold_init

with cold_init():
    from functions.oauth2_redirect.routes import router
    from shared.http.app import create_app, lambda_handler

    app = create_app([router])
    # Rate limited as every public route: anyone may call it, and each call reads the subscription store.
    handler = lambda_handler(app)
