"""The statutory clock of 依申请公开 and the closed list of answers (政府信息公开条例, 2019), each rule
with its article; counted on the working-day calendar (holidays and make-up working days) from
China's date, the start day not counted (民法典 第二百零一条)."""
from __future__ import annotations

from datetime import date

import pytest

from core.accounts import SYSTEM
from core.db import db
from core.errors import Conflict, DomainError
from core.tenants import tenant_by_slug, tenant_scope
from core.workdays import Calendar, set_override
from plugins.applications import clock, services
from plugins.applications.models import Application
from tests.applications.fixtures import CITIZEN
from tests.conftest import at_china

# The 2027 Spring Festival as the test assumes it (the State Council's notice for 2027 is entered by
# a superadmin each December; the package has no 2027): 2月6日（除夕）至12日放假，2月20日（星期六）上班.
SPRING_FESTIVAL_2027 = {date(2027, 2, d): False for d in (8, 9, 10, 11, 12)} | {date(2027, 2, 20): True}


def _spring_festival():
    for day, workday in SPRING_FESTIVAL_2027.items():
        set_override(day, workday, "春节（测试假定的安排）" if not workday else "春节调休上班")


def _received(on: date, tenant_slug: str = "baishui") -> Application:
    tenant = tenant_by_slug(tenant_slug)
    application = services.submit_online(tenant, {**CITIZEN, "consent": True})
    services.confirm_receipt(SYSTEM, application, on)
    return application


@pytest.mark.parametrize("received, due", [
    # 第三十三条第二款: 20 working days after receipt; the Spring Festival week does not count, the
    # make-up Saturday 2月20日 does.
    (date(2027, 1, 29), date(2027, 3, 4)),
    # received on a Friday before an ordinary weekend: the 20th working day is four weeks on
    (date(2026, 11, 6), date(2026, 12, 4)),
])
def test_the_answer_is_due_20_working_days_after_receipt(demo, ctx, received, due):
    _spring_festival()
    with at_china(received), tenant_scope(tenant_by_slug("baishui")):
        application = _received(received)
        assert application.due_on == due
        assert clock.workdays_left(application, received, Calendar()) == 20


def test_an_online_application_waits_for_the_office_to_confirm_receipt(demo, ctx):
    """第三十一条第三项: online, received the day both sides confirm; no due date until then."""
    with at_china(date(2026, 11, 2)), tenant_scope(tenant_by_slug("baishui")):
        application = services.submit_online(tenant_by_slug("baishui"), {**CITIZEN, "consent": True})
        assert (application.status, application.received_on, application.due_on) == ("awaiting_receipt", None, None)
        with pytest.raises(DomainError, match="不能晚于今天"):
            services.confirm_receipt(SYSTEM, application, date(2026, 11, 3))
        services.confirm_receipt(SYSTEM, application, date(2026, 11, 2))
        assert application.due_on == date(2026, 11, 30)


def test_one_extension_of_at_most_20_working_days(demo, ctx):
    """第三十三条第二款: one extension, at most 20 working days, approved and with a reason."""
    with at_china(date(2026, 11, 2)), tenant_scope(tenant_by_slug("baishui")):
        application = _received(date(2026, 11, 2))
        with pytest.raises(DomainError, match="最长不得超过 20 个工作日"):
            services.extend(SYSTEM, application, 21, "涉及多个部门", "王主任")
        with pytest.raises(DomainError, match="理由"):
            services.extend(SYSTEM, application, 10, "", "王主任")
        with pytest.raises(DomainError, match="负责人"):
            services.extend(SYSTEM, application, 10, "涉及多个部门", " ")
        assert (application.extended_days, application.due_on) == (0, date(2026, 11, 30))   # nothing saved
        services.extend(SYSTEM, application, 20, "涉及多个部门，需要汇总", "王主任")
        assert application.due_on == date(2026, 12, 28)
        with pytest.raises(Conflict, match="只能延长一次"):
            services.extend(SYSTEM, application, 1, "再延一天", "王主任")
        assert application.due_on == date(2026, 12, 28)


