"""The demo county's decision lists: 青岚县's six items at different stages (its consultation linked
both ways, a decided item with its meeting and catalog record, one withdrawn, one overdue), 白水镇's
three; `cms demo` run twice adds nothing; the feed, search and the API show them."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from core.clock import china_today
from core.db import db
from core.tenants import across_tenants, tenant_by_slug, tenant_scope
from plugins.decisions import services
from plugins.decisions.demo import load_demo
from plugins.decisions.models import DecisionItem, DecisionList


def _items(row: DecisionList) -> dict[str, DecisionItem]:
    assert row is not None and row.status == "published"
    return {i.name: i for i in row.items}


def test_the_demo_has_the_county_list_of_six_and_the_town_list_of_three(demo_content, ctx):
    today = china_today()
    county_tenant, town_tenant = tenant_by_slug("qinglan"), tenant_by_slug("baishui")
    with tenant_scope(town_tenant):
        town = _items(services.list_of_year(town_tenant, today.year))
        assert len(town) == 3
        assert town["白水镇集贸市场改造提升方案"].stage("prepublic").ref.startswith("opinions:consultation:")
        assert town["白水镇农村集体资产管理办法"].stage("result").ref.startswith("catalog:record:")
    with tenant_scope(county_tenant):
        county = _items(services.list_of_year(county_tenant, today.year))
        assert len(county) == 6
        taxi = county["青岚县城区出租汽车运力投放方案"]
        assert taxi.removed and "暂不新增运力" in taxi.removed_reason
        assert [c.kind for c in taxi.decision_list.changes] == ["remove"]
        water = county["青岚县农村供水工程运行管理办法"]
        if water.due_on < today:
            assert water.overdue(today)
        investment = county["青岚县政府投资项目管理办法"]
        assert investment.stage("meeting").name == "县人民政府第6次常务会议"
        assert investment.stage("result").ref.startswith("catalog:record:")
        parking = county["青岚县城区机动车停放服务收费管理办法"]
        assert parking.stage("prepublic").ref.startswith("opinions:consultation:")
        # Issue 21's "done when": one item with its consultation, its meeting and its decision document.
        assert parking.stage("meeting").name == "县人民政府第9次常务会议"
        assert parking.stage("result").ref.startswith("catalog:record:")
        assert parking.stage("prepublic").happened_on <= parking.stage("meeting").happened_on \
            <= parking.stage("result").happened_on <= today
    assert load_demo() == []                                       # idempotent
    with across_tenants(None, reason="test"):
        assert db.session.scalar(select(db.func.count()).select_from(DecisionList)) == 2


def test_the_portal_shows_the_list_the_item_stages_and_both_links(demo_content, client):
    index = client.get("/qinglan/decisions/").get_data(as_text=True)
    year = china_today().year
    assert f"青岚县{year}年重大行政决策事项目录" in index
    assert 'class="table-scroll" tabindex="0"' in index and '<th scope="col">' in index and '<th scope="row"' in index
    assert "已调整" in index and "暂不新增运力" in index
    link = re.search(r'href="(/qinglan/decisions/items/\d+)">\s*青岚县城区机动车停放服务收费管理办法', index).group(1)
    page = client.get(link).get_data(as_text=True)
    assert "预公开" in page and "听证公告" in page and "集体讨论决定" in page
    plan = re.search(r'href="(/qinglan/decisions/items/\d+)">\s*青岚县“十五五”教育事业发展规划', index).group(1)
    assert "尚未进行" in client.get(plan).get_data(as_text=True)        # a required stage not done yet
    consultation = re.search(r'意见征集：<a href="(/qinglan/opinions/\d+)">青岚县城区机动车停放服务收费管理办法（征求意见稿）</a>',
                             page).group(1)
    back = client.get(consultation).get_data(as_text=True)
    assert f'<a href="{link}">属于重大行政决策事项：青岚县城区机动车停放服务收费管理办法</a>' in back
    assert "查看意见征集及采纳情况" in back                          # its adoption feedback is published
    assert "县人民政府第9次常务会议" in page
    document = re.search(r'决策文件：<a href="(/qinglan/catalog/records/\d+)">[^<]*机动车停放服务收费管理办法[^<]*</a>', page)
    assert document, page
    assert "属于重大行政决策事项：青岚县城区机动车停放服务收费管理办法" in client.get(document.group(1)).get_data(as_text=True)

    decided = re.search(r'href="(/qinglan/decisions/items/\d+)">\s*青岚县政府投资项目管理办法', index).group(1)
    page = client.get(decided).get_data(as_text=True)
    assert "县人民政府第6次常务会议" in page
    record = re.search(r'决策文件：<a href="(/qinglan/catalog/records/\d+)">[^<]*</a>（青政规〔2026〕1号）', page)
    if china_today() >= date(2026, 3, 16):                         # the catalog's demo record is published by then
        assert record, page                                        # the catalog record, linked back
        assert "属于重大行政决策事项：青岚县政府投资项目管理办法" in client.get(record.group(1)).get_data(as_text=True)
    # a stage the item does not require is not shown as missing
    assert "听证" not in page.split("决策过程", 1)[1]

    town = client.get("/qinglan/baishui/decisions/").get_data(as_text=True)
    assert f"白水镇{year}年重大行政决策事项目录" in town and "白水镇集贸市场改造提升方案" in town


def test_feed_search_api_and_home(demo_content, client):
    feed = client.get("/qinglan/decisions/feed.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    assert "青岚县政府投资项目管理办法" in feed.get_data(as_text=True)
    found = client.get("/qinglan/search?q=政府投资项目管理办法").get_data(as_text=True)
    assert "/qinglan/decisions/items/" in found
    lists = client.get("/api/v1/tenants/qinglan/decisions/lists").get_json()
    assert [r["year"] for r in lists] == [china_today().year]
    detail = client.get(f"/api/v1/tenants/qinglan/decisions/lists/{lists[0]['id']}").get_json()
    assert len(detail["items"]) == 6 and detail["changes"][0]["kind"] == "remove"
    item = next(i for i in detail["items"] if i["name"] == "青岚县城区机动车停放服务收费管理办法")
    one = client.get(f"/api/v1/tenants/qinglan/decisions/items/{item['id']}").get_json()
    prepublic = next(s for s in one["stages"] if s["kind"] == "prepublic")
    assert prepublic["document"]["ref"].startswith("opinions:consultation:")
    home = client.get("/qinglan/").get_data(as_text=True)
    assert "重大行政决策" in home
