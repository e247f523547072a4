"""Site search (/<tenant>/search): every plugin's public documents, scoped to the tenant's subtree,
following publication, lapse, withdrawal and deletion in the same transaction."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from core import search
from core.accounts import SYSTEM
from core.clock import utcnow
from core.db import db
from core.search import SearchEntry, highlight
from core.tenants import across_tenants, tenant_by_slug, tenant_scope
from plugins.catalog import services as catalog
from plugins.catalog.models import Record
from plugins.open_day import services as open_day
from plugins.open_day.models import OpenDay
from tests.catalog.fixtures import make_record
from tests.gazette.fixtures import make_issue
from tests.open_day.fixtures import make_event
from tests.opinions.fixtures import make_consultation

REQUIRES_PLUGINS = ("catalog", "gazette", "open_day", "opinions")


def results(client, path: str, q: str = "", **args) -> tuple[int | None, list[str], str]:
    """(total, titles of the results in order, html) of a search page."""
    query = "&".join([f"q={quote(q)}"] + [f"{k}={quote(str(v))}" for k, v in args.items()])
    response = client.get(f"{path}search?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    total = re.search(r"共找到 (\d+) 条", html)
    titles = [re.sub(r"</?mark>", "", t) for t in re.findall(r'<h2><a href="[^"]*">(.*?)</a></h2>', html)]
    return (int(total.group(1)) if total else None), titles, html


@pytest.fixture
def docs(demo):
    """Documents with words found nowhere else in the demo, in a village, its town and another town."""
    with demo.app_context():
        ids = {
            "village": make_record("dongpo", "财务收支和“三资”管理情况", "东坡村鳜鱼塘承包收入公示"),
            "town": make_record("baishui", "法律援助", "白水镇法律援助值班律师名单", doc_no="白政发〔2026〕7号"),
            "other_town": make_record("liuhe", "法律援助", "柳河镇鳜鱼养殖技术培训通知"),
            "draft": make_record("baishui", "法律援助", "白水镇鳜鱼草稿", publish=False),
        }
    return ids


def test_a_two_character_term_finds_documents_of_every_kind(demo, client):
    with demo.app_context():
        make_consultation("baishui", title="白水镇砚台文化街区规划（征求意见稿）")
        make_event("baishui", title="砚台博物馆开放日")
        make_record("baishui", "法律援助", "砚台协会法律咨询")
    total, titles, html = results(client, "/qinglan/baishui/", "砚台")
    assert total == 3
    assert set(titles) == {"白水镇砚台文化街区规划（征求意见稿）", "砚台博物馆开放日", "砚台协会法律咨询"}
    for label in ("政府信息", "意见征集", "政府开放日"):
        assert f">{label}</a> <span class=\"meta\">1</span>" in html
    assert "<mark>砚台</mark>" in html


def test_a_one_character_term_and_a_short_term_mixed_with_a_long_one(demo, client, docs):
    total, titles, _ = results(client, "/qinglan/", "鳜")
    assert set(titles) == {"东坡村鳜鱼塘承包收入公示", "柳河镇鳜鱼养殖技术培训通知"}    # never the draft
    # both terms must match: the short one is not silently dropped next to the long one
    total, titles, _ = results(client, "/qinglan/", "鳜鱼 承包收入公示")
    assert titles == ["东坡村鳜鱼塘承包收入公示"]
    total, titles, _ = results(client, "/qinglan/", "律师 鳜鱼")
    assert total == 0


@pytest.mark.parametrize("variant", ["白政发〔2026〕7号", "白政发[2026]7号", "白政发(2026)7号", "白政发（2026）7号",
                                     "白政发 2026 7号", "白政发〔2026〕"])
def test_a_doc_number_is_found_whatever_its_brackets(client, docs, variant):
    total, titles, html = results(client, "/qinglan/baishui/", variant)
    assert titles == ["白水镇法律援助值班律师名单"]
    assert "<mark>白政发" in html


def test_a_town_search_finds_its_villages_but_not_another_town(client, docs):
    total, titles, html = results(client, "/qinglan/baishui/", "鳜鱼")
    assert titles == ["东坡村鳜鱼塘承包收入公示"]
    assert "东坡村" in html and "柳河镇鳜鱼" not in html
    # the village itself, its sibling, and the whole county on request
    assert results(client, "/qinglan/baishui/dongpo/", "鳜鱼")[1] == ["东坡村鳜鱼塘承包收入公示"]
    assert results(client, "/qinglan/baishui/xihe/", "鳜鱼")[0] == 0
    total, titles, _ = results(client, "/qinglan/baishui/xihe/", "鳜鱼", scope="all")
    assert set(titles) == {"东坡村鳜鱼塘承包收入公示", "柳河镇鳜鱼养殖技术培训通知"}
    # from the county, by default: everything below it
    assert results(client, "/qinglan/", "鳜鱼")[0] == 2


def test_facets_count_and_filter_by_type_tenant_and_year(demo, client, docs):
    with demo.app_context():
        make_event("baishui", title="白水镇鳜鱼节开放日")
    total, titles, html = results(client, "/qinglan/", "鳜鱼")
    assert total == 3
    facets = html[html.index('aria-label="分类筛选"'):]
    assert re.search(r">东坡村</a> <span class=\"meta\">1</span>", facets)
    assert re.search(r">白水镇</a> <span class=\"meta\">1</span>", facets)
    assert re.search(r">柳河镇</a> <span class=\"meta\">1</span>", facets)
    assert re.search(rf">{utcnow().year}年</a>", facets) or re.search(rf">{utcnow().year + 1}年</a>", facets)
    total, titles, html = results(client, "/qinglan/", "鳜鱼", type="open_day.open_day")
    assert titles == ["白水镇鳜鱼节开放日"]
    # the other types stay reachable with their counts while one is chosen
    assert re.search(r">政府信息</a> <span class=\"meta\">2</span>", html)
    with demo.app_context():
        dongpo = tenant_by_slug("dongpo").id
    assert results(client, "/qinglan/", "鳜鱼", unit=dongpo)[1] == ["东坡村鳜鱼塘承包收入公示"]
    assert results(client, "/qinglan/", "鳜鱼", year=1999)[0] == 0


def test_filters_outside_the_scope_or_malformed_are_ignored(demo, client, docs):
    with demo.app_context():
        liuhe = tenant_by_slug("liuhe").id
    # another town's unit from a town's search: ignored, not a way to reach it
    total, titles, _ = results(client, "/qinglan/baishui/", "鳜鱼", unit=liuhe)
    assert titles == ["东坡村鳜鱼塘承包收入公示"]
    for args in ({"type": "bogus"}, {"unit": "abc"}, {"year": "99999"}, {"sort": "evil"}, {"page": "-3"},
                 {"unit": "9" * 40}):
        assert results(client, "/qinglan/", "鳜鱼", **args)[0] == 2


def test_publish_lapse_and_delete_show_at_once(demo, client, docs):
    with demo.app_context():
        baishui = tenant_by_slug("baishui")
        with tenant_scope(baishui):
            draft = db.session.get(Record, docs["draft"])
            catalog.publish(SYSTEM, draft, review_confirmed=True)
            db.session.commit()
    assert "白水镇鳜鱼草稿" in results(client, "/qinglan/baishui/", "鳜鱼")[1]
    with demo.app_context():
        with tenant_scope(tenant_by_slug("baishui")):
            catalog.lapse(SYSTEM, db.session.get(Record, docs["draft"]), "repealed")
            db.session.commit()
    html = results(client, "/qinglan/baishui/", "鳜鱼草稿")[2]
    assert '<span class="tag tag-muted">已废止</span>' in html
    # a draft deleted: its entry (never public) is not there, and nothing is left behind
    with demo.app_context():
        draft_id = make_record("baishui", "法律援助", "白水镇鳜鱼第二份草稿", publish=False)
        with tenant_scope(tenant_by_slug("baishui")):
            catalog.delete_record(SYSTEM, db.session.get(Record, draft_id))
            db.session.commit()
        with across_tenants(None, reason="test"):
            assert db.session.scalar(select(func.count()).select_from(SearchEntry).where(
                SearchEntry.plugin == "catalog", SearchEntry.ref_id == draft_id)) == 0


def test_open_day_cancellation_and_consultation_announcement_follow(demo, client):
    with demo.app_context():
        event_id = make_event("baishui", title="白水镇鳜鱼开放日")
        consultation_id = make_consultation("baishui", state="draft", title="白水镇鳜鱼保护办法（征求意见稿）")
    assert results(client, "/qinglan/baishui/", "鳜鱼")[1] == ["白水镇鳜鱼开放日"]
    with demo.app_context():
        with tenant_scope(tenant_by_slug("baishui")):
            open_day.cancel_event(SYSTEM, db.session.get(OpenDay, event_id), "天气原因")
            from plugins.opinions.models import Consultation
            db.session.get(Consultation, consultation_id).announced_at = utcnow()
            db.session.commit()
    total, titles, html = results(client, "/qinglan/baishui/", "鳜鱼")
    assert set(titles) == {"白水镇鳜鱼开放日", "白水镇鳜鱼保护办法（征求意见稿）"}
    assert '<span class="tag tag-muted">已取消</span>' in html


def test_a_registration_does_not_touch_the_index(demo, client):
    """`taken` is not watched: a burst of registrations must not rewrite the event's entry."""
    with demo.app_context():
        event_id = make_event("baishui", title="白水镇鳜鱼开放日")
        with across_tenants(None, reason="test"):
            before = db.session.scalar(select(SearchEntry.id).where(SearchEntry.plugin == "open_day",
                                                                   SearchEntry.ref_id == event_id))
        from tests.open_day.fixtures import register
        register("baishui", event_id, 1)
        with across_tenants(None, reason="test"):
            entry = db.session.scalar(select(SearchEntry).where(SearchEntry.id == before))
            assert entry is not None and entry.title == "白水镇鳜鱼开放日"


