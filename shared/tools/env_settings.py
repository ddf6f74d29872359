"""Settings models read from the environment: pydantic models whose fields default to `<env_prefix><NAME>`.

pydantic-settings does this and much more (dotenv and secrets files, a CLI, cloud secret stores, nested
delimiters), and importing it cost about 11 ms of every function's cold start, 4% of the goal's hello function
(docs/architecture.md, "Cold start"), for the one source these settings read. So this is that source alone,
with pydantic-settings' rules for it:

- a field is read from `env_prefix + name`, or from its `validation_alias` as given (no prefix), the names
  compared case-insensitively;
- a field whose type is a list, tuple, set, dict or model (alone or in a union) is read as JSON, any other as
  the string pydantic validates (lax mode: "true", "1" and "yes" are booleans, "30" a number);
- values given to the constructor win over the environment, and defaults are validated too.

Example:

    class Limits(EnvSettings):
        max_items: int = 100            # LB_MAX_ITEMS
        origins: tuple[str, ...] = ()   # LB_ORIGINS='["https://a.example"]'
"""

import json
import os
import types
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict

_COMPLEX = (list, tuple, set, frozenset, dict, BaseModel)


class EnvSettingsError(ValueError):
    """An environment variable that cannot be read as its field's type needs (JSON that does not parse)."""


class EnvSettings(BaseModel):
    """A frozen settings model; each instance reads the environment as it is when built (`shared.settings.load`
    builds one per cold start).

    Validators are built on first use (`defer_build`): a function imports many settings mixins and builds a few.
    """

    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True, defer_build=True)
    env_prefix: ClassVar[str] = "LB_"

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**environment_values(type(self)), **values})


def environment_values(cls: type[EnvSettings]) -> dict[str, Any]:
    """The values the environment holds for `cls`'s fields, keyed as pydantic takes them (alias or name)."""
    environ = {name.lower(): value for name, value in os.environ.items()}
    values: dict[str, Any] = {}
    for name, field in cls.model_fields.items():
        key = field.validation_alias if isinstance(field.validation_alias, str) else None
        variable = (key or cls.env_prefix + name).lower()
        if variable not in environ:
            continue
        raw = environ[variable]
        if _is_complex(field.annotation):
            try:
                values[key or name] = json.loads(raw)
            except ValueError as err:
                raise EnvSettingsError(f"{variable.upper()} must be JSON for {cls.__name__}.{name}: {err}") from None
        else:
            values[key or name] = raw
    return values


def _is_complex(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_complex(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_is_complex(arg) for arg in get_args(annotation) if arg is not type(None))
    target = origin or annotation
    return isinstance(target, type) and issubclass(target, _COMPLEX)
