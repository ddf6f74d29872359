"""The official JS SDK's `authWithOAuth2Code` against the session stack, with a real OpenID provider (npm
`oidc-provider`) on loopback: sign-up, linking, wrong state, wrong verifier, replayed code, forged id_token, and
`authWithOAuth2`'s all-in-one flow through /api/oauth2-redirect and the realtime `@oauth2` topic."""

from __future__ import annotations

import pytest

from tests.support.node_suite import needs_node, run_node_suite
from tests.support.oidc_server import oidc_server
from tests.support.stack_process import StackProcess

pytestmark = pytest.mark.e2e

REDIRECT = "http://127.0.0.1:5173/oauth2-callback"


@needs_node("oidc-provider")
def test_js_sdk_oauth2_code_flow(stack: StackProcess) -> None:
    redirects = [REDIRECT, REDIRECT + "/other", stack.url + "/api/oauth2-redirect"]
    with oidc_server(18536, 18537, redirects) as provider:
        run_node_suite(stack.url, "oauth2.test.mjs", timeout_s=180, **provider.env(REDIRECT))
