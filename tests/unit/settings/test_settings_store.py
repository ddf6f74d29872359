"""The settings store and PATCH's save: versioned compare-and-set, sealed secrets, nothing saved on a 400."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from shared.app_settings import provider
from shared.app_settings.errors import SettingsConflictError
from shared.app_settings.model import AppSettings
from shared.app_settings.secrets import ReversedSecretCipher
from shared.app_settings.service import public_view, update_settings
from shared.app_settings.source import StoredSettingsSource
from shared.app_settings.store import InMemorySettingsRepository
from shared.errors import BadRequestError


@pytest.fixture(autouse=True)
def _memory_provider() -> Iterator[None]:
    provider.use_source(provider.MemorySettingsSource())
    yield
    provider.use_source(None)


def source(repository: InMemorySettingsRepository | None = None) -> StoredSettingsSource:
    return StoredSettingsSource(repository or InMemorySettingsRepository(), ReversedSecretCipher(), AppSettings)


def test_a_fresh_store_reads_the_defaults_at_version_zero() -> None:
    settings, version = source().read()
    assert settings == AppSettings() and version == 0


def test_a_save_must_name_the_version_it_read() -> None:
    # Given settings saved once (version 1)
    repo = InMemorySettingsRepository()
    assert repo.save({"meta": {"appName": "A"}}, 0) == 1
    # When a second writer saves over version 0 / Then it conflicts; over version 1 it succeeds
    with pytest.raises(SettingsConflictError):
        repo.save({"meta": {"appName": "B"}}, 0)
    assert repo.save({"meta": {"appName": "C"}}, 1) == 2


class RacingRepository(InMemorySettingsRepository):
    """Lets another PATCH land between this one's read and its save, once."""

    def __init__(self, other_body: dict[str, Any]) -> None:
        super().__init__()
        self.other_body = other_body
        self.raced = False

    def save(self, value: dict[str, Any], expected_version: int) -> int:
        if not self.raced:
            self.raced = True
            update_settings(StoredSettingsSource(self, ReversedSecretCipher(), AppSettings), self.other_body)
        return super().save(value, expected_version)


def test_two_concurrent_patches_both_apply() -> None:
    # Given a PATCH of the app name racing with a PATCH of batch
    repo = RacingRepository({"batch": {"enabled": True}})
    # When the app name's save finds the version changed under it
    updated = update_settings(source(repo), {"meta": {"appName": "Racer"}})
    # Then it re-read and merged again: neither change is lost
    assert updated.meta.app_name == "Racer" and updated.batch.enabled
    stored = source(repo).read()[0]
    assert stored.meta.app_name == "Racer" and stored.batch.enabled


def test_a_bad_body_saves_nothing() -> None:
    repo = InMemorySettingsRepository()
    with pytest.raises(BadRequestError) as raised:
        update_settings(source(repo), {"meta": {"appName": "Half"}, "logs": {"maxDays": -1}})
    assert raised.value.message == "An error occurred while saving the new settings."
    assert repo.load() is None


@pytest.mark.parametrize("body", [[1], "x", 3])
def test_a_body_that_is_not_an_object_is_a_loading_error(body: object) -> None:
    with pytest.raises(BadRequestError, match="loading the submitted data"):
        update_settings(source(), body)


def test_secrets_are_sealed_in_the_store_hidden_in_the_view_and_kept_when_empty() -> None:
    # Given an SMTP password and a backups S3 secret saved through PATCH
    repo = InMemorySettingsRepository()
    update_settings(source(repo), {"smtp": {"password": "pw-123"}, "backups": {"s3": {"secret": "bk-456"}}})
    # Then the stored JSON holds neither in clear, and the store's reader decrypts both
    stored = repo.load()
    assert stored is not None and "pw-123" not in json.dumps(stored.value) and "bk-456" not in json.dumps(stored.value)
    settings = source(repo).read()[0]
    assert (settings.smtp.password, settings.backups.s3.secret) == ("pw-123", "bk-456")
    # And the API's view leaves the keys out, as PocketBase does
    view = public_view(settings)
    assert "password" not in view["smtp"] and "secret" not in view["backups"]["s3"] and "secret" not in view["s3"]
    # When a PATCH sends the password empty / Then the stored one is kept
    update_settings(source(repo), {"smtp": {"password": ""}})
    assert source(repo).read()[0].smtp.password == "pw-123"


def test_without_the_key_grant_secrets_read_as_empty() -> None:
    # Given sealed secrets in the store
    repo = InMemorySettingsRepository()
    update_settings(source(repo), {"s3": {"secret": "s"}})
    # When a function without the key reads them / Then the secret is empty and the rest intact
    settings = StoredSettingsSource(repo, None, AppSettings).read()[0]
    assert settings.s3.secret == "" and settings.meta == AppSettings().meta


def test_an_item_saved_before_an_upgrade_reads_new_fields_as_defaults() -> None:
    repo = InMemorySettingsRepository()
    repo.save({"meta": {"appName": "Old"}}, 0)  # an older item, with fewer fields
    settings, version = source(repo).read()
    assert settings.meta.app_name == "Old" and settings.batch == AppSettings().batch and version == 1


def test_a_save_invalidates_this_instances_cache() -> None:
    # Given this instance's cached settings over the store
    repo = InMemorySettingsRepository()
    provider.use_source(source(repo))
    assert provider.current().meta.app_name == "Acme"
    # When a PATCH saves here / Then current() shows it at once, not after the TTL
    update_settings(source(repo), {"meta": {"appName": "Now"}})
    assert provider.current().meta.app_name == "Now"


def test_concurrent_saves_from_threads_lose_nothing() -> None:
    # Given four threads, each adding its own rate-limit exemption through PATCH at the same time
    repo = InMemorySettingsRepository()
    ips = [f"10.0.0.{i}" for i in range(4)]
    errors: list[Exception] = []

    def exempt(ip: str) -> None:
        try:
            update_settings(source(repo), {"logs": {"maxDays": 1 + ips.index(ip)}, "superuserIPs": [ip]})
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=exempt, args=(ip,)) for ip in ips]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then every save landed on its own version: four saves, four versions, none failed
    assert not errors
    assert source(repo).read()[1] == len(ips)
