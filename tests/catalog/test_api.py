"""The catalog API: public reads, and pushing and publishing records with a token."""
from __future__ import annotations

from datetime import date

import pytest
from openapi_spec_validator import validate

from core.tenants import tenant_by_slug, tenant_scope
from tests.catalog.fixtures import leaf, make_record


def token(runner, username: str) -> dict:
    return {"Authorization": "Bearer " + runner.invoke(args=["users", "token", username]).output.strip().splitlines()[-1]}


@pytest.fixture
def item_id(demo):
    with demo.app_context():
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            return leaf(town, "法律援助").id


def test_public_reads(demo, client, item_id):
    with demo.app_context():
        make_record("baishui", "法律援助", "法律援助指南", when=date(2026, 2, 3))
        make_record("baishui", "法律援助", "内部草稿", publish=False)
    domains = client.get("/api/v1/tenants/baishui/catalog/domains").get_json()
    # 16 pilot domains reach towns, and 17 statutory ones (第二十条 F01-F15, 第二十一条 F22, 公开制度 ZD)
    assert len(domains) == 16 + 17 and {"code": "07", "name": "公共法律服务", "kind": "pilot", "reaches_town": True,
                                        "levels": ["县级", "乡级"], "article": "", "lead_departments": ["司法局"]} in domains
    assert {"code": "F22", "name": "农业农村等重点领域", "kind": "statutory", "reaches_town": True, "levels": ["乡级"],
            "article": "第二十一条（乡（镇）人民政府）", "lead_departments": ["乡镇人民政府"]} in domains
    assert not any(d["code"] == "F21" for d in domains)      # 第二十一条's county part
    items = client.get("/api/v1/tenants/baishui/catalog/items?domain=07").get_json()
    assert {i["name"] for i in items} == {"法律援助", "人民调解"}
    item = client.get(f"/api/v1/tenants/baishui/catalog/items/{item_id}").get_json()
    assert item["rule"] == {"kind": "after_change", "days": 20} and item["applicable"] is True
    page = client.get("/api/v1/tenants/baishui/catalog/records?year=2026").get_json()
    assert page["total"] == 1 and page["items"][0]["title"] == "法律援助指南"
    assert page["items"][0]["index_no"] == "11451102X/2026-00001"
    assert page["items"][0]["url"].endswith(f"/qinglan/baishui/catalog/records/{page['items'][0]['id']}")
    assert client.get("/api/v1/tenants/baishui/catalog/records?status=draft").status_code == 401


def test_an_office_system_pushes_and_publishes_a_record(demo, client, runner, item_id):
    with demo.app_context():
        town = tenant_by_slug("baishui")
        with tenant_scope(town):
            from core.accounts import SYSTEM
            from core.db import db
            from plugins.catalog import services
            services.set_self_publish(SYSTEM, town, True)
            db.session.commit()
    li = token(runner, "li")
    created = client.post("/api/v1/tenants/baishui/catalog/records", headers=li, json={
        "item_id": item_id, "title": "白水镇法律援助工作站服务指南", "doc_no": "白政办〔2026〕3号",
        "written_date": "2026-11-20", "body": "<p>服务时间</p><img src=x onerror=alert(1)>"})
    assert created.status_code == 201, created.get_json()
    record = created.get_json()
    assert record["status"] == "draft" and record["url"] is None and "onerror" not in record["body"]
    patched = client.patch(f"/api/v1/tenants/baishui/catalog/records/{record['id']}", headers=li,
                           json={"summary": "地址与电话"})
    assert patched.get_json()["summary"] == "地址与电话"
    refused = client.post(f"/api/v1/tenants/baishui/catalog/records/{record['id']}/publish", headers=li,
                          json={"review_confirmed": False})
    assert refused.status_code == 400 and "保密审查" in refused.get_json()["error"]
    published = client.post(f"/api/v1/tenants/baishui/catalog/records/{record['id']}/publish", headers=li,
                            json={"review_confirmed": True})
    assert published.status_code == 200
    body = published.get_json()
    assert body["status"] == "published" and body["index_no"].startswith("11451102X/")
    assert client.get(body["url"].replace("http://localhost", "")).status_code == 200
    again = client.post(f"/api/v1/tenants/baishui/catalog/records/{record['id']}/publish", headers=li,
                        json={"review_confirmed": True})
    assert again.status_code == 409
    lapsed = client.post(f"/api/v1/tenants/baishui/catalog/records/{record['id']}/lapse", headers=li,
                         json={"validity": "expired", "validity_date": "2026-12-31"})
    assert lapsed.get_json()["validity"] == "expired" and lapsed.get_json()["validity_date"] == "2026-12-31"


def test_the_two_person_rule_through_the_api(demo, client, runner, item_id):
    li, zhao = token(runner, "li"), token(runner, "zhao")
    record = client.post("/api/v1/tenants/baishui/catalog/records", headers=li,
                         json={"item_id": item_id, "title": "草稿"}).get_json()
    forbidden = client.post(f"/api/v1/tenants/baishui/catalog/records/{record['id']}/publish", headers=li,
                            json={"review_confirmed": True})
    assert forbidden.status_code == 403
    assert client.post(f"/api/v1/tenants/baishui/catalog/records/{record['id']}/submit", headers=li).status_code == 200
    drafts = client.get("/api/v1/tenants/baishui/catalog/records?status=submitted", headers=zhao).get_json()
    assert [r["id"] for r in drafts["items"]] == [record["id"]]
    done = client.post(f"/api/v1/tenants/baishui/catalog/records/{record['id']}/publish", headers=zhao,
                       json={"review_confirmed": True})
    assert done.status_code == 200 and done.get_json()["status"] == "published"


@pytest.mark.parametrize("payload, field", [
    ({"title": "缺少事项"}, "item_id"),
    ({"item_id": 1, "title": ""}, "title"),
    ({"item_id": 1, "title": "甲", "written_date": "昨天"}, "written_date"),
    ({"item_id": 1, "title": "甲", "colour": "red"}, "colour"),
    ({"item_id": 1, "title": "甲", "disclosure": "secret"}, "disclosure"),
    ({"item_id": 1, "title": "甲", "doc_no": "号" * 101}, "doc_no"),
])
def test_invalid_input_gets_400_with_the_field(demo, client, runner, payload, field):
    response = client.post("/api/v1/tenants/baishui/catalog/records", headers=token(runner, "li"), json=payload)
    assert response.status_code == 400
    assert field in {d["field"] for d in response.get_json()["details"]}


def test_a_non_json_body_and_a_reviewer_creating_records(demo, client, runner):
    li = token(runner, "li")
    assert client.post("/api/v1/tenants/baishui/catalog/records", headers=li, data="x").status_code == 400
    zhao = token(runner, "zhao")
    response = client.post("/api/v1/tenants/baishui/catalog/records", headers=zhao, json={"item_id": 1, "title": "甲"})
    assert response.status_code == 403


def test_catalog_endpoints_are_in_the_openapi_document(demo, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    base = "/api/v1/tenants/{tenant_slug}/catalog"
    assert {f"{base}/records", f"{base}/records/{{record_id}}/publish", f"{base}/items/{{item_id}}"} <= set(spec["paths"])
    post = spec["paths"][f"{base}/records"]["post"]
    assert post["security"] == [{"bearerAuth": []}]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/CatalogRecordInput"}
    assert "CatalogRecord" in spec["components"]["schemas"]
