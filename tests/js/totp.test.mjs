// The official PocketBase JS SDK through Lambdabase's TOTP second factor (run by tests/e2e/test_js_sdk_totp.py):
// enrol and confirm with pb.send, then authWithPassword -> 401 {mfaId} -> auth-with-totp -> a valid auth store.
// Codes come from a small RFC 6238 implementation over node:crypto (HMAC-SHA1, 6 digits, 30 s steps).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac, randomUUID } from "node:crypto";
import PocketBase from "pocketbase";

const URL = process.env.LB_URL;
const PASSWORD = "Sdk-Meadow-6619";

function client() {
  const pb = new PocketBase(URL);
  pb.autoCancellation(false);
  return pb;
}

// RFC 4648 base32, as authenticator apps decode the enrolment's secret.
function base32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of text.replace(/=+$/, "")) bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

// RFC 6238: HOTP (RFC 4226) over the step counter, dynamic truncation, 6 digits.
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(value).padStart(6, "0");
}

const currentStep = () => Math.floor(Date.now() / 1000 / 30);

async function awayFromStepEdge() {
  const into = (Date.now() / 1000) % 30;
  if (into > 27) await new Promise((resolve) => setTimeout(resolve, (30 - into + 0.2) * 1000));
}

test("enrol, confirm, then password -> 401 with mfaId -> auth-with-totp -> signed in", async () => {
  // Given a signed-in user
  const email = `sdk-totp-${randomUUID().slice(0, 8)}@example.com`;
  const pb = client();
  const record = await pb.collection("users").create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
  await pb.collection("users").authWithPassword(email, PASSWORD);
  const base = `/api/collections/users/records/${record.id}/totp`;

  // When they enrol: a secret, its otpauth URI and the QR codes
  await awayFromStepEdge();
  const enrolment = await pb.send(`${base}/enroll`, { method: "POST" });
  assert.match(enrolment.uri, /^otpauth:\/\/totp\//);
  assert.ok(enrolment.uri.includes(`secret=${enrolment.secret}`));
  assert.ok(enrolment.qr.svg.startsWith("data:image/svg+xml") && enrolment.qr.png.startsWith("data:image/png"));

  // And confirm with the previous step's code: ten recovery codes
  const confirmed = await pb.send(`${base}/confirm`, {
    method: "POST", body: { code: totp(enrolment.secret, currentStep() - 1) } });
  assert.equal(confirmed.recoveryCodes.length, 10);
  const status = await pb.send(base, { method: "GET" });
  assert.equal(status.enabled, true);
  assert.equal(status.recoveryCodesLeft, 10);
  pb.authStore.clear();

  // Then the password alone no longer signs in: 401 with an mfaId, and the auth store stays empty
  let mfaId = "";
  await assert.rejects(pb.collection("users").authWithPassword(email, PASSWORD), (err) => {
    mfaId = err.response.mfaId;
    return err.status === 401 && typeof mfaId === "string" && mfaId.length > 0;
  });
  assert.equal(pb.authStore.isValid, false);

  // When the current code completes the MFA flow
  const code = totp(enrolment.secret, currentStep());
  const auth = await pb.send("/api/collections/users/auth-with-totp", {
    method: "POST", body: { mfaId, code, rememberDevice: true } });
  pb.authStore.save(auth.token, auth.record);

  // Then the auth store is valid, for the right record
  assert.equal(pb.authStore.isValid, true);
  assert.equal(pb.authStore.record.id, record.id);
  assert.equal(typeof auth.deviceToken, "string");
  const me = await pb.collection("users").getOne(record.id);
  assert.equal(me.email, email);

  // And the remembered device signs in with the password alone (the SDK's `body` option replaces its body whole,
  // so it carries the identity and password too)
  const again = client();
  await again.collection("users").authWithPassword(email, PASSWORD, {
    body: { identity: email, password: PASSWORD, deviceToken: auth.deviceToken } });
  assert.equal(again.authStore.isValid, true);

  // And the code just used does not complete a second flow (replay)
  let secondMfaId = "";
  await assert.rejects(client().collection("users").authWithPassword(email, PASSWORD), (err) => {
    secondMfaId = err.response.mfaId;
    return err.status === 401;
  });
  await assert.rejects(client().send("/api/collections/users/auth-with-totp", {
    method: "POST", body: { mfaId: secondMfaId, code } }),
    (err) => err.status === 400 && err.response.message === "Invalid or expired code.");
});
