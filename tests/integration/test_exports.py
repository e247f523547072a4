"""Every CSV and spreadsheet the product serves (issue 17): each field that people type and that an
export writes carries the formula variants, and no cell of any export starts a formula. A new
export route fails the first test until it is walked here."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from core.accounts import SYSTEM
from core.db import db
from core.tenants import Tenant, across_tenants, tenant_by_slug, tenant_scope
from tests.conftest import Auth
from tests.core.test_exports import FORMULAS, assert_inert, cells_of_csv, cells_of_xlsx

REQUIRES_PLUGINS = ("catalog", "open_day", "opinions")

COMMENTS = [f"{p} 以上是我的意见。" for p in FORMULAS]      # a comment has at least 5 characters
EXPORTS = {"catalog_admin.supervision_csv", "catalog_admin.supervision_xlsx", "catalog_admin.assessment_xlsx",
           "applications_admin.stats_xlsx", "disclosure.report_xlsx", "disclosure_admin.overview_xlsx",
           "catalog_admin.export_catalog", "open_day_admin.export",
           "opinions_admin.export_csv", "opinions_admin.export_xlsx", "opinions.feedback_csv"}


def test_every_export_route_is_walked(app):
    routes = {r.endpoint for r in app.url_map.iter_rules() if re.search(r"\.(csv|xlsx)$", r.rule)}
    assert routes == EXPORTS


def test_no_cell_of_any_export_starts_a_formula(demo, client):
    from plugins.catalog.models import CatalogItem
    from plugins.opinions import services as opinions
    from plugins.opinions.models import Consultation
    from tests.open_day.fixtures import make_event, register
    from tests.opinions.fixtures import comment, make_consultation
    with demo.app_context():
        town = tenant_by_slug("baishui")
        # Unit names (typed by the district's admin) for the supervision report
        with across_tenants(None, reason="test"):
            towns = db.session.scalars(select(Tenant.id).where(Tenant.parent_id == tenant_by_slug("qinglan").id)
                                       .order_by(Tenant.id)).all()
        assert len(towns) >= 2
        # Item names (typed by editors) for the catalog spreadsheet
        with tenant_scope(town):
            items = db.session.scalars(select(CatalogItem).where(CatalogItem.parent_id.is_not(None))
                                       .order_by(CatalogItem.id).limit(len(FORMULAS))).all()
            for item, payload in zip(items, FORMULAS):
                item.name = payload
        db.session.commit()
        event_id = make_event("baishui", places=20)
        for n, payload in enumerate(FORMULAS):
            register("baishui", event_id, n, name=payload[:30])          # names are at most 30 characters
        cid = make_consultation("baishui", moderation="immediate")
        codes = [comment("baishui", cid, content=payload, author_name="张三") for payload in COMMENTS]
        with tenant_scope(town):
            c = db.session.get(Consultation, cid)
            for code in codes:
                opinions.set_disposition(SYSTEM, opinions.comment_by_code(code), "adopted", "采纳。")
            c.ends_on = c.starts_on + timedelta(days=1)
            opinions.publish_feedback(SYSTEM, c)
            db.session.commit()
    Auth(client).login("wang")                   # the county's admin names a town
    for town_id, payload in zip(towns, FORMULAS[:2]):
        with demo.app_context():
            t = db.session.get(Tenant, town_id)
            t.name = payload
            db.session.commit()
    report = client.get("/admin/qinglan/catalog/supervision.csv")
    assert report.status_code == 200
    assert_inert(cells_of_csv(report.get_data(as_text=True)), payloads=FORMULAS[:2])
    for path in ("/admin/qinglan/catalog/supervision.xlsx", "/admin/qinglan/catalog/assessment.xlsx"):
        spreadsheet = client.get(path)
        assert spreadsheet.status_code == 200
        assert_inert(cells_of_xlsx(spreadsheet.data), payloads=FORMULAS[:2])
    # The 依申请 statistics of a unit, titled with its name
    with demo.app_context():
        slug = db.session.get(Tenant, towns[0]).slug
    statistics = client.get(f"/admin/{slug}/applications/stats.xlsx")
    assert statistics.status_code == 200
    titles = [c for c in cells_of_xlsx(statistics.data) if isinstance(c.value, str) and FORMULAS[0] in c.value]
    assert titles and all(c.value.startswith("'") for c in titles)
    assert_inert(cells_of_xlsx(statistics.data), payloads=[])
    # Registrants' names in full: exported by the admins only (may_see_personal_data)
    registrations = client.get(f"/admin/baishui/open-day/{event_id}/export.csv?personal=1")
    assert registrations.status_code == 200
    assert_inert(cells_of_csv(registrations.get_data(as_text=True)),      # (names are kept without spaces)
                 payloads=[p[:30].replace(" ", "").strip() for p in FORMULAS])
    Auth(client).logout()
    Auth(client).login("li")                     # 白水镇's editor
    walked = {
        "catalog_admin.export_catalog": ("/admin/baishui/catalog/export.xlsx", cells_of_xlsx, FORMULAS[:len(items)]),
        "opinions_admin.export_csv": (f"/admin/baishui/opinions/{cid}/export.csv", cells_of_csv, COMMENTS),
        "opinions_admin.export_xlsx": (f"/admin/baishui/opinions/{cid}/export.xlsx", cells_of_xlsx, COMMENTS),
        "opinions.feedback_csv": (f"/qinglan/baishui/opinions/{cid}/feedback.csv", cells_of_csv, COMMENTS),
    }
    for endpoint, (url, cells, payloads) in walked.items():
        response = client.get(url)
        assert response.status_code == 200, url
        data = response.get_data(as_text=True) if cells is cells_of_csv else response.data
        # (what people type is stored without surrounding spaces: a tab or return before = is dropped)
        stored = [p.strip() for p in payloads] if endpoint.startswith("opinions") else payloads
        assert_inert(cells(data), payloads=stored)
    assert set(walked) | {"catalog_admin.supervision_csv", "catalog_admin.supervision_xlsx", "catalog_admin.assessment_xlsx",
                          "open_day_admin.export", "applications_admin.stats_xlsx",
                          # walked with formulas in every typed field in tests/disclosure/test_reports.py
                          "disclosure.report_xlsx", "disclosure_admin.overview_xlsx"} == EXPORTS
