"""Hook implementations of the gazette plugin."""
from __future__ import annotations

from pathlib import Path

from flask import url_for
from sqlalchemy import select

from core.plugin_api import (DashboardWidget, db, hookimpl, MenuEntry, NavItem, Permission, PluginInfo, PluginRoutes,
                            SearchFollow, SearchSource)

NAME = "gazette"


@hookimpl
def plugin_info():
    return PluginInfo(
        name=NAME,
        title="政府公报",
        description="电子公报：期刊、目录、PDF、掌上阅读与历史检索",
        tenant_kinds=("district",),
        migrations=str(Path(__file__).parent / "migrations" / "versions"),
        portal_menu=(MenuEntry("政府公报", "gazette.index", order=40),),
        admin_menu=(MenuEntry("政府公报", "gazette_admin.index", order=40, permission=Permission.CONTENT_VIEW),),
        dashboard=(DashboardWidget("政府公报", "gazette/widget.html", dashboard, order=40),),
    )


@hookimpl
def routes():
    from plugins.gazette import admin, api, views
    return PluginRoutes(plugin=NAME, public=views.bp, admin=admin.bp, api=api.bp)


def dashboard(tenant) -> dict:
    """What the dashboard box (PluginInfo.dashboard) shows."""
    from plugins.gazette.models import GazetteIssue
    base = select(GazetteIssue).where(GazetteIssue.tenant_id == tenant.id)
    return {"latest": db.session.scalar(base.where(GazetteIssue.status == "published")
                                        .order_by(GazetteIssue.total_number.desc()).limit(1)),
            "draft": db.session.scalar(base.where(GazetteIssue.status == "draft").order_by(GazetteIssue.total_number).limit(1))}


@hookimpl
def tenant_provisioned(tenant):
    from plugins.gazette.services import gazette_for
    gazette_for(tenant)


@hookimpl
def search_sources():
    from plugins.gazette.models import GazetteArticle, GazetteIssue
    from plugins.gazette.services import article_document, published_articles
    # Articles become public when their issue is published: the issue's status re-indexes them.
    return [SearchSource(plugin=NAME, kind="article", label="政府公报", model=GazetteArticle,
                         document=article_document, candidates=published_articles,
                         # Not the page range: a PDF rendered on a reader's download sets it.
                         watch=("title", "doc_no", "body", "section", "issuers", "validity", "issue_id"),
                         follows=(SearchFollow(GazetteIssue, children=lambda issue: issue.articles,
                                               watch=("status", "published_at")),))]


@hookimpl
def document_references(tenant, ref):
    from plugins.gazette.services import references
    return [NavItem(plugin=NAME, title=f"刊登于《{a.issue.gazette_name}》{a.issue.label}",
                    url=url_for("gazette.article", tenant=tenant, article_id=a.id), order=40)
            for a in references(tenant, ref)]


@hookimpl
def lookup_documents(tenant, query, refs):
    """Published articles of the district's gazette, for another plugin to link (a 解读 of an article,
    a decision's document). An article that reprints another plugin's document is not offered: the
    original is (its `source_ref`)."""
    from plugins.gazette.services import shared_articles
    return shared_articles(tenant, query, refs)


@hookimpl(trylast=True)  # after the catalog's demo: one article prints a catalog record
def demo_content():
    from plugins.gazette.demo import load_demo
    return load_demo()


@hookimpl
def cli_commands():
    from plugins.gazette.cli import gazette
    return [gazette]


def _latest_issue(district):
    from plugins.gazette.models import GazetteIssue
    return db.session.execute(
        select(GazetteIssue.year, GazetteIssue.number, GazetteIssue.total_number, GazetteIssue.published_on)
        .where(GazetteIssue.tenant_id == district.id, GazetteIssue.status == "published")
        .order_by(GazetteIssue.published_on.desc(), GazetteIssue.total_number.desc()).limit(1)).first()


@hookimpl
def home_sections(tenant):
    """The latest issue of the county's gazette, on the county's home and on its towns' homes."""
    from core.plugin_api import across_tenants, HomeEntry, HomeSection
    district = tenant.root
    with across_tenants([district.id], reason="the county's published gazette on its own and its towns' homes"):
        issue = _latest_issue(district)
    if issue is None:
        return []
    entry = HomeEntry(f"{issue.year}年第{issue.number}期（总第{issue.total_number}期）",
                      url_for("gazette.issue", tenant=district, year=issue.year, number=issue.number), issue.published_on)
    return [HomeSection(NAME, "最新一期政府公报", (entry,), url_for("gazette.index", tenant=district), order=40)]


@hookimpl
def disclosure_column_parts(tenant):
    """The 政府公报 part of the 政府信息公开专栏 (the district's gazette)."""
    if tenant.kind != "district":
        return []
    return [NavItem(plugin=NAME, title="政府公报", url=url_for("gazette.index", tenant=tenant), order=60)]


@hookimpl
def policy_documents(tenant_ids):
    """The published 规范性文件 and policy documents of the gazette, for the county's 政策文件库
    (see plugins/gazette/policies.py for which articles they are)."""
    from plugins.gazette.policies import policy_documents as documents
    return documents(tenant_ids)
