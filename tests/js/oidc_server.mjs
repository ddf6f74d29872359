// A real OpenID provider (npm `oidc-provider`) on loopback for the OAuth2 tests, signing users in headlessly.
// Env: OIDC_PORT (the issuer), OIDC_PROXY_PORT (a token endpoint that breaks id_token signatures),
// OIDC_REDIRECT_URIS (comma-separated, matched exactly), OIDC_CLIENT_ID, OIDC_CLIENT_SECRET.
// The interaction finishes at once: it logs in the account named by the authorization request's `login_hint`
// and grants what was asked, so a test follows the redirects with fetch, no browser. Prints "ready" when up.
import http from "node:http";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import Provider from "oidc-provider";

const PORT = Number(process.env.OIDC_PORT);
const PROXY_PORT = Number(process.env.OIDC_PROXY_PORT);
const ISSUER = `http://127.0.0.1:${PORT}`;
const CLIENT_ID = process.env.OIDC_CLIENT_ID || "lb-oidc";
const CLIENT_SECRET = process.env.OIDC_CLIENT_SECRET || "lb-oidc-secret-0123456789";
const REDIRECTS = (process.env.OIDC_REDIRECT_URIS || "").split(",").filter(Boolean);

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: "jwk" }), kid: `k-${randomUUID().slice(0, 8)}`, use: "sig", alg: "RS256" };

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: REDIRECTS,
    grant_types: ["authorization_code"], response_types: ["code"], token_endpoint_auth_method: "client_secret_basic",
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomUUID()] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "preferred_username"] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // the account is whoever `login_hint` names: `<name>` signs in as sub `<name>`, email `<name>@example.test`
  findAccount: (ctx, id) => ({
    accountId: id,
    claims: () => ({ sub: id, email: `${id}@example.test`, email_verified: true, name: `User ${id}`,
                     preferred_username: id }),
  }),
});
provider.proxy = false;

const callback = provider.callback();

// The interaction: log in the hinted account, or grant the scopes and claims the client asked for.
async function interact(req, res) {
  const details = await provider.interactionDetails(req, res);
  let result;
  if (details.prompt.name === "login") {
    result = { login: { accountId: details.params.login_hint || "anonymous" } };
  } else {
    const grant = details.grantId ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

http.createServer((req, res) => {
  if (req.url.startsWith("/interaction/")) {
    interact(req, res).catch((err) => { res.statusCode = 500; res.end(String(err)); });
  } else {
    callback(req, res);
  }
}).listen(PORT, "127.0.0.1", () => {
  // The tampering token endpoint: the provider's own answer, with one byte of the id_token's signature changed.
  http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const upstream = await fetch(`${ISSUER}/token`, {
      method: "POST", body: Buffer.concat(chunks),
      headers: { "content-type": req.headers["content-type"], authorization: req.headers.authorization || "" },
    });
    const body = await upstream.json();
    if (body.id_token) {
      const [head, payload, sig] = body.id_token.split(".");
      body.id_token = `${head}.${payload}.${sig[0] === "A" ? "B" : "A"}${sig.slice(1)}`;
    }
    res.writeHead(upstream.status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }).listen(PROXY_PORT, "127.0.0.1", () => console.log("ready"));
});
