"""Direct uploads to S3 (beyond PocketBase): POST /api/files/uploads and its multipart parts, complete and abort."""

from __future__ import annotations

from functools import lru_cache

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shared import settings
from shared.composition import composition
from shared.files.direct_uploads import SlotService, UploadSettings
from shared.files.s3_uploads import S3DirectUploads
from shared.files.slots import process_signer
from shared.http.body import read_body
from shared.http.router import Router

router = Router()


@lru_cache(maxsize=1)
def _slots() -> SlotService:
    config = settings.load(UploadSettings)
    return SlotService(config, process_signer(), S3DirectUploads(config.files_bucket, config.s3_public_endpoint))


@router.post("/api/files/uploads")
async def open_slot(request: Request) -> JSONResponse:
    """An upload slot for a file field of a new or an existing record: a presigned POST or a multipart upload."""
    body = await read_body(request)
    return JSONResponse(_slots().open(composition().scope(request), body))


@router.post("/api/files/uploads/parts")
async def presign_parts(request: Request) -> JSONResponse:
    body = await read_body(request)
    return JSONResponse(_slots().parts(composition().scope(request), body))


@router.post("/api/files/uploads/complete")
async def complete_upload(request: Request) -> JSONResponse:
    body = await read_body(request)
    return JSONResponse(_slots().complete(composition().scope(request), body))


@router.post("/api/files/uploads/abort")
async def abort_upload(request: Request) -> Response:
    body = await read_body(request)
    _slots().abort(composition().scope(request), body)
    return Response(status_code=204)
