"""POST request-otp and auth-with-otp: answered as PocketBase does while the method is off."""

from __future__ import annotations

from fastapi import Request, Response

from functions.auth.common import collection_of, record_service
from shared.accounts.pending_methods import refuse_pending_method
from shared.http.endpoints import LeanRouter

router = LeanRouter()


@router.post("/api/collections/{collection}/request-otp")
@router.post("/api/collections/{collection}/auth-with-otp")
def otp_route(collection: str, request: Request) -> Response:
    refuse_pending_method(collection_of(record_service(request, signed_in=False), collection), "otp")
