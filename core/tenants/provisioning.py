"""Creating, changing and archiving tenants, one at a time or declaratively from a YAML file."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# libyaml's loader when PyYAML was built with it (several times faster), else the pure-Python one.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
from flask import current_app
from sqlalchemy import select

from core import audit
from core.accounts import (ROLES, SYSTEM, Permission, create_user, grant_role,
                           require_permission, user_by_username, validate_password)
from core.db import db
from core.errors import DomainError
from core.sanitize import clean_html
from core.tenants import (HOST_RE, KIND_LABELS, PARENT_KIND, RESERVED_SLUGS, SLUG_RE, STATUS_ACTIVE,
                          STATUS_ARCHIVED, Tenant, TenantKind, tenant_by_slug, tenant_scope)

UNIT_CODE_RE = re.compile(r"^[0-9A-Za-z-]{1,32}$")
CONTACT_FIELDS = {"phone": "电话", "address": "地址", "email": "电子邮箱", "office_hours": "办公时间", "postcode": "邮编"}
# What a government website shows in its footer (《政府网站发展指引》, 国办发〔2017〕47号; ICP and 公安
# filings): a district's settings, each empty until its admin enters what was really assigned.
SITE_FIELDS = {"sponsor": "主办单位", "organizer": "承办单位", "site_code": "网站标识码", "icp": "ICP备案号",
               "police_record": "公安机关备案号", "conac_url": "党政机关网站标识链接", "correction_url": "纠错入口链接"}
SITE_PATTERNS = {
    "site_code": (re.compile(r"^[0-9A-Za-z]{6,20}$"), "网站标识码应为 6 至 20 位字母或数字，例如 3601230001"),
    "icp": (re.compile(r"^[\u4e00-\u9fff]ICP[备证]\d{6,12}号(-\d{1,3})?$"), "ICP备案号格式如：赣ICP备12345678号-1"),
    "police_record": (re.compile(r"^[\u4e00-\u9fff]公网安备\s?\d{10,16}号$"), "公安机关备案号格式如：赣公网安备36012302000123号"),
    "conac_url": (re.compile(r"^https://[^\s<>\"']+$"), "党政机关网站标识链接应以 https:// 开头"),
    "correction_url": (re.compile(r"^https?://[^\s<>\"']+$"), "纠错入口链接应以 http:// 或 https:// 开头"),
}


def registry():
    return current_app.extensions["cms"]


def reserved_slugs() -> set[str]:
    reg = registry()
    return set(RESERVED_SLUGS) | {i.url_prefix for i in reg.infos.values()} | set(reg.names)


def tenant_field_errors(*, slug: str | None, name: str | None, kind: str | None, parent_kind: str | None,
                        unit_code: str | None = None, host: str | None = None, plugins=None,
                        contact=None, status: str | None = None, has_parent: bool) -> list[str]:
    """Everything wrong with these tenant fields, as messages a person can act on."""
    errors = []
    for label, value in (("slug", slug), ("name", name), ("kind", kind), ("host", host), ("status", status)):
        if value is not None and not isinstance(value, str):
            errors.append(f"{label} 必须是文本")
    if unit_code is not None and not isinstance(unit_code, str):
        errors.append("单位代码请加引号书写，例如 \"01432281X\"（不加引号的数字会被当作数值，前导零会丢失）")
    if errors:
        return errors
    if not slug:
        errors.append("缺少 slug（网址标识）")
    elif not SLUG_RE.match(slug):
        errors.append(f"slug“{slug}”无效：只能用小写字母、数字和连字符，以字母开头，2–40 个字符")
    elif slug in reserved_slugs():
        errors.append(f"slug“{slug}”是系统保留词，请换一个")
    if not name or not str(name).strip():
        errors.append("缺少名称")
    elif len(str(name)) > 100:
        errors.append("名称不能超过 100 个字符")
    if kind not in {k.value for k in TenantKind}:
        errors.append(f"类型“{kind}”无效，应为 district（区县）、town（乡镇/街道）或 village（村/社区）")
    else:
        expected = PARENT_KIND[TenantKind(kind)]
        if expected is None and has_parent:
            errors.append("区县（district）必须位于最顶层，不能有上级")
        elif expected is not None and not has_parent:
            errors.append(f"{KIND_LABELS[TenantKind(kind)]}必须位于{KIND_LABELS[expected]}之下")
        elif expected is not None and parent_kind != expected.value:
            errors.append(
                f"{KIND_LABELS[TenantKind(kind)]}（{kind}）的上级必须是{KIND_LABELS[expected]}（{expected.value}），"
                f"不能是{KIND_LABELS.get(parent_kind, parent_kind)}（{parent_kind}）")
    if unit_code and not UNIT_CODE_RE.match(str(unit_code)):
        errors.append(f"单位代码“{unit_code}”无效：只能包含字母、数字和连字符")
    if host and (not HOST_RE.match(str(host)) or has_parent):
        errors.append(f"域名“{host}”无效（只有顶层区县可以绑定域名）" if has_parent else f"域名“{host}”无效")
    if plugins is not None:
        if not isinstance(plugins, list) or not all(isinstance(p, str) for p in plugins):
            errors.append("plugins 必须是插件名称的列表")
        else:
            for p in plugins:
                if p not in registry().infos:
                    errors.append(f"未知插件“{p}”，可选：{'、'.join(registry().names)}")
                elif kind and not registry().serves(p, kind):
                    errors.append(f"插件“{p}”不适用于{KIND_LABELS.get(kind, kind)}")
    if contact is not None:
        if not isinstance(contact, dict):
            errors.append("contact 必须是键值对")
        else:
            for key, value in contact.items():
                if key not in CONTACT_FIELDS:
                    errors.append(f"contact 中有未知字段“{key}”，可选：{'、'.join(CONTACT_FIELDS)}")
                elif value is not None and not isinstance(value, (str, int)):
                    errors.append(f"contact.{key} 必须是文本")
    if status is not None and status not in {STATUS_ACTIVE, STATUS_ARCHIVED}:
        errors.append(f"状态“{status}”无效，应为 active 或 archived")
    return errors


def site_info_errors(site_info) -> list[str]:
    """What is wrong with a district's footer identification, field by field."""
    if site_info is None:
        return []
    if not isinstance(site_info, dict):
        return ["site_info 必须是字段和值的映射"]
    errors = []
    for key, value in site_info.items():
        if key not in SITE_FIELDS:
            errors.append(f"site_info 中有未知字段“{key}”，可选：{'、'.join(SITE_FIELDS)}")
        elif value is not None and not isinstance(value, str):
            errors.append(f"site_info.{key} 必须是文本")
        elif value and len(value.strip()) > 200:
            errors.append(f"{SITE_FIELDS[key]}不能超过 200 个字符")
        elif value and value.strip() and key in SITE_PATTERNS and not SITE_PATTERNS[key][0].match(value.strip()):
            errors.append(SITE_PATTERNS[key][1])
    return errors


