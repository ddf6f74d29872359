"""Public forms: `GET /api/forms/{slug}` (the definition and a fill token), `POST` (a submission, no auth), and
`GET /api/forms/{slug}/submissions` (superusers: each submission's IP, user agent and time, and the count)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from shared.composition import composition
from shared.errors import BadRequestError, NotFoundError
from shared.forms.definition import (
    FormDefinition,
    FormOptionsError,
    field_inputs,
    parse_definition,
    public_definition,
)
from shared.forms.fill_token import FillTokens
from shared.forms.guards import check_rate_limit, settings_verifiers
from shared.forms.lookup import FormView, find_form
from shared.forms.submissions import MAX_PAGE, FormSubmissionRepository
from shared.forms.submit import FormSubmitter
from shared.http.access import require_superuser
from shared.http.body import read_body
from shared.http.router import Router

router = Router()


def _fill_tokens() -> FillTokens:
    from shared.auth.keyring import load_keyring

    return FillTokens(load_keyring())


def _submissions() -> FormSubmissionRepository:
    from shared.forms.dynamo_submissions import get_form_submission_repository

    return get_form_submission_repository(composition().config.system_table)


def _published(request: Request, slug: str) -> tuple[FormView, FormDefinition]:
    """The enabled form with this slug; 404 for an unknown, disabled or unusable one alike."""
    form = find_form(composition().scope(request, signed_in=False), slug)
    try:
        definition = parse_definition(form.options)
    except FormOptionsError as exc:
        raise NotFoundError() from exc  # saved before its checks existed: unusable, so not published
    if not definition.enabled:
        raise NotFoundError()  # as an unknown slug: a disabled form does not tell it exists
    return form, definition


@router.get("/api/forms/{slug}")
def view_form(slug: str, request: Request) -> JSONResponse:
    form, definition = _published(request, slug)
    target = composition().scope(request, signed_in=False).collections.find(form.collection)
    inputs = field_inputs(definition, target.collection if target else None)
    body = public_definition(form.id, form.slug, form.name, definition, inputs)
    body["fillToken"] = _fill_tokens().issue(form.id)
    # a fill token is made per fetch: no shared cache may hand one page's token to another visitor
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


@router.post("/api/forms/{slug}")
async def submit_form(slug: str, request: Request) -> JSONResponse:
    from shared.app_settings.provider import current

    form, definition = _published(request, slug)
    system_table = composition().config.system_table
    # no auth: a form is submitted as a guest whatever Authorization says (the form alone grants the create)
    guest = composition().scope(request, signed_in=False)
    submitter = FormSubmitter(guest, _fill_tokens(), settings_verifiers(lambda: current().forms), _submissions(),
                              rate_limit=lambda f, d: check_rate_limit(system_table, f.slug, guest.request.ip,
                                                                       d.rate_limit))
    submitter.admit(form, definition)
    body = await read_body(request)
    submitter.scope = composition().scope(request, body, signed_in=False)
    return JSONResponse(submitter.submit(form, definition, body).to_json())


@router.get("/api/forms/{slug}/submissions")
def list_submissions(slug: str, request: Request) -> JSONResponse:
    require_superuser(request)  # IPs and user agents of the public: superusers only
    form = find_form(composition().scope(request), slug)
    try:
        limit = int(request.query_params.get("perPage", "50"))
    except ValueError as exc:
        raise BadRequestError("Invalid perPage.", {"perPage": {"code": "validation_invalid_int",
                                                                "message": "Must be an integer."}}) from exc
    limit = max(1, min(limit, MAX_PAGE))
    repository = _submissions()
    items = repository.newest(form.id, limit, request.query_params.get("before", ""))
    return JSONResponse({"formId": form.id, "totalItems": repository.count(form.id),
                         "items": [s.model_dump(by_alias=True) for s in items]})
