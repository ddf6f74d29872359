"""Deployment settings read once from CDK context (cdk.json, or `-c key=value`): the app's only knobs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Construct

from layers.build import DEFAULT_BUILD_DIR, BuildLayout

CONTEXT_PREFIX = "lb:"

# CloudWatch only accepts these retention periods.
_RETENTION_BY_DAYS = {
    1: logs.RetentionDays.ONE_DAY, 3: logs.RetentionDays.THREE_DAYS, 5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK, 14: logs.RetentionDays.TWO_WEEKS, 30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS, 90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS, 150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS, 365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS, 545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS, 1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


class ConfigError(ValueError):
    """A context value is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class DeployConfig:
    """Everything about a deployment that is not a resource definition (those live in shared/resources.py)."""

    stack_name: str = "Lambdabase"
    build_dir: Path = DEFAULT_BUILD_DIR
    deps_layer_dir: Path | None = None
    # RETAIN keeps user data (tables, files, secret) when the stack is deleted; DESTROY is for throwaway stacks.
    retain_data: bool = True
    log_retention_days: int = 30
    http_rate_limit: int = 1000
    http_burst_limit: int = 2000
    ws_rate_limit: int = 500
    ws_burst_limit: int = 1000
    # Browser origins allowed by the HTTP API's CORS; PocketBase allows any origin by default.
    cors_origins: tuple[str, ...] = ("*",)
    # Tests synthesize before every function has code; a real synth refuses a function without a handler.
    allow_missing_handlers: bool = False

    @property
    def layout(self) -> BuildLayout:
        return BuildLayout(self.build_dir)

    @property
    def deps_layer(self) -> Path:
        return self.deps_layer_dir or self.layout.deps_layer

    @property
    def data_removal_policy(self) -> RemovalPolicy:
        return RemovalPolicy.RETAIN if self.retain_data else RemovalPolicy.DESTROY

    @property
    def log_retention(self) -> logs.RetentionDays:
        return _RETENTION_BY_DAYS[self.log_retention_days]

    @classmethod
    def from_context(cls, scope: Construct) -> DeployConfig:
        """Read the lb:* context keys; unknown values fail loudly rather than deploy something unexpected."""

        def get(key: str) -> object:
            return scope.node.try_get_context(CONTEXT_PREFIX + key)

        defaults = cls()
        removal = str(get("removalPolicy") or "retain").lower()
        if removal not in ("retain", "destroy"):
            raise ConfigError(f"lb:removalPolicy must be 'retain' or 'destroy', not {removal!r}")
        retention = _int(get("logRetentionDays"), defaults.log_retention_days, "lb:logRetentionDays")
        if retention not in _RETENTION_BY_DAYS:
            raise ConfigError(f"lb:logRetentionDays must be one of {sorted(_RETENTION_BY_DAYS)}, not {retention}")
        deps = get("depsLayerDir")
        build = get("buildDir")
        return cls(
            stack_name=str(get("stackName") or defaults.stack_name),
            build_dir=Path(str(build)).resolve() if build else defaults.build_dir,
            deps_layer_dir=Path(str(deps)).resolve() if deps else None,
            retain_data=removal == "retain",
            log_retention_days=retention,
            http_rate_limit=_int(get("httpRateLimit"), defaults.http_rate_limit, "lb:httpRateLimit"),
            http_burst_limit=_int(get("httpBurstLimit"), defaults.http_burst_limit, "lb:httpBurstLimit"),
            ws_rate_limit=_int(get("wsRateLimit"), defaults.ws_rate_limit, "lb:wsRateLimit"),
            ws_burst_limit=_int(get("wsBurstLimit"), defaults.ws_burst_limit, "lb:wsBurstLimit"),
            cors_origins=_strings(get("corsOrigins"), defaults.cors_origins),
            allow_missing_handlers=_bool(get("allowMissingHandlers")),
        )


def _int(value: object, default: int, name: str) -> int:
    if value is None:
        return default
    try:
        return int(str(value))
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, not {value!r}") from exc


def _bool(value: object) -> bool:
    # `-c key=true` arrives as a string, cdk.json values as JSON booleans.
    return value is True or str(value).lower() in ("true", "1", "yes")


def _strings(value: object, default: tuple[str, ...]) -> tuple[str, ...]:
    # A JSON list in cdk.json, or a comma-separated `-c lb:corsOrigins=https://a,https://b`.
    if value is None:
        return default
    items = value if isinstance(value, list) else str(value).split(",")
    return tuple(str(item).strip() for item in items if str(item).strip())
