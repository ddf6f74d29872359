"""Lambda entry point of the records function."""

from functions.records.routes import router
from shared.http.app import create_app, lambda_handler

app = create_app([router])
handler = lambda_handler(app)
