"""The JSON API base: tenants, errors, tokens, validation, the OpenAPI document, isolation."""
from __future__ import annotations

import io

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from core.accounts import ApiToken
from core.db import db


def token_for(runner, username: str) -> str:
    result = runner.invoke(args=["users", "token", username, "--name", "测试"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_tenant_tree(demo, client):
    response = client.get("/api/v1/tenants")
    assert response.status_code == 200
    tree = {t["slug"]: t for t in response.get_json()}
    assert len(tree) == 10
    assert tree["dongpo"] == {"slug": "dongpo", "name": "东坡村", "kind": "village", "parent": "baishui",
                              "status": "active", "unit_code": "11451102A",
                              "url": "http://localhost/qinglan/baishui/dongpo/"}
    assert tree["qinglan"]["parent"] is None


def test_tenant_tree_runs_a_constant_number_of_queries(demo, client, count_queries, runner):
    with count_queries() as small:
        client.get("/api/v1/tenants")
    for i in range(5):
        runner.invoke(args=["tenants", "create", f"extra{i}", "--name", f"新村{i}", "--kind", "village", "--parent", "liuhe"])
    with count_queries() as large:
        assert len(client.get("/api/v1/tenants").get_json()) == 15
    assert len(large) == len(small)


def test_tenant_detail_and_errors(demo, client):
    detail = client.get("/api/v1/tenants/baishui").get_json()
    assert detail["children"] == ["dongpo", "xihe"]
    assert detail["ancestors"] == ["qinglan"]
    assert detail["contact"]["phone"] == "0123-6662001"
    missing = client.get("/api/v1/tenants/atlantis")
    assert missing.status_code == 404 and missing.is_json and "error" in missing.get_json()
    assert client.get("/api/v1/nothing-here").get_json() == {"error": "页面不存在"}
    bad = client.get("/api/v1/tenants?status=weird")
    assert bad.status_code == 400 and "status" in bad.get_json()["error"]
    wrong_method = client.delete("/api/v1/tenants")
    assert wrong_method.status_code == 405 and wrong_method.is_json


def test_token_authentication_and_revocation(demo, client, runner):
    assert client.get("/api/v1/me").status_code == 401
    token = token_for(runner, "li")
    headers = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.get_json()["grants"] == [{"tenant": "baishui", "role": "editor", "role_label": "编辑"}]
    with demo.app_context():
        stored = db.session.scalars(select(ApiToken)).one()
        assert token not in (stored.token_hash, stored.prefix) and len(stored.token_hash) == 64
        assert stored.last_used_at is not None
        token_id = stored.id
    listing = runner.invoke(args=["users", "tokens", "li"])
    assert f"#{token_id}" in listing.output and "有效" in listing.output
    runner.invoke(args=["users", "revoke-token", str(token_id)])
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401 and refused.get_json()["error"] == "访问令牌无效或已被撤销。"
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer made-up"}).status_code == 401


def test_api_upload_and_isolation(demo, client, runner):
    li = {"Authorization": f"Bearer {token_for(runner, 'li')}"}
    runner.invoke(args=["users", "create", "liuhe-editor", "--password", "liuhe-password"])
    runner.invoke(args=["users", "grant", "liuhe-editor", "editor", "liuhe"])
    other = {"Authorization": f"Bearer {token_for(runner, 'liuhe-editor')}"}

    created = client.post("/api/v1/tenants/baishui/attachments", headers=li,
                          data={"file": (io.BytesIO(b"%PDF-1.7\n%%EOF"), "通知.pdf")}, content_type="multipart/form-data")
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    assert item["filename"] == "通知.pdf" and item["is_public"] is False

    assert client.get(f"/api/v1/tenants/baishui/attachments/{item['id']}", headers=li).status_code == 200
    # another town's editor: 404 through its own tenant and through the owner's tenant
    assert client.get(f"/api/v1/tenants/liuhe/attachments/{item['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/tenants/baishui/attachments/{item['id']}", headers=other).status_code == 404
    assert client.post("/api/v1/tenants/baishui/attachments", headers=other,
                       data={"file": (io.BytesIO(b"%PDF-1.7"), "x.pdf")}).status_code == 404
    # the public does not see an internal attachment
    assert client.get(f"/api/v1/tenants/baishui/attachments/{item['id']}").status_code == 404

    exe = client.post("/api/v1/tenants/baishui/attachments", headers=li,
                      data={"file": (io.BytesIO(b"MZ\x90\x00"), "setup.pdf")}, content_type="multipart/form-data")
    assert exe.status_code == 400 and "不符" in exe.get_json()["error"]
    none = client.post("/api/v1/tenants/baishui/attachments", headers=li, data={})
    assert none.status_code == 400 and none.get_json()["error"] == "请选择要上传的文件。"


def test_reviewer_token_cannot_upload(demo, client, runner):
    zhao = {"Authorization": f"Bearer {token_for(runner, 'zhao')}"}
    response = client.post("/api/v1/tenants/baishui/attachments", headers=zhao,
                           data={"file": (io.BytesIO(b"%PDF-1.7"), "x.pdf")})
    assert response.status_code == 403 and response.get_json()["error"] == "您没有执行此操作的权限。"


def test_api_needs_no_csrf_but_cookies_do_not_authenticate(demo, client, auth):
    auth.login("li")  # a logged-in browser session is not an API credential
    response = client.post("/api/v1/tenants/baishui/attachments", data={"file": (io.BytesIO(b"%PDF-1.7"), "x.pdf")})
    assert response.status_code == 401


def test_openapi_document_is_valid_and_covers_every_api_route(demo, client, app):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/tenants/{tenant_slug}" in spec["paths"]
    tenant_schema = spec["components"]["schemas"]["Tenant"]
    assert set(tenant_schema["required"]) >= {"slug", "name", "kind", "parent", "url"}
    assert spec["paths"]["/api/v1/me"]["get"]["security"] == [{"bearerAuth": []}]
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            view = app.view_functions[rule.endpoint]
            assert hasattr(view, "api_operation"), f"{rule.rule} has no @operation"


@pytest.mark.parametrize("path", ["/api/v1/tenants", "/api/v1/tenants/baishui"])
def test_api_answers_utf8_json(demo, client, path):
    response = client.get(path)
    assert response.mimetype == "application/json"
    assert "白水镇".encode() in response.data


@pytest.mark.builtin_plugins
def test_an_operation_declares_its_permission_and_it_is_checked_before_the_body(demo, client, runner):
    """`operation(permission=...)`: one declaration, checked for every call and shown in the OpenAPI
    document; a person with no content role on the tenant is refused before the body is even read."""
    spec = client.get("/api/v1/openapi.json").get_json()
    publish = spec["paths"]["/api/v1/tenants/{tenant_slug}/catalog/records/{record_id}/publish"]["post"]
    assert publish["x-permission"] == "content.view" and publish["security"] == [{"bearerAuth": []}]
    url = "/api/v1/tenants/qinglan/catalog/records/1/publish"
    anonymous = client.post(url, json={"nonsense": True})
    assert anonymous.status_code == 401
    security_admin = {"Authorization": f"Bearer {token_for(runner, 'qian')}"}   # a role on qinglan, no content
    assert client.post(url, json={"nonsense": True}, headers=security_admin).status_code == 403
    stranger = {"Authorization": f"Bearer {token_for(runner, 'li')}"}            # 白水镇's editor: nothing here
    refused = client.post(url, json={"nonsense": True}, headers=stranger)
    assert refused.status_code == 404 and "error" in refused.get_json()
    editor = {"Authorization": f"Bearer {token_for(runner, 'wang')}"}
    assert client.post(url, json={"nonsense": True}, headers=editor).status_code == 400   # allowed: the body is read
