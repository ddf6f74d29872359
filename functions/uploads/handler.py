"""Lambda entry point of the uploads function: slots for direct uploads to S3, and their multipart parts."""

from shared.init_phase import cold_init

with cold_init():
    from functions.uploads.routes import router
    from shared.http.app import create_app, lambda_handler

    app = create_app([router])
    handler = lambda_handler(app, sdk_services=("dynamodb", "s3"))
