"""Lambda entry point of the files function: serving record files and issuing file tokens."""

from shared.init_phase import cold_init

with cold_init():
    from functions.files.frame_options import ServedFileFrameOptions
    from functions.files.routes import router
    from shared.http.app import create_app, lambda_handler

    app = create_app([router])
    handler = lambda_handler(app, sdk_services=("dynamodb", "s3"))
    # outermost, around the guards lambda_handler installs: it takes their X-Frame-Options off served files
    app.add_middleware(ServedFileFrameOptions)
