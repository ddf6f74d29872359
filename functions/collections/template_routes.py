"""Templates API (superusers only): list and read the built-ins, apply one or an uploaded file, export collections."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from shared.errors import BadRequestError
from shared.http.body import decode_body_json, read_form_body
from shared.http.router import Router

router = Router()
UNREADABLE = "An error occurred while loading the submitted data."


def _flag(value: Any, name: str) -> bool:
    """A bool of a JSON body, or of a multipart form as text."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", ""):
        return value.lower() in ("true", "1")
    raise BadRequestError(UNREADABLE, {name: {"code": "validation_invalid_value", "message": "Must be a bool."}})


def _text(value: Any, name: str) -> str:
    if value is None or isinstance(value, str):
        return value or ""
    raise BadRequestError(UNREADABLE, {name: {"code": "validation_invalid_value", "message": "Must be a text."}})


@router.get("/api/templates")
def list_templates(request: Request) -> JSONResponse:
    from shared.http.access import require_superuser
    from shared.templates.builtins import builtin_summaries

    require_superuser(request)
    return JSONResponse({"items": builtin_summaries()})


@router.get("/api/templates/{name}")
def view_template(name: str, request: Request) -> JSONResponse:
    """A built-in's template file, as an export answers one (the format to start a template of one's own from)."""
    from shared.http.access import require_superuser
    from shared.templates.builtins import builtin_template

    require_superuser(request)
    return JSONResponse(builtin_template(name).model_dump(mode="json"))


@router.post("/api/templates/apply")
async def apply_template(request: Request) -> JSONResponse:
    """`{template: "<built-in name>" | {template file}, sampleData?: bool, prefix?: text}`, or multipart with the
    file as a `template` part: creates everything or nothing (shared/templates/apply.py)."""
    from functions.collections.routes import collections_admin
    from shared.composition import composition
    from shared.files.uploaded import UploadedFile
    from shared.templates.apply import TemplateApplier
    from shared.templates.builtins import builtin_template
    from shared.templates.model import parse_template, template_error

    admin = collections_admin(request)  # superusers only
    body = await read_form_body(request, UNREADABLE)
    raw = body.get("template")
    if isinstance(raw, UploadedFile):
        raw = decode_body_json(raw.content)
    if isinstance(raw, str):
        template = builtin_template(raw)
    elif isinstance(raw, dict):
        template = parse_template(raw)
    else:
        raise template_error("A built-in template's name or a template file.")
    applier = TemplateApplier(admin, composition().scope(request, body))
    applied = applier.apply(template, sample_data=_flag(body.get("sampleData"), "sampleData"),
                            prefix=_text(body.get("prefix"), "prefix"))
    return JSONResponse(applied.to_json(template))


@router.post("/api/templates/export")
async def export_template(request: Request) -> JSONResponse:
    """`{collections: [names or ids], stripPrefix?, records?: bool, name?, title?, description?}`: the template
    file of those collections and their saved views (and their records as sample data)."""
    from functions.collections.routes import collections_admin
    from shared.composition import composition
    from shared.templates.export import TemplateExporter

    admin = collections_admin(request)
    body = await read_form_body(request, UNREADABLE)
    meta = {key: _text(body.get(key), key) for key in ("name", "title", "description") if body.get(key)}
    exporter = TemplateExporter(admin.collections, composition().scope(request, body))
    return JSONResponse(exporter.export(body.get("collections"), strip_prefix=_text(body.get("stripPrefix"),
                                        "stripPrefix"), records=_flag(body.get("records"), "records"), meta=meta))
