"""The Chinese full-text index (core/search.py), on the database under test."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core import search
from core.db import db
from core.plugins import SearchDocument
from core.search import SearchEntry, Token
from core.tenants import across_tenants, tenant_by_slug, tenant_scope

DOCS = {
    1: dict(title="青岚县人民政府关于印发《青岚县城区学校招生范围》的通知", code="青政发〔2023〕72号",
            body="各乡镇人民政府：现将城区小学招生范围印发给你们。"),
    2: dict(title="关于做好2026年度农村危房改造工作的通知", code="青政办发〔2026〕5号",
            body="危房改造补助资金按户发放，税费减免按规定执行。"),
    3: dict(title="青岚县人民政府关于张明等同志职务任免的通知", code="青政任〔2020〕2372号",
            body="任命张明为青岚县教育局局长。"),
}


def document(ref_id: int, tenant_id: int, **fields) -> SearchDocument:
    return SearchDocument(plugin="test", kind="doc", id=ref_id, tenant_id=tenant_id, url=f"/doc/{ref_id}",
                          **{"body": "", **fields})


@pytest.fixture
def indexed(demo):
    with demo.app_context():
        qinglan = tenant_by_slug("qinglan")
        with tenant_scope(qinglan):
            for ref_id, doc in DOCS.items():
                search.index_document(document(ref_id, qinglan.id, **doc))
        db.session.commit()
    return demo


def found(query: str, **kwargs) -> set[int]:
    subquery = search.match(query, plugin="test", **kwargs)
    if subquery is None:
        return set()
    return set(db.session.scalars(select(subquery.c.ref_id)))


def test_tokens_are_character_bigrams_with_words_kept_whole():
    assert search.tokens("政府公报2023年 ABC") == ["政府", "府公", "公报", "报", "2023", "年", "abc"]
    assert search.tokens("（２０２３）") == ["2023"]  # full-width digits and brackets folded


def test_query_terms_mark_the_last_character_of_a_run_as_a_prefix():
    assert search.query_terms("政府") == [[Token("政府")]]
    assert search.query_terms("税") == [[Token("税", prefix=True)]]
    assert search.query_terms("2023年 招生") == [[Token("2023"), Token("年", prefix=True)], [Token("招生")]]
    assert search.query_terms("青政发〔2023〕72号") == [[Token("青政"), Token("政发"), Token("发"), Token("2023"),
                                                       Token("72"), Token("号", prefix=True)]]
    assert search.query_terms("政府，公报") == [[Token("政府"), Token("府", prefix=True), Token("公报")]]
    assert search.query_terms("〔〕 ，。") == []


@pytest.mark.parametrize("query", ["青政发〔2023〕72号", "青政发[2023]72号", "青政发(2023)72号",
                                   "青政发（2023）72号", "青政发 〔2023〕 72号", "青政发【2023】72号", "〔2023〕72号"])
def test_every_bracket_variant_of_a_doc_no_finds_the_document(indexed, query):
    with indexed.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        assert found(query) == {1}


def test_a_doc_no_does_not_match_inside_another_number(indexed):
    with indexed.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        # "2020〕2372号" contains the characters of "〔2023〕72号" in a row; tokens keep them apart.
        assert found("〔2023〕72号") == {1}
        assert found("〔2020〕2372号") == {3}


def test_one_and_two_character_queries(indexed):
    with indexed.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        assert found("招生") == {1}
        assert found("税") == {2}
        assert found("任") == {3}           # 任免, 任命
        assert found("危房") == {2}
        assert found("房危") == set()
        assert found("2026年") == {2}
        assert found("年度") == {2}
        assert found("发〔2023〕72") == {1}
        assert found("政发2023") == {1}      # punctuation between them in the text does not matter
        assert found("政府公报") == set()


def test_terms_are_all_required_and_fields_can_be_chosen(indexed):
    with indexed.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        assert found("通知 张明") == {3}
        assert found("通知 不存在的词") == set()
        assert found("张明", field="title") == {3}
        assert found("局长", field="title") == set()
        assert found("局长", field="body") == {3}
        assert found("72号", field="code") == {1}


def test_title_matches_rank_above_body_matches(indexed):
    with indexed.app_context(), tenant_scope(tenant_by_slug("qinglan")):
        subquery = search.match("招生", plugin="test")
        qinglan = tenant_by_slug("qinglan")
        search.index_document(document(4, qinglan.id, title="关于学校的通知", body="招生工作另行通知。"))
        rows = db.session.execute(select(subquery.c.ref_id).order_by(subquery.c.rank.desc())).scalars().all()
        assert rows == [1, 4]


def test_reindexing_replaces_and_removing_forgets(indexed):
    with indexed.app_context(), tenant_scope(tenant_by_slug("qinglan")) as scope:
        search.index_document(document(1, scope.write_tenant_id, title="改过的标题"))
        assert found("招生") == set()
        assert found("改过") == {1}
        search.remove_document("test", "doc", 1)
        assert found("改过") == set()
        assert db.session.scalar(select(SearchEntry).where(SearchEntry.ref_id == 1)) is None


def test_entries_of_another_tenant_are_not_found(indexed):
    with indexed.app_context():
        with tenant_scope(tenant_by_slug("baishui")):
            assert found("招生") == set()
            assert found("〔2023〕72号") == set()
        with across_tenants(None, reason="test"):
            assert found("招生") == {1}
