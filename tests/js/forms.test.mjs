// The official PocketBase JS SDK, unchanged, against Lambdabase's public forms: `pb.send` as a guest.
// Run with `LB_URL=http://127.0.0.1:8090 node --test tests/js/forms.test.mjs`; tests/e2e/test_js_sdk_forms.py does it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import PocketBase from "pocketbase";
import { EMAIL, PASSWORD, URL, rejects } from "./support.mjs";

const suffix = Math.random().toString(36).slice(2, 10);
const collection = `js_leads_${suffix}`;
const slug = `js-contact-${suffix}`;

const admin = new PocketBase(URL);
admin.autoCancellation(false);
const guest = new PocketBase(URL);
guest.autoCancellation(false);

describe("official JS SDK: a public form submitted by a guest", () => {
  let leads;

  before(async () => {
    assert.ok(URL, "LB_URL must point at a running stack");
    await admin.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
    // createRule null: only superusers may create here, except through the form
    leads = await admin.collections.create({
      name: collection, type: "base",
      fields: [{ name: "name", type: "text", required: true }, { name: "email", type: "email" },
        { name: "source", type: "text" }],
    });
    await admin.collection("_views").create({
      collection: leads.id, name: "Contact", type: "form", slug,
      options: { form: {
        fields: [{ name: "name", label: "Name", required: true }, { name: "email", label: "Email" }],
        hidden: [{ name: "source", value: "js-sdk" }],
        successMessage: "Thank you",
        spam: { honeypot: "nickname" },
        rateLimit: { maxRequests: 3, duration: 60 },
      } },
    });
  });

  after(async () => {
    await admin.collections.delete(collection).catch(() => {});
  });

  test("fetch, submit, honeypot, rate limit", async () => {
    // a guest fetches the definition to render it
    const form = await guest.send(`/api/forms/${slug}`, { method: "GET" });
    assert.deepEqual(form.fields.map((f) => f.name), ["name", "email"]);
    assert.equal(form.honeypot, "nickname");
    assert.ok(form.fillToken);

    // and submits it: one record, with the server-side hidden value
    const done = await guest.send(`/api/forms/${slug}`, {
      method: "POST", body: { name: "Ada", email: "ada@example.com", _fillToken: form.fillToken },
    });
    assert.equal(done.message, "Thank you");
    const made = await admin.collection(collection).getFullList({ filter: "name = 'Ada'" });
    assert.equal(made.length, 1);
    assert.equal(made[0].source, "js-sdk");

    // a honeypot hit looks accepted, and stores nothing
    const trap = await guest.send(`/api/forms/${slug}`, {
      method: "POST", body: { name: "Bot", nickname: "gotcha", _fillToken: form.fillToken },
    });
    assert.equal(trap.message, "Thank you");
    assert.equal((await admin.collection(collection).getFullList({ filter: "name = 'Bot'" })).length, 0);

    // the third attempt used the allowance of 3 a minute: the fourth is a 429
    await guest.send(`/api/forms/${slug}`, {
      method: "POST", body: { name: "Grace", _fillToken: form.fillToken },
    });
    await rejects(guest.send(`/api/forms/${slug}`, {
      method: "POST", body: { name: "Linus", _fillToken: form.fillToken },
    }), 429);

    // superusers see each stored submission's metadata; guests do not
    const submissions = await admin.send(`/api/forms/${slug}/submissions`, { method: "GET" });
    assert.equal(submissions.totalItems, 2);
    await rejects(guest.send(`/api/forms/${slug}/submissions`, { method: "GET" }), 401);
  });
});
