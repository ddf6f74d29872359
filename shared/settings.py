"""Settings as small pydantic mixins, composed per function and validated once per cold start."""

from functools import cache
from typing import TypeVar

from pydantic import Field

from shared import runtime_resources
from shared.tools.env_settings import EnvSettings


class Observability(EnvSettings):
    service_name: str = Field("lambdabase", validation_alias="POWERTOOLS_SERVICE_NAME")
    log_level: str = Field("INFO", validation_alias="POWERTOOLS_LOG_LEVEL")


class Tables(EnvSettings):
    """Physical table names; CDK passes them as LB_<KEY>_TABLE, the local stack uses the defaults."""

    records_table: str = runtime_resources.RECORDS_TABLE.physical_name
    system_table: str = runtime_resources.SYSTEM_TABLE.physical_name


class Events(EnvSettings):
    events_bus: str = runtime_resources.EVENT_BUS.physical_name


class Realtime(EnvSettings):
    # On AWS the endpoint is derived from the WebSocket event; the local stack sets it to its own gateway.
    ws_management_endpoint: str | None = None


class Debug(EnvSettings):
    debug_query: bool = False


class Batch(EnvSettings):
    """A fresh deployment's batch settings (PocketBase's defaults); at runtime they come from the app settings
    (`shared.app_settings.provider.current().batch`), which start from these until first saved."""

    batch_enabled: bool = False
    batch_max_requests: int = 50


class SettingsKey(EnvSettings):
    """The KMS key of the settings' secrets (LB_SETTINGS_KEY); set only for functions granted `kms` on it."""

    settings_key: str | None = None


class WebhooksKey(EnvSettings):
    """The KMS key of webhook signing secrets (LB_WEBHOOKS_KEY); set only for functions granted `kms` on it."""

    webhooks_key: str | None = None


class RealtimeSettings(Observability, Tables, Realtime):
    pass


class ChangesSettings(Observability, Tables, Events):
    pass


S = TypeVar("S", bound=EnvSettings)


@cache
def load(cls: type[S]) -> S:
    """Validate and cache one settings class; called from handlers, never at import time of logic."""
    return cls()


def env_name(kind: str, key: str) -> str:
    """Environment variable through which CDK hands a function a resource's physical name."""
    return f"LB_{key.upper()}_{kind.upper()}"
