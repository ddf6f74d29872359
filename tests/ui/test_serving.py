"""The local gateway serves the built dashboard at /_/ with the strict CSP and long-cached hashed assets."""

from __future__ import annotations

import re

import httpx

from tests.support.stack_process import StackProcess


def test_index_html_for_the_root_and_any_route_with_the_strict_csp(ui_stack: StackProcess) -> None:
    for path in ("/_/", "/_/collections/posts", "/_/index.html"):
        answer = httpx.get(ui_stack.url + path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith("text/html")
        assert '<div id="root">' in answer.text
        assert answer.headers["cache-control"] == "no-cache"
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert "unsafe" not in csp
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
    # and no inline script in the page itself
    index = httpx.get(ui_stack.url + "/_/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", index)


def test_hashed_assets_are_cached_for_a_year_and_a_missing_one_is_a_404(ui_stack: StackProcess) -> None:
    index = httpx.get(ui_stack.url + "/_/").text
    (script,) = re.findall(r'src="(/_/assets/[^"]+\.js)"', index)
    asset = httpx.get(ui_stack.url + script)
    assert asset.status_code == 200
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in asset.headers["content-type"]
    missing = httpx.get(ui_stack.url + "/_/assets/index-gone.js")
    assert missing.status_code == 404
    # and nothing outside ui/dist is reachable
    assert httpx.get(ui_stack.url + "/_/..%2F..%2Fpyproject.toml").status_code in (200, 404)
    assert "[project]" not in httpx.get(ui_stack.url + "/_/..%2F..%2Fpyproject.toml").text


def test_bare_prefix_redirects_and_the_api_is_untouched(ui_stack: StackProcess) -> None:
    answer = httpx.get(ui_stack.url + "/_", follow_redirects=False)
    assert answer.status_code == 301 and answer.headers["location"] == "/_/"
    assert httpx.get(ui_stack.url + "/api/health").json()["code"] == 200
