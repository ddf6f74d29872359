"""Relations both ways over HTTP: back-relation expand and filters, cascades, unlinks and required references,
with more than 1,000 referencing records (read through reverse references, never a scan)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.support.records_api import ANY, Api, Scenario, Where, error, length, run, unique
from tests.support.records_world import OPEN_RULES

pytestmark = pytest.mark.e2e

BUSY_COMMENTS = 1_050  # more referencing records on one post than the former 1,000-record join limit
SPREAD_POSTS = 40
PER_POST = 3


BATCH_SIZE = 50  # PocketBase's default batch maxRequests


def create_many(api: Api, collection: str, bodies: list[dict[str, Any]]) -> list[str]:
    """Create records through the batch API, 50 a request, a few requests at a time (each one transaction;
    the tests read the records, the create path is tested elsewhere); their ids in order."""
    url = f"/api/collections/{collection}/records"

    def batch(chunk: list[dict[str, Any]]) -> list[str]:
        out = api.ok("POST", "/api/batch", json={"requests": [{"method": "POST", "url": url, "body": body}
                                                              for body in chunk]})
        return [result["body"]["id"] for result in out]

    chunks = [bodies[i:i + BATCH_SIZE] for i in range(0, len(bodies), BATCH_SIZE)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return [record_id for ids in pool.map(batch, chunks) for record_id in ids]


@pytest.fixture(scope="module")
def blog(api: Api) -> dict[str, str]:
    names = {k: unique(k) for k in ("authors", "posts", "comments", "notes")}
    authors = api.create_collection({"name": names["authors"], "type": "base", **OPEN_RULES, "fields": [
        {"name": "name", "type": "text"}]})
    posts = api.create_collection({"name": names["posts"], "type": "base", **OPEN_RULES, "fields": [
        {"name": "title", "type": "text"},
        {"name": "editors", "type": "relation", "collectionId": authors["id"], "maxSelect": 5}]})
    api.create_collection({"name": names["comments"], "type": "base", **OPEN_RULES, "fields": [
        {"name": "message", "type": "text"},
        {"name": "post", "type": "relation", "collectionId": posts["id"], "maxSelect": 1, "cascadeDelete": True}]})
    api.create_collection({"name": names["notes"], "type": "base", **OPEN_RULES, "fields": [
        {"name": "post", "type": "relation", "collectionId": posts["id"], "maxSelect": 1, "required": True}]})
    ann, bob = (api.create_record(names["authors"], {"name": n})["id"] for n in ("ann", "bob"))
    busy = api.create_record(names["posts"], {"title": "busy", "editors": [ann]})["id"]
    spread = create_many(api, names["posts"], [{"title": f"spread {i}", "editors": [ann, bob] if i < 4 else [ann]}
                                               for i in range(SPREAD_POSTS)])
    create_many(api, names["comments"], [{"post": busy, "message": f"busy {i}"} for i in range(BUSY_COMMENTS)])
    create_many(api, names["comments"], [{"post": p, "message": "needle" if i == 7 and j == 1 else f"m{j}"}
                                         for i, p in enumerate(spread) for j in range(PER_POST)])
    needed = api.create_record(names["posts"], {"title": "needed"})["id"]
    api.create_record(names["notes"], {"post": needed})
    # The batches wrote 1,170 records in seconds: wait until the stream's consumers have caught up (the counter
    # holds them all), so this module's backlog is not the lag the next module on this stack measures.
    total = BUSY_COMMENTS + SPREAD_POSTS * PER_POST
    assert api.wait_total(names["comments"], total, timeout=120)["totalItems"] == total
    return {**names, "ann": ann, "bob": bob, "busy": busy, "needed": needed,
            **{f"spread{i}": p for i, p in enumerate(spread)}}


POSTS = "/api/collections/${posts}/records"
COMMENTS = "/api/collections/${comments}/records"

SCENARIOS = [
    Scenario("the comments collection holds more than 1,000 records", "GET", COMMENTS, 200,
             {"totalItems": BUSY_COMMENTS + SPREAD_POSTS * PER_POST}, params={"perPage": 1, "filter": "id != ''"}),
    Scenario("back-relation expand of a post with 3 comments among 1,170", "GET", f"{POSTS}/${{spread3}}", 200,
             {"expand": {"${comments}_via_post": [{"post": "${spread3}"}] * PER_POST}},
             params={"expand": "${comments}_via_post"}),
    Scenario("back-relation expand stops at PocketBase's 1,000 records", "GET", f"{POSTS}/${{busy}}", 200,
             {"expand": {"${comments}_via_post": length(1000)}}, params={"expand": "${comments}_via_post"}),
    Scenario("back-relation filter finds the one post with that comment", "GET", POSTS, 200,
             {"totalItems": 1, "items": [{"id": "${spread7}"}]},
             params={"filter": "${comments}_via_post.message ?= 'needle'"}),
    Scenario("back-relation filter with :length over a busy post", "GET", POSTS, 200,
             {"items": [{"id": "${busy}"}]}, params={"filter": "${comments}_via_post:length > 1000"}),
    Scenario("deleting a post cascades to its comments", "DELETE", f"{POSTS}/${{spread0}}", 204),
    Scenario("its comments are gone", "GET", COMMENTS, 200, {"totalItems": 0},
             params={"filter": "post = '${spread0}'"}),
    Scenario("other posts keep theirs", "GET", COMMENTS, 200, {"totalItems": PER_POST},
             params={"filter": "post = '${spread1}'"}),
    Scenario("deleting a referenced author clears the dangling ids", "DELETE",
             "/api/collections/${authors}/records/${bob}", 204),
    Scenario("posts keep their other editors", "GET", f"{POSTS}/${{spread1}}", 200, {"editors": ["${ann}"]}),
    Scenario("a required reference refuses the delete", "DELETE", f"{POSTS}/${{needed}}", 400,
             error(400, "Failed to delete record. Make sure that the record is not part of a required relation "
                        "reference.")),
    Scenario("the required post is still there", "GET", f"{POSTS}/${{needed}}", 200, {"id": "${needed}"}),
    Scenario("a cascade larger than one transaction is a 400 with advice", "DELETE", f"{POSTS}/${{busy}}", 400,
             error(400, Where(lambda m: "delete the referencing records first" in m.lower(), "advice"))),
    Scenario("and nothing of it was deleted", "GET", f"{POSTS}/${{busy}}", 200,
             {"expand": {"${comments}_via_post": length(1000)}, "id": ANY},
             params={"expand": "${comments}_via_post"}),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_relations_both_ways(api: Api, blog: dict[str, str], scenario: Scenario) -> None:
    run(api, scenario, blog)
