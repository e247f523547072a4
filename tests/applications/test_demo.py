"""The demo county's applications (issue 19, point 9): a year of them in every state and answer type,
whose statistics satisfy the annual report's check 一 + 二 = 三（七）+ 四 (国办公开办函〔2021〕30号)
and match a count made by hand from plugins/applications/demo.py."""
from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import select

from core.db import db
from core.tenants import across_tenants, tenant_by_slug, tenant_scope
from core.workdays import Calendar
from plugins.applications import clock, stats
from plugins.applications.demo import load_demo
from plugins.applications.models import ANSWER_LABELS, Application, STATUS_LABELS
from tests.conftest import at_china

TODAY = date(2026, 6, 15)          # a Monday; the demo year is 2025


def _load(on: date = TODAY) -> list[str]:
    with at_china(on):
        lines = load_demo()
        db.session.commit()
    return lines


def _column(table, key: str, column: str = "total") -> int:
    return table.row(key).counts[column]


def test_the_demo_year_matches_the_hand_count(demo, ctx):
    started = time.perf_counter()
    lines = _load()
    elapsed = time.perf_counter() - started
    assert len(lines) == 4 and lines[0].startswith("依申请公开：青岚县 20 件申请")
    assert elapsed < 2.0, f"the demo took {elapsed:.2f} s"          # about 0.3 s alone; the machine is shared
    with at_china(TODAY):
        county = stats.compute(tenant_by_slug("qinglan"), 2025)
        town = stats.compute(tenant_by_slug("baishui"), 2025)
        liuhe = stats.compute(tenant_by_slug("liuhe"), 2025)
    # 青岚县 by hand: received in 2025 Q3–Q17 (15: 11 citizens, one each of 法律服务机构, 科研机构,
    # 社会公益组织, 其他); carried in from December 2024 Q1 (citizen) and Q2 (商业企业); answered in
    # 2025: Q1–Q16; Q17 (received 22 December) carried to 2026.
    assert [_column(county, k) for k in ("new", "carried_in", "results_total", "carried_out")] == [15, 2, 16, 1]
    assert county.row("new").counts == {"citizen": 11, "commercial": 0, "research": 1, "social": 1, "legal": 1,
                                        "other_org": 1, "total": 15}
    assert county.row("carried_in").counts["commercial"] == 1 and county.row("carried_in").counts["citizen"] == 1
    assert {k: _column(county, k) for k in ANSWER_LABELS} == {
        "disclose": 6, "partial": 2, "withhold": 2, "unable": 2, "not_handled": 2, "other": 2}
    assert county.row("disclose").counts == {"citizen": 3, "commercial": 0, "research": 1, "social": 1, "legal": 0,
                                             "other_org": 1, "total": 6}
    assert county.row("partial").counts["commercial"] == county.row("partial").counts["legal"] == 1
    for key in ("withhold.process_info", "withhold.enforcement_file", "unable.not_held", "unable.needs_making",
                "not_handled.petition", "not_handled.repeated", "other.no_correction", "other.unpaid"):
        assert _column(county, key) == 1, key
    assert _column(county, "withhold.state_secret") == 0
    assert county.appeals["reconsideration"] == {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1}
    assert county.appeals["after_reconsideration"] == {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1}
    assert county.appeals["direct"]["total"] == 0
    assert county.balanced and county.check == (17, 17)
    # 白水镇: four received (3 citizens, 1 商业企业), three answered, one carried to 2026.
    assert [_column(town, k) for k in ("new", "carried_in", "results_total", "carried_out")] == [4, 0, 3, 1]
    assert [_column(town, k) for k in ("disclose", "partial", "unable.not_held")] == [1, 1, 1]
    assert town.appeals["reconsideration"]["corrected"] == 1 and town.balanced
    # 柳河镇: two received and answered (one 不予处理：要求提供公开出版物, from an 其他 organisation).
    assert [_column(liuhe, k) for k in ("new", "results_total", "not_handled.publication")] == [2, 2, 1]
    assert liuhe.row("not_handled.publication").counts["other_org"] == 1 and liuhe.balanced


def test_the_demo_has_every_state_and_answer_and_the_cases_the_issue_names(demo, ctx):
    _load()
    cal = Calendar()
    with across_tenants(None, reason="test"):
        apps = db.session.scalars(select(Application)).all()
        assert {a.status for a in apps} == set(STATUS_LABELS)
        assert {a.answer for a in apps if a.answered_on} == set(ANSWER_LABELS)
        open_ = [a for a in apps if a.is_open]
        assert [clock.urgency(a, TODAY, cal) for a in open_].count("overdue") == 1
        assert sum(1 for a in open_ if a.extended_days) == 1
        assert sum(1 for a in apps if a.status == "correction") == 1
        assert sum(1 for a in apps if a.status == "third_party") == 1
        assert sum(1 for a in apps if a.fee_basis and a.is_open) == 1
        assert sum(1 for a in apps for x in a.appeals if x.kind == "reconsideration") == 2
        # the file of each step carries the day it happened, never a later one
        assert all(e.at.date() <= TODAY for a in apps for e in a.events)
        assert _load() == []                                         # idempotent


@pytest.mark.parametrize("on", [date(2026, 1, 5), date(2026, 2, 26), date(2026, 12, 31)])
def test_the_demo_balances_whatever_the_day_it_is_loaded(demo, ctx, on):
    """Loaded early in January the desk's applications fall in the demo year: still balanced."""
    _load(on)
    with at_china(on):
        for slug in ("qinglan", "baishui", "liuhe", "chengguan"):
            for year in (on.year - 2, on.year - 1, on.year):
                table = stats.compute(tenant_by_slug(slug), year)
                assert table.balanced and not table.anomalies, (slug, year, table.check_text)
        with tenant_scope(tenant_by_slug("qinglan")):
            assert db.session.query(Application).count() == 20