def _clean_site_info(site_info: dict | None) -> dict:
    return {k: v.strip() for k, v in (site_info or {}).items() if k in SITE_FIELDS and v and v.strip()}


def _clean_contact(contact: dict | None) -> dict:
    return {k: str(v).strip() for k, v in (contact or {}).items() if k in CONTACT_FIELDS and v not in (None, "")}


def create_tenant(actor, *, slug: str, name: str, kind: str, parent: Tenant | None, unit_code: str | None = None,
                  intro: str = "", contact: dict | None = None, plugins: list[str] | None = None,
                  host: str | None = None, status: str = STATUS_ACTIVE, sort_order: int = 0) -> Tenant:
    """Create a tenant under `parent` and let every plugin seed it (tenant_provisioned hook)."""
    if parent is None:
        if not getattr(actor, "is_superadmin", False):
            raise DomainError("只有系统管理员可以创建区县。")
    else:
        require_permission(actor, Permission.TENANT_MANAGE, parent)
        if not parent.is_active:
            raise DomainError(f"上级单位“{parent.name}”已撤并，不能在其下新建单位。")
    slug = (slug or "").strip().lower()
    host = (host or "").strip().lower() or None
    errors = tenant_field_errors(slug=slug, name=name, kind=kind, parent_kind=parent.kind if parent else None,
                                 unit_code=unit_code, host=host, plugins=plugins, contact=contact,
                                 status=status, has_parent=parent is not None)
    if errors:
        raise DomainError("；".join(errors) + "。")
    if tenant_by_slug(slug):
        raise DomainError(f"slug“{slug}”已被使用。", field="slug")
    if host and db.session.scalar(select(Tenant).where(Tenant.host == host)):
        raise DomainError(f"域名“{host}”已绑定到其他单位。", field="host")
    tenant = Tenant(
        slug=slug, name=name.strip(), kind=kind, parent=parent, unit_code=(unit_code or None),
        intro=clean_html(intro), contact=_clean_contact(contact), host=host, status=status, sort_order=sort_order,
        enabled_plugins=list(plugins) if plugins is not None else registry().default_plugins_for(kind),
    )
    db.session.add(tenant)
    db.session.flush()
    tenant.path = (parent.path if parent else "/") + f"{tenant.id}/"
    db.session.flush()
    audit.record("tenant.create", target=tenant, tenant=tenant, actor=actor,
                 summary=f"新建{tenant.kind_label}“{tenant.name}”（{tenant.slug}）")
    _seed(tenant, tenant.enabled_plugins)
    return tenant


