"""政策解读 (issue 21, part 1): a record interprets documents of the county's tree, both ways on the
portal, in the API and in search; published only after its documents; a 图解 only with described
pictures; policies flagged until their 解读 is published, late ones reported; policy_documents."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest

from core.accounts import SYSTEM
from core.db import db
from core.errors import DomainError
from core.tenants import tenant_by_slug, tenant_scope
from plugins.catalog import services
from plugins.catalog.models import InterpretationLink, Record
from tests.catalog.fixtures import at, leaf, make_record
from tests.conftest import post_form


def _policy(slug="baishui", title="白水镇农村集体资产管理补充规定", publish=True, when=None, **extra):
    return make_record(slug, "行政规范性文件", title, publish=publish, when=when, doc_no="白政规〔2026〕9号",
                       doc_type="normative", **extra)


def _interpretation(slug, document_ids, *, form="qa", publish=False, title="政策问答", when=None, **extra):
    tenant = tenant_by_slug(slug)
    with tenant_scope(tenant):
        record = services.create_record(SYSTEM, tenant, {
            "item_id": leaf(tenant, "行政规范性文件").id, "title": title, "body": "<p>问：……答：……</p>",
            "interp_form": form, "documents": [services.record_ref(i) for i in document_ids], **extra})
        if publish:
            services.publish(SYSTEM, record, review_confirmed=True, when=at(when) if when else None)
        db.session.commit()
        return record.id


def _demo_policy():
    county = tenant_by_slug("qinglan")
    with tenant_scope(county):
        policy = db.session.scalar(db.select(Record).where(Record.title.like("%义务教育招生入学工作的实施意见"),
                                                           Record.status == "published", Record.validity == "valid"))
        interpretations = db.session.scalars(db.select(Record).join(
            InterpretationLink, InterpretationLink.interpretation_id == Record.id)
            .where(InterpretationLink.record_id == policy.id).order_by(Record.id)).all()
        return policy.id, policy.doc_no, [(r.id, r.interp_form, r.title) for r in interpretations]


def test_demo_policy_and_its_interpretations_link_both_ways(demo_content, client):
    with demo_content.app_context():
        policy_id, doc_no, interpretations = _demo_policy()
    assert [form for _, form, _ in interpretations] == ["graphic", "qa"]
    page = client.get(f"/qinglan/catalog/records/{policy_id}").get_data(as_text=True)
    assert "政策解读" in page and "图解" in page and "问答" in page
    for record_id, _, title in interpretations:
        assert f"/qinglan/catalog/records/{record_id}" in page
        back = client.get(f"/qinglan/catalog/records/{record_id}").get_data(as_text=True)
        assert f"/qinglan/catalog/records/{policy_id}" in back and doc_no in back
    graphic = client.get(f"/qinglan/catalog/records/{interpretations[0][0]}").get_data(as_text=True)
    assert re.search(r'<img [^>]*alt="[^"]+', graphic)
    # The API, both ways
    api = client.get(f"/api/v1/tenants/qinglan/catalog/records/{policy_id}").get_json()
    assert [i["form"] for i in api["interpretations"]] == ["图解", "问答"]
    assert api["interpretations"][0]["url"].endswith(f"/qinglan/catalog/records/{interpretations[0][0]}")
    qa = client.get(f"/api/v1/tenants/qinglan/catalog/records/{interpretations[1][0]}").get_json()
    assert qa["interp_form"] == "qa" and [d["ref"] for d in qa["interprets"]] == [f"catalog:record:{policy_id}"]
    assert qa["interprets"][0]["doc_no"] == doc_no
    # Site search: the 解读 is found by its document's 文号, with its badge
    found = client.get("/qinglan/search", query_string={"q": doc_no}).get_data(as_text=True)
    assert "政策问答" in found and "解读·问答" in found


def test_interpretation_waits_for_its_document_and_one_review_can_cover_both(demo, ctx):
    policy = _policy(publish=False)
    interp = _interpretation("baishui", [policy])
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        record = db.session.get(Record, interp)
        services.submit(SYSTEM, record)
        db.session.commit()
        with pytest.raises(DomainError, match="尚未发布：解读不能先于文件发布"):
            services.publish(SYSTEM, record, review_confirmed=True)
        db.session.rollback()
        document = db.session.get(Record, policy)
        services.submit(SYSTEM, document)
        done = services.publish_with_interpretations(SYSTEM, document, review_confirmed=True)
        db.session.commit()
        assert [r.id for r in done] == [interp]
        assert db.session.get(Record, interp).status == "published"


def test_review_page_checkbox_publishes_the_document_with_its_interpretation(demo, client, auth):
    with demo.app_context():
        policy = _policy(publish=False, actor=_user("li"))
        interp = _interpretation("baishui", [policy], actor=_user("li"))
        with tenant_scope(tenant_by_slug("baishui")):
            for record_id in (interp, policy):
                services.submit(_user("li"), db.session.get(Record, record_id))
            db.session.commit()
    auth.login("zhao")
    edit = f"/admin/baishui/catalog/records/{policy}"
    page = client.get(edit).get_data(as_text=True)
    assert "同时审核通过其解读" in page
    seen = re.search(r'name="seen" value="([^"]*)"', page).group(1)
    done = post_form(client, edit, {"review_confirmed": "y", "with_interpretations": "y", "seen": seen},
                     url=edit + "/publish", follow_redirects=True)
    assert "同时发布了 1 篇解读" in done.get_data(as_text=True)
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
        assert db.session.get(Record, interp).status == "published"


def _user(name):
    from core.accounts import user_by_username
    return user_by_username(name)


def test_documents_outside_the_county_are_refused_and_never_shown(demo, ctx, client):
    from core.tenants.provisioning import create_tenant
    create_tenant(SYSTEM, slug="other", name="邻县", kind="district", parent=None, unit_code="99999998X")
    db.session.commit()
    foreign = make_record("other", "行政规范性文件", "邻县人民政府关于某事的通知", doc_no="邻政规〔2026〕1号",
                          doc_type="normative")
    county_doc = make_record("qinglan", "行政规范性文件", "青岚县某规范性文件", doc_no="青政规〔2026〕9号",
                             doc_type="normative")
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        assert [d.ref for d in services.find_documents(town, "青政规〔2026〕9号")] == [f"catalog:record:{county_doc}"]
        assert services.find_documents(town, "邻政规") == []
        with pytest.raises(DomainError, match="只能关联本县"):
            services.resolve_document(town, f"catalog:record:{foreign}")
    with pytest.raises(DomainError, match="只能关联本县"):
        _interpretation("baishui", [foreign])
    db.session.rollback()
    # A link written behind the rules' back (an old database) is not shown either
    interp = _interpretation("baishui", [county_doc], publish=True, title="青岚县某规范性文件解读")
    with tenant_scope(town):
        db.session.add(InterpretationLink(tenant_id=town.id, interpretation_id=interp, record_id=foreign,
                                          document_ref=f"catalog:record:{foreign}", title="邻县", position=2))
        db.session.commit()
        shown = services.documents_of(town, [interp])[interp]
    assert [d.record_id for d in shown] == [county_doc]
    page = client.get(f"/qinglan/baishui/catalog/records/{interp}").get_data(as_text=True)
    assert "青岚县某规范性文件" in page and "邻县人民政府" not in page
    assert f"/qinglan/baishui/catalog/records/{interp}" in client.get(
        f"/qinglan/catalog/records/{county_doc}").get_data(as_text=True)     # the district's page lists the town's 解读


def test_a_graphic_needs_a_description_for_every_picture(demo, ctx):
    from tests.docx_files import PNG
    from core.attachments import save_upload
    from werkzeug.datastructures import FileStorage
    policy = _policy()
    interp = _interpretation("baishui", [policy], form="graphic", title="一图读懂")
    town = tenant_by_slug("baishui")
    with tenant_scope(town):
        record = db.session.get(Record, interp)
        with pytest.raises(DomainError, match="图解须上传至少一张图片"):
            services.publish(SYSTEM, record, review_confirmed=True)
        db.session.rollback()
        picture = save_upload(FileStorage(stream=io.BytesIO(PNG), filename="流程.png"), uploaded_by=SYSTEM)
        src = f"/qinglan/baishui/files/{picture.token}/%E6%B5%81%E7%A8%8B.png"
        services.update_record(SYSTEM, record, {"attachment_ids": [picture.id], "body": f'<p><img src="{src}" alt=""></p>'})
        db.session.commit()
        with pytest.raises(DomainError, match="“流程.png”缺少文字说明"):
            services.publish(SYSTEM, record, review_confirmed=True)
        db.session.rollback()
        record = db.session.get(Record, interp)
        services.update_record(SYSTEM, record, {"attachment_ids": [picture.id],
                                                "body": f'<p><img src="{src}" alt="办理流程四个步骤"></p>'})
        services.publish(SYSTEM, record, review_confirmed=True)
        assert record.status == "published"
        with pytest.raises(DomainError, match="http"):
            services.update_record(SYSTEM, record, {"interp_url": "javascript:alert(1)"})


def test_policies_are_flagged_until_their_interpretation_is_published(demo, client, auth):
    with demo.app_context():
        policy = _policy(title="白水镇待解读的规范性文件")
        interp = _interpretation("baishui", [policy], title="白水镇待解读的规范性文件解读")
    auth.login("li")
    assert re.search(r"白水镇待解读的规范性文件</a> <span class=\"badge warning\">待解读",
                     client.get("/admin/baishui/catalog/records").get_data(as_text=True))
    auth.logout()
    auth.login("wang")
    supervision = client.get("/admin/qinglan/catalog/supervision").get_data(as_text=True)
    assert f'data-record="{policy}"' in supervision and "尚未发布解读" in supervision
    assert client.get(f"/qinglan/baishui/catalog/records/{interp}").status_code == 404    # the public: drafts never
    assert "白水镇待解读的规范性文件解读" not in client.get(f"/qinglan/baishui/catalog/records/{policy}").get_data(as_text=True)
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
        services.publish(SYSTEM, db.session.get(Record, interp), review_confirmed=True)
        db.session.commit()
    assert f'data-record="{policy}"' not in client.get("/admin/qinglan/catalog/supervision").get_data(as_text=True)
    auth.logout()
    auth.login("li")
    assert "白水镇待解读的规范性文件</a> <span class=\"badge warning\">" not in client.get(
        "/admin/baishui/catalog/records").get_data(as_text=True)
    assert "白水镇待解读的规范性文件解读" in client.get(f"/qinglan/baishui/catalog/records/{policy}").get_data(as_text=True)


def test_a_late_interpretation_is_reported_by_the_setting(demo, app):
    with app.app_context():
        policy = _policy(when=date(2026, 3, 2))                                     # a Monday
        _interpretation("baishui", [policy], publish=True, when=date(2026, 3, 9))   # 5 working days later
        town = tenant_by_slug("baishui")
        finding = next(f for f in services.policy_findings([town]) if f.record_id == policy)
        assert finding.workdays == 5 and finding.late
        assert services.interpretation_ratios([town], 2026)[town.id] < 1
    app.config["CATALOG_INTERPRETATION_LATE_WORKDAYS"] = 5
    try:
        with app.app_context():
            finding = next(f for f in services.policy_findings([tenant_by_slug("baishui")]) if f.record_id == policy)
            assert not finding.late
    finally:
        app.config.pop("CATALOG_INTERPRETATION_LATE_WORKDAYS")


def test_another_units_editor_cannot_change_an_interpretation_or_its_links(demo, client, auth):
    with demo.app_context():
        policy = _policy()
        interp = _interpretation("baishui", [policy])
    auth.login("chen")     # 东坡村's editor
    edit = f"/admin/baishui/catalog/records/{interp}"
    assert client.get(edit).status_code in (403, 404)
    answer = client.post(edit, data={"title": "改", "documents": []})
    assert answer.status_code in (400, 403, 404)
    assert client.get(f"/admin/dongpo/catalog/records/{interp}").status_code == 404
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
        assert [link.record_id for link in services.document_links(db.session.get(Record, interp))] == [policy]


def test_policy_documents_hook_gives_the_county_policies_with_their_interpretations(demo_content):
    from plugins.catalog.plugin import policy_documents
    with demo_content.app_context():
        policy_id, doc_no, interpretations = _demo_policy()
        county = tenant_by_slug("qinglan")
        ids = [county.id, tenant_by_slug("baishui").id]
        docs = {d.ref: d for d in policy_documents(tenant_ids=ids)}
    mine = docs[f"catalog:record:{policy_id}"]
    assert mine.doc_no == doc_no and mine.topic == "义务教育" and mine.doc_type == "policy"
    assert [form for _, _, form in mine.interpretations] == ["图解", "问答"]
    assert not any(d.ref == f"catalog:record:{i}" for i, _, _ in interpretations for d in docs.values())
    normative = [d for d in docs.values() if d.doc_no.startswith("青政规")]
    assert normative and all(d.doc_type == "normative" for d in normative)
    repealed = next(d for d in normative if d.doc_no == "青政规〔2025〕1号")
    assert repealed.validity == "repealed" and repealed.replaced_by and "停车管理办法（修订）" in repealed.replaced_by[0]
    assert any(d.tenant_id == ids[1] for d in docs.values())      # the town's too
