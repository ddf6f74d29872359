"""Realtime's HTTP side on the in-process stack: WebSocket discovery, and the `realtime` settings section."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared import resources
from shared.app_settings import provider
from shared.app_settings.store import SETTINGS_PK, SETTINGS_SK
from shared.aws import client
from tests.support.in_process import InProcessStack
from tests.support.records_api import GUEST, Api

pytestmark = pytest.mark.api


@pytest.fixture(autouse=True, scope="module")
def restore_settings(api: Api) -> Iterator[None]:
    """Leave the shared stack's settings as never saved, for the folder's other modules."""
    yield
    client("dynamodb").delete_item(TableName=resources.SYSTEM_TABLE.physical_name,
                                   Key={"pk": {"S": SETTINGS_PK}, "sk": {"S": SETTINGS_SK}})
    provider.invalidate()


def test_discovery_tells_the_websocket_url(api: Api, stack: InProcessStack) -> None:
    # Given the local stack, When a guest asks where realtime is
    response = api.request("GET", "/api/realtime/websocket", role=GUEST)
    # Then the gateway's own WebSocket stage
    assert response.status_code == 200
    assert response.json() == {"url": f"ws://127.0.0.1:{stack.port}/{resources.WEBSOCKET_STAGE}"}


def test_channel_rules_are_saved_and_shown(api: Api) -> None:
    channels = [{"pattern": "room-*", "subscribeRule": "", "publishRule": "@request.auth.id != ''",
                 "presence": True}]
    saved = api.ok("PATCH", "/api/settings", json={"realtime": {"channels": channels}})
    assert saved["realtime"] == {"channels": channels}
    assert api.ok("GET", "/api/settings")["realtime"] == {"channels": channels}


def test_a_bad_channel_rule_is_a_400_and_saves_nothing(api: Api) -> None:
    before = api.ok("GET", "/api/settings")["realtime"]
    response = api.request("PATCH", "/api/settings", json={"realtime": {"channels": [
        {"pattern": "x-*", "publishRule": "id = "}]}})
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "An error occurred while saving the new settings."
    assert body["data"]["realtime"]["channels"]["0"]["publishRule"]["code"] == "validation_invalid_rule"
    assert api.ok("GET", "/api/settings")["realtime"] == before
