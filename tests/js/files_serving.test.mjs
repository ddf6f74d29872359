// The official PocketBase JS SDK, unchanged, against Lambdabase: serving record files, thumbs and protected files.
// tests/e2e/test_js_sdk_files_serving.py puts the files in place and passes them in LB_FILES_WORLD.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import PocketBase from "pocketbase";

const URL = process.env.LB_URL;
const world = JSON.parse(process.env.LB_FILES_WORLD || "{}");

const pb = new PocketBase(URL);
pb.autoCancellation(false);

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

// A PNG's size, decoded from its IHDR chunk (the first chunk, right after the 8-byte signature).
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

async function download(url) {
  const response = await fetch(url);
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

describe("official JS SDK: files", () => {
  let record;

  before(async () => {
    assert.ok(URL && world.collection, "LB_URL and LB_FILES_WORLD must be set");
    await pb.collection("users").authWithPassword(world.ownerEmail, world.ownerPassword);
    record = await pb.collection(world.collection).getOne(world.id);
    assert.deepEqual(record.pub, ["a.png", "big.bin"]);
    assert.equal(record.priv, "s.png");
  });

  test("getURL downloads the original byte for byte", async () => {
    const { response, bytes } = await download(pb.files.getURL(record, "a.png"));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-disposition"), 'inline; filename="a.png"');
    assert.equal(sha256(bytes), world.sha256["a.png"]);
  });

  test("getURL with thumb serves thumbs of the asked geometry", async () => {
    for (const [thumb, size] of [["50x30", [50, 30]], ["0x20", [40, 20]], ["100x100", [100, 100]]]) {
      const { response, bytes } = await download(pb.files.getURL(record, "a.png", { thumb }));
      assert.equal(response.status, 200, thumb);
      assert.deepEqual(pngSize(bytes), size, thumb);
    }
    const unlisted = await download(pb.files.getURL(record, "a.png", { thumb: "10x10" }));
    assert.equal(sha256(unlisted.bytes), world.sha256["a.png"]);
  });

  test("a file over the direct threshold arrives through the redirect, byte for byte", async () => {
    const { response, bytes } = await download(pb.files.getURL(record, "big.bin", { download: true }));
    assert.equal(response.status, 200);
    assert.ok(response.redirected, "served by S3 after a redirect");
    assert.equal(sha256(bytes), world.sha256["big.bin"]);
  });

  test("getToken opens a protected file; without it the file is a 404", async () => {
    const refused = await download(pb.files.getURL(record, "s.png"));
    assert.equal(refused.response.status, 404);
    const token = await pb.files.getToken();
    const { response, bytes } = await download(pb.files.getURL(record, "s.png", { token }));
    assert.equal(response.status, 200);
    assert.equal(sha256(bytes), world.sha256["s.png"]);
    const thumb = await download(pb.files.getURL(record, "s.png", { token, thumb: "100x100" }));
    assert.deepEqual(pngSize(thumb.bytes), [100, 100]);
  });
});
