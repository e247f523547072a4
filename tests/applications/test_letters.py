"""The 答复告知书 (issue 19, point 3): drafted from the answer's template, edited, reviewed and signed
by a second person with a 文号, rendered as a PDF whose Chinese text can be extracted, kept as an
internal attachment; then delivered and closed. The whole office journey runs through the pages."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from core.accounts import grant_role, SYSTEM, user_by_username
from core.db import db
from core.errors import AccessDenied, Conflict
from core.tenants import tenant_by_slug, tenant_scope
from plugins.applications import letters, services
from plugins.applications.models import Application
from tests.applications.fixtures import CITIZEN
from tests.conftest import at_china, post_form

DAY = date(2026, 11, 10)
PAGE = "/admin/baishui/applications/{}"


def _post(client, application_id: int, step: str, data: dict | None = None, **kwargs):
    return post_form(client, PAGE.format(application_id), data or {}, url=PAGE.format(application_id) + f"/{step}",
                     follow_redirects=True, **kwargs)


def _application(app, application_id: int) -> Application:
    with app.app_context(), tenant_scope(tenant_by_slug("baishui")):
        application = db.session.get(Application, application_id)
        letter = letters.current_letter(application)
        pdf = letters.pdf_attachment(letter) if letter else None
        db.session.expunge_all()
        application.pdf = pdf
        application.letter = letter
        return application


def _pdf_text(client, html: str) -> str:
    link = re.search(r'href="([^"]+)">下载答复告知书（PDF', html).group(1)
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).replace("\n", "")


def test_the_whole_office_journey_to_a_signed_delivered_letter(demo, client, auth):
    with demo.app_context():     # li drafts and also reviews: she still may not sign her own letter
        grant_role(SYSTEM, user_by_username("li"), tenant_by_slug("baishui"), "reviewer")
        db.session.commit()
    with at_china(DAY):
        auth.login("li")
        registered = post_form(client, "/admin/baishui/applications/new",
                               {**CITIZEN, "channel": "in_person", "received_on": "2026-11-06"})
        application_id = int(registered.headers["Location"].rsplit("/", 1)[-1])
        _post(client, application_id, "correction", {"correction_note": "请写明所需名单的年份",
                                                     "correction_deadline": "2026-11-20"})
        _post(client, application_id, "corrected", {"corrected_on": DAY.isoformat()})
        _post(client, application_id, "extend", {"days": "10", "reason": "需要汇总各村名单", "approved_by": "王镇长"})
        _post(client, application_id, "answer", {
            "answer": "partial", "answer_reason": "withhold:third_party_rights",
            "answer_basis": "《中华人民共和国政府信息公开条例》第十五条", "answer_explanation": "名单中的身份证号码和家庭住址"})

        drafted = _post(client, application_id, "letter/draft").get_data(as_text=True)
        assert "已按答复类型的模板起草" in drafted
        body = _application(demo, application_id).letter.body
        for expected in ("张三：", "2026年11月6日", "2026年白水镇农村危房改造补助资金的发放名单", "补正后的申请",
                         "延长10个工作日", "保护第三方合法权益", "第三十七条", "名单中的身份证号码和家庭住址",
                         "六十日内向青岚县人民政府申请行政复议", "《中华人民共和国行政复议法》第二十条",
                         "六个月内向青岚县人民法院提起行政诉讼", "《中华人民共和国行政诉讼法》第四十六条"):
            assert expected in body, expected

        # the office edits the text and adds the information provided, then submits it
        edited = body.replace("特此告知。", "联系电话：0123-6662001。\n特此告知。")
        saved = _post(client, application_id, "letter", {
            "body": edited, "then": "submit",
            "files": (io.BytesIO(b"%PDF-1.4 list"), "危房改造补助名单（部分公开）.pdf")},
            content_type="multipart/form-data").get_data(as_text=True)
        assert "已提交审核" in saved and "需由另一位审核人员签发" in saved
        letter = _application(demo, application_id).letter
        assert letter.status == "submitted" and "联系电话：0123-6662001。" in letter.body

        # approving one's own letter: refused, nothing signed
        own = _post(client, application_id, "letter/approve").get_data(as_text=True)
        assert "不能审核自己起草或修改的答复告知书" in own
        application = _application(demo, application_id)
        assert (application.status, application.letter.status, application.letter.doc_no) == ("open", "submitted", "")
        auth.logout()

        # a second person signs it: 文号, PDF (Chinese text extractable), answered today
        auth.login("zhao")
        page = client.get(PAGE.format(application_id)).get_data(as_text=True)
        assert "审核通过并签发" in page
        signed = _post(client, application_id, "letter/approve").get_data(as_text=True)
        assert "已审核签发，文号 白政依复〔2026〕1号" in signed
        application = _application(demo, application_id)
        assert (application.status, application.answered_on) == ("answered", DAY)
        assert application.pdf is not None and not application.pdf.is_public
        text = _pdf_text(client, signed)
        for expected in ("政府信息公开申请答复告知书", "白政依复〔2026〕1号", "张三：", "部分公开", "保护第三方合法权益",
                         "名单中的身份证号码和家庭住址", "青岚县人民政府", "青岚县人民法院", "联系电话：0123-6662001",
                         "危房改造补助名单（部分公开）.pdf", "白水镇政务公开办公室", "2026年11月10日"):
            assert expected in text, expected
        pdf_link = re.search(r'href="([^"]+)">下载答复告知书', signed).group(1)
        auth.logout()

        # the letter is not public
        assert client.get(pdf_link).status_code == 404

        # delivered, then closed
        auth.login("li")
        early = _post(client, application_id, "delivery", {"delivered_by": "post", "delivered_on": "2026-11-09"})
        assert "送达日期应在答复签发之后" in early.get_data(as_text=True)
        _post(client, application_id, "delivery", {"delivered_by": "post", "delivered_on": DAY.isoformat()})
        application = _application(demo, application_id)
        assert (application.status, application.delivered_by, application.delivered_on) == ("delivered", "post", DAY)
        closed = _post(client, application_id, "close").get_data(as_text=True)
        assert "已办结归档" in closed
        assert _application(demo, application_id).status == "closed"
        assert "答复告知书已邮寄送达（2026-11-10）" in closed and "答复告知书审核签发，文号 白政依复〔2026〕1号" in closed


def _answered(tenant, answer: dict, received: date = DAY) -> Application:
    application = services.submit_online(tenant, {**CITIZEN, "consent": True})
    services.confirm_receipt(SYSTEM, application, received)
    services.set_answer(SYSTEM, application, answer)
    return application


@pytest.mark.parametrize("answer, expected", [
    ({"answer": "disclose"}, ("予以公开", "第三十六条第二项", "见附件")),
    ({"answer": "withhold", "answer_reason": "state_secret", "answer_basis": "《中华人民共和国保守国家秘密法》第二十八条",
      "answer_explanation": "全部内容"}, ("属于国家秘密", "不予公开", "保守国家秘密法", "全部内容")),
    ({"answer": "unable", "answer_reason": "not_held", "answer_basis": "《中华人民共和国政府信息公开条例》第三十六条第四项"},
     ("本机关不掌握相关政府信息", "无法提供", "第三十六条第四项")),
    ({"answer": "not_handled", "answer_reason": "publication",
      "answer_basis": "《中华人民共和国政府信息公开条例》第三十九条第二款"}, ("要求提供公开出版物", "不予处理")),
])
def test_a_template_per_answer_type(demo, ctx, answer, expected):
    tenant = tenant_by_slug("baishui")
    with at_china(DAY), tenant_scope(tenant):
        letter = letters.draft(SYSTEM, _answered(tenant, answer))
        for text in expected + ("行政复议", "行政诉讼"):
            assert text in letter.body, text


def test_the_remedies_name_the_bodies_of_the_settings(demo, client, auth):
    auth.login("wang")      # the county's admin manages the town's settings
    saved = post_form(client, "/admin/baishui/applications/settings", {
        "office_name": "白水镇人民政府", "reconsideration_body": "青岚县人民政府（县司法局）", "court": "青岚市铁路运输法院",
        "doc_no_prefix": "白政信复"}, follow_redirects=True).get_data(as_text=True)
    assert "已保存" in saved
    refused = post_form(client, "/admin/baishui/applications/settings", {
        "office_name": "白水镇人民政府", "doc_no_prefix": "白政信复〔2026〕"}).get_data(as_text=True)
    assert "年份和序号由系统自动编排" in refused
    with demo.app_context(), at_china(DAY), tenant_scope(tenant_by_slug("baishui")):
        tenant = tenant_by_slug("baishui")
        application = _answered(tenant, {"answer": "disclose"})
        letter = letters.draft(SYSTEM, application)
        assert "青岚县人民政府（县司法局）申请行政复议" in letter.body and "青岚市铁路运输法院提起行政诉讼" in letter.body
        assert letters.next_doc_no(tenant, 2026) == "白政信复〔2026〕1号"
    # an editor (no TENANT_MANAGE) may not change them
    auth.logout()
    auth.login("li")
    assert client.get("/admin/baishui/applications/settings").status_code == 403


def test_doc_numbers_run_per_tenant_and_year_and_a_letter_is_signed_once(demo, ctx):
    zhao, li = user_by_username("zhao"), user_by_username("li")
    tenant = tenant_by_slug("baishui")
    with at_china(DAY), tenant_scope(tenant):
        numbers = []
        for _ in range(2):
            application = _answered(tenant, {"answer": "disclose"})
            letter = letters.draft(li, application)
            with pytest.raises(Conflict, match="尚未提交审核"):
                letters.approve(zhao, letter)
            letters.submit(li, letter)
            with pytest.raises(AccessDenied, match="没有审核签发的权限"):
                letters.approve(li, letter)
            letters.approve(zhao, letter)
            numbers.append(letter.doc_no)
            with pytest.raises(Conflict, match="已经签发"):
                letters.approve(zhao, letter)
        assert numbers == ["白政依复〔2026〕1号", "白政依复〔2026〕2号"]
        db.session.commit()
    with at_china(date(2026, 11, 12)), tenant_scope(tenant_by_slug("liuhe")):
        assert letters.next_doc_no(tenant_by_slug("liuhe"), 2026) == "柳政依复〔2026〕1号"


# --- the settings row: never written by reading, created race-safe by the first 文号 -----------------

def _settings_rows(tenant) -> int:
    from plugins.applications.models import ApplicationSettings
    return db.session.query(ApplicationSettings).filter(ApplicationSettings.tenant_id == tenant.id).count()


def test_public_pages_and_letters_read_the_default_settings_without_writing_them(demo, client, count_queries):
    with demo.app_context():
        from tests.applications.fixtures import make_application
        make_application("baishui")
    with count_queries() as statements:
        page = client.get("/qinglan/baishui/applications/")
    assert page.status_code == 200 and "白水镇政务公开办公室" in page.get_data(as_text=True)
    assert not [s for s in statements if "application_settings" in s and not s.lstrip().upper().startswith("SELECT")]
    with demo.app_context(), at_china(DAY), tenant_scope(tenant_by_slug("baishui")):
        tenant = tenant_by_slug("baishui")
        row = services.settings_for(tenant)
        assert row.office_name == "白水镇政务公开办公室" and row.court == "" and row.id is None
        assert services.remedy_bodies(tenant) == ("青岚县人民政府", "青岚县人民法院")
        letters.draft(SYSTEM, _answered(tenant, {"answer": "disclose"}))
        db.session.flush()
        assert _settings_rows(tenant) == 0
        # the admin's first save stores the row
        assert services.update_settings(SYSTEM, tenant, {"office_name": "白水镇人民政府办公室"}) is True
        db.session.flush()
        assert _settings_rows(tenant) == 1 and services.settings_for(tenant).office_name == "白水镇人民政府办公室"


def test_the_first_doc_number_creates_the_settings_row_once(demo, ctx):
    tenant = tenant_by_slug("baishui")
    with at_china(DAY), tenant_scope(tenant):
        assert _settings_rows(tenant) == 0
        assert letters.next_doc_no(tenant, 2026) == "白政依复〔2026〕1号"
        assert _settings_rows(tenant) == 1
        assert letters.next_doc_no(tenant, 2026) == "白政依复〔2026〕1号"    # nothing signed yet
        assert _settings_rows(tenant) == 1


def test_two_first_approvals_at_once_do_not_fail_on_the_settings_row(demo, ctx, monkeypatch):
    """Another approval stored the row between this one's look (none yet) and its insert: the
    insert does nothing, the transaction goes on with the other's row, locked."""
    tenant = tenant_by_slug("baishui")
    with at_china(DAY), tenant_scope(tenant):
        services.update_settings(SYSTEM, tenant, {"office_name": "白水镇人民政府", "doc_no_prefix": "白政信复"})
        db.session.commit()                                     # "the other transaction", committed
        application = _answered(tenant, {"answer": "disclose"})
        real, missed = letters._settings_row, []

        def first_look_misses(t, *, lock):
            if not missed:
                missed.append(True)
                return None
            return real(t, lock=lock)
        monkeypatch.setattr(letters, "_settings_row", first_look_misses)
        letter = letters.draft(user_by_username("li"), application)
        letters.submit(user_by_username("li"), letter)
        letters.approve(user_by_username("zhao"), letter)
        assert missed and letter.doc_no == "白政信复〔2026〕1号"
        db.session.commit()
        assert _settings_rows(tenant) == 1
