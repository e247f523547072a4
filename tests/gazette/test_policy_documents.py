"""The gazette's answer to `policy_documents`: the 规范性文件 and policy documents of published issues,
with their validity, what replaced or amended them, their 解读 and the original they reprint; one
query whatever the number of articles."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from core.accounts import SYSTEM
from core.db import db
from core.plugins import collect
from core.tenants import tenant_by_slug, tenant_scope
from plugins.gazette import services
from plugins.gazette.models import GazetteArticle
from plugins.gazette.plugin import policy_documents
from tests.gazette.fixtures import make_issue

NORMATIVE = {"section": "规范性文件", "title": "青岚县人民政府关于印发《青岚县停车管理办法》的通知",
             "doc_no": "青政规[2024]1号", "issuers": ["青岚县人民政府", "青岚县公安局"], "written_date": "2024-01-05",
             "body": "<p>第一条</p>"}
OFFICE = {"section": "政府办公室文件", "title": "青岚县人民政府办公室关于印发《2024年工作要点》的通知",
          "doc_no": "青政办发〔2024〕2号", "issuers": ["青岚县人民政府办公室"], "body": "<p>一、</p>"}
APPOINTMENT = {"section": "人事任免", "title": "青岚县人民政府关于张三等同志职务任免的通知", "doc_no": "青政任〔2024〕1号",
               "issuers": ["青岚县人民政府"], "body": "<p>任命</p>"}
READING = {"section": "政策解读", "title": "《青岚县停车管理办法》政策解读", "issuers": ["青岚县公安局"],
           "body": "<p>解读</p>"}
NOTICE_WITH_RULE_NUMBER = {"section": "其他", "title": "青岚县人民政府关于加强物业管理的意见", "doc_no": "青政规〔2024〕2号",
                           "issuers": ["青岚县人民政府"], "body": "<p>意见</p>"}


def _by_title(docs):
    return {d.title: d for d in docs}


def test_published_policy_articles_with_their_validity_replacements_readings_and_originals(demo, count_queries):
    with demo.app_context():
        county = tenant_by_slug("qinglan")
        first = make_issue(year=2024, number=1, publish=True,
                           articles=[NORMATIVE, OFFICE, APPOINTMENT, READING, NOTICE_WITH_RULE_NUMBER])
        replacement = {"section": "规范性文件", "title": "青岚县人民政府关于印发《青岚县工作要点调整方案》的通知",
                       "doc_no": "青政发〔2024〕9号", "issuers": ["青岚县人民政府"], "body": "<p>调整</p>"}
        second = make_issue(year=2024, number=2, articles=[replacement], publish=True)
        draft = make_issue(year=2024, number=3, articles=[{**NORMATIVE, "title": "第三期刊登的办法", "doc_no": "青政规〔2024〕3号"}])
        with tenant_scope(county):
            articles = {a.title: a for a in db.session.scalars(select(GazetteArticle))}
            normative, office = articles[NORMATIVE["title"]], articles[OFFICE["title"]]
            services.set_validity(SYSTEM, office, "repealed", on=date(2024, 2, 15),
                                  superseded_by=articles[replacement["title"]].id)
            issue = db.session.get(type(normative.issue), draft)
            services.add_article(SYSTEM, issue, {"section": "勘误", "title": "关于停车管理办法的更正", "body": "<p>更正</p>",
                                                 "corrects_id": normative.id})
            services.publish_issue(SYSTEM, issue, make_pdf=False)
            articles[replacement["title"]].source_ref = "catalog:record:4242"   # archive metadata: allowed
            db.session.commit()
            erratum = db.session.scalar(select(GazetteArticle).where(GazetteArticle.section == "勘误"))

        with demo.test_request_context():
            ids = [county.id, tenant_by_slug("baishui").id]
            with count_queries() as statements:
                docs = policy_documents(tenant_ids=ids)
            assert len(statements) <= 2, statements          # the articles, and at most the county once
            found = _by_title(docs)
            assert set(found) == {NORMATIVE["title"], OFFICE["title"], NOTICE_WITH_RULE_NUMBER["title"],
                                  replacement["title"], "第三期刊登的办法"}
            assert found[NORMATIVE["title"]].doc_type == "normative"
            assert found[NORMATIVE["title"]].doc_no == "青政规〔2024〕1号"
            assert found[NORMATIVE["title"]].issuing_body == "青岚县人民政府、青岚县公安局"
            assert found[NORMATIVE["title"]].written_date == date(2024, 1, 5)
            assert found[NOTICE_WITH_RULE_NUMBER["title"]].doc_type == "normative"   # by its 文号
            assert found[OFFICE["title"]].doc_type == "policy"
            assert found[OFFICE["title"]].written_date == date(2024, 1, 15)         # no 成文日期: the issue's date
            # validity and what replaced or amended it
            assert found[OFFICE["title"]].validity == "repealed"
            assert found[OFFICE["title"]].replaced_by == (replacement["title"],
                                                          f"/qinglan/gazette/articles/{articles[replacement['title']].id}")
            assert found[NORMATIVE["title"]].validity == "amended"
            assert found[NORMATIVE["title"]].replaced_by == ("关于停车管理办法的更正", f"/qinglan/gazette/articles/{erratum.id}")
            assert found[replacement["title"]].validity == "valid" and found[replacement["title"]].replaced_by == ()
            # its 解读 (the 政策解读 article naming it), and the original it reprints
            readings = found[NORMATIVE["title"]].interpretations
            assert [r[0] for r in readings] == [READING["title"]] and readings[0][2] == "文字解读"
            assert found[OFFICE["title"]].interpretations == ()
            assert found[replacement["title"]].same_as == "catalog:record:4242"
            assert {d.same_as for t, d in found.items() if t != replacement["title"]} == {""}
            assert {d.plugin for d in docs} == {"gazette"} and {d.tenant_id for d in docs} == {county.id}
            assert all(d.ref == f"gazette:article:{articles[d.title].id}" if d.title in articles else True for d in docs)
            # only the tenants asked for
            assert policy_documents(tenant_ids=[tenant_by_slug("baishui").id]) == []
            # through the hook, as the library asks it
            registry = demo.extensions["cms"]
            hooked = collect(registry.hook_for(county, "policy_documents"), tenant_ids=[county.id])
            assert {d.ref for d in hooked if d.plugin == "gazette"} == {d.ref for d in docs}
        assert first and second


def test_drafts_are_never_offered(demo):
    with demo.app_context():
        make_issue(year=2024, number=1, articles=[NORMATIVE])
        with demo.test_request_context():
            assert policy_documents(tenant_ids=[tenant_by_slug("qinglan").id]) == []
