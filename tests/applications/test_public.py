"""The public's side of 依申请公开: the application form in the national layout (citizen and
organisation), errors by field, the one-time receipt with its 查询码, the status page by code and
the phone's last four digits (masked, never another person's or another town's), the reply letter
for the applicant only, the honeypot, rate limits, villages, and the public API both ways."""
from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.accounts import SYSTEM
from core.clock import china_today
from core.db import db
from core.tenants import across_tenants, tenant_by_slug, tenant_scope
from plugins.applications import services
from plugins.applications.models import Application, ReplyLetter
from tests.applications.fixtures import CITIZEN, make_application
from tests.conftest import csrf_from

TOWN = "/qinglan/baishui/applications"
API = "/api/v1/tenants/baishui/applications"

FORM = {"applicant_kind": "citizen", "name": "张三", "id_type": "id_card", "id_number": "110101199001011234",
        "address": "青岚县白水镇人民路 1 号", "postcode": "530000", "phone": "138 0000 1234",
        "email": "zhangsan@example.com", "description": "2026年白水镇农村危房改造补助资金的发放名单",
        "doc_ref": "", "form": "paper", "delivery": "post", "consent": "y"}
ORGANISATION = {"applicant_kind": "research", "org_name": "青岚县茶叶研究所", "org_code": "12451100MB1234567X",
                "legal_rep": "李四", "contact_name": "王五", "phone": "0123-6669999", "email": "lab@example.org",
                "address": "青岚县科技路 2 号", "postcode": "", "form": "email", "delivery": "email",
                "description": "2025年白水镇茶园病虫害防治项目的验收报告", "consent": "y"}


def _count() -> int:
    with across_tenants(None, reason="test check"):
        return db.session.scalar(select(func.count()).select_from(Application))


def _only() -> Application:
    with across_tenants(None, reason="test check"):
        return db.session.scalars(select(Application)).one()


def post_form(client, data: dict, base: str = TOWN, **kwargs):
    page = client.get(f"{base}/", **kwargs)
    return client.post(f"{base}/", data={"csrf_token": csrf_from(page.get_data(as_text=True)), **data}, **kwargs)


def lookup(client, code: str, last4: str, base: str = TOWN):
    page = client.get(f"{base}/status")
    return client.post(f"{base}/status", data={"csrf_token": csrf_from(page.get_data(as_text=True)),
                                               "code": code, "last4": last4})


def _code_of(html: str) -> str:
    return html.split('class="tracking-code">')[1].split("<")[0]


# --- the form ---------------------------------------------------------------------------------------

