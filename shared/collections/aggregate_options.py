"""A collection's maintained aggregates as declared (the additive `aggregates` option): names and term texts only.

What the terms mean, and whether they fit the collection's fields, is checked by shared/aggregates/declarations.py
when the collection is saved; here they are plain JSON, so PocketBase clients that ignore the key lose nothing.
"""

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class MaintainedAggregate(BaseModel):
    """`{"name": "by_region", "groupBy": ["region", "created:month"], "metrics": ["count()", "sum(amount)"]}`."""

    # Built on first use (`defer_build`): a read meets it only inside Collection, whose own schema holds it.
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", strict=True,
                              defer_build=True)

    name: str = ""
    group_by: list[str] = []
    metrics: list[str] = Field(default_factory=lambda: ["count()"])
