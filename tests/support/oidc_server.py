"""Starts tests/js/oidc_server.mjs (a real OpenID provider, npm `oidc-provider`) on loopback for a test session."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.support.stack_process import ROOT

CLIENT_ID, CLIENT_SECRET = "lb-oidc", "lb-oidc-secret-0123456789"


@dataclass(frozen=True)
class OidcServer:
    issuer: str
    proxy: str  # a token endpoint answering the issuer's tokens with a tampered id_token signature
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET

    def env(self, redirect: str) -> dict[str, str]:
        return {"OIDC_ISSUER": self.issuer, "OIDC_PROXY": self.proxy, "OIDC_CLIENT_ID": self.client_id,
                "OIDC_CLIENT_SECRET": self.client_secret, "REDIRECT": redirect}


@contextmanager
def oidc_server(port: int, proxy_port: int, redirect_uris: list[str]) -> Iterator[OidcServer]:
    """The provider on 127.0.0.1:`port`, until the block ends; fails when it does not come up."""
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_PROXY_PORT": str(proxy_port),
           "OIDC_REDIRECT_URIS": ",".join(redirect_uris), "OIDC_CLIENT_ID": CLIENT_ID,
           "OIDC_CLIENT_SECRET": CLIENT_SECRET}
    proc = subprocess.Popen(["node", "tests/js/oidc_server.mjs"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if line.strip() == "ready":
                break
        else:
            raise RuntimeError("the OpenID provider did not start:\n" + "".join(seen))
        yield OidcServer(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{proxy_port}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
