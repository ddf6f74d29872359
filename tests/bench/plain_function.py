"""Baseline for cold starts: a bare Lambda handler returning JSON, no framework at all."""

import json


def handler(event: dict, context: object) -> dict:
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"hello": "world"})}
