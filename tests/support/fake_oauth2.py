"""Loopback fakes of GitHub's, Google's and an OpenID issuer's token and user endpoints, shaped as they document.

The test plays the browser: it reads the authorization URL from `auth-methods`, and `issue_code` stands in for
the user's consent, binding the code to the client, the redirect URI, the PKCE challenge and the nonce. The
token endpoints then check all of them, as the real servers do, and a code works once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

CLIENT_ID, CLIENT_SECRET = "lb-client", "lb-client-secret"
# a 1x1 PNG, what a provider's avatar URL serves
AVATAR_PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
                              "AAAABJRU5ErkJggg==")


@dataclass
class Grant:
    provider: str
    profile: dict[str, Any]
    redirect_uri: str
    challenge: str
    nonce: str
    used: bool = False


@dataclass
class FakeProviders:
    """GitHub under /github, Google under /google, an OpenID issuer under /oidc; `id_token_signer` lets a test
    swap the id_token's signing (another key, another algorithm)."""

    server: ThreadingHTTPServer | None = None
    grants: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, Grant] = field(default_factory=dict)
    emails: list[dict[str, Any]] = field(default_factory=list)
    rsa_key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    ec_key: Any = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    kid: str = "k1"
    token_requests: list[dict[str, str]] = field(default_factory=list)
    tamper: str = ""  # see id_token: "other-key", "hs256", "none", "wrong-aud", "wrong-nonce", "no-nonce", ...

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def issuer(self) -> str:
        return self.url + "/oidc"

    def start(self) -> FakeProviders:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake.get(self)

            def do_POST(self) -> None:
                fake.post(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def issue_code(self, provider: str, auth_url: str, redirect_uri: str, profile: dict[str, Any]) -> str:
        """The user consents at `auth_url`: a code bound to its challenge and nonce, for `redirect_uri`."""
        query = parse_qs(urlsplit(auth_url).query)
        assert query["client_id"] == [CLIENT_ID] and query["code_challenge_method"] == ["S256"]
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(provider, profile, redirect_uri, query["code_challenge"][0],
                                  query.get("nonce", [""])[0])
        return code

    # -- endpoints -------------------------------------------------------------------------------------------
    def get(self, req: BaseHTTPRequestHandler) -> None:
        path = urlsplit(req.path).path
        if path == "/oidc/.well-known/openid-configuration":
            return _send(req, 200, {"issuer": self.issuer, "authorization_endpoint": self.url + "/oidc/auth",
                                    "token_endpoint": self.url + "/oidc/token", "jwks_uri": self.url + "/oidc/jwks",
                                    "userinfo_endpoint": self.url + "/oidc/me"})
        if path == "/avatar.png":
            return _send_bytes(req, 200, AVATAR_PNG, "image/png")
        if path == "/oidc/jwks":
            rsa_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa_key.public_key()))
            ec_jwk = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.ec_key.public_key()))
            return _send(req, 200, {"keys": [{**rsa_jwk, "kid": self.kid, "use": "sig", "alg": "RS256"},
                                             {**ec_jwk, "kid": "ec1", "use": "sig", "alg": "ES256"}]})
        grant = self.tokens.get(req.headers.get("authorization", "").removeprefix("Bearer "))
        if grant is None:
            return _send(req, 401, {"message": "Bad credentials"})
        if path == "/github/api/user":
            return _send(req, 200, grant.profile)
        if path == "/github/api/user/emails":
            return _send(req, 200, self.emails)
        if path in ("/google/userinfo", "/oidc/me"):
            return _send(req, 200, grant.profile)
        return _send(req, 404, {})

    def post(self, req: BaseHTTPRequestHandler) -> None:
        length = int(req.headers.get("content-length") or 0)
        form = {k: v[0] for k, v in parse_qs(req.rfile.read(length).decode()).items()}
        self.token_requests.append(form)
        path = urlsplit(req.path).path
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        if basic := req.headers.get("authorization", "").removeprefix("Basic "):
            client_id, _, client_secret = (unquote(p) for p in base64.b64decode(basic).decode().partition(":"))
        grant = self.grants.get(form.get("code", ""))
        error = None
        if (client_id, client_secret) != (CLIENT_ID, CLIENT_SECRET):
            error = "invalid_client"
        elif grant is None or grant.used or f"/{grant.provider}/" not in path:
            error = "invalid_grant"  # unknown or replayed code
        elif form.get("redirect_uri") != grant.redirect_uri:
            error = "invalid_grant"  # RFC 6749 4.1.3: exactly the redirect URI of the authorization request
        elif _challenge(form.get("code_verifier", "")) != grant.challenge:
            error = "invalid_grant"  # RFC 7636 4.6
        if error or grant is None:
            if path.startswith("/github/"):
                return _send(req, 200, {"error": "bad_verification_code", "error_description": error})  # GitHub's
            return _send(req, 400, {"error": error})
        grant.used = True
        access = secrets.token_urlsafe(16)
        self.tokens[access] = grant
        if path.startswith("/github/"):
            return _send(req, 200, {"access_token": access, "token_type": "bearer", "scope": "read:user,user:email"})
        answer = {"access_token": access, "token_type": "Bearer", "expires_in": 3599, "scope": "openid email",
                  "refresh_token": "r-" + access}
        if path.startswith("/oidc/"):
            answer["id_token"] = self.id_token(grant)
        return _send(req, 200, answer)

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": grant.profile.get("sub", ""), "aud": CLIENT_ID, "iat": now,
                  "exp": now + 600, "nonce": grant.nonce}
        if self.tamper == "wrong-aud":
            claims["aud"] = "someone-else"
        if self.tamper == "wrong-nonce":
            claims["nonce"] = "not-the-flows"
        if self.tamper == "no-nonce":
            del claims["nonce"]
        if self.tamper == "expired":
            claims |= {"iat": now - 7200, "exp": now - 3600}
        if self.tamper == "other-key":
            other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            return jwt.encode(claims, other, algorithm="RS256", headers={"kid": self.kid})
        if self.tamper == "hs256":
            # the classic confusion: the issuer's public key used as an HMAC secret
            public = jwt.algorithms.RSAAlgorithm.to_jwk(self.rsa_key.public_key()).encode()
            head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": self.kid}).encode())
            body = _b64(json.dumps(claims).encode())
            mac = hmac.new(public, f"{head}.{body}".encode(), hashlib.sha256).digest()
            return f"{head}.{body}.{_b64(mac)}"
        if self.tamper == "none":
            return jwt.encode(claims, None, algorithm="none", headers={"kid": self.kid})
        if self.tamper == "es256-as-rsa-kid":
            return jwt.encode(claims, self.ec_key, algorithm="ES256", headers={"kid": self.kid})
        if self.tamper == "es256":
            return jwt.encode(claims, self.ec_key, algorithm="ES256", headers={"kid": "ec1"})
        return jwt.encode(claims, self.rsa_key, algorithm="RS256", headers={"kid": self.kid})

    def rotate(self) -> None:
        """The issuer rolls its RSA key: a new key under a new kid."""
        self.rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "k" + secrets.token_hex(3)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _send(req: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    _send_bytes(req, status, json.dumps(body).encode(), "application/json")


def _send_bytes(req: BaseHTTPRequestHandler, status: int, data: bytes, content_type: str) -> None:
    req.send_response(status)
    req.send_header("content-type", content_type)
    req.send_header("content-length", str(len(data)))
    req.end_headers()
    req.wfile.write(data)
