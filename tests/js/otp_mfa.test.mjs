// The official PocketBase JS SDK through email OTP and the MFA (mfaId) flow (run by tests/e2e/test_js_sdk_otp_mfa.py).
// Env: LB_URL (the stack), LB_MAIL_DIR (the local stack's SES outbox), LB_SUPERUSER_EMAIL/PASSWORD.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import PocketBase from "pocketbase";

const URL = process.env.LB_URL;
const MAIL_DIR = process.env.LB_MAIL_DIR;
const PASSWORD = "Sdk-Meadow-Compass-3391";
const OTP_ONLY = `sdk_otp_${randomUUID().slice(0, 6)}`;
const WITH_MFA = `sdk_mfa_${randomUUID().slice(0, 6)}`;

function client() {
  const pb = new PocketBase(URL);
  pb.autoCancellation(false);
  return pb;
}

before(async () => {
  const su = client();
  await su.collection("_superusers").authWithPassword(process.env.LB_SUPERUSER_EMAIL,
    process.env.LB_SUPERUSER_PASSWORD);
  await su.collections.create({ name: OTP_ONLY, type: "auth", createRule: "", otp: { enabled: true } });
  await su.collections.create({ name: WITH_MFA, type: "auth", createRule: "", otp: { enabled: true },
    mfa: { enabled: true } });
});

async function newUser(collection) {
  const email = `sdk-${randomUUID().slice(0, 8)}@example.com`;
  const record = await client().collection(collection).create({ email, password: PASSWORD, passwordConfirm: PASSWORD });
  return { email, record };
}

// The code of the newest OTP mail to `to`, read from the stack's outbox of SES-sent mail.
function mailedCode(to) {
  const mails = readdirSync(MAIL_DIR).filter((f) => f.endsWith(".json")).sort()
    .map((f) => JSON.parse(readFileSync(join(MAIL_DIR, f), "utf8")))
    .filter((m) => m.message.to.includes(to) && m.message.kind === "otp");
  const found = mails.at(-1)?.message.html.match(/<strong>(\d+)<\/strong>/);
  if (!found) throw new Error(`no OTP mail to ${to}`);
  return found[1];
}

test("requestOTP then authWithOTP signs in and fills the auth store", async () => {
  const { email, record } = await newUser(OTP_ONLY);
  const pb = client();
  const methods = await pb.collection(OTP_ONLY).listAuthMethods();
  assert.deepEqual(methods.otp, { enabled: true, duration: 180 });
  const { otpId } = await pb.collection(OTP_ONLY).requestOTP(email);
  const auth = await pb.collection(OTP_ONLY).authWithOTP(otpId, mailedCode(email));
  assert.equal(pb.authStore.isValid, true);
  assert.equal(auth.record.id, record.id);
  assert.equal(auth.record.verified, true);
  await assert.rejects(client().collection(OTP_ONLY).authWithOTP(otpId, mailedCode(email)),
    (err) => err.status === 400 && err.response.message === "Invalid or expired OTP.");
});

test("password answers 401 with an mfaId, and authWithOTP with it completes the sign-in", async () => {
  const { email, record } = await newUser(WITH_MFA);
  const pb = client();
  let mfaId = "";
  await assert.rejects(pb.collection(WITH_MFA).authWithPassword(email, PASSWORD), (err) => {
    mfaId = err.response.mfaId;
    return err.status === 401 && typeof mfaId === "string" && mfaId.length > 0;
  });
  assert.equal(pb.authStore.isValid, false);
  const { otpId } = await pb.collection(WITH_MFA).requestOTP(email);
  const auth = await pb.collection(WITH_MFA).authWithOTP(otpId, mailedCode(email), { mfaId });
  assert.equal(auth.record.id, record.id);
  assert.equal(pb.authStore.isValid, true);
  assert.equal(pb.authStore.record.id, record.id);
});
