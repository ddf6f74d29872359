"""The first-run install token on moto (shared/accounts/installer.py): only the newest link works, it does nothing
but create a superuser, and the first superuser ends it. The browser flow: tests/ui/test_first_run.py."""

from __future__ import annotations

from shared.accounts.identity import find_by_identity
from shared.accounts.installer import INSTALLER_EMAIL, installer_token, system_scope
from shared.auth.api_tokens_owner import api_token_owner
from shared.auth.api_tokens_repository import get_api_token_repository
from shared.collections.system import SUPERUSERS_COLLECTION_NAME
from shared.composition import composition
from tests.support.moto_cloud import running_cloud

PASSWORD = "First-pass-1234567"


def test_only_the_newest_link_works_and_the_first_superuser_ends_it() -> None:
    with running_cloud():
        svc = composition()
        tokens = get_api_token_repository(svc.config.system_table)
        # Given two starts with no superuser
        first, second = installer_token(tokens), installer_token(tokens)
        assert first and second and first != second
        # Then the first start's token is revoked, the second one acts as the placeholder with one scope
        assert api_token_owner(first, tokens, svc.collections, svc.records) is None
        owner = api_token_owner(second, tokens, svc.collections, svc.records)
        assert owner is not None and owner.grant is not None
        assert owner.grant.scopes == ("_superusers:create",)
        # When the first real superuser is created, the placeholder goes, and the token with it
        system_scope().writer.create(SUPERUSERS_COLLECTION_NAME, {
            "email": "first@example.com", "password": PASSWORD, "passwordConfirm": PASSWORD})
        assert api_token_owner(second, tokens, svc.collections, svc.records) is None
        # and a later start makes no link at all
        assert installer_token(tokens) is None
        stored = svc.collections.get(SUPERUSERS_COLLECTION_NAME)
        assert find_by_identity(system_scope(), stored, INSTALLER_EMAIL, ["email"]) is None
