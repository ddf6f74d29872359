"""GET /api/health: PocketBase's health check."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()


@router.api_route("/api/health", methods=["GET", "HEAD"])
async def health() -> dict[str, object]:
    return {"message": "API is healthy.", "code": 200, "data": {}}
