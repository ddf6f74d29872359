"""X-Frame-Options on the files API, as PocketBase 0.40.6 sends it: none on a served file, the usual on errors."""

from __future__ import annotations

from typing import Any

from tests.support.records_api import Api, unique


def test_a_served_file_can_be_framed_and_an_error_cannot(api: Api) -> None:
    # Given a record with a file
    name = unique("framed")
    api.create_collection({"name": name, "type": "base", "viewRule": "", "createRule": "",
                           "fields": [{"name": "doc", "type": "file"}]})
    record: Any = api.ok("POST", f"/api/collections/{name}/records", files=[("doc", ("a.pdf", b"%PDF-1.4 x"))])
    url = f"/api/files/{name}/{record['id']}/{record['doc']}"
    # When it is served whole, by range, revalidated and HEADed, and a missing file asked for
    whole = api.request("GET", url, role="guest")
    ranged = api.request("GET", url, role="guest", headers={"Range": "bytes=0-1"})
    cached = api.request("GET", url, role="guest", headers={"If-None-Match": whole.headers["etag"]})
    head = api.request("HEAD", url, role="guest")
    missing = api.request("GET", f"/api/files/{name}/{record['id']}/nope.pdf", role="guest")
    # Then no served answer forbids framing (as PocketBase), and the 404 still does
    assert [r.status_code for r in (whole, ranged, cached, head, missing)] == [200, 206, 304, 200, 404]
    assert all("x-frame-options" not in r.headers for r in (whole, ranged, cached, head))
    assert "x-frame-options" in missing.headers
