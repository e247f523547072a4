"""A closed application's whole file as one PDF (text extractable, in Chinese) and as a zip
(issue 19, point 7)."""
from __future__ import annotations

import io
import zipfile
from datetime import date

from pypdf import PdfReader

from core.accounts import SYSTEM
from core.tenants import tenant_by_slug, tenant_scope
from plugins.applications import services
from plugins.applications.archive import archive_pdf, archive_zip
from tests.applications.fixtures import CITIZEN
from tests.conftest import at_china


def test_the_archive_holds_the_request_every_step_and_the_answer(demo, ctx):
    with tenant_scope(tenant_by_slug("baishui")), at_china(date(2026, 11, 2)):
        application = services.submit_online(tenant_by_slug("baishui"), {**CITIZEN, "consent": True})
        services.confirm_receipt(SYSTEM, application, date(2026, 11, 2))
        services.extend(SYSTEM, application, 10, "需要调取档案", "王主任")
        services.set_answer(SYSTEM, application, {"answer": "partial", "answer_reason": "third_party_rights",
                                                  "answer_basis": "《中华人民共和国政府信息公开条例》第十五条",
                                                  "answer_explanation": "名单中的身份证号码和住址不予公开"})
        text = _text(archive_pdf(application, True))
        for expected in (application.code, "张三", "110101199001011234", "13800001234", "2026年白水镇农村危房改造补助资金的发放名单",
                         "2026-11-02", "部分公开", "保护第三方合法权益", "第十五条", "身份证号码和住址不予公开", "王主任同意"):
            assert expected in text, expected
        masked = _text(archive_pdf(application, False))
        for hidden in ("张三", "110101199001011234", "13800001234", "zhangsan@example.com", "人民路"):
            assert hidden not in masked, hidden
        for expected in ("张*", "110101********1234", "138****1234", "z***@example.com", application.code):
            assert expected in masked, expected
        names = zipfile.ZipFile(io.BytesIO(archive_zip(application, True))).namelist()
        assert names == [f"{application.code}-档案.pdf"]


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


def test_the_office_exports_the_archive_and_no_one_else_can(demo, client, auth, runner):
    from tests.applications.fixtures import make_application
    with demo.app_context():
        application_id = make_application("baishui", received=None)
    auth.login("li")
    pdf = client.get(f"/admin/baishui/applications/{application_id}/archive.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in pdf.headers["Content-Disposition"]
    archive = client.get(f"/admin/baishui/applications/{application_id}/archive.zip")
    assert archive.status_code == 200 and zipfile.ZipFile(io.BytesIO(archive.data)).namelist()[0].endswith("-档案.pdf")
    auth.logout()
    runner.invoke(args=["users", "create", "liu", "--password", "liuhe-password"])
    runner.invoke(args=["users", "grant", "liu", "editor", "liuhe"])
    auth.login("liu", "liuhe-password")
    for path in (f"/admin/baishui/applications/{application_id}/archive.pdf",
                 f"/admin/liuhe/applications/{application_id}/archive.zip"):
        assert client.get(path).status_code == 404, path
    auth.logout()
    assert client.get(f"/admin/baishui/applications/{application_id}/archive.pdf").status_code in (302, 401)
