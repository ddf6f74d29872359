"""The Collection model with PocketBase's JSON, including the auth options of auth collections."""


from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer
from pydantic.alias_generators import to_camel

from shared.collections import auth_templates
from shared.collections.aggregate_options import MaintainedAggregate
from shared.collections.fields import AnyField, BaseField, TextField

CollectionType = Literal["base", "auth", "view"]

# keys of the base collection JSON, in the order Go's struct serialises them
_BASE_KEYS = ("id", "listRule", "viewRule", "createRule", "updateRule", "deleteRule", "name", "type", "fields",
              "indexes", "created", "updated", "system")
AUTH_OPTION_KEYS = ("authRule", "manageRule", "authAlert", "oauth2", "passwordAuth", "mfa", "otp", "authToken",
              "passwordResetToken", "emailChangeToken", "verificationToken", "fileToken", "verificationTemplate",
              "resetPasswordTemplate", "confirmEmailChangeTemplate")
# The hidden auth field whose value is part of every token's signing key: a new value ends all its tokens.
TOKEN_KEY_FIELD = "tokenKey"
TOKEN_OPTION_KEYS = ("authToken", "passwordResetToken", "emailChangeToken", "verificationToken", "fileToken")


class _CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", strict=True)


class EmailTemplate(_CamelModel):
    subject: str = ""
    body: str = ""


def _template(defaults: dict[str, str]) -> Any:
    return Field(default_factory=lambda: EmailTemplate(**defaults))


class AuthAlertConfig(_CamelModel):
    enabled: bool = True
    email_template: EmailTemplate = _template(auth_templates.AUTH_ALERT)


class OAuth2KnownFields(_CamelModel):
    id: str = ""
    name: str = ""
    username: str = ""
    avatar_url: str = Field(default="", alias="avatarURL")


class OAuth2ProviderConfig(_CamelModel):
    # Built on first use: a read meets it only inside OAuth2Config, whose own schema holds it.
    model_config = ConfigDict(defer_build=True)

    pkce: bool | None = None
    name: str = ""
    client_id: str = ""
    client_secret: str = ""
    auth_url: str = Field(default="", alias="authURL")
    token_url: str = Field(default="", alias="tokenURL")
    user_info_url: str = Field(default="", alias="userInfoURL")
    display_name: str = ""
    extra: dict[str, Any] | None = None

    @field_serializer("extra")
    def _extra_json(self, extra: dict[str, Any] | None) -> dict[str, Any]:
        return extra or {}  # PocketBase answers an unset `extra` as {}


class OAuth2Config(_CamelModel):
    providers: list[OAuth2ProviderConfig] = []
    mapped_fields: OAuth2KnownFields = Field(default_factory=OAuth2KnownFields)
    enabled: bool = False


class PasswordAuthConfig(_CamelModel):
    enabled: bool = True
    identity_fields: list[str] = Field(default_factory=lambda: ["email"])


class MFAConfig(_CamelModel):
    enabled: bool = False
    duration: int = 600  # 10 min
    rule: str = ""


class OTPConfig(_CamelModel):
    enabled: bool = False
    duration: int = 180
    length: int = 8
    email_template: EmailTemplate = _template(auth_templates.OTP)


class TokenConfig(_CamelModel):
    """A token kind's lifetime in seconds and its signing secret (which never leaves the server)."""

    secret: str = ""
    duration: int = 0


def _token(duration: int) -> Any:
    return Field(default_factory=lambda: TokenConfig(duration=duration))


class Collection(_CamelModel):
    """A collection as PocketBase 0.40 describes it; auth options only matter (and serialise) for auth."""

    id: str = ""
    list_rule: str | None = None
    view_rule: str | None = None
    create_rule: str | None = None
    update_rule: str | None = None
    delete_rule: str | None = None
    name: str = ""
    type: str = "base"
    fields: list[AnyField] = []
    indexes: list[str] = []
    created: str = ""
    updated: str = ""
    system: bool = False
    # view collections only: the SELECT their records are materialized from (shared/views/)
    view_query: str = ""
    # Lambdabase's maintained aggregates (docs/api-views.md); answered only when declared, so PocketBase's JSON
    # is unchanged for a collection without any
    aggregates: list[MaintainedAggregate] = []

    auth_rule: str | None = ""
    manage_rule: str | None = None
    auth_alert: AuthAlertConfig = Field(default_factory=AuthAlertConfig)
    oauth2: OAuth2Config = Field(default_factory=OAuth2Config)
    password_auth: PasswordAuthConfig = Field(default_factory=PasswordAuthConfig)
    mfa: MFAConfig = Field(default_factory=MFAConfig)
    otp: OTPConfig = Field(default_factory=OTPConfig)
    auth_token: TokenConfig = _token(432000)  # 5 days
    password_reset_token: TokenConfig = _token(1800)
    email_change_token: TokenConfig = _token(1800)
    verification_token: TokenConfig = _token(86400)  # 1 day
    file_token: TokenConfig = _token(180)
    verification_template: EmailTemplate = _template(auth_templates.VERIFICATION)
    reset_password_template: EmailTemplate = _template(auth_templates.RESET_PASSWORD)
    confirm_email_change_template: EmailTemplate = _template(auth_templates.CONFIRM_EMAIL_CHANGE)

    @property
    def is_auth(self) -> bool:
        return self.type == "auth"

    @property
    def is_view(self) -> bool:
        """A view collection: read-only records, materialized from its viewQuery."""
        return self.type == "view"

    def field_by_name(self, name: str) -> BaseField | None:
        """The field with exactly this name."""
        return next((field for field in self.fields if field.name == name), None)

    def field_by_id(self, field_id: str) -> BaseField | None:
        """The field with this id (ids survive renames)."""
        return next((field for field in self.fields if field.id == field_id), None)

    def id_field(self) -> TextField:
        """The primary key field named "id" (every valid collection has one)."""
        field = self.field_by_name("id")
        if not isinstance(field, TextField):
            raise LookupError(f"collection {self.name!r} has no text id field")
        return field

    def to_storage_json(self) -> dict[str, Any]:
        """Everything, secrets included: for persistence only, never for responses."""
        return self._to_json(include_secrets=True)

    def to_api_json(self) -> dict[str, Any]:
        """The collection as PocketBase answers it: token and OAuth2 client secrets left out."""
        return self._to_json(include_secrets=False)

    def _to_json(self, *, include_secrets: bool) -> dict[str, Any]:
        data = self.model_dump(by_alias=True, mode="json")
        data["fields"] = [field.to_json() for field in self.fields]
        keys = _BASE_KEYS + (AUTH_OPTION_KEYS if self.is_auth else ("viewQuery",) if self.is_view else ())
        result = {key: data[key] for key in keys}
        if self.aggregates:
            result["aggregates"] = data["aggregates"]
        if self.is_auth:
            for provider in result["oauth2"]["providers"]:
                if not include_secrets or not provider["clientSecret"]:
                    del provider["clientSecret"]  # Go tags it omitempty
            for key in TOKEN_OPTION_KEYS:
                if not include_secrets or not result[key]["secret"]:
                    del result[key]["secret"]
        return result
