"""Baseline for cold starts: one DynamoDB read from a plain `def handler`, no web framework, shipped as the
functions are (init inside `cold_init`, the layer's trimmed models prepared): what the SDK costs on its own."""

import json
import os

from shared.init_phase import cold_init

with cold_init():
    from shared import aws

    aws.prepare("dynamodb")


def handler(event: dict[str, object], context: object) -> dict[str, object]:
    table = os.environ.get("LB_SYSTEM_TABLE", "lambdabase-system")
    aws.client("dynamodb").get_item(TableName=table, Key={"pk": {"S": "hello"}, "sk": {"S": "hello"}})
    return {"statusCode": 200, "body": json.dumps({"hello": "world"})}