def _seed(tenant: Tenant, plugin_names) -> None:
    """Let the given plugins seed the tenant, inside its scope and the current transaction."""
    if not plugin_names:
        return
    with tenant_scope(tenant):
        registry().hook_for(tenant, "tenant_provisioned", only=plugin_names)(tenant=tenant)


EDITABLE_FIELDS = ("name", "unit_code", "intro", "contact", "host", "sort_order", "site_info")


def update_tenant(actor, tenant: Tenant, **changes) -> list[str]:
    """Change editable fields; returns the names of the fields that really changed."""
    require_permission(actor, Permission.TENANT_MANAGE, tenant)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise DomainError(f"不能修改字段：{'、'.join(sorted(unknown))}。")
    if "host" in changes:
        changes["host"] = (changes["host"] or "").strip().lower() or None
        if changes["host"] != tenant.host and not getattr(actor, "is_superadmin", False):
            raise DomainError("只有系统管理员可以绑定域名。", field="host")
    errors = tenant_field_errors(
        slug=tenant.slug, name=changes.get("name", tenant.name), kind=tenant.kind,
        parent_kind=tenant.parent.kind if tenant.parent else None, unit_code=changes.get("unit_code", tenant.unit_code),
        host=changes.get("host", tenant.host), contact=changes.get("contact"), has_parent=tenant.parent is not None)
    if "site_info" in changes:
        if tenant.parent is not None and changes["site_info"]:
            raise DomainError("网站标识信息由区县设置，乡镇和村不单独设置。")
        errors += site_info_errors(changes["site_info"])
    if errors:
        raise DomainError("；".join(errors) + "。")
    if changes.get("host") and changes["host"] != tenant.host and db.session.scalar(
            select(Tenant).where(Tenant.host == changes["host"], Tenant.id != tenant.id)):
        raise DomainError(f"域名“{changes['host']}”已绑定到其他单位。", field="host")
    if "intro" in changes:
        changes["intro"] = clean_html(changes["intro"])
    if "contact" in changes:
        changes["contact"] = _clean_contact(changes["contact"])
    if "site_info" in changes:
        changes["site_info"] = _clean_site_info(changes["site_info"])
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    if "unit_code" in changes:
        changes["unit_code"] = (changes["unit_code"] or "").strip() or None
    changed = [k for k, v in changes.items() if getattr(tenant, k) != v]
    for key in changed:
        setattr(tenant, key, changes[key])
    if changed:
        audit.record("tenant.update", target=tenant, tenant=tenant, actor=actor, summary="修改：" + "、".join(changed))
    return changed


