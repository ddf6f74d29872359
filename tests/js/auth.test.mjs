// The official PocketBase JS SDK against Lambdabase's auth flows (run by tests/e2e/test_js_sdk_auth.py).
// Env: LB_URL (the stack), LB_MAIL_DIR (the local stack's SES outbox), LB_SUPERUSER_EMAIL/PASSWORD.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import PocketBase, { getTokenPayload } from "pocketbase";

const URL = process.env.LB_URL;
const MAIL_DIR = process.env.LB_MAIL_DIR;
const PASSWORD = "Sdk-Lantern-8842";
const NEW_PASSWORD = "Sdk-Harbour-5173";

function client() {
  const pb = new PocketBase(URL);
  pb.autoCancellation(false);
  return pb;
}

async function newUser() {
  const email = `sdk-${randomUUID().slice(0, 8)}@example.com`;
  const record = await client().collection("users").create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
  return { email, record };
}

// The token in the newest link of `kind` mailed to `to`, read from the stack's outbox of SES-sent mail.
function mailedToken(to, action) {
  const mails = readdirSync(MAIL_DIR).filter((f) => f.endsWith(".json")).sort()
    .map((f) => JSON.parse(readFileSync(join(MAIL_DIR, f), "utf8")))
    .filter((m) => m.message.to.includes(to));
  for (const mail of mails.reverse()) {
    const found = mail.message.html.match(new RegExp(`/auth/${action}/([A-Za-z0-9_.-]+)`));
    if (found) return found[1];
  }
  throw new Error(`no ${action} mail to ${to}`);
}

test("authWithPassword signs in and fills the auth store", async () => {
  const { email, record } = await newUser();
  const pb = client();
  const auth = await pb.collection("users").authWithPassword(email, PASSWORD);
  assert.equal(pb.authStore.isValid, true);
  assert.equal(pb.authStore.record.id, record.id);
  assert.equal(auth.record.email, email);
  assert.equal(typeof auth.refreshToken, "string"); // Lambdabase's extra field, ignored by the SDK
  await assert.rejects(pb.collection("users").authWithPassword(email, "wrong-password"),
    (err) => err.status === 400 && err.response.message === "Failed to authenticate.");
});

test("authRefresh exchanges a valid token for a new one", async () => {
  const { email } = await newUser();
  const pb = client();
  await pb.collection("users").authWithPassword(email, PASSWORD);
  const before = pb.authStore.token;
  await new Promise((resolve) => setTimeout(resolve, 1100)); // a later `exp`, so a visibly new token
  const refreshed = await pb.collection("users").authRefresh();
  assert.notEqual(refreshed.token, before);
  assert.equal(pb.authStore.token, refreshed.token);
  assert.ok(getTokenPayload(refreshed.token).exp > getTokenPayload(before).exp);
});

test("listAuthMethods answers PocketBase's shape", async () => {
  const methods = await client().collection("users").listAuthMethods();
  assert.deepEqual(methods.password, { identityFields: ["email"], enabled: true });
  assert.equal(methods.oauth2.enabled, false);
  assert.equal(methods.otp.enabled, false);
  assert.equal(methods.mfa.enabled, false);
});

test("requestVerification mails a link that confirmVerification accepts", async () => {
  const { email, record } = await newUser();
  const pb = client();
  await pb.collection("users").authWithPassword(email, PASSWORD);
  assert.equal(await pb.collection("users").requestVerification(email), true);
  const token = mailedToken(email, "confirm-verification");
  assert.equal(getTokenPayload(token).type, "verification");
  assert.equal(await pb.collection("users").confirmVerification(token), true);
  assert.equal(pb.authStore.record.verified, true); // the SDK updates its own record
  const fresh = await pb.collection("users").getOne(record.id);
  assert.equal(fresh.verified, true);
});

test("requestPasswordReset and confirmPasswordReset set a new password and end old sessions", async () => {
  const { email } = await newUser();
  const pb = client();
  await pb.collection("users").authWithPassword(email, PASSWORD);
  assert.equal(await client().collection("users").requestPasswordReset(email), true);
  assert.equal(await client().collection("users").requestPasswordReset(`nobody-${randomUUID()}@example.com`), true);
  const token = mailedToken(email, "confirm-password-reset");
  assert.equal(await client().collection("users").confirmPasswordReset(token, NEW_PASSWORD, NEW_PASSWORD), true);
  await assert.rejects(pb.collection("users").authRefresh(), (err) => err.status === 401);
  const again = client();
  await again.collection("users").authWithPassword(email, NEW_PASSWORD);
  assert.equal(again.authStore.isValid, true);
});

test("impersonate gives a superuser a non-refreshable client of the user", async () => {
  const { email, record } = await newUser();
  const su = client();
  await su.collection("_superusers").authWithPassword(process.env.LB_SUPERUSER_EMAIL,
    process.env.LB_SUPERUSER_PASSWORD);
  const impersonated = await su.collection("users").impersonate(record.id, 120);
  assert.equal(impersonated.authStore.record.email, email);
  assert.equal(getTokenPayload(impersonated.authStore.token).refreshable, false);
  assert.equal((await impersonated.collection("users").getOne(record.id)).id, record.id);
  await assert.rejects(impersonated.collection("users").authRefresh(), (err) => err.status === 403);
});
