"""Every hook a plugin can implement: one small function each, named for what it asks.

Aggregating hooks return a list (or one item); pluggy collects the answers of all plugins.
Hooks are called with keyword arguments only, and an implementation may accept fewer
arguments than the spec names, so adding an argument here never breaks a plugin.
Documented with an example each in docs/plugins.md; tests/core/test_plugins.py fails when a
hook has no documentation or no test.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("cms")


@hookspec
def plugin_info():
    """Describe the plugin: return a `PluginInfo` (name, title, tenant kinds served, default state)."""


@hookspec
def routes():
    """Return a `PluginRoutes` with the plugin's public, admin and API blueprints (each optional)."""


@hookspec
def portal_nav(tenant):
    """Return `NavItem`s for the public navigation of `tenant`. Called only on plugins enabled there."""


@hookspec
def admin_nav(tenant, user):
    """Return `NavItem`s for the admin menu of `tenant` as seen by `user`. Only enabled plugins are called."""


@hookspec
def dashboard_widgets(tenant, user):
    """Return `Widget`s for the admin dashboard of `tenant` as seen by `user`. Only enabled plugins are called."""


@hookspec
def tenant_provisioned(tenant):
    """Seed `tenant` with default content when the plugin starts serving it: at its creation, or
    when the plugin is switched on for it later. Runs in the tenant's scope and transaction; must
    be idempotent."""


@hookspec
def search_sources():
    """Return the `SearchSource`s of this plugin's public documents. Site search indexes them as
    the ORM writes them (publish, lapse, withdraw, delete: in the same transaction), and
    `cms search reindex` rebuilds them from `candidates()`."""


@hookspec
def lookup_documents(tenant, query, refs):
    """Offer this plugin's published documents for reuse by another plugin, so one document is
    entered once (a normative document that is a catalog record and a gazette article). Return
    `SharedDocument`s of `tenant` whose title or 文号 contains `query` (when given) or whose `ref`
    is in `refs` (when given); at most 20 for a query."""


@hookspec
def document_references(tenant, ref):
    """Return `NavItem`s linking to the places where this plugin shows the shared document `ref`
    (for example the gazette issue that printed a catalog record)."""


@hookspec
def cli_commands():
    """Return click commands or groups to add to the `cms` command line."""


@hookspec
def demo_content():
    """Add the plugin's sample content to the demo county (run by `cms demo`); must be idempotent."""


@hookspec
def purge_personal_data(before):
    """Erase the names and contact data people gave for matters that ended before the date `before`
    (run by `cms privacy purge`); keep everything else. Return lines describing what was erased."""


@hookspec(firstresult=True)
def deliver_notification(notification):
    """Send `notification` (a core.notify.Notification: channel, recipient, subject, body) and return
    the name of what sent it; return None to leave it to the next plugin or to the outbox."""


@hookspec
def application_channels(tenant):
    """Return `NavItem`s: where the public applies for government information held by `tenant`
    (依申请公开), e.g. an online form. Asked of every loaded plugin, whether or not `tenant` has it:
    a village, which receives no applications, is pointed to its town's form."""


@hookspec
def supervision_notices(tenants, as_of):
    """Return `SupervisionNotice`s for the district's supervision page (时效监督): what this plugin
    finds wrong in each of `tenants` as of the date `as_of` (China's date), e.g. applications not
    answered by their legal due date. Counts only; the page links to the plugin's own list."""


@hookspec
def assessment_components(tenants, year):
    """Return `AssessmentComponent`s for the yearly assessment (年考核) of `tenants` in `year`: one per
    measure this plugin keeps (政策解读 published with its policy, 依申请 replies on time), each a
    ratio between 0 and 1 per tenant id (None: nothing to measure for that tenant that year)."""


@hookspec(firstresult=True)
def application_statistics(tenant, year):
    """Return the statistics of 依申请公开 of `tenant` in `year` as the annual report prints them
    (国办公开办函〔2021〕30号, sections 三 and 四), or None; the first plugin to answer gives them."""


@hookspec
def disclosure_column_parts(tenant):
    """Return `NavItem`s: the parts of the 政府信息公开专栏 of `tenant` this plugin holds (国办公开办函
    〔2019〕61号), each with the `order` of its place in the national layout: 10 政府信息公开指南,
    20 政府信息公开制度, 30 法定主动公开内容, 40 政府信息公开年报, 50 依申请公开, 60 政府公报.
    Called only on plugins enabled for `tenant`."""


@hookspec(firstresult=True)
def proactive_disclosure_statistics(tenant, year):
    """Return the figures of the annual report's section 二 (主动公开政府信息情况, 第二十条第（一）项)
    that this plugin computes from its documents of `tenant` in `year`: a dict {"rules": {...},
    "normative": {...}} (规章, 行政规范性文件), each {"issued": 本年制发件数, "repealed": 本年废止件数,
    "in_force": 现行有效件数 at the year's end}; or None. The first plugin to answer gives them."""


@hookspec
def home_sections(tenant):
    """Return `HomeSection`s for the portal home of `tenant`: what this plugin has that a visitor
    looks for first (open consultations, coming open days, the latest gazette issue), each entry
    with its date. Called on plugins enabled for `tenant`, and on those enabled for its district
    that do not serve its kind of unit (the county's gazette on a town's home); an empty section
    is left out."""


@hookspec
def policy_documents(tenant_ids):
    """Return `PolicyDocument`s: this plugin's published 规范性文件 and policy documents of the tenants
    whose ids are given (a county and its towns), for the county's 政策文件库, which stores no copy.
    A document another plugin also shows (a gazette article reprinting a catalog record) names the
    original in `same_as`, so the library lists it once."""