def set_status(actor, tenant: Tenant, status: str) -> bool:
    """Archive (撤并) or restore a tenant. Its pages and content stay readable; nothing is deleted."""
    if tenant.parent is None:
        if not getattr(actor, "is_superadmin", False):
            raise DomainError("只有系统管理员可以撤并区县。")
    else:
        require_permission(actor, Permission.TENANT_MANAGE, tenant.parent)
    if status not in {STATUS_ACTIVE, STATUS_ARCHIVED}:
        raise DomainError("状态无效。")
    if tenant.status == status:
        return False
    if status == STATUS_ARCHIVED and tenant.active_children():
        raise DomainError(f"“{tenant.name}”下还有 {len(tenant.active_children())} 个在用的下级单位，请先撤并或迁移它们。")
    if status == STATUS_ACTIVE and tenant.parent is not None and not tenant.parent.is_active:
        raise DomainError(f"上级单位“{tenant.parent.name}”已撤并，请先恢复上级单位。")
    tenant.status = status
    audit.record("tenant.archive" if status == STATUS_ARCHIVED else "tenant.restore", target=tenant, tenant=tenant,
                 actor=actor, summary=f"{'撤并' if status == STATUS_ARCHIVED else '恢复'}“{tenant.name}”")
    return True


def set_plugins(actor, tenant: Tenant, names: list[str]) -> bool:
    require_permission(actor, Permission.TENANT_MANAGE, tenant)
    errors = tenant_field_errors(slug=tenant.slug, name=tenant.name, kind=tenant.kind,
                                 parent_kind=tenant.parent.kind if tenant.parent else None,
                                 plugins=list(names), has_parent=tenant.parent is not None)
    if errors:
        raise DomainError("；".join(errors) + "。")
    ordered = [n for n in registry().names if n in names]
    if ordered == list(tenant.enabled_plugins or []):
        return False
    switched_on = [n for n in ordered if n not in (tenant.enabled_plugins or [])]
    tenant.enabled_plugins = ordered
    _seed(tenant, switched_on)
    audit.record("tenant.plugins", target=tenant, tenant=tenant, actor=actor,
                 summary="启用插件：" + ("、".join(ordered) or "无"))
    return True


# --- declarative provisioning -----------------------------------------------------------------

TENANT_KEYS = {"slug", "name", "kind", "unit_code", "intro", "contact", "plugins", "host", "status",
               "children", "parent", "sort_order"}
USER_KEYS = {"username", "display_name", "password", "superadmin", "grants"}


class SyncError(DomainError):
    def __init__(self, errors: list[str]):
        super().__init__("租户文件有错误，未写入任何内容：\n" + "\n".join(f"  - {e}" for e in errors))
        self.errors = errors


@dataclass
class SyncReport:
    lines: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0})

    def add(self, outcome: str, what: str) -> None:
        self.counts[outcome] += 1
        label = {"created": "新建", "updated": "更新", "unchanged": "未变"}[outcome]
        self.lines.append(f"{label}  {what}")

    def mark_updated(self, label: str, what: str) -> None:
        """A later pass changed an entry already reported: count it as updated once."""
        for i, line in enumerate(self.lines):
            if line.endswith(label) or f"{label}：" in line:
                if line.startswith("未变"):
                    self.counts["unchanged"] -= 1
                    self.counts["updated"] += 1
                    self.lines[i] = f"更新  {label}：{what}"
                elif line.startswith("更新"):
                    self.lines[i] = f"{line}、{what}"
                else:  # created archived
                    self.lines[i] = f"{line}（已撤并）"
                return
        self.add("updated", f"{label}：{what}")

    @property
    def changed(self) -> bool:
        return bool(self.counts["created"] or self.counts["updated"])

    def summary(self) -> str:
        c = self.counts
        text = f"新建 {c['created']} 项，更新 {c['updated']} 项，未变 {c['unchanged']} 项。"
        return text if self.changed else text + "没有任何改动。"


