"""Collections API (superusers only): list, view, create, update, delete, import, truncate."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from shared.catalog.collections_admin import CollectionsAdmin
from shared.collections.collection_load import SUBMITTED_DATA_ERROR, TYPE_DATA_ERROR
from shared.collections.model import Collection
from shared.composition import composition
from shared.errors import BadRequestError
from shared.http.access import require_superuser
from shared.http.body import read_form_body
from shared.http.router import Router
from shared.tools.filter import FilterError, apply_fields, parse_fields

router = Router()


def collections_admin(request: Request) -> CollectionsAdmin:
    """The collections logic for a superuser's request (401 guests, 403 other auth records)."""
    require_superuser(request)
    svc = composition()
    from shared.jobs.checkpoints import get_checkpoint_store
    from shared.jobs.context import JobContext
    from shared.jobs.queue import get_job_queue, settle_seconds

    jobs = JobContext(svc.collections, svc.records, get_job_queue(), get_checkpoint_store(svc.config.system_table))
    return CollectionsAdmin(svc.collections, svc.records, jobs, settle_s=settle_seconds())


def _collection_json(request: Request, service: CollectionsAdmin, collection: Collection) -> JSONResponse:
    """The collection's JSON (with its index states while one is not ready), projected by `fields` as PocketBase
    projects every JSON answer."""
    from shared.catalog.layout import with_index_states

    data = with_index_states(collection.to_api_json(), service.get(collection.id).layout)
    fields = request.query_params.get("fields")
    if fields:
        try:
            data = apply_fields(data, parse_fields(fields))
        except FilterError as exc:
            raise BadRequestError("Something went wrong while processing your request.", {}) from exc
    return JSONResponse(data)


@router.get("/api/collections")
def list_collections(request: Request) -> JSONResponse:
    service = collections_admin(request)
    from shared.catalog.listing import list_collections

    return JSONResponse(list_collections(service.list_json(), dict(request.query_params)))


@router.post("/api/collections")
async def create_collection(request: Request) -> JSONResponse:
    service = collections_admin(request)
    return _collection_json(request, service, service.create(await read_form_body(request, TYPE_DATA_ERROR)))


@router.put("/api/collections/import")
async def import_collections(request: Request) -> Response:
    service = collections_admin(request)
    from shared.catalog.importer import LOAD_ERROR

    service.import_collections(await read_form_body(request, LOAD_ERROR))
    return Response(status_code=204)


@router.post("/api/collections/meta/dry-run-view")
async def dry_run_view(request: Request) -> JSONResponse:
    """A view query's fields and sample rows (shared/views/dry_run.py)."""
    service = collections_admin(request)
    from shared.records.context import RequestContext
    from shared.records.scope import RecordScope
    from shared.views.dry_run import dry_run_view as run

    presenter = RecordScope(service.collections, service.records, RequestContext(system=True)).presenter
    body = await read_form_body(request, "An error occurred while loading the submitted data.")
    def find(name: str) -> Collection | None:
        found = service.collections.find(name)
        return found.collection if found is not None else None

    return JSONResponse(run(body, find, service.records, presenter.to_json))


@router.post("/api/collections/meta/validate-rule")
async def validate_rule(request: Request) -> JSONResponse:
    """Whether a rule parses and names existing fields, as a save would check it (shared/catalog/rule_check.py)."""
    service = collections_admin(request)
    from shared.catalog.rule_check import LOAD_ERROR
    from shared.catalog.rule_check import validate_rule as check

    def find(name: str) -> Collection | None:
        found = service.collections.find(name)
        return found.collection if found is not None else None

    return JSONResponse(check(await read_form_body(request, LOAD_ERROR), find))


@router.get("/api/collections/{id_or_name}")
def view_collection(id_or_name: str, request: Request) -> JSONResponse:
    service = collections_admin(request)
    return _collection_json(request, service, service.get(id_or_name).collection)


@router.patch("/api/collections/{id_or_name}")
async def update_collection(id_or_name: str, request: Request) -> JSONResponse:
    service = collections_admin(request)
    return _collection_json(request, service,
                            service.update(id_or_name, await read_form_body(request, SUBMITTED_DATA_ERROR)))


@router.delete("/api/collections/{id_or_name}")
def delete_collection(id_or_name: str, request: Request) -> Response:
    collections_admin(request).delete(id_or_name)
    return Response(status_code=204)


@router.delete("/api/collections/{id_or_name}/truncate")
def truncate_collection(id_or_name: str, request: Request) -> Response:
    collections_admin(request).truncate(id_or_name)
    return Response(status_code=204)