def test_a_rolled_back_publication_leaves_the_index_as_it_was(demo, client, docs):
    with demo.app_context():
        with tenant_scope(tenant_by_slug("baishui")):
            catalog.publish(SYSTEM, db.session.get(Record, docs["draft"]), review_confirmed=True)
            db.session.flush()
            with across_tenants(None, reason="test"):
                assert db.session.scalar(select(SearchEntry.id).where(SearchEntry.ref_id == docs["draft"],
                                                                      SearchEntry.plugin == "catalog"))
            db.session.rollback()
    assert "白水镇鳜鱼草稿" not in results(client, "/qinglan/", "鳜鱼")[1]


def test_gazette_articles_appear_when_their_issue_is_published(demo, client):
    article = {"section": "规范性文件", "title": "青岚县鳜鱼资源保护管理办法", "doc_no": "青政规〔2026〕9号",
               "issuers": ["青岚县人民政府"], "body": "<p>第一条　为保护鳜鱼资源，制定本办法。</p>"}
    with demo.app_context():
        issue_id = make_issue(year=2026, number=3, articles=[article])
    assert results(client, "/qinglan/", "鳜鱼")[0] == 0
    with demo.app_context():
        from plugins.gazette import services as gazette
        from plugins.gazette.models import GazetteIssue
        with tenant_scope(tenant_by_slug("qinglan")):
            gazette.publish_issue(SYSTEM, db.session.get(GazetteIssue, issue_id), make_pdf=False)
            db.session.commit()
    total, titles, html = results(client, "/qinglan/", "青政规[2026]9号")
    assert titles == ["青岚县鳜鱼资源保护管理办法"] and ">政府公报</span>" in html
    # a town searches its own subtree: the county's gazette is not in it, unless asked for
    assert results(client, "/qinglan/baishui/", "鳜鱼资源")[0] == 0
    assert results(client, "/qinglan/baishui/", "鳜鱼资源", scope="all")[0] == 1


