"""Baseline for cold starts: hello + one DynamoDB read on Starlette + Mangum, shipped as the functions are (init
inside `cold_init`, the layer's trimmed models prepared): the floor of the functions' own framework and SDK."""

import os

from shared.init_phase import cold_init

with cold_init():
    from mangum import Mangum
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from shared import aws

    async def hello(request: Request) -> JSONResponse:
        table = os.environ.get("LB_SYSTEM_TABLE", "lambdabase-system")
        aws.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": "hello"}, "sk": {"S": "hello"}})
        return JSONResponse({"hello": "world"})

    app = Starlette(routes=[Route("/hello", hello)])
    aws.prepare("dynamodb")
    handler = Mangum(app, lifespan="off")
