"""The county's 政策文件库: every published 规范性文件 and policy document of the district and its towns
(and villages), read through `policy_documents` from the plugins enabled for each unit, listed once,
filtered and counted, searchable by 文号 however its brackets are typed; on the page and in the API."""
from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, or_, select

from core.accounts import SYSTEM
from core.db import db
from core.plugins import collect, hookimpl, PolicyDocument
from core.tenants import across_tenants, tenant_by_slug, tenant_scope
from core.tenants.provisioning import create_tenant

LIBRARY = "/qinglan/disclosure/policies/"
API = "/api/v1/tenants/qinglan/disclosure/policies"
POLICY_SECTIONS = ("规范性文件", "政府令", "政府文件", "政府办公室文件", "部门文件")


class Policies:
    """A plugin offering documents of the towns and villages, as the catalog would."""

    def __init__(self, documents, rogue=()):
        self.documents, self.rogue, self.calls = documents, list(rogue), []

    @hookimpl
    def policy_documents(self, tenant_ids):
        self.calls.append(sorted(tenant_ids))
        return [d for d in self.documents if d.tenant_id in tenant_ids] + self.rogue


@contextmanager
def offering(app, documents, rogue=()):
    plugin = Policies(documents, rogue)
    registry = app.extensions["cms"]
    registry.pm.register(plugin, name="test-policies")
    try:
        yield plugin
    finally:
        registry.pm.unregister(name="test-policies")


def _doc(tenant, number: int, **extra) -> PolicyDocument:
    values = {"ref": f"test:doc:{tenant.slug}-{number}", "plugin": "test-policies", "tenant_id": tenant.id,
              "title": f"{tenant.name}关于第{number}项工作的通知", "url": f"/{tenant.url_path}/records/{number}",
              "doc_no": f"{tenant.name[:1]}政发〔2025〕{number}号", "issuing_body": f"{tenant.name}人民政府",
              "doc_type": "policy", "written_date": date(2025, 3, number), "topic": "社会救助",
              "published_at": datetime(2025, 3, number, 2, tzinfo=timezone.utc)}
    return PolicyDocument(**{**values, **extra})


def _town_documents():
    town, village = tenant_by_slug("baishui"), tenant_by_slug("dongpo")
    return [
        _doc(town, 1, doc_type="normative", doc_no="白政规〔2025〕1号", title="白水镇农村建房管理办法",
             interpretations=(("《白水镇农村建房管理办法》图解", "/qinglan/baishui/records/90", "图解"),)),
        _doc(town, 2, validity="repealed", validity_date=date(2025, 6, 1),
             replaced_by=("白水镇农村建房管理办法", "/qinglan/baishui/records/1")),
        _doc(town, 3, validity="amended", topic="义务教育"),
        _doc(town, 4, validity="valid", validity_date=date(2025, 12, 31)),     # its period is over: 失效
        _doc(village, 5, title="东坡村村规民约", doc_no="", issuing_body="东坡村村民委员会", topic=""),
    ]


def _library_ids(app):
    """The units of the county, counted independently of the library: the district and its active
    towns and villages."""
    county = tenant_by_slug("qinglan")
    ids = [county.id]
    for town in county.active_children():
        ids += [town.id] + [village.id for village in town.active_children()]
    return county, ids


def _gazette_policy_count(ids, GazetteArticle, GazetteIssue) -> int:
    """The gazette's published policy articles, counted from its tables."""
    with across_tenants(ids, reason="test: count the gazette's policy articles"):
        return db.session.scalar(
            select(func.count()).select_from(GazetteArticle).join(GazetteIssue, GazetteIssue.id == GazetteArticle.issue_id)
            .where(GazetteIssue.status == "published", GazetteArticle.tenant_id.in_(ids),
                   GazetteArticle.corrects_id.is_(None),
                   or_(GazetteArticle.section.in_(POLICY_SECTIONS), GazetteArticle.doc_no.like("%规〔%"))))


def _all_hook_documents(app, ids):
    """What every plugin offers for the county's units (the library's input), deduplicated by same_as."""
    registry = app.extensions["cms"]
    found = []
    for tid in ids:
        tenant = db.session.get(type(tenant_by_slug("qinglan")), tid)
        found += [d for d in collect(registry.hook_for(tenant, "policy_documents"), tenant_ids=[tid]) if d.tenant_id == tid]
    refs = {d.ref for d in found}
    return [d for d in found if not (d.same_as and d.same_as in refs)]


