// The official PocketBase JS SDK's authWithOAuth2Code against Lambdabase, with a real OpenID provider
// (tests/js/oidc_server.mjs) as the identity provider (run by tests/e2e/test_js_sdk_oauth2.py).
// Env: LB_URL, OIDC_ISSUER, OIDC_PROXY (its id_token-breaking token endpoint), OIDC_CLIENT_ID/SECRET, REDIRECT.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import PocketBase from "pocketbase";
import { EventSource } from "eventsource";
import { EMAIL, PASSWORD, URL, rejects } from "./support.mjs";

const ISSUER = process.env.OIDC_ISSUER;
const PROXY = process.env.OIDC_PROXY;
const REDIRECT = process.env.REDIRECT;
const COLLECTION = `sdk_oauth2_${randomUUID().slice(0, 6)}`;
// The all-in-one flow's realtime side is PocketBase's SSE; Node has no EventSource of its own.
globalThis.EventSource = EventSource;

function client() {
  const pb = new PocketBase(URL);
  pb.autoCancellation(false);
  return pb;
}

const root = client();

before(async () => {
  await root.collection("_superusers").authWithPassword(EMAIL, PASSWORD);
  const secret = { clientId: process.env.OIDC_CLIENT_ID, clientSecret: process.env.OIDC_CLIENT_SECRET };
  await root.collections.create({
    name: COLLECTION, type: "auth", createRule: "",
    fields: [{ name: "name", type: "text" }, { name: "handle", type: "text" }],
    oauth2: {
      enabled: true, mappedFields: { name: "name", username: "handle" },
      providers: [
        { name: "oidc", ...secret, extra: { issuer: ISSUER } },
        // the same issuer, but its token endpoint answers id_tokens whose signature was tampered with
        { name: "oidc2", ...secret, authURL: `${ISSUER}/auth`, tokenURL: `${PROXY}/token`,
          userInfoURL: `${ISSUER}/me`, extra: { jwksURL: `${ISSUER}/jwks`, issuers: [ISSUER] } },
      ],
    },
  });
});

