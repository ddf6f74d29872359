"""GET /api/crons and POST /api/crons/{id} (superusers only): list the cron jobs, and queue one run of a job."""

from __future__ import annotations

import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shared.crons.composition import cron_registry
from shared.crons.messages import run_now
from shared.crons.queue import get_cron_queue
from shared.errors import BadRequestError, NotFoundError
from shared.http.access import require_superuser
from shared.http.router import Router

router = Router()


# Go's router answers HEAD wherever it answers GET, so PocketBase does here too.
@router.api_route("/api/crons", methods=["GET", "HEAD"])
async def list_crons(request: Request) -> JSONResponse:
    require_superuser(request)
    jobs = [job.as_json() for job in cron_registry().scheduled()]
    fields = request.query_params.get("fields")
    if fields:
        # PocketBase projects every JSON answer by `fields`, this list too; the parser loads only when asked.
        from shared.tools.filter import FilterError, apply_fields, parse_fields

        try:
            spec = parse_fields(fields)
        except FilterError as exc:
            raise BadRequestError("Something went wrong while processing your request.", {}) from exc
        return JSONResponse([apply_fields(job, spec) for job in jobs])
    return JSONResponse(jobs)


@router.post("/api/crons/{id}")
async def run_cron(request: Request, id: str) -> Response:
    require_superuser(request)
    if cron_registry().find(id) is None:
        raise NotFoundError("Missing or invalid cron job.", {})
    # PocketBase answers at once and runs the job in the background; a Lambda stops when it has answered,
    # so the run goes to the scheduler function through the crons queue.
    get_cron_queue().send(run_now(id, uuid.uuid4().hex))
    return Response(status_code=204)
