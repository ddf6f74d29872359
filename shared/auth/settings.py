"""Auth settings as small pydantic mixins (env prefix LB_), composed per function."""

from pydantic import Field, SecretStr

from shared.settings import Tables
from shared.tools.env_settings import EnvSettings

DAY_S = 86_400


class AuthSecret(EnvSettings):
    """Where the JWT keyring comes from: a Secrets Manager ARN on AWS, an inline value locally.

    Either holds a plain string (one key, kid "default") or JSON {"active": "k2", "keys": {"k1": "...", ...}}.
    """

    auth_secret_arn: str | None = None  # LB_AUTH_SECRET_ARN
    auth_secret: SecretStr | None = None  # LB_AUTH_SECRET


class TokenDurations(EnvSettings):
    """Default JWT lifetimes in seconds, PocketBase's defaults."""

    auth_token_duration_s: int = Field(default=7 * DAY_S, ge=60)
    verification_token_duration_s: int = Field(default=3 * DAY_S, ge=60)
    password_reset_token_duration_s: int = Field(default=1800, ge=60)
    email_change_token_duration_s: int = Field(default=1800, ge=60)
    file_token_duration_s: int = Field(default=180, ge=10)


class PasswordRules(EnvSettings):
    # ASVS 5.0 6.2.1: at least 8 (15 recommended); 6.2.9: at least 64 must be accepted.
    password_min_length: int = Field(default=8, ge=8, le=64)
    password_max_length: int = Field(default=128, ge=64, le=1024)
    # ASVS 6.2.4: check against at least the top 3000 common passwords that fit the policy.
    password_blocklist_size: int = Field(default=10_000, ge=3000)
    # ASVS 6.1.2 / 6.2.11: documented context-specific words that may not be used as passwords.
    password_context_words: tuple[str, ...] = ("lambdabase", "pocketbase")


class RefreshRules(EnvSettings):
    refresh_family_lifetime_s: int = Field(default=30 * DAY_S, ge=300)
    # A rotated token presented again within this window is refused without revoking the family:
    # it is almost always the same client racing itself (two tabs refreshing at once).
    refresh_reuse_grace_s: int = Field(default=5, ge=0, le=60)
    # How many rotated token hashes a family remembers to recognise reuse.
    refresh_reuse_history: int = Field(default=50, ge=1, le=500)


class ThrottleRules(EnvSettings):
    throttle_account_max_failures_per_hour: int = Field(default=100, ge=1)
    throttle_ip_max_failures_per_hour: int = Field(default=500, ge=1)
    throttle_free_failures: int = Field(default=5, ge=1)
    throttle_max_delay_s: int = Field(default=900, ge=1)
    # Consecutive-failure state is forgotten after this long without a failure.
    throttle_failure_memory_s: int = Field(default=DAY_S, ge=3600)


class AuthSettings(AuthSecret, TokenDurations, PasswordRules, RefreshRules, ThrottleRules, Tables):
    """Everything the auth function needs."""
