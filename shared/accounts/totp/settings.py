"""TOTP settings from the environment (LB_*), read once per cold start."""

from __future__ import annotations

from pydantic import Field

from shared.tools.env_settings import EnvSettings


class TotpSettings(EnvSettings):
    # The KMS key that seals TOTP secrets (LB_TOTP_KEY): CDK and the local stack set it for the auth function only.
    totp_key: str | None = None
    # "Remember this device" lifetime; 0 turns the option off (the answer then carries no device token).
    totp_remember_device_days: int = Field(default=30, ge=0, le=365)
    # How long an enrolment's secret waits for its confirming code.
    totp_enrolment_ttl_s: int = Field(default=900, ge=60, le=86_400)
