"""The plugin manager and the public plugin API (`from core.plugins import hookimpl, PluginInfo, ...`).

Plugins are discovered through the `cms.plugins` entry-point group: the four built-in plugins
are registered exactly as a third-party one would be. The manager is built inside create_app(),
never at import time.
"""
from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from typing import Any, Callable, Iterable

import pluggy
from flask import Blueprint
from markupsafe import Markup

from core import hookspecs

ENTRY_POINT_GROUP = "cms.plugins"
ALL_KINDS = ("district", "town", "village")

hookimpl = pluggy.HookimplMarker("cms")


class PluginError(RuntimeError):
    """A plugin that cannot be loaded; start-up stops with this message."""


@dataclass(frozen=True)
class MenuEntry:
    """A navigation entry a plugin declares in its PluginInfo rather than writes in a hook: the view
    `endpoint` (called with the tenant), shown where the plugin is on for the tenant and, in the admin
    area, to people with `permission` there."""
    title: str
    endpoint: str
    order: int = 100
    permission: str = "content.view"


@dataclass(frozen=True)
class DashboardWidget:
    """A dashboard box a plugin declares in its PluginInfo rather than builds in a hook: core checks
    `permission` on the tenant, calls `context(tenant)` for the template's variables, renders the
    plugin's `template` (autoescaped; `tenant` is always passed) and places it by `order`."""
    title: str
    template: str
    context: Callable[[Any], dict]
    order: int = 100
    permission: str = "content.view"


@dataclass(frozen=True)
class PluginInfo:
    name: str                               # equals the entry-point name
    title: str                              # shown to people, in Chinese
    description: str = ""
    tenant_kinds: tuple[str, ...] = ALL_KINDS
    enabled_by_default: bool = True
    migrations: str | None = None           # path of the plugin's Alembic versions folder, if any
    column_type: str = "信息公开"             # ColumnType page metadata of its portal column (互动交流, ...)
    portal_menu: tuple[MenuEntry, ...] = ()   # the portal's column links (the portal_nav hook for anything dynamic)
    admin_menu: tuple[MenuEntry, ...] = ()    # the admin area's links (the admin_nav hook likewise)
    dashboard: tuple[DashboardWidget, ...] = ()  # the admin dashboard's boxes (dashboard_widgets hook likewise)

    @property
    def url_prefix(self) -> str:
        return self.name.replace("_", "-")


@dataclass(frozen=True)
class PluginRoutes:
    plugin: str
    public: Blueprint | None = None  # mounted at /<tenant path>/<plugin>/
    admin: Blueprint | None = None   # mounted at /admin/<tenant slug>/<plugin>/
    api: Blueprint | None = None     # mounted at /api/v1/tenants/<tenant slug>/<plugin>/


@dataclass(frozen=True)
class NavItem:
    plugin: str
    title: str
    url: str
    order: int = 100


@dataclass(frozen=True)
class HomeEntry:
    """One line of a `HomeSection`: a title, where it leads, its date and a short note."""
    title: str
    url: str
    date: object = None      # a date (China's) shown beside the title
    note: str = ""           # e.g. 截止 2026-12-31, 余 12 个名额


@dataclass(frozen=True)
class HomeSection:
    """A block of the portal home (see the home_sections hook)."""
    plugin: str
    title: str
    entries: tuple[HomeEntry, ...]
    more_url: str = ""
    order: int = 100


@dataclass(frozen=True)
class Widget:
    plugin: str
    title: str
    html: Markup
    order: int = 100


@dataclass(frozen=True)
class SearchDocument:
    """What site search indexes for one public document, and shows in a result."""
    plugin: str
    kind: str                # as in the plugin's SearchSource: "record", "consultation", ...
    id: int                  # the plugin's own id of the document
    tenant_id: int
    title: str
    body: str                # plain text
    url: str                 # path on the portal
    published_at: object = None   # aware datetime; its local year is the year facet
    code: str = ""           # 文号 or another identifier people type
    extra: str = ""          # issuing bodies, categories: searched, weighted above the body
    badge: str = ""          # a short state shown with the result ("已废止", "已取消")
    expires_on: object = None     # a date after which the result shows "已失效" (a record's 失效日期)


