"""The template file (format `lambdabase.template`, version 1): its pydantic model and the 400 a bad one answers."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.errors import BadRequestError

TEMPLATE_FORMAT = "lambdabase.template"
TEMPLATE_VERSION = 1
# the key a sample record is known by inside its template, and what its relation values name
SAMPLE_KEY = "_key"
# bounds that keep one apply within one request's time (each sample record is one write)
MAX_COLLECTIONS = 50
MAX_VIEWS = 200
MAX_SAMPLE_RECORDS = 1000
INVALID_TEMPLATE = "validation_invalid_template"


class TemplateView(BaseModel):
    """A `_views` record, its `collection` naming a template collection (or a stored one) by name."""

    model_config = ConfigDict(extra="forbid")

    collection: str
    name: str
    type: str
    filter: str = ""
    sort: str = ""
    fields: list[str] | None = None
    columnWidths: dict[str, int] | None = None
    rowHeight: str = ""
    groupBy: str = ""
    colorRules: list[dict[str, Any]] | None = None
    description: str = ""
    options: dict[str, Any] | None = None
    slug: str = ""
    viewRule: str | None = None
    manageRule: str | None = None


class TemplateFile(BaseModel):
    """What a template holds. `collections` are PocketBase collection JSON without ids; a relation's
    `collectionId` is a collection name. `sampleData` maps a collection name to its records, in the order they
    are created; a record's `_key` names it within the template, and its relation values are such keys."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["lambdabase.template"]
    version: Literal[1]
    name: str = Field(default="", max_length=100)
    title: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=2000)
    collections: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_COLLECTIONS)
    views: list[TemplateView] = Field(default=[], max_length=MAX_VIEWS)
    sampleData: dict[str, list[dict[str, Any]]] = {}

    def collection_names(self) -> list[str]:
        return [str(body.get("name") or "") for body in self.collections]

    def sample_count(self) -> int:
        return sum(len(records) for records in self.sampleData.values())


def template_error(message: str, key: str = "template") -> BadRequestError:
    return BadRequestError("Failed to apply template.", {key: {"code": INVALID_TEMPLATE, "message": message}})


def parse_template(data: Any) -> TemplateFile:
    """The template a JSON value holds, or a 400 naming the first thing wrong with it (`collections.0.name: ...`)."""
    try:
        template = TemplateFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "template"
        raise template_error(f"{where}: {first['msg']}.") from exc
    names = [name.lower() for name in template.collection_names()]
    if any(not name for name in names):
        raise template_error("Every collection needs a name.")
    if len(set(names)) != len(names):
        raise template_error("Two collections have the same name.")
    if template.sample_count() > MAX_SAMPLE_RECORDS:
        raise template_error(f"At most {MAX_SAMPLE_RECORDS} sample records.")
    return template
