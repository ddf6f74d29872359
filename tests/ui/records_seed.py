"""Data for the records and views UI tests: a tasks collection linked to people, a picture to upload."""

from __future__ import annotations

import io
from typing import Any

import httpx
from PIL import Image


def create_tasks(api: httpx.Client, prefix: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """`<prefix>_people` (name) and `<prefix>_tasks` (text, number, select, rank, relation, file, date, json,
    formula)."""
    people = api.post("/api/collections", json={"name": f"{prefix}_people", "type": "base", "fields": [
        {"name": "name", "type": "text", "required": True, "presentable": True}]})
    people.raise_for_status()
    tasks = api.post("/api/collections", json={"name": f"{prefix}_tasks", "type": "base", "fields": [
        {"name": "title", "type": "text", "required": True, "max": 100},
        {"name": "points", "type": "number"},
        {"name": "stage", "type": "select", "values": ["todo", "doing", "done"], "maxSelect": 1},
        {"name": "rank", "type": "number"},
        {"name": "owner", "type": "relation", "collectionId": people.json()["id"], "maxSelect": 1},
        {"name": "attachment", "type": "file", "maxSelect": 1, "thumbs": ["100x100"],
         "mimeTypes": ["image/png"]},
        {"name": "due", "type": "date"},
        {"name": "meta", "type": "json"},
        {"name": "double", "type": "formula", "formula": "{points} * 2"},
        {"name": "created", "type": "autodate", "onCreate": True},
    ]})
    tasks.raise_for_status()
    return people.json(), tasks.json()


def png_bytes(colour: tuple[int, int, int] = (29, 78, 216)) -> bytes:
    """A small PNG to upload."""
    out = io.BytesIO()
    Image.new("RGB", (24, 24), colour).save(out, format="PNG")
    return out.getvalue()


def records(api: httpx.Client, collection: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get(f"/api/collections/{collection}/records", params={"perPage": 200, **params})
    response.raise_for_status()
    items: list[dict[str, Any]] = response.json()["items"]
    return items
