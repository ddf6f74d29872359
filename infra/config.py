"""Deployment settings read once from CDK context (cdk.json, or `-c key=value`): the app's only knobs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Construct

from layers.build import DEFAULT_BUILD_DIR, BuildLayout
from shared.resources import STAGE_PATTERN, Naming

CONTEXT_PREFIX = "lb:"
DEFAULT_STACK_NAME = "Lambdabase"

# A browser's Origin header is scheme://host[:port], never a path or a trailing slash: anything else never matches.
_ORIGIN = re.compile(r"^https?://[^/\s*]+$")
_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
_LAYER_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:layer:[A-Za-z0-9_-]+:\d+$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")

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

    stack_name: str = DEFAULT_STACK_NAME
    # Prefixes every physical name (and the default stack name), so stages share an account without clashes.
    stage: str = ""
    build_dir: Path = DEFAULT_BUILD_DIR
    deps_layer_dir: Path | None = None
    # RETAIN keeps user data (tables, files, secret) when the stack is deleted; DESTROY is for throwaway stacks.
    retain_data: bool = True
    log_retention_days: int = 30
    http_rate_limit: int = 1000
    http_burst_limit: int = 2000
    ws_rate_limit: int = 500
    ws_burst_limit: int = 1000
    # Browser origins allowed by the HTTP API's CORS and by the functions' own CORS; PocketBase allows any.
    cors_origins: tuple[str, ...] = ("*",)
    # The `meta` settings a fresh deployment starts from (mailed links and the sender); once the app settings are
    # saved (PATCH /api/settings) those win. No app URL: the HTTP API's own URL.
    app_name: str = "Acme"
    app_url: str | None = None
    mail_sender_address: str = "support@example.com"
    mail_sender_name: str = "Support"
    # SnapStart on the HTTP functions (docs/deploy.md); off for regions without it, or to save its charges.
    snap_start: bool = True
    # Tests synthesize before every function has code; a real synth refuses a function without a handler.
    allow_missing_handlers: bool = False
    # PocketBase's SSE realtime for unmodified clients: the bridge function, its URL and the CloudFront
    # distribution in front (infra/constructs/sse_bridge.py). Off: none of the three exist.
    sse_bridge: bool = True
    # The Lambda Web Adapter layer the bridge runs under; by default awslabs' published arm64 layer in the region.
    web_adapter_layer_arn: str | None = None

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

    @property
    def naming(self) -> Naming:
        return Naming(self.stage)

    def environment(self, kind: str, app_url: str) -> dict[str, str]:
        """The deployment's env for a function of this kind: CORS, and the defaults its app settings start from
        until first saved (shared/app_settings/defaults.py)."""
        environment = {
            "LB_APP_NAME": self.app_name,
            "LB_APP_URL": self.app_url or app_url,
            "LB_MAIL_SENDER_ADDRESS": self.mail_sender_address,
            "LB_MAIL_SENDER_NAME": self.mail_sender_name,
        }
        if kind == "http":
            # A JSON list, so that no origins at all ([]) stays "none" rather than the default "*".
            environment["LB_CORS_ORIGINS"] = json.dumps(list(self.cors_origins))
        return environment

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
        stage = _stage(get("stage"), scope.node.try_get_context("stage"))
        return cls(
            stack_name=str(get("stackName") or (f"{DEFAULT_STACK_NAME}-{stage}" if stage else DEFAULT_STACK_NAME)),
            stage=stage,
            build_dir=Path(str(build)).resolve() if build else defaults.build_dir,
            deps_layer_dir=Path(str(deps)).resolve() if deps else None,
            retain_data=removal == "retain",
            log_retention_days=retention,
            http_rate_limit=_positive(get("httpRateLimit"), defaults.http_rate_limit, "lb:httpRateLimit"),
            http_burst_limit=_positive(get("httpBurstLimit"), defaults.http_burst_limit, "lb:httpBurstLimit"),
            ws_rate_limit=_positive(get("wsRateLimit"), defaults.ws_rate_limit, "lb:wsRateLimit"),
            ws_burst_limit=_positive(get("wsBurstLimit"), defaults.ws_burst_limit, "lb:wsBurstLimit"),
            cors_origins=_origins(get("corsOrigins"), defaults.cors_origins),
            app_name=_text(get("appName"), defaults.app_name, "lb:appName"),
            app_url=_matching(get("appUrl"), _URL, "lb:appUrl", "an http(s) URL such as https://app.example.com"),
            mail_sender_address=_matching(get("mailSenderAddress"), _EMAIL, "lb:mailSenderAddress",
                                          "an email address") or defaults.mail_sender_address,
            mail_sender_name=_text(get("mailSenderName"), defaults.mail_sender_name, "lb:mailSenderName"),
            snap_start=_bool(get("snapStart")) if get("snapStart") is not None else defaults.snap_start,
            allow_missing_handlers=_bool(get("allowMissingHandlers")),
            sse_bridge=_bool(get("sseBridge")) if get("sseBridge") is not None else defaults.sse_bridge,
            web_adapter_layer_arn=_matching(get("webAdapterLayerArn"), _LAYER_ARN, "lb:webAdapterLayerArn",
                                            "a Lambda layer version ARN (arn:aws:lambda:<region>:<account>:layer:"
                                            "<name>:<version>)"),
        )


def _int(value: object, default: int, name: str) -> int:
    if value is None:
        return default
    try:
        return int(str(value))
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, not {value!r}") from exc


def _positive(value: object, default: int, name: str) -> int:
    number = _int(value, default, name)
    if number <= 0:
        raise ConfigError(f"{name} must be a positive number of requests per second, not {number}")
    return number


def _stage(value: object, alias: object) -> str:
    # `-c stage=dev` is accepted as well as `-c lb:stage=dev`: a forgotten prefix must not deploy the default stage.
    stage, other = str(value or "").strip(), str(alias or "").strip()
    if stage and other and stage != other:
        raise ConfigError(f"lb:stage={stage!r} and stage={other!r} disagree; give one of them")
    stage = stage or other
    if stage and not STAGE_PATTERN.match(stage):
        raise ConfigError(f"lb:stage must be 1-12 lowercase letters, digits or inner hyphens (it goes into S3 "
                          f"bucket names), not {stage!r}")
    return stage


def _text(value: object, default: str, name: str) -> str:
    if value is None:
        return default
    text = str(value).strip()
    if not text or any(ch in text for ch in "\r\n"):
        raise ConfigError(f"{name} must be one non-empty line, not {value!r}")
    return text


def _matching(value: object, pattern: re.Pattern[str], name: str, expected: str) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    if not pattern.match(text):
        raise ConfigError(f"{name} must be {expected}, not {value!r}")
    return text


def _bool(value: object) -> bool:
    # `-c key=true` arrives as a string, cdk.json values as JSON booleans.
    return value is True or str(value).lower() in ("true", "1", "yes")


def _origins(value: object, default: tuple[str, ...]) -> tuple[str, ...]:
    # A JSON list in cdk.json, or a comma-separated `-c lb:corsOrigins=https://a,https://b`.
    if value is None:
        return default
    items = value if isinstance(value, list) else str(value).split(",")
    origins = tuple(str(item).strip() for item in items if str(item).strip())
    if "*" in origins and len(origins) > 1:
        raise ConfigError(f"lb:corsOrigins is either [\"*\"] or a list of origins, not both: {list(origins)}")
    for origin in origins:
        if origin != "*" and not _ORIGIN.match(origin):
            raise ConfigError(f"lb:corsOrigins entry {origin!r} is not an origin: scheme://host[:port], "
                              "with no path and no trailing slash")
    return origins