@dataclass
class _Entry:
    where: str
    data: dict
    parent_slug: str | None
    depth: int


def _flatten_tenants(nodes, parent_slug, where, depth, out, errors) -> None:
    if not isinstance(nodes, list):
        errors.append(f"{where}：应为列表")
        return
    for i, node in enumerate(nodes):
        label = f"{where}[{i}]"
        if not isinstance(node, dict):
            errors.append(f"{label}：应为键值对")
            continue
        label += f"（{node.get('name', '?')}，slug={node.get('slug', '?')}）"
        unknown = set(node) - TENANT_KEYS
        if unknown:
            errors.append(f"{label}：未知字段 {'、'.join(sorted(unknown))}")
        declared_parent = node.get("parent")
        if declared_parent is not None and parent_slug is not None:
            errors.append(f"{label}：嵌套在 children 中的单位不能再写 parent")
        out.append(_Entry(label, node, parent_slug if parent_slug is not None else declared_parent, depth))
        if "children" in node:
            _flatten_tenants(node["children"], node.get("slug"), f"{label}.children", depth + 1, out, errors)


def _load(path: Path) -> dict:
    try:
        # bandit B506 reviewed: YAML_LOADER is a SafeLoader
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # nosec B506
    except FileNotFoundError:
        raise SyncError([f"找不到文件 {path}"])
    except yaml.YAMLError as exc:
        raise SyncError([f"YAML 格式错误：{exc}"])
    if not isinstance(data, dict) or not (set(data) <= {"tenants", "users"}):
        raise SyncError(["文件顶层只能有 tenants 和 users 两个键"])
    return data


