"""Lambda entry point of the health function, realtime discovery, and the API's $default route (PocketBase 404s)."""

from shared.init_phase import cold_init

with cold_init():
    from functions.health.realtime_url import router as realtime_url_router
    from functions.health.routes import router
    from shared.http.app import create_app, lambda_handler

    app = create_app([router, realtime_url_router])
    # Not rate limited: its grants are read-only (shared/resources.py), and it writes no counter. Every first
    # request reads the app settings (the request log's), so the SDK's DynamoDB models are prepared at init, where
    # a SnapStart snapshot keeps them.
    handler = lambda_handler(app, rate_limited=False)
