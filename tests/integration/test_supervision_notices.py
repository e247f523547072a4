"""The district's supervision page shows its units' overdue applications and their share answered
on time, through the supervision_notices and assessment_components hooks: the catalog never imports
the applications plugin (issue 19: "overdue applications also appear in the catalog's supervision
page through a hook")."""
from __future__ import annotations

from datetime import date

from core.accounts import SYSTEM
from core.db import db
from core.tenants import tenant_by_slug, tenant_scope
from plugins.applications import services
from tests.applications.fixtures import CITIZEN
from tests.conftest import at_china

REQUIRES_PLUGINS = ("catalog", "applications")


def test_overdue_applications_and_replies_on_time_reach_the_supervision_pages(demo, client, auth):
    with demo.app_context():
        town = tenant_by_slug("baishui")
        with tenant_scope(town), at_china(date(2026, 10, 8)):
            late = services.submit_online(town, {**CITIZEN, "consent": True})
            services.confirm_receipt(SYSTEM, late, date(2026, 10, 8))        # due 11月5日, never answered
            on_time = services.submit_online(town, {**CITIZEN, "consent": True})
            services.confirm_receipt(SYSTEM, on_time, date(2026, 10, 8))
            services.set_answer(SYSTEM, on_time, {"answer": "disclose"})
            on_time.answered_on, on_time.status = date(2026, 10, 20), "answered"
            db.session.commit()
    auth.login("wang")
    page = client.get("/admin/qinglan/catalog/supervision").get_data(as_text=True)
    assert "其他监督事项" in page and "白水镇：依申请公开逾期未答复 1 件" in page
    assert "柳河镇：依申请公开逾期未答复" not in page.split("其他监督事项")[1]     # only where there is one
    assessment = client.get("/admin/qinglan/catalog/assessment?year=2026").get_data(as_text=True)
    assert "依申请按时答复率" in assessment


def test_an_item_disclosed_on_application_offers_the_form_and_a_village_its_towns(demo, client):
    """The catalog's item page names the unit that receives applications and links its online form
    (application_channels hook); a village (which receives none, 第二十九条) links its town's."""
    from plugins.catalog import services as catalog
    urls = {}
    with demo.app_context():
        for slug in ("baishui", "dongpo"):
            tenant = tenant_by_slug(slug)
            with tenant_scope(tenant):
                item = catalog.leaf_items(tenant)[0]
                item.methods = ["依申请"]
                db.session.commit()
                urls[slug] = f"/{tenant.url_path}/catalog/items/{item.id}"
    town = client.get(urls["baishui"]).get_data(as_text=True)
    assert "本事项依申请公开。如需获取，请向白水镇提出政府信息公开申请。" in town
    assert 'href="/qinglan/baishui/applications/"' in town
    village = client.get(urls["dongpo"]).get_data(as_text=True)
    assert "请向白水镇提出政府信息公开申请" in village and 'href="/qinglan/baishui/applications/"' in village
