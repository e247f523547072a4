"""The demo county's reports: last year's published for the county and each town, this year's drafts;
`cms demo` run twice adds nothing."""
from __future__ import annotations

from sqlalchemy import select

from core.clock import china_today
from core.db import db
from core.tenants import across_tenants
from plugins.disclosure.demo import load_demo
from plugins.disclosure.models import AnnualReport, GuideVersion


def test_the_demo_has_published_reports_for_last_year_and_drafts_for_this_year(demo_content, ctx):
    year = china_today().year
    with across_tenants(None, reason="test"):
        reports = db.session.scalars(select(AnnualReport)).all()
        by_unit = {(r.tenant.slug, r.year): r.status for r in reports}
        assert db.session.scalar(select(db.func.count()).select_from(GuideVersion)) == 4
    for slug in ("qinglan", "chengguan", "baishui", "liuhe"):
        assert by_unit[(slug, year - 1)] == "published", slug
        assert by_unit[(slug, year)] == "draft", slug
    assert load_demo() == []                                       # idempotent


def test_the_demo_reports_are_published_on_time_and_balance(demo_content, ctx, client):
    from plugins.disclosure import services
    with across_tenants(None, reason="test"):
        for report in db.session.scalars(select(AnnualReport).where(AnnualReport.status == "published")):
            assert report.published_on <= services.due_on(report.tenant, report.year)
            assert services.check(report)[0]
    listing = client.get("/qinglan/disclosure/reports/").get_data(as_text=True)
    assert f"青岚县{china_today().year - 1}年政府信息公开工作年度报告" in listing


def test_the_published_2025_reports_print_the_catalogs_hand_counted_section_two(demo_content, ctx, client):
    """Section 二 第（一）项 of the demo's published 2025 reports is the catalog's count of its records
    (counted by hand in tests/catalog/test_statutory.py), on the page as in the stored report."""
    import re

    from core.accounts import SYSTEM
    from core.tenants import tenant_by_slug, tenant_scope
    from plugins.disclosure import services
    expected = {"qinglan": (3, 1, 3), "baishui": (2, 1, 1)}
    for slug in expected:     # the demo publishes last year's: on a day outside 2026, 2025's is made here
        tenant = tenant_by_slug(slug)
        with tenant_scope(tenant):
            if services.latest(tenant, 2025) is None:
                report = services.generate(SYSTEM, tenant, 2025)
                services.review(SYSTEM, report)
                services.publish(SYSTEM, report)
                db.session.commit()
    with across_tenants(None, reason="test"):
        reports = {r.tenant.slug: (r.id, r.tenant.url_path, r.proactive) for r in db.session.scalars(
            select(AnnualReport).where(AnnualReport.year == 2025, AnnualReport.status == "published"))}
    for slug, (issued, repealed, in_force) in expected.items():
        report_id, path, proactive = reports[slug]
        assert proactive["normative"] == {"issued": issued, "repealed": repealed, "in_force": in_force}
        assert proactive["rules"] == {"issued": 0, "repealed": 0, "in_force": 0}
        html = client.get(f"/{path}/disclosure/reports/{report_id}").get_data(as_text=True)
        row = re.search(r"<tr[^>]*>\s*<th[^>]*>行政规范性文件</th>(.*?)</tr>", html, re.S).group(1)
        assert re.findall(r"<td[^>]*>\s*(\d+)\s*</td>", row) == [str(issued), str(repealed), str(in_force)]
