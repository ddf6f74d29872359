// The official PocketBase JS SDK, unchanged, with Lambdabase's direct uploads: files larger than any Lambda
// request go straight to S3 (moto on loopback here) through a slot, then are attached by a normal create.
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/direct_uploads.test.mjs`;
// tests/e2e/test_js_sdk_files.py does it. The slot endpoints are called with the SDK's own `pb.send`.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import PocketBase from "pocketbase";
import { EMAIL, PASSWORD, URL, rejects } from "./support.mjs";

const name = `js_direct_${Math.random().toString(36).slice(2, 10)}`;
const MiB = 1 << 20;
const pb = new PocketBase(URL);
pb.autoCancellation(false);

async function download(record, filename) {
  // above 4 MiB the files API answers a redirect to a presigned S3 URL, which fetch follows
  const response = await fetch(pb.files.getURL(record, filename));
  assert.equal(response.status, 200);
  return Buffer.from(await response.arrayBuffer());
}

describe("official JS SDK: direct uploads to S3", () => {
  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    await pb.collections.create({
      name, type: "base", listRule: "", viewRule: "", createRule: "", updateRule: "",
      fields: [
        { name: "title", type: "text" },
        { name: "documents", type: "file", maxSelect: 5, maxSize: 32 * MiB },
      ],
    });
  });

  // The session's stack is shared: its records' files (and so every later backup of the bucket) go with it.
  after(async () => {
    await pb.collections.delete(name);
  });

  test("an 11 MiB file by presigned POST, attached on create, downloaded byte for byte", async () => {
    const content = randomBytes(11 * MiB);
    const slot = await pb.send("/api/files/uploads", {
      method: "POST", body: { collection: name, field: "documents", filename: "Big Data.bin", size: content.length },
    });
    const form = new FormData();
    for (const [key, value] of Object.entries(slot.post.fields)) form.append(key, value);
    form.append("file", new Blob([content]));
    const sent = await fetch(slot.post.url, { method: "POST", body: form });
    assert.ok(sent.ok, `S3 POST answered ${sent.status}: ${await sent.text()}`);

    const record = await pb.collection(name).create({ title: "post", documents: [slot.slot] });
    assert.match(record.documents[0], /^big_data_[a-z0-9]{10}\.bin$/);
    assert.ok((await download(record, record.documents[0])).equals(content));
  });

  test("a 12 MiB file by multipart, parts PUT to presigned URLs, attached on update", async () => {
    const content = randomBytes(12 * MiB);
    const record = await pb.collection(name).create({ title: "multipart" });
    const slot = await pb.send("/api/files/uploads", {
      method: "POST",
      body: { collection: name, field: "documents", record: record.id, filename: "video.mp4",
              size: content.length, multipart: true, partSize: 5 * MiB },
    });
    const { partSize, parts } = slot.multipart;
    assert.equal(parts.length, 3);
    const done = [];
    for (const part of parts) {
      const start = (part.partNumber - 1) * partSize;
      const put = await fetch(part.url, { method: "PUT", body: content.subarray(start, start + partSize) });
      assert.ok(put.ok, `part ${part.partNumber}: ${put.status}`);
      done.push({ partNumber: part.partNumber, etag: put.headers.get("etag") });
    }
    await pb.send("/api/files/uploads/complete", { method: "POST", body: { slot: slot.slot, parts: done } });

    const updated = await pb.collection(name).update(record.id, { "documents+": slot.slot });
    assert.equal(updated.documents.length, 1);
    assert.ok((await download(updated, updated.documents[0])).equals(content));
  });

  test("an upload above the field's maxSize is refused on attach with PocketBase's code", async () => {
    const slot = await pb.send("/api/files/uploads", {
      method: "POST", body: { collection: name, field: "documents", filename: "huge.bin" },
    });
    const form = new FormData();
    for (const [key, value] of Object.entries(slot.post.fields)) form.append(key, value);
    form.append("file", new Blob([randomBytes(33 * MiB)]));
    // moto stores it (it does not enforce the policy's content-length-range, S3 refuses it): either way the
    // attach refuses, for its size here, for a missing upload on S3
    await fetch(slot.post.url, { method: "POST", body: form });
    await rejects(pb.collection(name).create({ documents: [slot.slot] }), 400, "Failed to create record.");
  });
});