def test_a_plugin_switched_off_for_a_tenant_leaves_its_results(demo, client, docs):
    with demo.app_context():
        dongpo = tenant_by_slug("dongpo")
        dongpo.enabled_plugins = [p for p in dongpo.enabled_plugins if p != "catalog"]
        db.session.commit()
    assert results(client, "/qinglan/", "鳜鱼")[1] == ["柳河镇鳜鱼养殖技术培训通知"]


def test_entries_of_a_plugin_the_installation_no_longer_has_are_never_shown(demo, client, docs):
    """A plugin removed from the installation leaves its entries in the index until purged: search
    shows only the plugins it has (fail closed), in the results and in the facets."""
    from core.plugins import SearchDocument
    with demo.app_context():
        baishui = tenant_by_slug("baishui")
        with tenant_scope(baishui):
            search.index_document(SearchDocument(plugin="retired", kind="notice", id=1, tenant_id=baishui.id,
                                                 title="白水镇鳜鱼停水通知", body="鳜鱼", url="/gone"))
            db.session.commit()
        with across_tenants(None, reason="test check"):
            assert db.session.scalar(select(func.count()).select_from(SearchEntry)
                                     .where(SearchEntry.plugin == "retired")) == 1
    total, titles, html = results(client, "/qinglan/baishui/", "鳜鱼")
    assert titles == ["东坡村鳜鱼塘承包收入公示"] and total == 1
    assert "retired" not in html and "/gone" not in html
    assert results(client, "/qinglan/baishui/", "鳜鱼", type="retired.notice")[1] == ["东坡村鳜鱼塘承包收入公示"]