def validate_sync(data: dict) -> tuple[list[_Entry], list[dict], list[str]]:
    errors: list[str] = []
    entries: list[_Entry] = []
    _flatten_tenants(data.get("tenants") or [], None, "tenants", 0, entries, errors)
    kinds_in_file: dict[str, str] = {}
    hosts_in_file: dict[str, str] = {}
    for e in entries:
        slug = e.data.get("slug")
        if not isinstance(slug, str):
            continue  # reported with the other field errors below
        if slug in kinds_in_file:
            errors.append(f"{e.where}：slug“{slug}”重复")
        elif slug:
            kinds_in_file[slug] = e.data.get("kind")
    for e in entries:
        d = e.data
        parent_kind = None
        if e.parent_slug is not None:
            if e.parent_slug in kinds_in_file:
                parent_kind = kinds_in_file[e.parent_slug]
            else:
                parent = tenant_by_slug(e.parent_slug)
                if parent is None:
                    errors.append(f"{e.where}：上级“{e.parent_slug}”不存在")
                    continue
                parent_kind = parent.kind
        errs = tenant_field_errors(slug=d.get("slug"), name=d.get("name"), kind=d.get("kind"), parent_kind=parent_kind,
                                   unit_code=d.get("unit_code"), host=d.get("host"), plugins=d.get("plugins"),
                                   contact=d.get("contact"), status=d.get("status"), has_parent=e.parent_slug is not None)
        for key, kind_name in (("intro", str), ("sort_order", int)):
            if key in d and d[key] is not None and (not isinstance(d[key], kind_name) or isinstance(d[key], bool)):
                errs.append(f"{key} 必须是{'文本' if kind_name is str else '整数'}")
        if "parent" in d and d["parent"] is not None and not isinstance(d["parent"], str):
            errs.append("parent 必须是上级单位的 slug")
        errors.extend(f"{e.where}：{msg}" for msg in errs)
        if errs:
            continue
        existing = tenant_by_slug(d.get("slug") or "")
        if existing is not None and not errs:
            existing_parent = existing.parent.slug if existing.parent else None
            if existing.kind != d.get("kind"):
                errors.append(f"{e.where}：已存在的单位“{existing.name}”类型为 {existing.kind}，不能改为 {d.get('kind')}")
            if existing_parent != e.parent_slug:
                errors.append(f"{e.where}：slug“{existing.slug}”已被“{existing.name}”使用"
                              f"（上级为 {existing_parent or '无'}），不支持移动单位")
        host = (d.get("host") or "").strip().lower()
        if host:
            holder = db.session.scalar(select(Tenant).where(Tenant.host == host))
            if holder is not None and holder.slug != d.get("slug"):
                errors.append(f"{e.where}：域名“{host}”已绑定到“{holder.name}”")
            if host in hosts_in_file:
                errors.append(f"{e.where}：域名“{host}”在文件中重复（另见 slug={hosts_in_file[host]}）")
            hosts_in_file[host] = d["slug"]
        if existing is not None and d.get("status") == STATUS_ARCHIVED:
            archived_in_file = {x.data.get("slug") for x in entries if x.data.get("status") == STATUS_ARCHIVED}
            still_active = [c.name for c in existing.active_children() if c.slug not in archived_in_file]
            if still_active:
                errors.append(f"{e.where}：下级单位 {'、'.join(still_active)} 仍在使用，不能撤并")
        if d.get("children") and d.get("status") == STATUS_ARCHIVED:
            if any((c or {}).get("status", STATUS_ACTIVE) == STATUS_ACTIVE for c in d["children"] if isinstance(c, dict)):
                errors.append(f"{e.where}：已撤并的单位下不能有在用的下级单位")

    users = data.get("users") or []
    if not isinstance(users, list):
        errors.append("users：应为列表")
        users = []
    seen_users = set()
    for i, u in enumerate(users):
        where = f"users[{i}]（{(u or {}).get('username', '?') if isinstance(u, dict) else '?'}）"
        if not isinstance(u, dict):
            errors.append(f"{where}：应为键值对")
            continue
        unknown = set(u) - USER_KEYS
        if unknown:
            errors.append(f"{where}：未知字段 {'、'.join(sorted(unknown))}")
        username = u.get("username")
        if not username or not isinstance(username, str):
            errors.append(f"{where}：缺少 username（文本）")
            continue
        for key in ("password", "display_name"):
            if key in u and u[key] is not None and not isinstance(u[key], str):
                errors.append(f"{where}：{key} 必须是文本（请加引号）")
        if username in seen_users:
            errors.append(f"{where}：用户名重复")
        seen_users.add(username)
        if user_by_username(username) is None and isinstance(u.get("password") or "", str):
            try:
                validate_password(u.get("password") or "")
            except DomainError as exc:
                errors.append(f"{where}：{exc.message}")
        grants = u.get("grants") or []
        if not isinstance(grants, list):
            errors.append(f"{where}：grants 应为列表")
            continue
        for j, g in enumerate(grants):
            if not isinstance(g, dict) or set(g) != {"tenant", "role"} or not all(isinstance(v, str) for v in g.values()):
                errors.append(f"{where}.grants[{j}]：应为 {{tenant: …, role: …}}")
                continue
            if g["role"] not in ROLES:
                errors.append(f"{where}.grants[{j}]：未知角色“{g['role']}”，可选：{'、'.join(ROLES)}")
            if g["tenant"] not in kinds_in_file and tenant_by_slug(g["tenant"]) is None:
                errors.append(f"{where}.grants[{j}]：单位“{g['tenant']}”不存在")
    return entries, users, errors


def sync_file(path: str | Path, *, dry_run: bool = False) -> SyncReport:
    """Make the database match the file: create what is missing, update what differs, report the rest.

    The whole file is validated first; on any error nothing is written. Sync never deletes.
    """
    data = _load(Path(path))
    entries, users, errors = validate_sync(data)
    if errors:
        raise SyncError(errors)
    report = SyncReport()
    try:
        for e in _parents_first(entries):
            _sync_tenant(e, report)
        _sync_statuses(entries, report)
        for u in users:
            _sync_user(u, report)
        if dry_run:
            db.session.rollback()
        else:
            audit.record("tenants.sync", actor=SYSTEM, summary=f"{Path(path).name}：{report.summary()}")
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _parents_first(entries: list[_Entry]) -> list[_Entry]:
    """A top-level entry may name a parent declared later in the file: order them so it comes first."""
    ordered, placed, pending = [], set(), list(entries)
    while pending:
        ready = [e for e in pending if e.parent_slug is None or e.parent_slug in placed
                 or (e.parent_slug not in {x.data["slug"] for x in pending})]
        if not ready:  # a cycle; validation reports what it can, keep file order
            return ordered + pending
        for e in ready:
            ordered.append(e)
            placed.add(e.data["slug"])
            pending.remove(e)
    return ordered