@dataclass(frozen=True)
class SearchFollow:
    """Changes to `model` (to the attributes in `watch`, or when created or deleted) re-index the
    documents `children(obj)` returns: a gazette issue's publication re-indexes its articles."""
    model: type
    children: Callable[[Any], Iterable[Any]]
    watch: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchSource:
    """One kind of a plugin's documents in site search (see the search_sources hook).

    `document(obj)` gives the SearchDocument of an instance of `model`, or None while it is not
    public. The core follows the ORM: a created or deleted instance, or a change to one of the
    attributes in `watch` (every column when empty), re-indexes it in the same transaction.
    `candidates()` is a select of every instance that may be public, for `cms search reindex`."""
    plugin: str
    kind: str
    label: str               # what the public calls these documents: "政府信息", "意见征集"
    model: type
    document: Callable[[Any], SearchDocument | None]
    candidates: Callable[[], Any]
    watch: tuple[str, ...] = ()
    follows: tuple[SearchFollow, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.plugin}.{self.kind}"


@dataclass(frozen=True)
class SharedDocument:
    """A published document one plugin offers to another (see the lookup_documents hook)."""
    ref: str                 # "<plugin>:<kind>:<id>", stable
    plugin: str
    title: str
    url: str
    doc_no: str = ""
    issuing_body: str = ""
    written_date: object = None
    effective_date: object = None
    validity: str = "valid"  # valid / expired / repealed
    validity_date: object = None
    body_html: str = ""      # sanitized
    attachment_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class PolicyDocument:
    """One document of the 政策文件库 (see the policy_documents hook)."""
    ref: str                 # "<plugin>:<kind>:<id>", as SharedDocument.ref
    plugin: str
    tenant_id: int
    title: str
    url: str
    doc_no: str = ""
    issuing_body: str = ""
    doc_type: str = "policy"     # "normative" (行政规范性文件) or "policy" (other policy documents)
    written_date: object = None  # 成文日期 (a date), else the China date of publication
    published_at: object = None  # aware datetime
    validity: str = "valid"      # valid 有效 / expired 失效 / repealed 废止 / amended 已修改
    validity_date: object = None
    topic: str = ""              # 主题分类, e.g. the catalog domain's name
    replaced_by: tuple = ()      # (title, url) of what replaced or amended it, or ()
    interpretations: tuple = ()  # ((title, url, form label), ...) of its published 解读
    same_as: str = ""            # the ref of the original when this is a copy shown elsewhere


@dataclass(frozen=True)
class AssessmentComponent:
    """One measure of the yearly assessment (see the assessment_components hook)."""
    key: str                 # the weight it takes: "interpretation" (解读) or "application" (依申请)
    title: str               # as the report shows it, e.g. 政策解读发布率
    ratios: dict             # tenant id → ratio between 0 and 1, or None when nothing was measured


@dataclass(frozen=True)
class SupervisionNotice:
    """Something another plugin reports on the catalog's supervision page (see the
    supervision_notices hook): e.g. a unit's overdue applications."""
    plugin: str
    tenant_id: int
    title: str               # e.g. 依申请公开逾期未答复
    count: int
    url: str = ""            # where the supervisor sees them
    severity: str = "poor"   # the colour band: good, fair, poor


