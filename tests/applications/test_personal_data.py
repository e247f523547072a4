"""Applicants' personal data (PIPL): one rule for who sees it unmasked (privacy.may_see_applicant:
the tenant's own office and its admins), masked for everyone else on the case page, in the office
API and in the archive, every unmasked view in the audit log."""
from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from core.accounts import issue_token, SYSTEM, user_by_username
from core.audit import AuditEntry
from core.db import db
from core.tenants import tenant_by_slug
from plugins.applications.privacy import may_see_applicant
from tests.applications.fixtures import make_application
from tests.conftest import at_china

DAY = date(2026, 11, 10)
FULL = ("张三", "110101199001011234", "13800001234", "zhangsan@example.com", "人民路 1 号")
MASKED = ("张*", "110101********1234", "138****1234", "z***@example.com")


def _views(app, application_id: int | None = None) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "applications.personal_view")
                                     .order_by(AuditEntry.id)).all()
        db.session.expunge_all()
    return [e for e in entries if application_id is None or e.object_id in ("", str(application_id))]


def _token(app, username: str) -> dict:
    with app.app_context():
        _, token = issue_token(user_by_username(username), "office system")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_the_rule_names_the_towns_own_office_and_the_admins(demo, ctx):
    baishui, liuhe, qinglan = (tenant_by_slug(s) for s in ("baishui", "liuhe", "qinglan"))
    district_editor, town_reviewer = user_by_username("zheng"), user_by_username("zhao")
    assert may_see_applicant(user_by_username("li"), baishui)             # the town's own editor: handles it
    assert not may_see_applicant(user_by_username("li"), liuhe)
    assert not may_see_applicant(town_reviewer, baishui)                   # reviews letters, no contact needed
    assert not may_see_applicant(district_editor, baishui)                 # the district reading a town's case
    assert may_see_applicant(district_editor, qinglan)                     # ... handles the district's own
    assert may_see_applicant(user_by_username("wang"), baishui)            # an admin (core's may_see_personal_data)
    assert may_see_applicant(SYSTEM, baishui)


def test_the_case_page_masks_the_applicant_for_all_but_the_office_and_audits_the_office(demo, client, auth):
    with at_china(DAY):
        with demo.app_context():
            application_id = make_application("baishui", received=DAY)
        page = f"/admin/baishui/applications/{application_id}"
        for username in ("zhao", "zheng"):          # the town's reviewer, the district's editor
            auth.login(username)
            html = client.get(page).get_data(as_text=True)
            assert "2026年白水镇农村危房改造补助资金" in html and "已脱敏显示" in html
            for hidden in FULL:
                assert hidden not in html, (username, hidden)
            for shown in MASKED:
                assert shown in html, (username, shown)
            auth.logout()
        assert _views(demo, application_id) == []       # masked views are not personal-data views

        auth.login("li")
        html = client.get(page).get_data(as_text=True)
        for shown in FULL:
            assert shown in html, shown
        assert "已记入审计日志" in html
        views = _views(demo, application_id)
        assert len(views) == 1 and views[0].actor_name == "li" and "办理页面" in views[0].summary


def test_the_office_api_masks_the_applicant_for_a_read_only_token(demo, client):
    with at_china(DAY):
        with demo.app_context():
            application_id = make_application("baishui", received=DAY)
        api = "/api/v1/tenants/baishui/applications/office"
        reviewer = _token(demo, "zhao")
        one = client.get(f"{api}/{application_id}", headers=reviewer).get_json()
        assert one["personal_data_masked"] is True
        assert (one["name"], one["id_number"], one["phone"], one["email"]) == MASKED
        assert one["address"] == "青岚县白水镇****"
        listed = client.get(api, headers=reviewer).get_json()["items"]
        assert [(i["name"], i["personal_data_masked"]) for i in listed] == [("张*", True)]
        assert _views(demo) == []

        office = _token(demo, "li")
        one = client.get(f"{api}/{application_id}", headers=office).get_json()
        assert one["personal_data_masked"] is False and (one["name"], one["phone"]) == ("张三", "13800001234")
        assert client.get(api, headers=office).get_json()["items"][0]["id_number"] == "110101199001011234"
        summaries = [e.summary for e in _views(demo)]
        assert len(summaries) == 2 and "办理接口" in summaries[0] and "1 件申请" in summaries[1]


def test_the_archive_is_masked_for_a_reviewer_and_says_so_in_the_log(demo, client, auth):
    with at_china(DAY):
        with demo.app_context():
            application_id = make_application("baishui", received=DAY)
        auth.login("zhao")
        pdf = client.get(f"/admin/baishui/applications/{application_id}/archive.pdf")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages).replace("\n", "")
        assert "138****1234" in text and "13800001234" not in text and "110101199001011234" not in text
        zipped = client.get(f"/admin/baishui/applications/{application_id}/archive.zip")
        assert zipped.status_code == 200
        with demo.app_context():
            exports = db.session.scalars(select(AuditEntry.summary).where(
                AuditEntry.action == "applications.archive_export")).all()
        assert len(exports) == 2 and all("申请人信息已脱敏" in s for s in exports)