def _sync_statuses(entries: list[_Entry], report: SyncReport) -> None:
    """Archive the deepest tenants first and restore the highest first, so a subtree can move together."""
    with_status = [e for e in entries if "status" in e.data]
    archive = sorted((e for e in with_status if e.data["status"] == STATUS_ARCHIVED),
                     key=lambda e: -len(tenant_by_slug(e.data["slug"]).ancestor_ids))
    restore = sorted((e for e in with_status if e.data["status"] == STATUS_ACTIVE),
                     key=lambda e: len(tenant_by_slug(e.data["slug"]).ancestor_ids))
    for e in archive + restore:
        tenant = tenant_by_slug(e.data["slug"])
        if set_status(SYSTEM, tenant, e.data["status"]):
            report.mark_updated(f"{KIND_LABELS[TenantKind(tenant.kind)]} {tenant.name}（{tenant.slug}）", "status")


def _sync_tenant(e: _Entry, report: SyncReport) -> None:
    d = e.data
    label = f"{KIND_LABELS[TenantKind(d['kind'])]} {d['name']}（{d['slug']}）"
    existing = tenant_by_slug(d["slug"])
    if existing is None:
        parent = tenant_by_slug(e.parent_slug) if e.parent_slug else None
        create_tenant(SYSTEM, slug=d["slug"], name=d["name"], kind=d["kind"], parent=parent,
                      unit_code=d.get("unit_code"), intro=d.get("intro") or "", contact=d.get("contact"),
                      plugins=d.get("plugins"), host=d.get("host"), sort_order=d.get("sort_order") or 0)
        report.add("created", label)
        return
    changes = {k: d[k] for k in EDITABLE_FIELDS if k in d}
    if "contact" in changes:
        changes["contact"] = changes["contact"] or {}
    changed = update_tenant(SYSTEM, existing, **changes)
    if "plugins" in d and set_plugins(SYSTEM, existing, d["plugins"]):
        changed.append("plugins")
    if changed:
        report.add("updated", f"{label}：{'、'.join(changed)}")
    else:
        report.add("unchanged", label)


def _sync_user(u: dict, report: SyncReport) -> None:
    user = user_by_username(u["username"])
    label = f"用户 {u['username']}"
    if user is None:
        user = create_user(u["username"], u["password"], display_name=u.get("display_name", ""),
                           superadmin=bool(u.get("superadmin", False)))
        audit.record("user.create", target=user, actor=SYSTEM, summary=f"新建用户 {user.username}")
        for g in u.get("grants") or []:
            grant_role(SYSTEM, user, tenant_by_slug(g["tenant"]), g["role"])
        report.add("created", label)
        return
    changed = []
    if "display_name" in u and user.display_name != (u["display_name"] or ""):
        user.display_name = u["display_name"] or ""
        changed.append("display_name")
    if "superadmin" in u and user.is_superadmin != bool(u["superadmin"]):
        user.is_superadmin = bool(u["superadmin"])
        changed.append("superadmin")
    for g in u.get("grants") or []:
        _, created = grant_role(SYSTEM, user, tenant_by_slug(g["tenant"]), g["role"])
        if created:
            changed.append(f"授予 {g['tenant']}:{g['role']}")
    # Passwords are set only when the user is created; the file never overwrites a changed password.
    if changed:
        report.add("updated", f"{label}：{'、'.join(changed)}")
    else:
        report.add("unchanged", label)