class PluginRegistry:
    """What the loaded plugins declared, and which of them a tenant has switched on."""

    def __init__(self, pm: pluggy.PluginManager, infos: dict[str, PluginInfo]):
        self.pm = pm
        self.hook = pm.hook
        self.infos = infos
        self.blueprint_plugins: dict[str, str] = {}  # blueprint name → plugin name

    @property
    def names(self) -> list[str]:
        return list(self.infos)

    def serves(self, name: str, kind: str) -> bool:
        info = self.infos.get(name)
        return info is not None and kind in info.tenant_kinds

    def default_plugins_for(self, kind: str) -> list[str]:
        return [n for n, i in self.infos.items() if i.enabled_by_default and kind in i.tenant_kinds]

    def is_enabled(self, tenant, name: str) -> bool:
        return name in (tenant.enabled_plugins or []) and self.serves(name, tenant.kind)

    def enabled_names(self, tenant) -> list[str]:
        return [n for n in self.names if self.is_enabled(tenant, n)]

    def hook_for(self, tenant, hook_name: str, only: Iterable[str] | None = None):
        """A caller of `hook_name` that reaches only the plugins enabled for `tenant` (or `only` those)."""
        wanted = set(self.enabled_names(tenant) if only is None else only)
        others = [self.pm.get_plugin(n) for n in self.names if n not in wanted]
        return self.pm.subset_hook_caller(hook_name, remove_plugins=[p for p in others if p is not None])

    def menu(self, tenant, which: str, allowed: Callable[[str], bool] = lambda permission: True) -> list[NavItem]:
        """The declared entries (`portal_menu` or `admin_menu`) of the plugins enabled for the tenant,
        as NavItems; those whose permission `allowed` refuses are left out."""
        from flask import url_for
        return [NavItem(plugin=info.name, title=entry.title, url=url_for(entry.endpoint, tenant=tenant), order=entry.order)
                for info in self.infos.values() if self.is_enabled(tenant, info.name)
                for entry in getattr(info, which) if allowed(entry.permission)]

    def widgets(self, tenant, allowed: Callable[[str], bool]) -> list[Widget]:
        """The declared dashboard boxes of the plugins enabled for the tenant, rendered; those whose
        permission `allowed` refuses are neither rendered nor shown."""
        from flask import render_template
        # bandit B704 reviewed: each box is a template rendered with autoescaping
        return [Widget(plugin=info.name, title=box.title, order=box.order,
                       html=Markup(render_template(box.template, tenant=tenant, **box.context(tenant))))  # nosec B704
                for info in self.infos.values() if self.is_enabled(tenant, info.name)
                for box in info.dashboard if allowed(box.permission)]

    def enabled_items(self, tenant, items: Iterable) -> list:
        """Keep the items (NavItem, Widget) of plugins enabled for the tenant, in display order."""
        kept = [i for i in items if i is not None and self.is_enabled(tenant, i.plugin)]
        return sorted(kept, key=lambda i: (i.order, i.title))


def _flatten(results) -> list:
    out = []
    for r in results:
        if r is None:
            continue
        if isinstance(r, (list, tuple)):
            out.extend(x for x in r if x is not None)
        else:
            out.append(r)
    return out


def collect(hook_caller, **kwargs) -> list:
    """Call an aggregating hook and flatten the lists its implementations return."""
    return _flatten(hook_caller(**kwargs))


def build_plugin_manager(off: Iterable[str] = ()) -> PluginRegistry:
    """Load every plugin of the entry-point group but those `off` (installed, left unloaded as if
    absent: PLUGINS_OFF); any problem stops start-up with a clear message."""
    pm = pluggy.PluginManager("cms")
    pm.add_hookspecs(hookspecs)
    off = set(off)
    for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        if ep.name in off:
            continue
        if pm.has_plugin(ep.name):
            raise PluginError(f"插件名称重复：“{ep.name}”被注册了两次（{ep.value}）。")
        try:
            module = ep.load()
        except Exception as exc:
            raise PluginError(f"插件“{ep.name}”（{ep.value}）无法加载：{type(exc).__name__}: {exc}") from exc
        try:
            pm.register(module, name=ep.name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(f"插件“{ep.name}”无法注册：{exc}") from exc
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"插件“{pm.get_name(exc.plugin)}”实现了未定义的钩子：{exc}") from exc

    infos: dict[str, PluginInfo] = {}
    for name, plugin in pm.list_name_plugin():
        impl = getattr(plugin, "plugin_info", None)
        if impl is None:
            raise PluginError(f"插件“{name}”没有实现 plugin_info 钩子。")
        info = impl()
        if not isinstance(info, PluginInfo):
            raise PluginError(f"插件“{name}”的 plugin_info 必须返回 PluginInfo。")
        if info.name != name:
            raise PluginError(f"插件入口点名称“{name}”与其 PluginInfo.name“{info.name}”不一致。")
        infos[name] = info
    return PluginRegistry(pm, infos)