// The browser's part, headless: follow the authorization URL through the provider's (automatic) login and
// consent to the redirect URI, cookies kept; returns the callback's query.
async function consent(authURL, loginHint, redirect = REDIRECT) {
  let url = `${authURL}${authURL.endsWith("=") ? encodeURIComponent(redirect) : ""}` +
    `&login_hint=${encodeURIComponent(loginHint)}`;
  const jar = new Map();
  for (let hop = 0; hop < 12; hop++) {
    const res = await fetch(url, { redirect: "manual",
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const at = pair.indexOf("=");
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = res.headers.get("location");
    assert.ok(location, `the provider stopped at ${res.status}: ${await res.text()}`);
    url = new globalThis.URL(location, url).toString();
    if (url.startsWith(redirect)) return new globalThis.URL(url).searchParams;
  }
  throw new Error("too many redirects");
}

// What an app does with the callback: the state must be the one its own flow started with (RFC 9700 4.7).
function codeFrom(callback, expectedState) {
  if (callback.get("state") !== expectedState) throw new Error("state mismatch: not this flow's callback");
  return callback.get("code");
}

async function provider(pb, name = "oidc") {
  const methods = await pb.collection(COLLECTION).listAuthMethods();
  return methods.oauth2.providers.find((p) => p.name === name);
}

async function signIn(pb, login, name = "oidc", createData = undefined) {
  const info = await provider(pb, name);
  const code = codeFrom(await consent(info.authURL, login), info.state);
  return pb.collection(COLLECTION).authWithOAuth2Code(name, code, info.codeVerifier, REDIRECT, createData);
}

test("a new user signs up through the OpenID provider, code + PKCE", async () => {
  const pb = client();
  const login = `new-${randomUUID().slice(0, 8)}`;
  const auth = await signIn(pb, login);
  assert.equal(pb.authStore.isValid, true);
  assert.equal(auth.record.email, `${login}@example.test`);
  assert.equal(auth.record.verified, true);
  assert.equal(auth.record.name, `User ${login}`);
  assert.equal(auth.record.handle, login);
  assert.equal(auth.meta.isNew, true);
  assert.equal(auth.meta.id, login);
  assert.equal(auth.meta.rawUser.preferred_username, login);
  // the SDK's auth store holds the record; a second sign-in finds the same one through its link
  const again = await signIn(client(), login);
  assert.equal(again.record.id, auth.record.id);
  assert.equal(again.meta.isNew, false);
});

test("an existing verified user is linked by its email and keeps its password", async () => {
  const login = `old-${randomUUID().slice(0, 8)}`;
  const email = `${login}@example.test`;
  const password = "Sdk-Linked-55173";
  const existing = await root.collection(COLLECTION).create({ email, password, passwordConfirm: password,
                                                              verified: true });
  const auth = await signIn(client(), login);
  assert.equal(auth.record.id, existing.id);
  assert.equal(auth.meta.isNew, false);
  const links = await root.collection("_externalAuths").getFullList({ filter: `recordRef = "${existing.id}"` });
  assert.deepEqual(links.map((l) => [l.provider, l.providerId]), [["oidc", login]]);
  const withPassword = await client().collection(COLLECTION).authWithPassword(email, password);
  assert.equal(withPassword.record.id, existing.id);
});

test("a callback of another flow (wrong state) is refused by the client, and its code by the server", async () => {
  const pb = client();
  const mine = await provider(pb);
  const theirs = await provider(client());
  // an attacker's callback, carrying the attacker's code and state, lands in this browser
  const injected = await consent(theirs.authURL, `attacker-${randomUUID().slice(0, 6)}`);
  assert.throws(() => codeFrom(injected, mine.state), /state mismatch/);
  // had the app skipped the check, the code is bound to the attacker's PKCE challenge: the exchange fails
  await rejects(pb.collection(COLLECTION).authWithOAuth2Code("oidc", injected.get("code"), mine.codeVerifier,
    REDIRECT), 400, "Failed to fetch OAuth2 token.");
});

test("a wrong code verifier is refused", async () => {
  const pb = client();
  const info = await provider(pb);
  const code = codeFrom(await consent(info.authURL, `v-${randomUUID().slice(0, 6)}`), info.state);
  await rejects(pb.collection(COLLECTION).authWithOAuth2Code("oidc", code, "x".repeat(43), REDIRECT),
    400, "Failed to fetch OAuth2 token.");
  assert.equal(pb.authStore.isValid, false);
});

test("a replayed code is refused", async () => {
  const pb = client();
  const info = await provider(pb);
  const code = codeFrom(await consent(info.authURL, `r-${randomUUID().slice(0, 6)}`), info.state);
  await pb.collection(COLLECTION).authWithOAuth2Code("oidc", code, info.codeVerifier, REDIRECT);
  await rejects(client().collection(COLLECTION).authWithOAuth2Code("oidc", code, info.codeVerifier, REDIRECT),
    400, "Failed to fetch OAuth2 token.");
});

test("an id_token with a tampered signature is refused", async () => {
  const pb = client();
  await rejects(signIn(pb, `t-${randomUUID().slice(0, 6)}`, "oidc2"), 400, "Failed to fetch OAuth2 user.");
  assert.equal(pb.authStore.isValid, false);
});

test("a redirect URI other than the one of the authorization request is refused", async () => {
  const pb = client();
  const info = await provider(pb);
  const code = codeFrom(await consent(info.authURL, `u-${randomUUID().slice(0, 6)}`), info.state);
  await rejects(pb.collection(COLLECTION).authWithOAuth2Code("oidc", code, info.codeVerifier, `${REDIRECT}/other`),
    400, "Failed to fetch OAuth2 token.");
});

test("authWithOAuth2 (all-in-one): the code comes back over the realtime @oauth2 topic", async () => {
  const pb = client();
  const login = `rt-${randomUUID().slice(0, 8)}`;
  const redirect = pb.buildURL("/api/oauth2-redirect");
  let callbackURL;
  const auth = await pb.collection(COLLECTION).authWithOAuth2({
    provider: "oidc",
    // the "browser": through the provider's login to /api/oauth2-redirect, which hands the code to the SDK
    urlCallback: async (url) => {
      const callback = await consent(url, login, redirect);
      callbackURL = `${redirect}?${callback}`;
      const page = await fetch(callbackURL);
      assert.equal(await page.text(), "Auth completed. You can close this window and go back to the app.");
    },
  });
  assert.equal(auth.record.email, `${login}@example.test`);
  assert.equal(auth.meta.isNew, true);
  assert.equal(pb.authStore.record.id, auth.record.id);
  // the same callback again reaches no one: the subscription was used up
  const replay = await fetch(callbackURL);
  assert.equal(await replay.text(),
    "Failed to authenticate. You can close this window and go back to the app to try again.");
});

test("/api/oauth2-redirect with a state that names no waiting client fails", async () => {
  const page = await fetch(client().buildURL("/api/oauth2-redirect") + "?state=nobody&code=c");
  assert.equal(page.status, 200);
  assert.equal(await page.text(),
    "Failed to authenticate. You can close this window and go back to the app to try again.");
});
