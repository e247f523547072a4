"""Malformed request bodies (issue 17): a JSON body too large, nested too deep, or not JSON answers
400 with {"error": ...} on every operation of the OpenAPI document, anonymous or with a token, and
nothing parses it first (100,000 nested brackets made Python's parser raise RecursionError: 500)."""
from __future__ import annotations

import re

import pytest

from core.accounts import issue_token, user_by_username
from core.db import db
from core.web.hooks import json_depth

DEEP = b"[" * 100_000 + b"]" * 100_000


def variants(limit: int) -> dict[str, bytes]:
    return {"not JSON": b"{'title': 1,", "too deep": DEEP, "deep object": b'{"a":' * 5_000 + b"1" + b"}" * 5_000,
            "too large": b'{"title": "' + b"x" * limit + b'"}', "truncated": b'{"title": "abc'}


def test_depth_is_measured_without_parsing_and_strings_do_not_count():
    assert json_depth(b'{"a": [1, {"b": []}]}') == 4
    assert json_depth(b'{"a": "[[[[{{{{", "b": "\\\\", "c": "\\"[["}') == 1
    assert json_depth(DEEP) == 100_000
    assert json_depth(b'"[[["') == 0


@pytest.fixture
def token(demo):
    with demo.app_context():
        _, plain = issue_token(user_by_username("li"), "malformed")
        db.session.commit()
    return plain


def operations(client) -> list[tuple[str, str]]:
    spec = client.get("/api/v1/openapi.json").get_json()
    found = []
    for path, methods in spec["paths"].items():
        url = re.sub(r"\{tenant_slug\}", "baishui", path)
        url = re.sub(r"\{(year)\}", "2026", url)
        url = re.sub(r"\{[a-z_]*id\}", "1", url)
        url = re.sub(r"\{[a-z_]+\}", "1", url)
        found += [(method.upper(), url) for method in methods]
    return found


def test_every_operation_refuses_malformed_json_with_400(demo, client, token):
    ops = operations(client)
    writes = [(m, u) for m, u in ops if m in ("POST", "PUT", "PATCH", "DELETE")]
    assert ("POST", "/api/v1/tenants/baishui/attachments") in writes     # core's own; plugins add theirs
    limit = demo.config["JSON_MAX_BYTES"]
    problems = []
    for method, url in writes:
        for who, headers in (("anonymous", {}), ("token", {"Authorization": f"Bearer {token}"})):
            for name, body in variants(limit).items():
                response = client.open(url, method=method, data=body, headers=headers, content_type="application/json")
                payload = response.get_json(silent=True) or {}
                if response.status_code != 400 or not payload.get("error"):
                    problems.append(f"{who} {method} {url} {name}: {response.status_code} {payload}")
    assert problems == [], "\n".join(problems)
    # A GET's body is never read: still no server error.
    for method, url in ops:
        if method == "GET":
            assert client.open(url, method="GET", data=DEEP, content_type="application/json").status_code < 500, url


def test_the_messages_say_what_is_wrong(demo, client, token):
    headers = {"Authorization": f"Bearer {token}"}
    limit = demo.config["JSON_MAX_BYTES"]
    url = "/api/v1/tenants/baishui/attachments"
    answers = {name: client.post(url, data=body, headers=headers, content_type="application/json").get_json()["error"]
               for name, body in variants(limit).items()}
    assert "嵌套过深" in answers["too deep"] and "过大" in answers["too large"]
    assert "不是有效的 JSON" in answers["not JSON"] and "不是有效的 JSON" in answers["truncated"]
    # A well-formed body within the limits reaches the operation (which wants a file here).
    ok = client.post(url, json={"note": "x"}, headers=headers)
    assert ok.status_code == 400 and "JSON" not in ok.get_json()["error"]
    # Outside the API too: a JSON body sent to a page is checked the same way and answered in JSON.
    page = client.post("/qinglan/baishui/search", data=DEEP, content_type="application/json")
    assert page.status_code == 400 and "嵌套过深" in page.get_json()["error"]