def test_what_people_type_is_escaped_and_results_paginate(demo, client):
    with demo.app_context():
        for n in range(23):
            make_record("baishui", "法律援助", f"鲈鱼<b>公告</b>第{n}号")
    total, titles, html = results(client, "/qinglan/baishui/", "<script>alert(1)</script>鲈鱼")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    total, titles, html = results(client, "/qinglan/baishui/", "鲈鱼")
    assert total == 23 and len(titles) == 20
    assert "&lt;b&gt;公告&lt;/b&gt;" in html and "<b>公告</b>" not in html
    assert 'rel="next"' in html
    page2 = results(client, "/qinglan/baishui/", "鲈鱼", page=2)[1]
    assert len(page2) == 3 and not set(page2) & set(titles)
    newest = results(client, "/qinglan/baishui/", "鲈鱼", sort="newest")[1]
    assert newest[0] == "鲈鱼<b>公告</b>第22号".replace("<", "&lt;").replace(">", "&gt;")


def test_an_empty_or_overlong_query(client, docs):
    total, titles, html = results(client, "/qinglan/", "")
    assert total is None and "一个字、两个字的词也能搜" in html
    total, titles, html = results(client, "/qinglan/", "，。！")
    assert total == 0
    total, titles, html = results(client, "/qinglan/", "鳜" + "鱼" * 150)
    assert "已截取前 100 个字" in html and total == 0


def test_highlight_marks_terms_across_brackets_and_full_width_digits():
    assert str(highlight("青政发〔２０２３〕72号<i>", "青政发[2023]72号")) == \
        "<mark>青政发〔２０２３〕72号</mark>&lt;i&gt;"
    snippet = str(highlight("甲" * 300 + "鳜鱼" + "乙" * 300, "鳜鱼", around=10))
    assert snippet == "…" + "甲" * 10 + "<mark>鳜鱼</mark>" + "乙" * 10 + "…"
    assert str(highlight("没有匹配", "鳜鱼", around=2)) == "没有匹配"[:4]


def test_reindex_rebuilds_what_the_orm_wrote(demo, runner, docs):
    with demo.app_context():
        with across_tenants(None, reason="test"):
            before = set(db.session.execute(select(SearchEntry.plugin, SearchEntry.kind, SearchEntry.ref_id)).all())
            search.clear()
            db.session.commit()
    output = runner.invoke(args=["search", "reindex"]).output
    assert f"已建立 {len(before)} 条索引" in output
    with demo.app_context():
        with across_tenants(None, reason="test"):
            after = set(db.session.execute(select(SearchEntry.plugin, SearchEntry.kind, SearchEntry.ref_id)).all())
    assert after == before
    assert "没有这一类内容" in runner.invoke(args=["search", "reindex", "--only", "nope.x"]).output


def test_a_lapsed_date_in_another_year_sets_the_year_facet(demo, client):
    """The year is the local (UTC+8) year of publication: 31 December 20:00 UTC is 1 January."""
    with demo.app_context():
        record_id = make_record("baishui", "法律援助", "跨年鳜鱼公告")
        with tenant_scope(tenant_by_slug("baishui")):
            record = db.session.get(Record, record_id)
            record.published_at = record.published_at.replace(year=2025, month=12, day=31, hour=20) - timedelta(0)
            db.session.commit()
        with across_tenants(None, reason="test"):
            assert db.session.scalar(select(SearchEntry.year).where(SearchEntry.ref_id == record_id,
                                                                    SearchEntry.plugin == "catalog")) == 2026


def test_entities_in_the_text_are_shown_and_searched_as_text(demo, client):
    with demo.app_context():
        make_record("baishui", "法律援助", "鲟鱼价格公示", body="<p>价格 &lt;5元&gt; 鲟鱼 A &amp; B</p>")
    total, titles, html = results(client, "/qinglan/baishui/", "鲟鱼")
    assert "价格 &lt;5元&gt; <mark>鲟鱼</mark> A &amp; B" in html           # escaped once, not twice
    assert results(client, "/qinglan/baishui/", "amp")[0] == 0               # "&amp;" is not a word


def test_renaming_an_item_reindexes_its_records(demo, client, docs):
    from plugins.catalog.models import CatalogItem
    with demo.app_context():
        with tenant_scope(tenant_by_slug("baishui")):
            record = db.session.get(Record, docs["town"])
            item = db.session.get(CatalogItem, record.item_id)
            catalog.update_item(SYSTEM, item, {"name": "鲑鳟专项法律援助"})
            db.session.commit()
    assert results(client, "/qinglan/baishui/", "鲑鳟专项")[1] == ["白水镇法律援助值班律师名单"]


