"""Baseline for cold starts: the hello + one boto3 client function, built the way the real functions ship.

Its init runs inside `cold_init` and prepares the DynamoDB models, and its client comes from `shared.aws` (the
deps layer's trimmed models): the floor that FastAPI, Mangum and one SDK call set for any data function.
"""

import os

from shared.init_phase import cold_init

with cold_init():
    from fastapi import FastAPI
    from mangum import Mangum

    from shared import aws

    app = FastAPI()

    @app.get("/hello")
    def hello() -> dict[str, str]:
        table = os.environ.get("LB_SYSTEM_TABLE", "lambdabase-system")
        aws.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": "hello"}, "sk": {"S": "hello"}})
        return {"hello": "world"}

    aws.prepare("dynamodb")
    handler = Mangum(app, lifespan="off")
