"""信息处理费 (国办函〔2020〕109号《政府信息公开信息处理费管理办法》): by count per applicant and
calendar month or by pages, never both for one application; the fee notice, payment, waiver, and
the lapse of an application left unpaid (counted as 其他处理 / 逾期未缴费)."""
from __future__ import annotations

from datetime import date

import pytest

from core.accounts import SYSTEM
from core.errors import Conflict, DomainError
from core.tenants import tenant_by_slug, tenant_scope
from plugins.applications import fees, services, stats
from tests.applications.fixtures import CITIZEN
from tests.conftest import at_china, post_form


@pytest.mark.parametrize("ordinal, yuan", [
    (1, 0), (10, 0),            # up to 10 a month: free
    (11, 100), (30, 100),       # the 11th to the 30th: 100元 each
    (31, 200), (40, 200),       # then bands of 10, each 100元 dearer per application
    (41, 300), (50, 300), (51, 400),
])
def test_by_count_per_applicant_and_month(ordinal, yuan):
    """国办函〔2020〕109号, 按件计收."""
    assert fees.count_fee(ordinal) == yuan


@pytest.mark.parametrize("pages, yuan", [
    (30, 0), (31, 10),                          # up to 30 pages free
    (100, 70 * 10), (101, 700 + 20),            # 31–100: 10元 a page; 101–200: 20元 a page
    (200, 700 + 100 * 20), (201, 2700 + 40),    # over 200: 40元 a page
])
def test_by_pages(pages, yuan):
    """国办函〔2020〕109号, 按量计收: each band charged for its own pages only."""
    assert fees.pages_fee(pages) == yuan


def _received(on: date, **data):
    application = services.submit_online(tenant_by_slug("baishui"), {**CITIZEN, "consent": True, **data})
    services.confirm_receipt(SYSTEM, application, on)
    return application


def test_the_count_is_per_applicant_and_calendar_month(demo, ctx):
    def on(day: date, **data):
        with at_china(day):
            return _received(day, **data)

    with tenant_scope(tenant_by_slug("baishui")):
        last_month = on(date(2026, 10, 30))
        ours = [on(date(2026, 11, d)) for d in (2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16)]
        other = on(date(2026, 11, 17), name="李四", id_number="110101198001011234")
    with at_china(date(2026, 11, 30)), tenant_scope(tenant_by_slug("baishui")):
        assert [fees.monthly_ordinal(a) for a in (last_month, ours[0], ours[9], ours[10], other)] == [1, 1, 10, 11, 1]
        assert fees.quote(ours[9], "count") == 0 and fees.quote(ours[10], "count") == 100
        with pytest.raises(DomainError, match="不收取信息处理费"):
            fees.notify_fee(SYSTEM, ours[9], "count")
        assert fees.notify_fee(SYSTEM, ours[10], "count") == 100
        assert ours[10].fee_due_on == date(2026, 12, 28)                 # 20 working days to pay
        with pytest.raises(Conflict, match="不得同时按件和按量"):
            fees.notify_fee(SYSTEM, ours[10], "pages", 150)
        assert (ours[10].fee_basis, ours[10].fee_yuan) == ("count", 100)


def test_payment_and_the_days_it_took_do_not_count(demo, ctx):
    tenant = tenant_by_slug("baishui")
    with tenant_scope(tenant):
        with at_china(date(2026, 11, 2)):
            application = _received(date(2026, 11, 2))
            assert application.due_on == date(2026, 11, 30)
            with pytest.raises(DomainError, match="页数"):
                fees.notify_fee(SYSTEM, application, "pages", None)
            assert fees.notify_fee(SYSTEM, application, "pages", 150) == 700 + 50 * 20
        with at_china(date(2026, 11, 9)):
            with pytest.raises(DomainError, match="不能晚于今天"):
                fees.record_payment(SYSTEM, application, date(2026, 11, 10))
            fees.record_payment(SYSTEM, application, date(2026, 11, 9))
            assert application.fee_paid_on == date(2026, 11, 9)
            assert application.due_on == date(2026, 12, 7)               # + the 5 working days of the notice
            with pytest.raises(Conflict, match="已经缴纳或减免"):
                fees.waive(SYSTEM, application, "经济困难")


def test_a_waiver_needs_its_reason(demo, ctx):
    with at_china(date(2026, 11, 2)), tenant_scope(tenant_by_slug("baishui")):
        application = _received(date(2026, 11, 2))
        fees.notify_fee(SYSTEM, application, "pages", 40)
        with pytest.raises(DomainError, match="减免信息处理费的理由"):
            fees.waive(SYSTEM, application, " ")
        assert not application.fee_waived
        fees.waive(SYSTEM, application, "申请人为最低生活保障对象")
        assert application.fee_waived and application.fee_waiver_reason == "申请人为最低生活保障对象"


def test_unpaid_by_the_deadline_the_application_lapses_as_other_unpaid(demo, ctx):
    """Unpaid by the deadline: 其他处理 / 申请人逾期未按收费通知要求缴纳费用 (国办公开办函〔2021〕30号)."""
    tenant = tenant_by_slug("baishui")
    with tenant_scope(tenant):
        with at_china(date(2026, 11, 2)):
            application = _received(date(2026, 11, 2))
            fees.notify_fee(SYSTEM, application, "pages", 31, date(2026, 11, 20))
        with at_china(date(2026, 11, 20)):
            with pytest.raises(DomainError, match="还没有过"):
                fees.lapse_unpaid(SYSTEM, application)
            assert fees.unpaid_past_deadline() == []
        with at_china(date(2026, 11, 23)):
            assert fees.unpaid_past_deadline() == [application]
            with pytest.raises(DomainError, match="晚于缴费期限"):
                fees.record_payment(SYSTEM, application, date(2026, 11, 23))
            fees.lapse_unpaid(SYSTEM, application)
            assert (application.status, application.answer, application.answer_reason) == ("closed", "other", "unpaid")
            assert application.closed_on == date(2026, 11, 23)
            table = stats.compute(tenant, 2026)
            assert table.row("other.unpaid").counts["citizen"] == 1 and table.balanced


def test_the_office_sends_the_fee_notice_from_its_page(demo, client, auth):
    with client.application.app_context():
        with at_china(date(2026, 11, 2)), tenant_scope(tenant_by_slug("baishui")):
            application_id = _received(date(2026, 11, 2)).id
            from core.db import db
            db.session.commit()
    with at_china(date(2026, 11, 3)):
        auth.login("li")
        page = f"/admin/baishui/applications/{application_id}/fees"
        refused = post_form(client, page, {"notice-basis": "count"}, url=f"{page}/notice")
        assert refused.status_code == 200 and "不收取信息处理费" in refused.get_data(as_text=True)
        done = post_form(client, page, {"notice-basis": "pages", "notice-pages": "101"}, url=f"{page}/notice",
                         follow_redirects=True)
        body = done.get_data(as_text=True)
        assert "已发出收费通知" in body and "720 元" in body
