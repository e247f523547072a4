"""行政复议 and 行政诉讼 against an answer (条例 第五十一条), recorded so that the annual report's
section 四 is computed (国办公开办函〔2021〕30号: 行政复议, 行政诉讼 未经复议直接起诉 / 复议后起诉; each
结果维持, 结果纠正, 其他结果, 尚未审结, 总计)."""
from __future__ import annotations

from datetime import date

import pytest

from core.accounts import SYSTEM
from core.db import db
from core.errors import DomainError
from core.tenants import tenant_by_slug, tenant_scope
from plugins.applications import appeals, services, stats
from plugins.applications.models import Appeal
from tests.applications.fixtures import CITIZEN
from tests.conftest import at_china, post_form


def _answered(received: date, answered: date):
    """An application received and answered (its letter signed on `answered`)."""
    with at_china(received):
        application = services.submit_online(tenant_by_slug("baishui"), {**CITIZEN, "consent": True})
        services.confirm_receipt(SYSTEM, application, received)
        services.set_answer(SYSTEM, application, {"answer": "unable", "answer_reason": "not_held",
                                                  "answer_basis": "《中华人民共和国政府信息公开条例》第三十六条第四项"})
    application.status, application.answered_on = "answered", answered
    return application


@pytest.mark.parametrize("data, message", [
    ({"kind": "appeal", "filed_on": "2026-03-02"}, "行政复议或行政诉讼"),
    ({"kind": "reconsideration"}, "提起日期"),
    ({"kind": "reconsideration", "filed_on": "2026-01-30"}, "不能早于答复日期"),
    ({"kind": "reconsideration", "filed_on": "2026-04-02"}, "不能晚于今天"),
    ({"kind": "reconsideration", "filed_on": "2026-03-02", "result": "won"}, "审理结果"),
    ({"kind": "reconsideration", "filed_on": "2026-03-02", "result": "upheld"}, "审结日期"),
    ({"kind": "reconsideration", "filed_on": "2026-03-02", "result": "upheld", "decided_on": "2026-03-01"}, "审结日期应在"),
    ({"kind": "litigation", "filed_on": "2026-03-02", "after_reconsideration": True}, "请先登记这份申请的行政复议"),
])
def test_an_appeal_is_checked_before_it_is_recorded(demo, ctx, data, message):
    with tenant_scope(tenant_by_slug("baishui")):
        application = _answered(date(2026, 1, 5), date(2026, 2, 2))
        with at_china(date(2026, 4, 1)):
            with pytest.raises(DomainError, match=message):
                appeals.record_appeal(SYSTEM, application, data)
        assert db.session.query(Appeal).count() == 0


def test_only_an_answered_application_can_be_appealed(demo, ctx):
    with at_china(date(2026, 1, 5)), tenant_scope(tenant_by_slug("baishui")):
        application = services.submit_online(tenant_by_slug("baishui"), {**CITIZEN, "consent": True})
        with pytest.raises(DomainError, match="已作出答复"):
            appeals.record_appeal(SYSTEM, application, {"kind": "reconsideration", "filed_on": "2026-01-05"})


def test_section_four_counts_the_year_filed_with_the_result_known_at_its_end(demo, ctx):
    """A reconsideration filed in 2026 and decided in 2027 is 尚未审结 in the 2026 report."""
    tenant = tenant_by_slug("baishui")
    with tenant_scope(tenant):
        first = _answered(date(2026, 1, 5), date(2026, 2, 2))
        second = _answered(date(2026, 3, 2), date(2026, 3, 20))
        with at_china(date(2026, 12, 1)):
            reconsideration = appeals.record_appeal(SYSTEM, first, {"kind": "reconsideration", "filed_on": "2026-02-20"})
            appeals.record_appeal(SYSTEM, first, {"kind": "litigation", "filed_on": "2026-11-02",
                                                  "after_reconsideration": True, "result": "corrected",
                                                  "decided_on": "2026-11-30"})
            appeals.record_appeal(SYSTEM, second, {"kind": "litigation", "filed_on": "2026-04-01", "result": "other",
                                                   "decided_on": "2026-06-01"})
        with at_china(date(2027, 1, 20)):
            appeals.update_appeal(SYSTEM, reconsideration, {"filed_on": "2026-02-20", "result": "upheld",
                                                            "decided_on": "2027-01-15", "kind": "litigation"})
        assert reconsideration.kind == "reconsideration"                # the kind stays
        table = stats.compute(tenant, 2026).appeals
        assert table["reconsideration"] == {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1}
        assert table["after_reconsideration"] == {"upheld": 0, "corrected": 1, "other": 0, "pending": 0, "total": 1}
        assert table["direct"] == {"upheld": 0, "corrected": 0, "other": 1, "pending": 0, "total": 1}
        assert stats.compute(tenant, 2027).appeals["reconsideration"]["total"] == 0


def test_the_office_records_an_appeal_from_its_page(demo, client, auth):
    with client.application.app_context(), tenant_scope(tenant_by_slug("baishui")):
        application_id = _answered(date(2026, 1, 5), date(2026, 2, 2)).id
        db.session.commit()
    with at_china(date(2026, 4, 1)):
        auth.login("li")
        page = f"/admin/baishui/applications/{application_id}/appeals"
        refused = post_form(client, page, {"new-kind": "reconsideration", "new-filed_on": "2026-01-30",
                                           "new-result": "pending"})
        assert "不能早于答复日期" in refused.get_data(as_text=True)
        done = post_form(client, page, {"new-kind": "reconsideration", "new-filed_on": "2026-03-02",
                                        "new-result": "pending", "new-note": "向县人民政府申请复议"},
                         follow_redirects=True)
        assert "行政复议：2026-03-02 提起，尚未审结" in done.get_data(as_text=True)
        with client.application.app_context(), tenant_scope(tenant_by_slug("baishui")):
            appeal_id = db.session.query(Appeal.id).scalar()
        updated = post_form(client, page, {"appeal_id": appeal_id, f"appeal{appeal_id}-filed_on": "2026-03-02",
                                           f"appeal{appeal_id}-result": "corrected",
                                           f"appeal{appeal_id}-decided_on": "2026-03-31"},
                            url=f"{page}/update", follow_redirects=True)
        assert "结果纠正（2026-03-31 审结）" in updated.get_data(as_text=True)