def _json(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.needs_plugins("gazette")   # the gazette's documents; the others use a test plugin only
def test_the_librarys_counts_equal_the_documents_it_is_drawn_from(gazette, client):
    from plugins.gazette.models import GazetteArticle, GazetteIssue
    with gazette.app_context():
        county, ids = _library_ids(gazette)
        documents = _town_documents()
        with offering(gazette, documents) as plugin, gazette.test_request_context():
            gazette_count = _gazette_policy_count(ids, GazetteArticle, GazetteIssue)
            baishui = tenant_by_slug("baishui")
            town_ids = {baishui.id} | {v.id for v in baishui.active_children()}
            assert gazette_count >= 20          # the demo's year of issues
            others = [d for d in _all_hook_documents(gazette, ids) if d.plugin not in ("gazette", "test-policies")]
            expected = _all_hook_documents(gazette, ids)
            assert len(expected) == gazette_count + len(documents) + len(others)
            plugin.calls.clear()
            body = _json(client, API + "?per_page=100")
            # one call per set of units with the same plugins: every unit asked exactly once
            assert sorted(tid for call in plugin.calls for tid in call) == sorted(ids)
            html = client.get(LIBRARY).get_data(as_text=True)
            # each option's count is what choosing it gives
            for name, param in (("validity", "validity"), ("doc_type", "type"), ("unit", "unit"), ("year", "year")):
                for option in body["facets"][name]:
                    chosen = _json(client, f"{API}?{param}={option['value']}&per_page=1")
                    assert chosen["total"] == option["count"], (name, option)
    assert body["total"] == body["total_documents"] == len(expected)
    assert f"共 {len(expected)} 件" in html
    facets = {name: {o["value"]: o["count"] for o in options} for name, options in body["facets"].items()}
    # every document in exactly one option of each single-valued facet
    for name in ("unit", "doc_type", "validity"):
        assert sum(facets[name].values()) == len(expected), name
    from core.clock import china_today
    today = china_today()

    def shown_validity(d):
        return "expired" if d.validity == "valid" and d.validity_date and d.validity_date < today else d.validity

    assert facets["validity"] == dict(Counter(shown_validity(d) for d in expected))
    assert facets["doc_type"] == dict(Counter(d.doc_type for d in expected))
    assert facets["topic"] == dict(Counter(d.topic for d in expected if d.topic))
    assert facets["year"] == {str(y): n for y, n in Counter((d.written_date or d.published_at.date()).year
                                                            for d in expected).items()}
    issuers = Counter(name for d in expected for name in set(d.issuing_body.split("、")) if name)
    assert facets["issuer"] == dict(issuers)
    # the village's document counts with its town
    assert facets["unit"]["baishui"] == 5 + sum(1 for d in others if d.tenant_id in town_ids)
    # the page shows the counts beside the options
    assert re.search(r'<option value="repealed"[^>]*>废止（%d）</option>' % facets["validity"]["repealed"], html)
    assert '<option value="normative">规范性文件（%d）</option>' % facets["doc_type"]["normative"] in html


@pytest.mark.needs_plugins("gazette")   # the gazette's documents; the others use a test plugin only
def test_a_document_shown_by_two_plugins_is_listed_once(gazette, client):
    from plugins.gazette.models import GazetteArticle
    with gazette.app_context():
        county = tenant_by_slug("qinglan")
        with tenant_scope(county):
            article = db.session.scalar(select(GazetteArticle).where(GazetteArticle.section == "部门文件")
                                        .order_by(GazetteArticle.id).limit(1))
            article.source_ref = "test:doc:original"        # it reprints the other plugin's record
            title, doc_no, article_id = article.title, article.doc_no, article.id
            db.session.commit()
        original = PolicyDocument(ref="test:doc:original", plugin="test-policies", tenant_id=county.id, title=title,
                                  url="/qinglan/records/77", doc_no=doc_no, issuing_body="", doc_type="policy",
                                  written_date=date(2025, 1, 2), topic="就业",
                                  interpretations=(("问答", "/qinglan/records/78", "问答"),))
        with offering(gazette, [original]):
            body = _json(client, API + "?q=" + doc_no)
            html = client.get(LIBRARY + "?q=" + doc_no).get_data(as_text=True)
            everything = _json(client, API + "?per_page=100")
    assert body["total"] == 1
    item = body["items"][0]
    assert item["url"] == "/qinglan/records/77" and item["ref"] == "test:doc:original"
    assert item["also"] == [{"label": "政府公报", "url": f"/qinglan/gazette/articles/{article_id}"}]
    assert item["issuing_body"] and item["topic"] == "就业"          # filled from the copy, the original's kept
    assert [r["form"] for r in item["interpretations"]] == ["问答"]
    assert html.count(f">{title}</a>") == 1 and f'href="/qinglan/gazette/articles/{article_id}">政府公报</a>' in html
    assert [i["title"] for i in everything["items"]].count(title) == 1


@pytest.mark.needs_plugins("gazette")   # the gazette's documents; the others use a test plugin only
def test_drafts_and_other_counties_documents_never_appear(gazette, client):
    from tests.gazette.fixtures import make_issue
    with gazette.app_context():
        make_issue(year=2026, number=51, total=9051, articles=[
            {"section": "规范性文件", "title": "尚未出版的草稿办法", "doc_no": "青政规〔2026〕99号", "issuers": ["青岚县人民政府"],
             "body": "<p>草稿</p>"}])
        other = create_tenant(SYSTEM, slug="hongshan", name="红山县", kind="district", parent=None, unit_code="99999997X")
        db.session.commit()
        make_issue("hongshan", year=2025, number=1, publish=True, articles=[
            {"section": "规范性文件", "title": "红山县停车管理办法", "doc_no": "红政规〔2025〕1号", "issuers": ["红山县人民政府"],
             "body": "<p>邻县</p>"}])
        rogue = PolicyDocument(ref="test:doc:rogue", plugin="test-policies", tenant_id=other.id, title="红山县越界文件",
                               url="/hongshan/x", doc_type="normative")
        with offering(gazette, [], rogue=[rogue]):
            page = client.get(LIBRARY + "?per_page=100").get_data(as_text=True)
            pages = [client.get(f"{LIBRARY}?page={n}").get_data(as_text=True) for n in range(1, 6)]
            found = _json(client, API + "?per_page=100")
            searched = _json(client, API + "?q=红山")
            theirs = _json(client, "/api/v1/tenants/hongshan/disclosure/policies")
    titles = {i["title"] for i in found["items"]}
    assert "尚未出版的草稿办法" not in titles and "红山县停车管理办法" not in titles and "红山县越界文件" not in titles
    assert searched["total"] == 0
    assert not any("草稿办法" in p or "红山县" in p for p in [page, *pages])
    assert {i["title"] for i in theirs["items"]} == {"红山县停车管理办法", "红山县越界文件"}   # their own library


@pytest.mark.needs_plugins("gazette")   # the gazette's documents; the others use a test plugin only
def test_the_doc_no_search_finds_the_document_with_brackets_typed_any_way(gazette, client):
    from tests.gazette.fixtures import make_issue
    with gazette.app_context():
        make_issue(year=2026, number=50, total=9050, publish=True, articles=[
            {"section": "规范性文件", "title": "青岚县义务教育学校招生入学管理实施办法", "doc_no": "青政规〔2026〕1号",
             "issuers": ["青岚县人民政府"], "body": "<p>办法</p>"},
            {"section": "规范性文件", "title": "青岚县另一个办法", "doc_no": "青政规〔2020〕261号",
             "issuers": ["青岚县人民政府"], "body": "<p>办法</p>"}])
    for typed in ("青政规[2026]1号", "青政规（2026）1号", "青政规(2026)1号", "青政规【2026】1号", "青政规〔2026〕1号",
                  "青政规2026年1号", "青政规〔2026〕第001号", " 青政规 [2026] 1号 ", "青政规［２０２６］１号"):
        body = _json(client, API + "?q=" + typed.replace("[", "%5B").replace("]", "%5D"))
        assert [i["doc_no"] for i in body["items"]] == ["青政规〔2026〕1号"], typed
    assert {i["doc_no"] for i in _json(client, API + "?q=青政规1号")["items"]} == {"青政规〔2026〕1号"}   # any year
    bracketed = {i["doc_no"] for i in _json(client, API + "?q=%5B2026%5D1号&per_page=100")["items"]}
    assert "青政规〔2026〕1号" in bracketed and "青政规〔2020〕261号" not in bracketed
    assert _json(client, API + "?q=招生入学管理实施办法 青岚县义务教育")["total"] == 1        # words: all of them
    page = client.get(LIBRARY + "?q=青政规%5B2026%5D1号").get_data(as_text=True)
    assert "青岚县义务教育学校招生入学管理实施办法" in page and "青岚县另一个办法" not in page


def test_what_people_type_is_escaped(demo, client):
    typed = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'
    response = client.get(LIBRARY, query_string={"q": typed, "issuer": typed, "topic": typed, "unit": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert client.get(API, query_string={"q": typed}).get_json()["total"] == 0
    assert client.get(API + "?type=other").status_code == 400 and client.get(API + "?validity=gone").status_code == 400


@pytest.mark.needs_plugins("gazette")   # the gazette's documents; the others use a test plugin only
def test_the_page_lists_twenty_newest_first_with_what_each_document_needs(gazette, client):
    with gazette.app_context():
        with offering(gazette, _town_documents()), gazette.test_request_context():
            first = client.get(LIBRARY).get_data(as_text=True)
            second = client.get(LIBRARY + "?page=2").get_data(as_text=True)
            body = _json(client, API)
            town = _json(client, API + "?unit=baishui")
            repealed = client.get(LIBRARY + "?unit=baishui&validity=repealed").get_data(as_text=True)
            response = client.get(LIBRARY)
    assert len(body["items"]) == 20 and body["per_page"] == 20 and body["total"] > 20
    dates = [i["written_date"] for i in body["items"]]
    assert dates == sorted(dates, reverse=True)
    assert first.count('<li>\n    <a class="title"') == 20 and 'rel="next"' in first and 'rel="prev"' in second
    assert [i["validity"] for i in town["items"] if i["title"].endswith("第4项工作的通知")] == ["expired"]
    assert "替代文件：<a href=\"/qinglan/baishui/records/1\">白水镇农村建房管理办法</a>" in repealed
    assert '<span class="badge lapsed">废止</span>' in repealed
    building = [i for i in town["items"] if i["title"] == "白水镇农村建房管理办法"][0]
    assert building["interpretations"] == [{"title": "《白水镇农村建房管理办法》图解", "url": "/qinglan/baishui/records/90",
                                            "form": "图解"}]
    assert building["unit_name"] == "白水镇" and building["doc_type"] == "normative"
    # the gazette's repealed document names what replaced it; its 解读 are linked
    repealed_gazette = client.get(LIBRARY + "?validity=repealed").get_data(as_text=True)
    assert "替代文件：<a href=\"/qinglan/gazette/articles/" in repealed_gazette
    assert "政策解读：<a href=\"/qinglan/gazette/articles/" in first
    # nothing per person: a public page, cacheable
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("public")
    assert 'name="csrf_token"' not in first


def test_a_towns_address_leads_to_the_countys_library_filtered_to_the_town(demo, client):
    with demo.app_context():
        with offering(demo, _town_documents()):
            response = client.get("/qinglan/baishui/disclosure/policies/?q=建房&page=3")
            town_api = _json(client, "/api/v1/tenants/baishui/disclosure/policies")
            filtered = client.get(response.headers["Location"]).get_data(as_text=True)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == LIBRARY and parse_qs(location.query) == {"q": ["建房"], "unit": ["baishui"]}
    assert "白水镇农村建房管理办法" in filtered
    assert town_api["total"] == 5 and {i["unit"] for i in town_api["items"]} == {"baishui"}
    assert client.get("/qinglan/baishui/dongpo/disclosure/policies/").status_code == 404   # villages have no column


def test_the_library_is_reached_from_the_menu_and_from_the_column(demo, client):
    home = client.get("/qinglan/").get_data(as_text=True)
    assert f'href="{LIBRARY}"' in home and "政策文件库" in home
    column = client.get("/qinglan/disclosure/").get_data(as_text=True)
    nav = re.search(r'<nav aria-label="政府信息公开专栏".*?</nav>', column, re.S).group(0)
    parts = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', nav)
    titles = [t for _, t in parts]
    assert titles[-1] == "政策文件库"                            # after the national parts and the gazette
    town_column = client.get("/qinglan/baishui/disclosure/").get_data(as_text=True)
    assert f'href="{LIBRARY}?unit=baishui">政策文件库</a>' in town_column
    town_home = client.get("/qinglan/baishui/").get_data(as_text=True)
    assert f'href="{LIBRARY}"' not in town_home                          # the menu entry is the county's
    assert client.get(LIBRARY).status_code == 200
    with demo.app_context():
        county = tenant_by_slug("qinglan")
        county.enabled_plugins = [p for p in county.enabled_plugins if p != "disclosure"]
        db.session.commit()
    assert client.get(LIBRARY).status_code == 404
    assert client.get("/qinglan/baishui/disclosure/policies/").status_code == 404
    assert "政策文件库" not in client.get("/qinglan/baishui/disclosure/").get_data(as_text=True)


@pytest.mark.parametrize("path", [LIBRARY, LIBRARY + "?validity=expired&type=policy", LIBRARY + "?year=1800&page=99999"])
def test_odd_queries_answer_a_page(demo, client, path):
    assert client.get(path).status_code == 200