def test_a_citizen_applies_on_the_form_and_sees_the_code_once(demo, client):
    page = client.get(f"{TOWN}/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for text in ("政府信息公开申请", "公民", "法人或其他组织：商业企业", "统一社会信用代码", "光盘", "当面领取", "传真",
                 "个人信息处理说明", "5 年", "查找已公开的信息"):
        assert text in html
    assert "<script" not in html.split("<main")[1] and "style=" not in html.split("<main")[1]
    assert 'href="/qinglan/baishui/applications/"' in client.get("/qinglan/baishui/").get_data(as_text=True)

    response = post_form(client, FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/applications/receipt")
    assert client.get("/qinglan/liuhe/applications/receipt").status_code == 302   # not another town's to show
    receipt = client.get(response.headers["Location"])
    text = receipt.get_data(as_text=True)
    code = _code_of(text)
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert "20 个工作日" in text and "第三十三条" in text and "张*" in text and "110101199001011234" not in text
    assert receipt.headers["Cache-Control"] == "no-store"
    again = client.get(f"{TOWN}/receipt")          # the code is shown once, and never by id
    assert again.status_code == 302 and code not in client.get(again.headers["Location"]).get_data(as_text=True)
    with demo.app_context():
        a = _only()
        assert (a.code, a.channel, a.status, a.applicant_kind, a.name) == (code, "online", "awaiting_receipt",
                                                                           "citizen", "张三")
        assert a.phone == "13800001234" and a.consent_at is not None and a.org_code == ""
        assert a.tenant_id == tenant_by_slug("baishui").id
        from core.notify import Notification
        mail = db.session.scalars(select(Notification).where(Notification.kind == "applications.receipt")).one()
        assert mail.channel == "email" and mail.recipient == "zhangsan@example.com" and code in mail.body


def test_an_organisation_applies_with_its_kind_and_credit_code(demo, client):
    response = post_form(client, ORGANISATION)
    assert response.status_code == 302
    with demo.app_context():
        a = _only()
        assert (a.applicant_kind, a.applicant_label, a.name, a.org_code, a.contact_name, a.legal_rep) == (
            "research", "科研机构", "青岚县茶叶研究所", "12451100MB1234567X", "王五", "李四")
        assert (a.id_type, a.id_number, a.form, a.delivery) == ("", "", "email", "email")


@pytest.mark.parametrize("changes, field, message", [
    ({"consent": ""}, "consent", "请阅读并同意个人信息处理说明"),
    ({"name": ""}, "name", "请填写申请人姓名"),
    ({"id_number": ""}, "id_number", "请填写证件号码"),
    ({"id_number": "12345"}, "id_number", "居民身份证号码"),
    ({"phone": ""}, "phone", "请填写联系电话"),
    ({"phone": "打我电话"}, "phone", "请填写正确的手机号码或固定电话"),
    ({"email": "zhangsan", "delivery": "email"}, "email", "请填写正确的电子邮箱"),
    ({"email": "", "delivery": "email"}, "email", "请填写电子邮箱"),
    ({"address": "", "delivery": "post"}, "address", "请填写通信地址"),
    ({"description": "名单"}, "description", "请描述所需政府信息"),
    ({"applicant_kind": "robot"}, "applicant_kind", "请选择申请人类型"),
    ({"form": "fax"}, "form", "请选择所需信息的提供形式"),
])
def test_a_refusal_is_shown_next_to_its_field_and_nothing_typed_is_lost(demo, client, changes, field, message):
    response = post_form(client, {**FORM, **changes})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert error and message in error.group(1), html
    assert f'{field}-error' in re.search(rf'<[^>]*id="{field}"[^>]*>', html).group(0)   # aria-describedby
    assert "2026年白水镇农村危房改造补助资金的发放名单" in html or changes.get("description")
    assert 'value="青岚县白水镇人民路 1 号"' in html or "address" in changes
    with demo.app_context():
        assert _count() == 0


def test_an_organisation_missing_its_name_or_code_is_told_at_its_own_fields(demo, client):
    no_name = post_form(client, {**ORGANISATION, "org_name": ""}).get_data(as_text=True)
    assert re.search(r'id="org_name-error">请填写单位名称', no_name) and 'value="12451100MB1234567X"' in no_name
    no_code = post_form(client, {**ORGANISATION, "org_code": ""}).get_data(as_text=True)
    assert re.search(r'id="org_code-error">请填写统一社会信用代码', no_code)
    with demo.app_context():
        assert _count() == 0


def test_the_honeypot_refuses_robots(demo, client):
    assert post_form(client, {**FORM, "website": "http://spam.example"}).status_code == 400
    api = client.post(f"{API}/", json={**_api_body(), "website": "http://spam.example"})
    assert api.status_code == 400
    with demo.app_context():
        assert _count() == 0


@pytest.mark.needs_plugins("catalog")   # published records come from the catalog, through lookup_documents
def test_the_search_lists_published_records_as_links_and_keeps_what_was_typed(demo, client):
    from plugins.catalog import services as catalog
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
        baishui = tenant_by_slug("baishui")
        record = catalog.create_record(SYSTEM, baishui, {
            "item_id": catalog.leaf_items(baishui)[0].id, "title": "白水镇2026年农村危房改造补助对象名单",
            "doc_no": "白政发〔2026〕7号", "issuing_body": "白水镇人民政府", "written_date": "2026-03-02",
            "body": "<p>名单如下。</p>"})
        catalog.publish(SYSTEM, record, review_confirmed=True)
        db.session.commit()
        url = f"/qinglan/baishui/catalog/records/{record.id}"
    found = post_form(client, {**FORM, "consent": "", "lookup": "危房改造", "find": "1"})
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and "已公开，可直接查看" in html and "白水镇2026年农村危房改造补助对象名单" in html
    assert re.search(r'<a href="[^"]*/records/%d[^"]*">' % record.id, html) or url in html
    assert 'value="110101199001011234"' in html and "2026年白水镇农村危房改造补助资金的发放名单" in html
    assert 'class="error"' not in html                       # a search checks nothing
    by_doc_no = post_form(client, {**FORM, "doc_ref": "〔2026〕7号", "find": "1"}).get_data(as_text=True)
    assert "白水镇2026年农村危房改造补助对象名单" in by_doc_no
    nothing = post_form(client, {**FORM, "lookup": "不存在的文件", "find": "1"}).get_data(as_text=True)
    assert "没有找到已主动公开的相关信息" in nothing
    with demo.app_context():
        assert _count() == 0


# --- the status page --------------------------------------------------------------------------------

def _received_application(**data) -> tuple[int, str]:
    application_id = make_application(received=china_today(), **data)
    with tenant_scope(tenant_by_slug("baishui")):
        return application_id, db.session.get(Application, application_id).code


def test_the_status_page_shows_the_stage_and_due_date_to_the_code_and_digits_only(demo, client):
    with demo.app_context():
        _, code = _received_application(work_unit="白水镇中心小学")
        with tenant_scope(tenant_by_slug("baishui")):
            a = services.find(code)
            due, received = a.due_on.isoformat(), a.received_on.isoformat()
    shown = lookup(client, code.lower().replace("-", " "), "1234")
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    assert "办理中" in html and due in html and received in html and "张*" in html
    for personal in ("张三", "110101199001011234", "13800001234", "1234</", "人民路", "zhangsan@", "白水镇中心小学",
                     "530000"):
        assert personal not in html, personal
    by_get = client.get(f"{TOWN}/status", query_string={"code": code, "last4": "1234"}).get_data(as_text=True)
    assert due in by_get
    generic = "查询码或电话号码后四位不正确"
    for wrong_code, digits in ((code, "4321"), ("AAAA-BBBB-CCCC", "1234"), (code, "")):
        answer = lookup(client, wrong_code, digits).get_data(as_text=True)
        assert due not in answer and "张*" not in answer
        assert generic in answer or "请填写联系电话的后四位数字" in answer


def test_another_town_cannot_see_the_application(demo, client):
    with demo.app_context():
        _, code = _received_application()
    elsewhere = lookup(client, code, "1234", base="/qinglan/liuhe/applications").get_data(as_text=True)
    assert "查询码或电话号码后四位不正确" in elsewhere and "张*" not in elsewhere
    county = lookup(client, code, "1234", base="/qinglan/applications").get_data(as_text=True)
    assert "查询码或电话号码后四位不正确" in county
    api = client.post("/api/v1/tenants/liuhe/applications/status", json={"code": code, "phone_last4": "1234"})
    assert api.status_code == 404


def test_the_status_page_tells_of_a_correction_and_an_extension(demo, client):
    with demo.app_context():
        asked_id, asked = _received_application()
        extended_id, extended = _received_application(phone="0123-6665678")
        with tenant_scope(tenant_by_slug("baishui")):
            services.ask_correction(SYSTEM, db.session.get(Application, asked_id), "请写明所需名单的年份和村别。",
                                    china_today() + timedelta(days=15))
            services.extend(SYSTEM, db.session.get(Application, extended_id), 10, "需要调取多个村的档案。", "赵镇长")
            db.session.commit()
    correction = lookup(client, asked, "1234").get_data(as_text=True)
    assert "待申请人补正" in correction and "请写明所需名单的年份和村别" in correction and "视为放弃申请" in correction
    extension = lookup(client, extended, "5678").get_data(as_text=True)
    assert "延长 10 个工作日" in extension and "需要调取多个村的档案" in extension


def test_the_approved_letter_is_downloaded_by_the_applicant_only(demo, client, app):
    from werkzeug.datastructures import FileStorage
    from core.attachments import save_upload
    with demo.app_context():
        application_id, code = _received_application()
        with tenant_scope(tenant_by_slug("baishui")):
            pdf = save_upload(FileStorage(io.BytesIO(b"%PDF-1.4 reply letter"), filename="答复告知书.pdf"),
                              uploaded_by=SYSTEM)
            db.session.add(ReplyLetter(tenant_id=tenant_by_slug("baishui").id, application_id=application_id,
                                       doc_no="白政依复〔2026〕1号", status="approved", pdf_attachment_id=pdf.id))
            db.session.commit()
    refused = client.get(f"{TOWN}/status/letter")
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/applications/status")
    html = lookup(client, code, "1234").get_data(as_text=True)
    assert "下载答复告知书" in html and "白政依复〔2026〕1号" in html
    letter = client.get(f"{TOWN}/status/letter")
    assert letter.status_code == 200 and letter.data.startswith(b"%PDF")
    assert "no-store" in letter.headers["Cache-Control"] and "attachment" in letter.headers["Content-Disposition"]
    assert client.get(f"{TOWN}/status").get_data(as_text=True).count("下载答复告知书") == 1   # kept for the session
    assert client.get("/qinglan/liuhe/applications/status/letter").status_code == 302   # not in another town
    stranger = app.test_client()
    assert stranger.get(f"{TOWN}/status/letter").status_code == 302
    lookup(client, code, "0000")                      # a failed lookup forgets the proof
    assert client.get(f"{TOWN}/status/letter").status_code == 302


def test_a_draft_letter_is_not_offered(demo, client):
    with demo.app_context():
        application_id, code = _received_application()
        with tenant_scope(tenant_by_slug("baishui")):
            db.session.add(ReplyLetter(tenant_id=tenant_by_slug("baishui").id, application_id=application_id,
                                       status="submitted"))
            db.session.commit()
    assert "下载答复告知书" not in lookup(client, code, "1234").get_data(as_text=True)
    assert client.get(f"{TOWN}/status/letter").status_code == 302


# --- villages, rate limits ----------------------------------------------------------------------------

def test_villages_do_not_receive_applications(demo, client):
    village = "/qinglan/baishui/dongpo"
    assert client.get(f"{village}/applications/").status_code == 404
    assert client.post("/api/v1/tenants/dongpo/applications/", json=_api_body()).status_code == 404
    assert "/applications/" not in client.get(f"{village}/").get_data(as_text=True)
    with demo.app_context():
        assert _count() == 0


def test_submissions_are_rate_limited_and_the_form_and_api_share_one_budget(demo, client):
    demo.config["APPLICATIONS_LIMIT_PER_ADDRESS"] = "3 per minute"
    here = {"environ_base": {"REMOTE_ADDR": "10.0.5.1"}}
    searches = [post_form(client, {**FORM, "lookup": "危房", "find": "1"}, **here).status_code for _ in range(2)]
    assert searches == [200, 200]                         # looking for published records is not applying
    form = [post_form(client, FORM, **here).status_code for _ in range(2)]
    api = [client.post(f"{API}/", json=_api_body(), **here).status_code for _ in range(2)]
    assert form == [302, 302] and api == [201, 429]
    refused = client.post(f"{API}/", json=_api_body(), **here)
    assert refused.get_json() == {"error": "提交过于频繁，请稍后再试。"}
    assert client.post(f"{API}/", json=_api_body(), environ_base={"REMOTE_ADDR": "10.0.5.2"}).status_code == 201
    with demo.app_context():
        assert _count() == 4


def test_status_lookups_are_rate_limited(demo, client):
    demo.config["APPLICATIONS_LIMIT_CODE_LOOKUPS"] = "3 per minute"
    here = {"environ_base": {"REMOTE_ADDR": "10.0.6.1"}}
    answers = [client.post(f"{API}/status", json={"code": "AAAA-BBBB-CCCC", "phone_last4": "1234"}, **here).status_code
               for _ in range(2)]
    answers.append(client.get(f"{TOWN}/status", **here).status_code)
    answers.append(client.get(f"{TOWN}/status", **here).status_code)
    assert answers == [404, 404, 200, 429]


# --- the public API ---------------------------------------------------------------------------------

def _api_body(**changes) -> dict:
    return {**CITIZEN, "consent": True, **changes}


def test_the_api_takes_an_application_and_answers_its_status(demo, client):
    created = client.post(f"{API}/", json=_api_body(doc_ref="白政发〔2026〕7号"))
    assert created.status_code == 201
    receipt = created.get_json()
    assert receipt["status"] == "awaiting_receipt" and receipt["status_label"] == "待确认收到"
    assert receipt["status_url"].endswith("/qinglan/baishui/applications/status")
    code = receipt["code"]
    pending = client.post(f"{API}/status", json={"code": code, "phone_last4": "1234"}).get_json()
    assert pending["due_on"] is None and pending["received_on"] is None and pending["applicant"] == "张*"
    with demo.app_context(), tenant_scope(tenant_by_slug("baishui")):
        a = services.find(code)
        services.confirm_receipt(SYSTEM, a, china_today())
        db.session.commit()
        due = a.due_on.isoformat()
    status = client.post(f"{API}/status", json={"code": code.replace("-", "").lower(), "phone_last4": "1234"})
    body = status.get_json()
    assert status.status_code == 200 and body["due_on"] == due and body["status_label"] == "办理中"
    assert body["received_on"] == china_today().isoformat() and body["letter_available"] is False
    assert "张三" not in status.get_data(as_text=True) and "13800001234" not in status.get_data(as_text=True)
    for wrong in ({"code": code, "phone_last4": "9999"}, {"code": "AAAA-BBBB-CCCC", "phone_last4": "1234"}):
        refused = client.post(f"{API}/status", json=wrong)
        assert refused.status_code == 404 and refused.get_json() == {"error": "查询码或电话号码后四位不正确，请核对后重试。"}
    assert client.post(f"{API}/status", json={"code": code, "phone_last4": "12"}).status_code == 400


def test_the_api_refuses_with_the_forms_rules_and_names_the_field(demo, client):
    no_consent = client.post(f"{API}/", json=_api_body(consent=False))
    assert no_consent.status_code == 400 and no_consent.get_json()["details"][0]["field"] == "consent"
    organisation = client.post(f"{API}/", json=_api_body(applicant_kind="commercial", name="青岚茶业有限公司",
                                                         id_type="", id_number=""))
    assert organisation.status_code == 400 and organisation.get_json()["details"][0]["field"] == "org_code"
    bad_kind = client.post(f"{API}/", json=_api_body(form="fax"))
    assert bad_kind.status_code == 400 and bad_kind.get_json()["details"][0]["field"] == "form"
    no_phone = client.post(f"{API}/", json=_api_body(phone="电话"))
    assert no_phone.status_code == 400 and no_phone.get_json()["details"][0]["field"] == "phone"
    with demo.app_context():
        assert _count() == 0


def test_the_public_endpoints_are_in_the_openapi_document(demo, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    submit = next(v for k, v in paths.items() if k.endswith("/applications/"))
    status = next(v for k, v in paths.items() if k.endswith("/applications/status"))
    assert "post" in submit and "post" in status
    assert "security" not in submit["post"] or submit["post"]["security"] in ([], [{}])
