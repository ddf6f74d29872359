"""The `pocketbase` Python SDK, unchanged, uploads three files and removes one on the in-process stack."""

from __future__ import annotations

from typing import Any

from pocketbase import PocketBase
from pocketbase.models import FileUpload

from shared.files import keys
from tests.api.test_record_files import _objects
from tests.support.in_process import InProcessStack
from tests.support.records_api import SUPERUSER_EMAIL, SUPERUSER_PASSWORD, Api, unique


def test_python_sdk_uploads_three_files_and_removes_one(api: Api, stack: InProcessStack) -> None:
    # Given the SDK signed in as the superuser, talking to the stack, and a collection with a multi-file field
    collection = api.create_collection({"name": unique("pysdk"), "type": "base", "fields": [
        {"name": "title", "type": "text"}, {"name": "documents", "type": "file", "maxSelect": 5}]})
    pb = PocketBase(stack.url)
    pb.http_client = stack.client()
    pb.collection("_superusers").auth_with_password(SUPERUSER_EMAIL, SUPERUSER_PASSWORD)
    records = pb.collection(collection["name"])
    # When it creates a record with three files
    created: Any = records.create({"title": "py", "documents": FileUpload(
        ("one.txt", b"1"), ("two.txt", b"2"), ("three.txt", b"3"))})
    one, two, three = created.documents
    assert [n.split("_")[0] for n in created.documents] == ["one", "two", "three"]
    # And removes one by name
    updated: Any = records.update(created.id, {"documents-": [two]})
    # Then the record and the bucket hold the other two
    assert updated.documents == [one, three]
    assert set(_objects(keys.record_prefix(collection["id"], created.id))) == {one, three}