def test_a_record_past_its_expiry_date_shows_as_lapsed(demo, client):
    with demo.app_context():
        make_record("baishui", "法律援助", "鲟鱼年度补贴标准", expiry_date="2021-01-01")
    html = results(client, "/qinglan/baishui/", "鲟鱼年度")[2]
    assert '<span class="tag tag-muted">已失效</span>' in html


def test_page_ranges_set_by_a_pdf_download_do_not_rewrite_the_index(demo, monkeypatch):
    from plugins.gazette.models import GazetteArticle
    with demo.app_context():
        issue_id = make_issue(year=2025, number=2, publish=True)
        writes = []
        monkeypatch.setattr(search, "_write", lambda conn, doc: writes.append(doc.id))
        with tenant_scope(tenant_by_slug("qinglan")):
            article = db.session.scalar(select(GazetteArticle).where(GazetteArticle.issue_id == issue_id))
            article.page_start, article.page_end = 3, 4
            db.session.flush()
            assert writes == []
            article.validity = "repealed"
            db.session.flush()
            assert writes == [article.id]
            db.session.rollback()


def test_highlight_matches_letters_and_digits_as_whole_words():
    assert str(highlight("with it", "it")) == "with <mark>it</mark>"
    assert str(highlight("2023年与12023", "2023")) == "<mark>2023</mark>年与12023"


def test_the_index_itself_narrows_to_the_subtree(demo, docs):
    """Scope words: even with every tenant visible, the index answers only for the subtree asked."""
    with demo.app_context(), across_tenants(None, reason="test: the index alone"):
        def found(scope):
            subquery = search.hits("鳜鱼", scope=scope)
            rows = select(SearchEntry.title).join(subquery, subquery.c.entry_id == SearchEntry.id)
            return set(db.session.scalars(rows))
        assert found(tenant_by_slug("baishui").id) == {"东坡村鳜鱼塘承包收入公示"}
        assert found(tenant_by_slug("liuhe").id) == {"柳河镇鳜鱼养殖技术培训通知"}
        assert found(tenant_by_slug("qinglan").id) == found(None) == {"东坡村鳜鱼塘承包收入公示", "柳河镇鳜鱼养殖技术培训通知"}


def test_very_many_matches_are_counted_up_to_a_limit(demo, client, docs, monkeypatch):
    monkeypatch.setattr(search, "FACET_LIMIT", 1)
    import core.search.views
    monkeypatch.setattr(core.search.views, "FACET_LIMIT", 1)
    total, titles, html = results(client, "/qinglan/", "鳜鱼")
    assert "共找到 超过 1 条" in html and "分类统计只计算了前 1 条" in html
    # past the limit the newest are read from the end of the index, newest first
    assert titles == ["柳河镇鳜鱼养殖技术培训通知", "东坡村鳜鱼塘承包收入公示"]


def test_relevance_ranks_title_matches_first_and_equal_ranks_newest_first(demo, client):
    from datetime import date
    with demo.app_context():
        make_record("baishui", "法律援助", "白水镇鳙鱼养殖补助通知", when=date(2026, 3, 1),
                    body="<p>关于补助发放的说明。</p>")
        make_record("baishui", "法律援助", "白水镇水产养殖补助通知", when=date(2026, 4, 1),
                    body="<p>包括鳙鱼、草鱼和鲢鱼的补助发放说明。</p>")
        make_record("baishui", "法律援助", "白水镇鳙鱼养殖补助通知", when=date(2026, 5, 1),
                    body="<p>关于补助发放的说明。</p>")
    total, titles, _ = results(client, "/qinglan/baishui/", "鳙鱼")
    assert total == 3
    # the two title matches rank equal (same text): the newer one first; the body-only match last
    assert titles == ["白水镇鳙鱼养殖补助通知", "白水镇鳙鱼养殖补助通知", "白水镇水产养殖补助通知"]
    _, _, html = results(client, "/qinglan/baishui/", "鳙鱼")
    dates = re.findall(r"发布日期：(\d{4}-\d{2}-\d{2})", html)
    assert dates == ["2026-05-01", "2026-03-01", "2026-04-01"]
    _, _, html = results(client, "/qinglan/baishui/", "鳙鱼", sort="newest")
    assert re.findall(r"发布日期：(\d{4}-\d{2}-\d{2})", html) == ["2026-05-01", "2026-04-01", "2026-03-01"]
    # pages of one result each follow the same order, with no overlap
    pages = [re.findall(r"发布日期：(\d{4}-\d{2}-\d{2})", results(client, "/qinglan/baishui/", "鳙鱼", page=n,
                                                                  per_page=1)[2]) for n in (1, 2, 3)]
    assert pages == [["2026-05-01"], ["2026-03-01"], ["2026-04-01"]]
