// The official PocketBase JS SDK, unchanged, against Lambdabase: collections and records (no realtime).
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/`; tests/e2e/test_js_sdk_records.py does it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase from "pocketbase";
import { EMAIL, PASSWORD, URL, rejects } from "./support.mjs";

const suffix = Math.random().toString(36).slice(2, 10);
const names = { authors: `js_authors_${suffix}`, posts: `js_posts_${suffix}`, extra: `js_extra_${suffix}` };

const pb = new PocketBase(URL);
pb.autoCancellation(false);

describe("official JS SDK: collections and records", () => {
  let authors;
  let ann;
  let bob;

  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    const auth = await pb.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    assert.ok(auth.token);
    assert.equal(auth.record.email, EMAIL);
    assert.ok(pb.authStore.isSuperuser);
  });

  after(async () => {
    for (const name of [names.posts, names.extra, names.authors]) {
      await pb.collections.delete(name).catch(() => {});
    }
  });

  test("collections: create, getOne, update, import", async () => {
    authors = await pb.collections.create({
      name: names.authors, type: "base", listRule: "", viewRule: "",
      fields: [{ name: "name", type: "text", required: true }],
    });
    assert.equal(authors.name, names.authors);
    const posts = await pb.collections.create({
      name: names.posts, type: "base", listRule: "", viewRule: "", createRule: "", updateRule: "",
      fields: [
        { name: "title", type: "text", required: true },
        { name: "score", type: "number" },
        { name: "tags", type: "select", values: ["a", "b", "c", "x"], maxSelect: 4 },
        { name: "author", type: "relation", collectionId: authors.id, maxSelect: 1 },
      ],
      indexes: [`CREATE INDEX idx_${names.posts}_score ON ${names.posts} (score)`],
    });
    const fetched = await pb.collections.getOne(posts.id);
    assert.equal(fetched.name, names.posts);
    assert.deepEqual(fetched.fields.map((f) => f.name), ["id", "title", "score", "tags", "author"]);
    const updated = await pb.collections.update(names.posts, { deleteRule: "" });
    assert.equal(updated.deleteRule, "");
    assert.equal(await pb.collections.import([
      { name: names.extra, type: "base", fields: [{ name: "note", type: "text" }] },
    ], false), true);
    assert.equal((await pb.collections.getOne(names.extra)).name, names.extra);
    const list = await pb.collections.getList(1, 50, { filter: `name = "${names.extra}"` });
    assert.equal(list.totalItems, 1);
    await pb.collections.delete(names.extra);
    await rejects(pb.collections.getOne(names.extra), 404);
  });

  test("records: create, getOne, update, delete", async () => {
    ann = await pb.collection(names.authors).create({ name: "Ann" });
    bob = await pb.collection(names.authors).create({ name: "Bob" });
    assert.match(ann.id, /^[a-z0-9]{15}$/);
    const post = await pb.collection(names.posts).create({ title: "Hello", score: 1, tags: ["a"], author: ann.id });
    assert.equal(post.collectionName, names.posts);
    const one = await pb.collection(names.posts).getOne(post.id, { expand: "author" });
    assert.equal(one.expand.author.name, "Ann");
    const changed = await pb.collection(names.posts).update(post.id, { title: "Hello again" });
    assert.equal(changed.title, "Hello again");
    assert.equal(changed.score, 1);
    assert.equal(await pb.collection(names.posts).delete(post.id), true);
    await rejects(pb.collection(names.posts).getOne(post.id), 404);
    await rejects(pb.collection(names.posts).create({ score: 1 }), 400);
  });

  test("records: modifiers", async () => {
    const post = await pb.collection(names.posts).create({ title: "Mods", score: 10, tags: ["a"] });
    const more = await pb.collection(names.posts).update(post.id, { "tags+": ["x"], "score+": 2 });
    assert.deepEqual(more.tags, ["a", "x"]);
    assert.equal(more.score, 12);
    const less = await pb.collection(names.posts).update(post.id, { "tags-": "a", "score-": 5, "+tags": "c" });
    assert.deepEqual(less.tags, ["c", "x"]);
    assert.equal(less.score, 7);
  });

  test("records: lists with filter, sort, expand, fields", async () => {
    for (const [title, score, author] of [["apple pie", 3, ann], ["banana split", 5, bob], ["cherry tart", 4, ann]]) {
      await pb.collection(names.posts).create({ title, score, author: author.id, tags: ["b"] });
    }
    const page = await pb.collection(names.posts).getList(1, 2, {
      filter: "tags:each ?= 'b'", sort: "-score", expand: "author",
    });
    assert.equal(page.page, 1);
    assert.equal(page.perPage, 2);
    assert.equal(page.totalItems, 3);
    assert.equal(page.totalPages, 2);
    assert.deepEqual(page.items.map((r) => r.title), ["banana split", "cherry tart"]);
    assert.deepEqual(page.items.map((r) => r.expand.author.name), ["Bob", "Ann"]);

    const safe = await pb.collection(names.posts).getList(1, 10, {
      filter: pb.filter("title ~ {:t} && score >= {:min}", { t: "pie", min: 3 }),
    });
    assert.deepEqual(safe.items.map((r) => r.title), ["apple pie"]);
    const quoted = await pb.collection(names.posts).getList(1, 10, {
      filter: pb.filter("title = {:t}", { t: `it's "quoted"` }),
    });
    assert.equal(quoted.totalItems, 0);

    const all = await pb.collection(names.posts).getFullList({ sort: "score", filter: "tags:each ?= 'b'", batch: 2 });
    assert.deepEqual(all.map((r) => r.score), [3, 4, 5]);

    const first = await pb.collection(names.posts).getFirstListItem(`author = "${bob.id}"`, { expand: "author" });
    assert.equal(first.title, "banana split");
    assert.equal(first.expand.author.id, bob.id);
    await rejects(pb.collection(names.posts).getFirstListItem("title = 'nothing like this'"), 404);

    const slim = await pb.collection(names.posts).getList(1, 1, {
      filter: "score = 5", fields: "id,title,expand.author.name", expand: "author",
    });
    assert.deepEqual(Object.keys(slim.items[0]).sort(), ["expand", "id", "title"]);
    assert.deepEqual(slim.items[0].expand, { author: { name: "Bob" } });

    const excerpt = await pb.collection(names.posts).getOne(first.id, { fields: "title:excerpt(6,true)" });
    assert.deepEqual(excerpt, { title: "banana..." });
    await rejects(pb.collection(names.posts).getList(1, 10, { filter: "nope ==" }), 400);
  });

  test("batch: create, update, upsert, delete, and rollback", async () => {
    const target = await pb.collection(names.posts).create({ title: "batch target", score: 1 });
    const other = await pb.collection(names.posts).create({ title: "batch other" });
    const doomed = await pb.collection(names.posts).create({ title: "batch doomed" });
    const batch = pb.createBatch();
    batch.collection(names.posts).create({ title: "batch new", score: 9 });
    batch.collection(names.posts).update(target.id, { "score+": 1 });
    batch.collection(names.posts).upsert({ id: other.id, title: "batch upserted" });
    batch.collection(names.posts).upsert({ title: "batch upsert created" });
    batch.collection(names.posts).delete(doomed.id);
    const results = await batch.send();
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 204]);
    assert.equal(results[0].body.title, "batch new");
    assert.equal(results[1].body.score, 2);
    assert.equal(results[2].body.id, other.id);
    assert.equal(results[2].body.title, "batch upserted");
    assert.match(results[3].body.id, /^[a-z0-9]{15}$/);
    await rejects(pb.collection(names.posts).getOne(doomed.id), 404);

    const failing = pb.createBatch();
    failing.collection(names.posts).create({ title: "never stored" });
    failing.collection(names.posts).create({ score: 1 });
    await rejects(failing.send(), 400);
    const none = await pb.collection(names.posts).getList(1, 1, { filter: "title = 'never stored'" });
    assert.equal(none.totalItems, 0);
  });

  test("guests see the API rules", async () => {
    const guest = new PocketBase(URL);
    guest.autoCancellation(false);
    const list = await guest.collection(names.authors).getList(1, 10, { sort: "name" });
    assert.deepEqual(list.items.map((r) => r.name).slice(0, 2), ["Ann", "Bob"]);
    await rejects(guest.collection(names.authors).create({ name: "Eve" }), 403);
    await rejects(guest.collections.getList(), 401);
  });
});
