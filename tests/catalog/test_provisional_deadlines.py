"""Deadlines that fall in a year whose holidays are not entered yet are counted with weekends only
and marked 暂按周末计算 in the supervision (issue 15; the calendar's coverage itself is core's:
tests/core/test_calendar_coverage.py)."""
from __future__ import annotations

from datetime import date

from core.db import db
from core.workdays import Calendar, parse_arrangement
from tests.conftest import at_china
from tests.core.test_calendar_coverage import ARRANGEMENT, NEXT


def test_deadlines_in_a_year_without_holidays_are_marked_provisional(demo, client, auth):
    from tests.catalog.fixtures import make_record
    page = "/admin/baishui/catalog/supervision/baishui"
    with at_china(date(NEXT, 1, 20)):
        with demo.app_context():   # due on the 20th working day after it: in January, weekends only
            make_record("baishui", "法律援助", "年底形成的信息", publish=False, written=date(NEXT - 1, 12, 28))
        auth.login("li")
        html = client.get(page).get_data(as_text=True)
        row = next(r for r in html.split("<tr>") if "<td>法律援助</td>" in r)
        assert "即将到期" in row and "（暂按周末计算）" in row
        assert "部分时限所在年份的法定节假日和调休安排尚未录入" in html
        with demo.app_context():
            from core.accounts import SYSTEM
            from core.workdays import set_year
            set_year(NEXT, parse_arrangement(NEXT, ARRANGEMENT), actor=SYSTEM)
            db.session.commit()
        assert "暂按周末计算" not in client.get(page).get_data(as_text=True)


def test_each_deadline_counted_with_weekends_only_carries_the_flag_and_the_mark(ctx):
    from types import SimpleNamespace

    from plugins.catalog.models import CatalogItem
    from plugins.catalog.supervision import PROVISIONAL_MARK, evaluate_item

    def draft(written):
        return SimpleNamespace(id=1, title="草稿", status="draft", validity="valid", validity_date=None,
                               written_date=written, published_at=None, expiry_date=None)

    monthly = CatalogItem(name="财务", rule={"kind": "monthly", "due_workdays": 10}, levels=["村级"], domain_code="05")
    after_change = CatalogItem(name="指南", rule={"kind": "after_change", "days": 20}, levels=["乡级"], domain_code="05")
    cal = Calendar()
    known = evaluate_item(monthly, [], date(NEXT - 1, 11, 20), cal)
    unknown = evaluate_item(monthly, [], date(NEXT, 1, 20), cal)
    assert known.state == unknown.state == "overdue" and not known.provisional and unknown.provisional
    late = evaluate_item(after_change, [draft(date(NEXT - 1, 12, 10))], date(NEXT, 2, 1), cal)
    assert late.provisional and PROVISIONAL_MARK in late.findings[0].text       # due in January
    early = evaluate_item(after_change, [draft(date(NEXT - 1, 11, 1))], date(NEXT, 2, 1), cal)
    assert not early.provisional and PROVISIONAL_MARK not in early.findings[0].text   # due in November
    cal = Calendar(entered_years={NEXT})
    assert not evaluate_item(monthly, [], date(NEXT, 1, 20), cal).provisional
