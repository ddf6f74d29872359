// The official PocketBase JS SDK, unchanged, against Lambdabase: file uploads on create and update.
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/files.test.mjs`; tests/e2e/test_js_sdk_files.py
// does it and then checks the bucket. Serving (getURL, getToken) is tested by the serving suite.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import PocketBase, { ClientResponseError } from "pocketbase";

const URL = process.env.LB_URL;
const EMAIL = process.env.LB_SUPERUSER_EMAIL || "root@example.com";
const PASSWORD = process.env.LB_SUPERUSER_PASSWORD || "Root-pass-1234567";
const OUT = process.env.LB_JS_FILES_OUT;
const name = `js_files_${Math.random().toString(36).slice(2, 10)}`;
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
  "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082", "hex");

const pb = new PocketBase(URL);
pb.autoCancellation(false);

describe("official JS SDK: file uploads", () => {
  let collection;
  let record;

  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    collection = await pb.collections.create({
      name, type: "base", listRule: "", viewRule: "", createRule: "", updateRule: "",
      fields: [
        { name: "title", type: "text" },
        { name: "documents", type: "file", maxSelect: 5, maxSize: 1000 },
        { name: "cover", type: "file", maxSelect: 1, mimeTypes: ["image/png"] },
      ],
    });
  });

  after(async () => {
    if (OUT && record) writeFileSync(OUT, JSON.stringify({ collectionId: collection.id, record }));
  });

  test("create with File and Blob values, several in one field", async () => {
    record = await pb.collection(name).create({
      title: "files",
      documents: [new File(["first file"], "First Doc.txt"), new Blob(['{"a": 1}'], { type: "text/plain" })],
      cover: new File([PNG], "cover.png", { type: "image/png" }),
    });
    assert.equal(record.title, "files");
    assert.equal(record.documents.length, 2);
    assert.match(record.documents[0], /^first_doc_[a-z0-9]{10}\.txt$/);
    assert.match(record.documents[1], /^blob_[a-z0-9]{10}\.json$/);
    assert.match(record.cover, /^cover_[a-z0-9]{10}\.png$/);
  });

  test("update with documents+ and documents-", async () => {
    const [first, second] = record.documents;
    record = await pb.collection(name).update(record.id, {
      "documents+": [new File(["third"], "third.txt"), new File(["fourth"], "fourth.txt")],
      "documents-": [first],
    });
    assert.equal(record.documents.length, 3);
    assert.equal(record.documents[0], second);
    assert.match(record.documents[1], /^third_[a-z0-9]{10}\.txt$/);
    assert.match(record.documents[2], /^fourth_[a-z0-9]{10}\.txt$/);
    const fetched = await pb.collection(name).getOne(record.id);
    assert.deepEqual(fetched.documents, record.documents);
  });

  test("a refused file answers 400 with PocketBase's codes", async () => {
    await assert.rejects(
      pb.collection(name).create({ documents: [new File(["x".repeat(1001)], "big.txt")],
                                   cover: new File(["not a png"], "fake.png") }),
      (err) => {
        assert.ok(err instanceof ClientResponseError);
        assert.equal(err.status, 400);
        assert.equal(err.response.data.documents.code, "validation_file_size_limit");
        assert.equal(err.response.data.cover.code, "validation_invalid_mime_type");
        return true;
      });
  });
});