def test_a_correction_once_within_7_working_days_restarts_the_clock(demo, ctx):
    """第三十条: asked once, within 7 working days of receipt; the period runs from the corrected
    application's arrival; not corrected in time: treated as withdrawn (其他处理)."""
    tenant = tenant_by_slug("baishui")
    with tenant_scope(tenant):
        with at_china(date(2026, 11, 2)):
            application = _received(date(2026, 11, 2))
        with at_china(date(2026, 11, 12)):        # the 8th working day after receipt
            with pytest.raises(DomainError, match="7 个工作日"):
                services.ask_correction(SYSTEM, application, "请写明文件名称", date(2026, 11, 30))
        with at_china(date(2026, 11, 11)):        # the 7th
            services.ask_correction(SYSTEM, application, "请写明所需文件的名称或文号", date(2026, 11, 25))
            assert application.status == "correction"
            assert clock.urgency(application, date(2026, 11, 11), Calendar()) == "paused"
        with at_china(date(2026, 11, 20)):
            services.receive_correction(SYSTEM, application, date(2026, 11, 20))
            assert application.due_on == date(2026, 12, 18)       # 20 working days from 11月20日
            with pytest.raises(Conflict, match="只能要求一次"):
                services.ask_correction(SYSTEM, application, "再补正", date(2026, 12, 1))
        other = None
        with at_china(date(2026, 11, 2)):
            other = _received(date(2026, 11, 2))
            services.ask_correction(SYSTEM, other, "请写明所需文件的名称", date(2026, 11, 9))
            with pytest.raises(DomainError, match="还没有过"):
                services.lapse_uncorrected(SYSTEM, other)
        with at_china(date(2026, 11, 10)):
            services.lapse_uncorrected(SYSTEM, other)
            assert (other.status, other.answer, other.answer_reason) == ("closed", "other", "no_correction")


def test_the_days_a_third_party_takes_do_not_count(demo, ctx):
    """第三十二条, 第三十三条第三款: up to 15 working days waiting for a third party, not counted."""
    with tenant_scope(tenant_by_slug("baishui")):
        with at_china(date(2026, 11, 2)):
            application = _received(date(2026, 11, 2))
        with at_china(date(2026, 11, 5)):
            services.start_third_party(SYSTEM, application, date(2026, 11, 5))
        with at_china(date(2026, 11, 12)):
            services.end_third_party(SYSTEM, application, date(2026, 11, 12))
        assert application.paused_days == 5
        assert application.due_on == date(2026, 12, 7)         # 11月30日 + 5 working days
        assert clock.third_party_days(date(2026, 11, 5), date(2026, 12, 31), Calendar()) == 15


@pytest.mark.parametrize("data, message", [
    ({"answer": "ignore"}, "规定的答复类型"),
    ({"answer": "withhold", "answer_reason": "", "answer_basis": "第十四条", "answer_explanation": "全部"}, "具体理由"),
    ({"answer": "withhold", "answer_reason": "not_held", "answer_basis": "第十四条", "answer_explanation": "全部"},
     "具体理由"),                                                     # a reason of another type
    ({"answer": "withhold", "answer_reason": "state_secret", "answer_basis": " ", "answer_explanation": "全部"},
     "法律依据"),
    ({"answer": "partial", "answer_reason": "third_party_rights", "answer_basis": "第十五条",
      "answer_explanation": ""}, "不予公开的内容"),
    ({"answer": "unable", "answer_reason": "not_held", "answer_basis": ""}, "法律依据"),
])
def test_an_answer_outside_the_closed_list_or_without_reason_and_basis_is_refused(demo, ctx, data, message):
    """第三十六条, with the annual report's categories (国办公开办函〔2021〕30号) as the closed list."""
    with at_china(date(2026, 11, 2)), tenant_scope(tenant_by_slug("baishui")):
        application = _received(date(2026, 11, 2))
        with pytest.raises(DomainError, match=message):
            services.set_answer(SYSTEM, application, data)
        assert application.answer == ""
        services.set_answer(SYSTEM, application, {"answer": "disclose"})
        assert application.answer_label == "予以公开"


def test_villages_do_not_receive_applications(demo, ctx):
    village = tenant_by_slug("dongpo")
    with tenant_scope(village), pytest.raises(DomainError, match="请向所在乡镇人民政府提出"):
        services.submit_online(village, {**CITIZEN, "consent": True})
    assert db.session.query(Application).count() == 0


def test_the_applicant_is_told_of_receipt_correction_and_extension(demo, ctx):
    """第三十条 (补正 一次性告知), 第三十三条 (延长 应当告知申请人): by e-mail when given, else by SMS."""
    from core.notify import Notification
    tenant = tenant_by_slug("baishui")
    with tenant_scope(tenant), at_china(date(2026, 11, 2)):
        application = _received(date(2026, 11, 2))
        services.ask_correction(SYSTEM, application, "请写明所需文件的名称", date(2026, 11, 16))
        services.receive_correction(SYSTEM, application, date(2026, 11, 2))
        services.extend(SYSTEM, application, 5, "需要调取档案", "王主任")
        sent = db.session.scalars(db.select(Notification).where(Notification.recipient == CITIZEN["email"])
                                  .order_by(Notification.id)).all()
        assert [n.kind for n in sent] == ["applications.received", "applications.correction", "applications.extended"]
        assert all(n.channel == "email" and application.code in n.body for n in sent)
        assert "张三" not in " ".join(n.body for n in sent)
        no_mail = services.submit_online(tenant, {**CITIZEN, "email": "", "delivery": "post", "consent": True})
        services.confirm_receipt(SYSTEM, no_mail, date(2026, 11, 2))
        assert db.session.scalars(db.select(Notification).where(Notification.recipient == CITIZEN["phone"])).one().channel == "sms"
