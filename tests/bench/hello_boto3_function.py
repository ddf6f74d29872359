"""Baseline for cold starts: the hello FastAPI + Mangum function plus one boto3 client and one DynamoDB read.

It shows what of a data function's cold start is the SDK's: botocore's loaders, endpoint rules and signing.
"""

import os

import boto3
from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/hello")
def hello() -> dict[str, str]:
    table = os.environ.get("LB_SYSTEM_TABLE", "lambdabase-system")
    boto3.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": "hello"}, "sk": {"S": "hello"}})
    return {"hello": "world"}


handler = Mangum(app, lifespan="off")
