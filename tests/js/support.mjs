// What the official-SDK suites share: the stack's URL, the session stack's superuser, and an assertion that a
// call fails with PocketBase's ClientResponseError of a given status (and message, when one is given).
import assert from "node:assert/strict";
import { ClientResponseError } from "pocketbase";

export const URL = process.env.LB_URL;
export const EMAIL = process.env.LB_SUPERUSER_EMAIL || "root@example.com";
export const PASSWORD = process.env.LB_SUPERUSER_PASSWORD || "Root-pass-1234567";

export async function rejects(promise, status, message) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof ClientResponseError, `expected a ClientResponseError, got ${err}`);
    assert.equal(err.status, status, JSON.stringify(err.response));
    if (message !== undefined) assert.equal(err.response.message, message);
    return true;
  });
}
