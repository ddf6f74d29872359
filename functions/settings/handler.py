"""Lambda entry point of the settings function."""

from shared.init_phase import cold_init

with cold_init():
    from functions.settings import (
        settings_secrets,
        settings_test_email,
        settings_test_s3,
        settings_update,
        settings_view,
    )
    from shared.http.app import create_app, lambda_handler

    app = create_app([module.router for module in (settings_view, settings_update, settings_test_email,
                                                    settings_test_s3, settings_secrets)])
    handler = lambda_handler(app, signed_in=True, sdk_services=("dynamodb", "kms"))
