"""Catalog domain logic: items and their inheritance, records and their workflow, 索引号.

No Flask request objects here: views, the API, the CLI and tests call these functions alike.
Every function works in the current tenant scope (core.tenants) unless it says otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from core.plugin_api import (AccessDenied, across_tenants, Attachment, audit, canonical_doc_no, china_date,
                             china_today, clean_html, Conflict, db, DomainError, has_permission, looks_like_doc_no,
                             mark_private, mark_public, NotFound, Permission, require_permission, sync_attachments,
                             Tenant, tenant_scope, utcnow)
from plugins.catalog import standard
from plugins.catalog.models import (CatalogItem, CatalogSettings, CustomDomain, DOC_TYPE_LABELS, IndexSequence, Record,
                                    RecordAttachment, VALIDITY_LABELS)

COMPARED_FIELDS = {
    "name": "名称", "content_elements": "公开内容", "legal_basis": "公开依据", "time_limit": "公开时限",
    "responsible_body": "公开主体", "methods": "公开方式", "channels": "公开渠道", "audience": "公开对象",
    "audience_note": "公开对象说明",
}
ITEM_FIELDS = tuple(COMPARED_FIELDS) + ("levels",)


# --- settings ---------------------------------------------------------------------------------

def settings_for(tenant: Tenant) -> CatalogSettings:
    row = db.session.scalar(select(CatalogSettings).where(CatalogSettings.tenant_id == tenant.id))
    if row is None:
        row = CatalogSettings(tenant_id=tenant.id, self_publish=False)
        db.session.add(row)
        db.session.flush()
    return row


def set_self_publish(actor, tenant: Tenant, enabled: bool) -> bool:
    require_permission(actor, Permission.TENANT_MANAGE, tenant)
    row = settings_for(tenant)
    if row.self_publish == enabled:
        return False
    row.self_publish = enabled
    audit.record("catalog.settings", target=tenant, tenant=tenant, actor=actor,
                 summary=f"{'允许' if enabled else '不允许'}编辑直接发布")
    return True


# --- domains: the shipped standards and the district's own ------------------------------------

CUSTOM_PREFIX = "X"
CUSTOM_NAME_MAX = 100


def district_id(tenant: Tenant) -> int:
    """The id of the district at the root of the tenant's tree (from its path: no query)."""
    return int(tenant.path.strip("/").split("/")[0])


def custom_domains(tenant: Tenant) -> list[standard.Domain]:
    """The custom domains of the tenant's district (its own, for a district), disabled ones too, as
    plain values: towns and villages read their district's through the explicit cross-tenant read."""
    root = district_id(tenant)
    stmt = (select(CustomDomain.code, CustomDomain.name, CustomDomain.levels, CustomDomain.lead, CustomDomain.active)
            .where(CustomDomain.tenant_id == root).order_by(CustomDomain.code))
    if root == tenant.id:
        rows = db.session.execute(stmt).all()
    else:
        with across_tenants([root], reason="catalog: a town or village reads its district's custom domains"):
            rows = db.session.execute(stmt).all()
    return [_custom_domain(r.code, r.name, r.levels, r.lead, r.active) for r in rows]


def _custom_domain(code, name, levels, lead, active) -> standard.Domain:
    levels = tuple(standard.in_order(levels or [], standard.LEVELS))
    return standard.Domain(code, name, "custom", "乡级" in levels, tuple(lead or ()), levels, "", bool(active))


def domains_for(tenant: Tenant, *, active_only: bool = False) -> dict[str, standard.Domain]:
    """The domains of a tenant: the shipped standards' (standard.domains()) and its district's custom
    ones, in that order. Used wherever a tenant's domains are listed or validated; `active_only`
    leaves out disabled custom domains (what may be chosen for a new item or an import)."""
    out = dict(standard.domains())
    out.update({d.code: d for d in custom_domains(tenant) if d.active or not active_only})
    return out


def domain_by_name(tenant: Tenant, text: str) -> standard.Domain | None:
    """standard.domain_by_name with the district's (active) custom domains: a custom domain named in
    the text wins over an alias of a shipped domain (乡村振兴 as the district's own, not 扶贫)."""
    return standard.domain_by_name(text, {d.code: d for d in custom_domains(tenant)})


def custom_domain_errors(tenant: Tenant, data: dict, current: CustomDomain | None = None) -> list[tuple[str, str]]:
    errors = []
    name = standard.normalise_text(data.get("name"))
    if not name:
        errors.append(("name", "请填写领域名称。"))
    elif len(name) > CUSTOM_NAME_MAX:
        errors.append(("name", f"领域名称不能超过 {CUSTOM_NAME_MAX} 个字符。"))
    elif any(standard.normalise_key(d.name) == standard.normalise_key(name) for d in standard.domains().values()):
        errors.append(("name", f"“{name}”是标准目录中已有的领域，请直接在该领域下新增事项。"))
    elif any(standard.normalise_key(d.name) == standard.normalise_key(name) and (current is None or d.code != current.code)
             for d in custom_domains(tenant)):
        errors.append(("name", f"本县已有名为“{name}”的领域。"))
    levels = data.get("levels") or []
    if not levels or any(lv not in standard.LEVELS for lv in levels):
        errors.append(("levels", f"请至少选择一个公开层级（{'、'.join(standard.LEVELS)}）。"))
    lead = data.get("lead") or []
    if len(lead) > 20 or any(len(x) > 100 for x in lead):
        errors.append(("lead", "牵头部门最多 20 个，每个不超过 100 个字符。"))
    return errors


def _require_district_admin(actor, tenant: Tenant) -> None:
    """Policy: a district's own domains are managed by its admins (towns and villages have none)."""
    if tenant.kind != "district":
        raise NotFound("只有区县可以新增领域。")
    require_permission(actor, Permission.TENANT_MANAGE, tenant)


def _custom_values(data: dict) -> dict:
    return {"name": standard.normalise_text(data.get("name")),
            "levels": standard.in_order(data.get("levels") or [], standard.LEVELS),
            "lead": [standard.normalise_text(x) for x in data.get("lead") or [] if standard.normalise_text(x)]}


def _check_custom(tenant: Tenant, data: dict, current: CustomDomain | None = None) -> None:
    errors = custom_domain_errors(tenant, data, current)
    if errors:
        raise DomainError(" ".join(m for _, m in errors), field=errors[0][0])


def next_custom_code(tenant: Tenant) -> str:
    """X01, X02, …: the next number after the district's highest (codes are never reused)."""
    codes = db.session.scalars(select(CustomDomain.code).where(CustomDomain.tenant_id == tenant.id)).all()
    numbers = [int(c[len(CUSTOM_PREFIX):]) for c in codes if c.startswith(CUSTOM_PREFIX) and c[len(CUSTOM_PREFIX):].isdigit()]
    number = max(numbers, default=0) + 1
    if number > 9999999:
        raise DomainError("自定义领域数量已达上限。")
    return f"{CUSTOM_PREFIX}{number:02d}"


def create_custom_domain(actor, tenant: Tenant, data: dict) -> CustomDomain:
    """A domain of the district's own (district admins only); its items are added in the item admin
    and reach the towns and villages of its levels as the standard's do (template_for)."""
    _require_district_admin(actor, tenant)
    _check_custom(tenant, data)
    domain = CustomDomain(tenant_id=tenant.id, code=next_custom_code(tenant), active=True, **_custom_values(data))
    db.session.add(domain)
    db.session.flush()
    audit.record("catalog.domain.create", target=domain, actor=actor,
                 summary=f"新增领域“{domain.name}”（{domain.code}，{'、'.join(domain.levels)}）")
    return domain


def update_custom_domain(actor, domain: CustomDomain, data: dict) -> list[str]:
    """Name, levels, lead departments. Renaming changes only the domain's label: its items and their
    records keep what they say (the change is in the audit log)."""
    tenant = domain.tenant
    _require_district_admin(actor, tenant)
    merged = {"name": domain.name, "levels": domain.levels, "lead": domain.lead} | data
    _check_custom(tenant, merged, domain)
    values = _custom_values(merged)
    labels = {"name": "名称", "levels": "公开层级", "lead": "牵头部门"}
    changed = [k for k, v in values.items() if getattr(domain, k) != v]
    before = domain.name
    for key in changed:
        setattr(domain, key, values[key])
    if changed:
        audit.record("catalog.domain.update", target=domain, actor=actor,
                     summary=f"修改领域“{before}”（{domain.code}）：" + "、".join(labels[c] for c in changed)
                             + (f"，名称改为“{domain.name}”" if "name" in changed else ""))
    return changed


def set_custom_domain_active(actor, domain: CustomDomain, active: bool) -> bool:
    """Disable (or enable again) a custom domain: a disabled one is no longer offered for new items or
    imports, nor shown publicly, nor counted in supervision; its items and records stay, untouched."""
    _require_district_admin(actor, domain.tenant)
    if domain.active == active:
        return False
    domain.active = active
    audit.record("catalog.domain.active", target=domain, actor=actor,
                 summary=f"{'启用' if active else '停用'}领域“{domain.name}”（{domain.code}）")
    return True


def inactive_codes(tenant: Tenant) -> set[str]:
    return {d.code for d in custom_domains(tenant) if not d.active}


# --- items ------------------------------------------------------------------------------------

def tenant_level(tenant: Tenant) -> str:
    return standard.levels_for_kind(tenant.kind)


def is_applicable(item: CatalogItem, tenant: Tenant, inactive: set[str] | frozenset = frozenset()) -> bool:
    """The tenant must publish under this item: its level is the tenant's, it is not marked N/A, and
    its domain is not one of the `inactive` (disabled custom) domains."""
    return (not item.not_applicable and tenant_level(tenant) in (item.levels or [])
            and item.domain_code not in inactive)


def all_items(tenant: Tenant) -> list[CatalogItem]:
    """Every item of the tenant in domain and tree order, children attached (one query)."""
    items = db.session.scalars(select(CatalogItem).where(CatalogItem.tenant_id == tenant.id)
                               .order_by(CatalogItem.position, CatalogItem.id)).all()
    return _in_domain_order(items, domains_for(tenant))


def _in_domain_order(items, domains: dict) -> list[CatalogItem]:
    order = {code: i for i, code in enumerate(domains)}
    return sorted(items, key=lambda i: (order.get(i.domain_code, 999999), i.position, i.id))


def tree(tenant: Tenant, *, applicable_only: bool = False, kinds: Iterable[str] | None = None
         ) -> list[tuple[standard.Domain, list[tuple[CatalogItem, list[CatalogItem]]]]]:
    """[(domain, [(top item, [children])])] for the tenant, without lazy loads. `applicable_only`: what
    the tenant publishes under (its level, not N/A, not under a disabled custom domain); `kinds`:
    only domains of these kinds (standard.DOMAIN_KINDS)."""
    domains = domains_for(tenant)
    items = db.session.scalars(select(CatalogItem).where(CatalogItem.tenant_id == tenant.id)
                               .order_by(CatalogItem.position, CatalogItem.id)).all()
    items = _in_domain_order(items, domains)
    children: dict[int, list[CatalogItem]] = {}
    for item in items:
        if item.parent_id:
            children.setdefault(item.parent_id, []).append(item)
    out: dict[str, list] = {}
    for item in items:
        if item.parent_id:
            continue
        kids = children.get(item.id, [])
        if applicable_only:
            kids = [k for k in kids if is_applicable(k, tenant)]
            if not kids and not (is_applicable(item, tenant) and item.id not in children):
                continue
        out.setdefault(item.domain_code, []).append((item, kids))
    return [(domains[code], rows) for code, rows in out.items() if code in domains
            and (kinds is None or domains[code].kind in kinds) and (domains[code].active or not applicable_only)]


def leaf_items(tenant: Tenant, *, applicable_only: bool = True) -> list[CatalogItem]:
    items = all_items(tenant)
    parents = {i.parent_id for i in items if i.parent_id}
    inactive = inactive_codes(tenant) if applicable_only else set()
    return [i for i in items if i.id not in parents and (not applicable_only or is_applicable(i, tenant, inactive))]


def item_errors(data: dict, domains: dict | None = None) -> list[tuple[str, str]]:
    """(field, message) for everything wrong in an item's fields; `domains`: the tenant's
    (domains_for(tenant, active_only=True)), else the shipped standards'."""
    errors = []
    if not (data.get("name") or "").strip():
        errors.append(("name", "请填写事项名称。"))
    elif len(data["name"]) > 200:
        errors.append(("name", "事项名称不能超过 200 个字符。"))
    if data.get("domain_code") not in (standard.domains() if domains is None else domains):
        errors.append(("domain_code", "请选择领域（类别）。"))
    for field, allowed, label in (("channels", standard.CHANNELS, "公开渠道"), ("levels", standard.LEVELS, "公开层级"),
                                  ("methods", standard.METHODS, "公开方式")):
        values = data.get(field) or []
        if not isinstance(values, list) or any(v not in allowed for v in values):
            errors.append((field, f"{label}只能从以下选择：{'、'.join(allowed)}。"))
    if not data.get("levels"):
        errors.append(("levels", "请至少选择一个公开层级。"))
    if not data.get("methods"):
        errors.append(("methods", "请选择公开方式。"))
    if data.get("audience", "全社会") not in standard.AUDIENCES:
        errors.append(("audience", "公开对象只能是全社会或特定群体。"))
    for ref in data.get("legal_basis") or []:
        if not isinstance(ref, dict) or not (ref.get("title") or "").strip():
            errors.append(("legal_basis", "每条公开依据都需要标题。"))
            break
        if ref.get("type") not in standard.BASIS_TYPES:
            errors.append(("legal_basis", f"依据类型只能是：{'、'.join(standard.BASIS_TYPES)}。"))
            break
    return errors


def _check_item(data: dict, tenant: Tenant | None = None, *, current_code: str | None = None) -> None:
    domains = None
    if tenant is not None:
        domains = domains_for(tenant, active_only=True)
        if current_code is not None:      # an item already under a disabled domain may still be edited
            domains = domains_for(tenant) if current_code not in domains else domains
    errors = item_errors(data, domains)
    if errors:
        field, message = errors[0]
        raise DomainError(" ".join(m for _, m in errors), field=field)


def _item_values(data: dict) -> dict:
    values = {k: data[k] for k in ITEM_FIELDS if k in data}
    if "time_limit" in values:
        values["time_limit"] = standard.normalise_text(values["time_limit"])
        values["rule"] = standard.parse_time_limit(values["time_limit"])
    if "name" in values:
        values["name"] = standard.normalise_text(values["name"])
    if "content_elements" in values:
        values["content_elements"] = standard.parse_elements(values["content_elements"])
    for key, vocabulary in (("channels", standard.CHANNELS), ("levels", standard.LEVELS), ("methods", standard.METHODS)):
        if key in values:
            values[key] = standard.in_order(values[key], vocabulary)
    return values


def create_item(actor, tenant: Tenant, data: dict, *, parent: CatalogItem | None = None) -> CatalogItem:
    """A local item (not derived from the district's standard)."""
    require_permission(actor, Permission.CONTENT_EDIT, tenant)
    return _add_item(actor, tenant, data, parent)


def add_custom_domain_items(actor, domain: CustomDomain, names: list[str]) -> tuple[list[CatalogItem], dict[str, int]]:
    """The items a district admin names with the district's own domain (part of defining it, so
    the admin's TENANT_MANAGE suffices): each with the domain's levels, its first lead department
    as the responsible body, 主动 on 政府网站 and the statutory 20 working days; editors refine them
    in the item admin; then sent to every unit the domain reaches ({unit name: items created}). A
    name the domain already has is refused."""
    tenant = domain.tenant
    _require_district_admin(actor, tenant)
    names = [standard.normalise_text(n) for n in names if standard.normalise_text(n)]
    if len(set(names)) != len(names):
        raise DomainError("事项名称有重复。", field="items")
    existing = set(db.session.scalars(select(CatalogItem.name).where(
        CatalogItem.tenant_id == tenant.id, CatalogItem.domain_code == domain.code)))
    if clash := [n for n in names if n in existing]:
        raise DomainError(f"领域中已有事项：{'、'.join(clash)}。", field="items")
    base = {"domain_code": domain.code, "levels": list(domain.levels), "methods": ["主动"], "channels": ["政府网站"],
            "time_limit": standard.DEFAULT_TIME_LIMIT, "responsible_body": (domain.lead or [""])[0],
            "audience": "全社会"}
    items = [_add_item(actor, tenant, {**base, "name": name}) for name in names]
    # Like the standard's, they reach every unit of the domain's levels at once.
    reached = propagate_domain(actor, tenant, domain.code) if items and domain.active else {}
    return items, reached


def _add_item(actor, tenant: Tenant, data: dict, parent: CatalogItem | None = None) -> CatalogItem:
    data = {"audience": "全社会", "methods": ["主动"], "levels": [tenant_level(tenant)], **data}
    if parent is not None:
        if parent.parent_id is not None:
            raise DomainError("事项最多两级：不能在二级事项下再建事项。", field="parent")
        if db.session.scalar(select(func.count()).select_from(Record).where(Record.item_id == parent.id)):
            raise DomainError(f"“{parent.name}”下已有政府信息，不能再分出二级事项；请新增一个一级事项。", field="parent")
        data["domain_code"] = parent.domain_code
    _check_item(data, tenant)
    siblings = CatalogItem.parent_id == parent.id if parent else CatalogItem.parent_id.is_(None)
    position = (db.session.scalar(select(func.max(CatalogItem.position)).where(
        CatalogItem.tenant_id == tenant.id, CatalogItem.domain_code == data["domain_code"], siblings)) or 0) + 1
    item = CatalogItem(tenant_id=tenant.id, domain_code=data["domain_code"], parent=parent, position=position,
                       **_item_values(data))
    db.session.add(item)
    db.session.flush()
    audit.record("catalog.item.create", target=item, actor=actor, summary=f"新增公开事项“{item.name}”")
    return item


def update_item(actor, item: CatalogItem, data: dict) -> list[str]:
    require_permission(actor, Permission.CONTENT_EDIT, item.tenant)
    merged = {k: getattr(item, k) for k in ITEM_FIELDS} | {"domain_code": item.domain_code} | data
    _check_item(merged, item.tenant, current_code=item.domain_code)
    values = _item_values(data)
    changed = [k for k, v in values.items() if getattr(item, k) != v and k != "rule"]
    for key, value in values.items():
        setattr(item, key, value)
    if changed:
        audit.record("catalog.item.update", target=item, actor=actor,
                     summary=f"修改公开事项“{item.name}”：" + "、".join(COMPARED_FIELDS.get(c, c) for c in changed))
    return changed


def set_applicability(actor, item: CatalogItem, applicable: bool, reason: str = "") -> None:
    require_permission(actor, Permission.CONTENT_EDIT, item.tenant)
    reason = (reason or "").strip()
    if not applicable and not reason:
        raise DomainError("标记为不适用时必须说明理由。", field="reason")
    item.not_applicable = not applicable
    item.not_applicable_reason = "" if applicable else reason
    audit.record("catalog.item.applicability", target=item, actor=actor,
                 summary=f"“{item.name}”{'恢复适用' if applicable else '标记为不适用：' + reason}")


def delete_item(actor, item: CatalogItem) -> None:
    require_permission(actor, Permission.CONTENT_EDIT, item.tenant)
    if item.source_id is not None:
        raise DomainError("由上级标准目录派生的事项不能删除；不适用时请标记为不适用并说明理由。")
    ids = [item.id] + [c.id for c in item.children]
    if db.session.scalar(select(func.count()).select_from(Record).where(Record.item_id.in_(ids))):
        raise DomainError("该事项下已有政府信息，不能删除。")
    audit.record("catalog.item.delete", target=item, actor=actor, summary=f"删除公开事项“{item.name}”")
    db.session.delete(item)


# --- seeding and inheritance ------------------------------------------------------------------

def _copy_tree(tenant: Tenant, sources: list[dict], *, keep=lambda s: True) -> int:
    """Create items from dicts (standard data or source items); returns how many were created."""
    created = 0
    for position, src in enumerate(sources, start=1):
        kids = [c for c in src.get("children", []) if keep(c)]
        if not kids and not keep(src):
            continue
        parent = CatalogItem(tenant_id=tenant.id, domain_code=src["domain_code"], position=position,
                             source_id=src.get("id"), **{k: src[k] for k in ITEM_FIELDS}, rule=src["rule"])
        db.session.add(parent)
        created += 1
        for child_position, child in enumerate(kids, start=1):
            db.session.add(CatalogItem(tenant_id=tenant.id, domain_code=src["domain_code"], parent=parent,
                                       position=child_position, source_id=child.get("id"),
                                       **{k: child[k] for k in ITEM_FIELDS}, rule=child["rule"]))
            created += 1
    db.session.flush()
    return created


def _as_dict(item: CatalogItem, children: list[CatalogItem]) -> dict:
    d = {k: getattr(item, k) for k in ITEM_FIELDS} | {"id": item.id, "domain_code": item.domain_code, "rule": item.rule}
    d["children"] = [_as_dict(c, []) for c in children]
    return d


def _standard_dicts(codes: Iterable[str] | None = None) -> list[dict]:
    out = []
    for code, items in standard.standard_catalog()["domains"].items():
        if codes is None or code in codes:
            out += [{**i, "domain_code": code, "children": [{**c, "domain_code": code} for c in i["children"]]}
                    for i in items]
    return out


def template_for(tenant: Tenant) -> list[dict]:
    """What a tenant's catalog derives from: the shipped standard for a district, the district's
    catalog for towns (the town-level part) and villages (the village categories)."""
    if tenant.kind == "district":
        return _standard_dicts()
    district = tenant.root
    with across_tenants([district.id], reason="catalog: derive from the district's standard catalog"):
        rows = tree(district)
        source = [_as_dict(item, kids) for _, items in rows for item, kids in items]
    level = tenant_level(tenant)
    # A town takes the pilot domains that reach towns, the statutory ones (第二十条, 第二十一条 for
    # towns, the 公开制度) and the district's custom domains of 乡级; a village the village categories
    # and the custom domains of 村级.
    wanted = {c for c, d in domains_for(tenant, active_only=True).items() if d.reaches(level)}
    source = [s for s in source if s["domain_code"] in wanted]
    if not source:  # the district has no catalog (yet): fall back to the shipped standard
        source = _standard_dicts(wanted)
    return source


def seed(tenant: Tenant) -> int:
    """Give a tenant its catalog from its template; does nothing if it has one already."""
    if db.session.scalar(select(func.count()).select_from(CatalogItem).where(CatalogItem.tenant_id == tenant.id)):
        return 0
    level = tenant_level(tenant)
    return _copy_tree(tenant, template_for(tenant), keep=lambda s: level in s["levels"] or tenant.kind == "district")


def divergences(tenant: Tenant) -> dict:
    """Where the tenant's derived items differ from their source, and source items it lacks.

    {"changed": [(item, source_dict, [(field label, mine, theirs)])], "missing": [source dict],
     "orphaned": [item whose source was removed]}
    """
    if tenant.kind == "district":
        return {"changed": [], "missing": [], "orphaned": []}
    level = tenant_level(tenant)
    template = template_for(tenant)
    flat = {}
    for s in template:
        flat[s.get("id")] = s
        for c in s["children"]:
            flat[c.get("id")] = c
    flat.pop(None, None)
    mine = all_items(tenant)
    derived = {i.source_id: i for i in mine if i.source_id}
    changed = []
    for source_id, item in derived.items():
        src = flat.get(source_id)
        if src is None:
            continue
        diffs = [(label, getattr(item, field), src[field]) for field, label in COMPARED_FIELDS.items()
                 if getattr(item, field) != src[field]]
        if diffs:
            changed.append((item, src, diffs))
    missing = [s for sid, s in flat.items() if sid not in derived and level in s["levels"]]
    inactive = inactive_codes(tenant)   # a disabled custom domain's items are left alone, not orphaned
    orphaned = [i for i in mine if i.source_id and i.source_id not in flat and i.domain_code not in inactive]
    return {"changed": changed, "missing": missing, "orphaned": orphaned}


def adopt_source(actor, item: CatalogItem) -> list[str]:
    """Make a derived item say again what its source says (相同事项的公开内容对应一致)."""
    if item.source_id is None:
        raise DomainError("这是本单位新增的事项，没有上级来源。")
    src = next((s for s in _flat(template_for(item.tenant)) if s.get("id") == item.source_id), None)
    if src is None:
        raise NotFound("上级目录中已没有对应的事项。")
    return update_item(actor, item, {k: src[k] for k in COMPARED_FIELDS})


def add_missing(actor, tenant: Tenant, *, codes: Iterable[str] | None = None) -> int:
    """Derive the source items the tenant does not have yet (e.g. added to the district's standard
    later); `codes`: only those of these domains."""
    require_permission(actor, Permission.CONTENT_EDIT, tenant)
    return _derive_missing(actor, tenant, codes)


def _derive_missing(actor, tenant: Tenant, codes: Iterable[str] | None = None) -> int:
    wanted = None if codes is None else set(codes)
    missing = {s["id"] for s in divergences(tenant)["missing"] if wanted is None or s["domain_code"] in wanted}
    if not missing:
        return 0
    existing = {i.source_id: i for i in all_items(tenant) if i.source_id}
    created = 0
    for top in template_for(tenant):
        kids = [c for c in top["children"] if c["id"] in missing]
        if top["id"] in missing:
            created += _copy_tree(tenant, [{**top, "children": kids}])
        elif kids and top["id"] in existing:
            parent = existing[top["id"]]
            for child in kids:
                db.session.add(CatalogItem(tenant_id=tenant.id, domain_code=child["domain_code"], parent=parent,
                                           position=len(parent.children) + 1, source_id=child["id"],
                                           **{k: child[k] for k in ITEM_FIELDS}, rule=child["rule"]))
                created += 1
    db.session.flush()
    audit.record("catalog.item.derive", target=tenant, tenant=tenant, actor=actor, summary=f"从上级目录补充 {created} 个事项")
    return created


def propagate_domain(actor, district: Tenant, code: str) -> dict[str, int]:
    """Give every town and village below the district that a custom domain reaches the district's
    items of that domain it does not have yet, derived as the standard's are (source_id), the same
    as each unit's own 补充 on its consistency page. Returns {unit name: items created}."""
    _require_district_admin(actor, district)
    domain = domains_for(district).get(code)
    if domain is None or domain.kind != "custom":
        raise NotFound("没有这个领域。")
    if not domain.active:
        raise DomainError("领域已停用，不能下发。")
    units = db.session.scalars(select(Tenant).where(Tenant.path.startswith(district.path), Tenant.id != district.id,
                                                    Tenant.status == "active").order_by(Tenant.path)).all()
    out = {}
    for unit in units:
        if "catalog" not in (unit.enabled_plugins or []) or not domain.reaches(tenant_level(unit)):
            continue
        with tenant_scope(unit):   # the district admin manages the units below (TENANT_MANAGE is inherited)
            created = _derive_missing(actor, unit, {code}) if all_items(unit) else seed(unit)
        if created:
            out[unit.name] = created
    return out


def _flat(template: list[dict]) -> list[dict]:
    return [x for s in template for x in [s, *s["children"]]]


# --- records ----------------------------------------------------------------------------------

RECORD_TEXT_FIELDS = ("title", "summary", "doc_no", "issuing_body", "disclosure_reason")
# 立法法 第九十三条: 规章 are made by the people's governments of 省、自治区、直辖市 and of 设区的市、自治州.
# No tenant kind of this product (district 县/区, town 乡镇/街道, village) is one, so 规章 is offered to
# none (as the opinions plugin does for consultations); a record already typed 规章 keeps its type.
RULE_MAKING_TENANT_KINDS: frozenset[str] = frozenset()
RULES_REFUSED = ("本单位没有规章制定权，文件类型不能选择“规章”（《中华人民共和国立法法》第九十三条：规章由省、自治区、"
                 "直辖市和设区的市、自治州的人民政府制定）。")


def doc_types_for(tenant: Tenant, current: str | None = None) -> dict[str, str]:
    """The document types a tenant may choose: 规章 only where it could make 规章 (or the record's own)."""
    return {k: v for k, v in DOC_TYPE_LABELS.items()
            if k != "rule" or tenant.kind in RULE_MAKING_TENANT_KINDS or k == current}
RECORD_DATE_FIELDS = ("written_date", "effective_date", "expiry_date")


def _parse_date(value, label: str, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise DomainError(f"{label}格式不正确，请按“2026-01-31”填写。", field=field)


def _record_values(tenant: Tenant, data: dict, record: Record | None) -> dict:
    values: dict = {}
    for key in RECORD_TEXT_FIELDS:
        if key in data:
            values[key] = standard.normalise_text(data[key]) if key != "disclosure_reason" else (data[key] or "").strip()
    if "doc_no" in values:
        values["doc_no"] = canonical_doc_no(values["doc_no"])        # 〔〕, as GB/T 9704 writes it
    labels = {"written_date": "成文日期", "effective_date": "生效日期", "expiry_date": "失效日期"}
    for key in RECORD_DATE_FIELDS:
        if key in data:
            values[key] = _parse_date(data[key], labels[key], key)
    if "body" in data:
        values["body"] = clean_html(data["body"] or "")
    if "disclosure" in data:
        values["disclosure"] = data["disclosure"]
    values.update(_interp_values(data))
    if "doc_type" in data:
        values["doc_type"] = data["doc_type"] or ""
        if values["doc_type"] not in DOC_TYPE_LABELS:
            raise DomainError("文件类型只能是规章、行政规范性文件或其他。", field="doc_type")
        if values["doc_type"] not in doc_types_for(tenant, record.doc_type if record else None):
            raise DomainError(RULES_REFUSED, field="doc_type")
    if "item_id" in data:
        item = db.session.scalar(select(CatalogItem).where(CatalogItem.id == data["item_id"]))
        # A record already under a disabled custom domain stays editable; none is added to one.
        moved = record is None or record.item_id != data["item_id"]
        if item is None or item.children or not is_applicable(item, tenant, inactive_codes(tenant) if moved else set()):
            raise DomainError("请选择本单位适用的公开事项（二级事项）。", field="item_id")
        values["item_id"] = item.id
    merged = {k: getattr(record, k) for k in ("title", "disclosure", "disclosure_reason", "effective_date",
                                              "expiry_date", "item_id")} if record else {}
    merged.update(values)
    for key, label, limit in (("doc_no", "文号", 100), ("issuing_body", "发布机构", 200)):
        if len(values.get(key) or "") > limit:
            raise DomainError(f"{label}不能超过 {limit} 个字符。", field=key)
    if not merged.get("title"):
        raise DomainError("请填写标题。", field="title")
    if len(merged["title"]) > 300:
        raise DomainError("标题不能超过 300 个字符。", field="title")
    if not merged.get("item_id"):
        raise DomainError("请选择公开事项。", field="item_id")
    if merged.get("disclosure", "proactive") not in ("proactive", "on_request", "withheld"):
        raise DomainError("公开属性只能是主动公开、依申请公开或不予公开。", field="disclosure")
    if merged.get("disclosure", "proactive") != "proactive" and not merged.get("disclosure_reason"):
        raise DomainError("依申请公开或不予公开的信息必须说明法定理由。", field="disclosure_reason")
    if merged.get("effective_date") and merged.get("expiry_date") and merged["expiry_date"] < merged["effective_date"]:
        raise DomainError("失效日期不能早于生效日期。", field="expiry_date")
    return values


def create_record(actor, tenant: Tenant, data: dict) -> Record:
    require_permission(actor, Permission.CONTENT_EDIT, tenant)
    values = _record_values(tenant, data, None)
    record = Record(tenant_id=tenant.id, status="draft", created_by_id=getattr(actor, "id", None),
                    last_edited_by_id=getattr(actor, "id", None), **values)
    db.session.add(record)
    db.session.flush()
    if "attachment_ids" in data:
        set_attachments(record, data["attachment_ids"])
    if data.get("documents"):
        set_documents(actor, record, data["documents"])
    audit.record("catalog.record.create", target=record, actor=actor, summary=f"新建政府信息“{record.title}”")
    return record


# --- policies: each rule once, used by navigation, views, API and services alike ------------------

def publishes_alone(actor, tenant: Tenant) -> bool:
    """Policy: where the tenant allows one-person publishing (a village with one clerk), its editors
    and reviewers publish and set validity without a second person."""
    return settings_for(tenant).self_publish and (has_permission(actor, Permission.CONTENT_EDIT, tenant)
                                                  or has_permission(actor, Permission.CONTENT_PUBLISH, tenant))


def may_publish(actor, record: Record) -> bool:
    """Policy: who may approve: a reviewer who neither wrote nor last changed the text, and only once
    it was submitted; or, where the tenant allows one-person publishing, its editors."""
    tenant = record.tenant
    if getattr(actor, "is_superadmin", False):      # (before the settings are read: the demo publishes hundreds)
        return True
    if publishes_alone(actor, tenant):
        return True
    if not has_permission(actor, Permission.CONTENT_PUBLISH, tenant):
        return False
    if record.status == "published":  # corrections to a published record are the reviewer's job
        return True
    return record.status == "submitted" and not _wrote(actor, record.created_by_id, record.last_edited_by_id)


def _wrote(actor, created_by_id: int | None, last_edited_by_id: int | None) -> bool:
    """Whether `actor` wrote or last changed the text: then someone else approves it."""
    return getattr(actor, "id", None) in {created_by_id, last_edited_by_id} - {None}


def may_edit(actor, record: Record) -> bool:
    """Policy: a draft is edited by the tenant's editors; a record waiting for review by nobody (its
    author withdraws it first, or the reviewer sends it back); a published one by whoever may
    publish it."""
    if record.status == "draft":
        return has_permission(actor, Permission.CONTENT_EDIT, record.tenant)
    if record.status == "published":
        return may_publish(actor, record)
    return False


def update_record(actor, record: Record, data: dict) -> list[str]:
    """Drafts are edited by editors; a published record only by someone who may publish it; a record
    under review by nobody (the reviewer sends it back instead)."""
    tenant = record.tenant
    if not may_edit(actor, record):
        if record.status == "submitted":
            require_permission(actor, Permission.CONTENT_VIEW, tenant)
            raise Conflict("待审核的信息不能修改；如需修改，请先撤回，或请审核人员退回。")
        if record.status == "published":
            require_permission(actor, Permission.CONTENT_PUBLISH, tenant)
            raise AccessDenied("已发布的信息只能由审核人员修改。")
        require_permission(actor, Permission.CONTENT_EDIT, tenant)
    if record.status == "published" and "item_id" in data and data["item_id"] != record.item_id:
        raise DomainError("已发布的信息不能移到其他事项。", field="item_id")
    values = _record_values(tenant, data, record)
    changed = [k for k, v in values.items() if getattr(record, k) != v]
    for key in changed:
        setattr(record, key, values[key])
    if "attachment_ids" in data and set_attachments(record, data["attachment_ids"]):
        changed.append("attachments")
    elif "disclosure" in changed:
        refresh_attachment_visibility([link.attachment_id for link in record.attachment_links])
    if record.interp_form == "" and "interp_form" in changed and document_links(record):
        set_documents(actor, record, [])            # no longer a 解读: it interprets nothing
    elif "documents" in data and set_documents(actor, record, data["documents"]):
        changed.append("documents")
    if changed:
        record.last_edited_by_id = getattr(actor, "id", None)
        audit.record("catalog.record.update", target=record, actor=actor,
                     summary=f"修改“{record.title}”：{'、'.join(changed)}")
    return changed


def set_attachments(record: Record, attachment_ids: list[int]) -> bool:
    change = sync_attachments(record, attachment_ids, RecordAttachment)
    if change.changed:
        db.session.flush()
    removed, added = set(change.before) - set(change.ids), set(change.ids) - set(change.before)
    # Linking private files to a record that is not published changes no file's visibility: only
    # unlinking, a public file linked (it becomes the record's, private until published), or any
    # change to a published record does (the demo links hundreds of drafts' new files).
    if removed or record.status == "published" or (added and db.session.scalar(
            select(func.count()).select_from(Attachment).where(Attachment.id.in_(added), Attachment.is_public))):
        refresh_attachment_visibility(set(change.before) | set(change.ids))
    return change.changed


def refresh_attachment_visibility(attachment_ids) -> None:
    """A record's file is public exactly while a public record links to it: publishing, changing the
    disclosure, or unlinking a file updates it (files uploaded as public on their own are left alone)."""
    ids = set(attachment_ids)
    if not ids:
        return
    db.session.flush()
    public = set(db.session.scalars(
        select(RecordAttachment.attachment_id).join(Record, Record.id == RecordAttachment.record_id)
        .where(RecordAttachment.attachment_id.in_(ids), Record.status == "published",
               Record.disclosure == "proactive")))
    linked = set(db.session.scalars(select(RecordAttachment.attachment_id).where(RecordAttachment.attachment_id.in_(ids))))
    for attachment in db.session.scalars(select(Attachment).where(Attachment.id.in_(ids))):
        if attachment.id in public:
            mark_public(attachment)
        elif attachment.id in linked or attachment.is_public:
            mark_private(attachment)


def submit(actor, record: Record) -> None:
    require_permission(actor, Permission.CONTENT_EDIT, record.tenant)
    if record.status != "draft":
        raise Conflict("只有草稿可以提交审核。")
    record.status = "submitted"
    record.submitted_at = utcnow()
    record.return_note = ""
    audit.record("catalog.record.submit", target=record, actor=actor, summary=f"提交审核“{record.title}”")


CHANGED_MEANWHILE = "这条信息刚被其他人处理过（已审核、撤回或退回），请刷新页面查看最新状态。"


def submission_stamp(record: Record) -> str:
    """Which submission a reviewer's page shows: sent back with the approval or the return, so a
    record withdrawn, changed and submitted again meanwhile is not approved unseen."""
    return record.submitted_at.isoformat() if record.submitted_at else ""


def _check_seen(record: Record, seen: str | None) -> None:
    if seen is not None and seen != submission_stamp(record):
        raise Conflict("这条信息在您打开页面后已被撤回或重新提交，请查看最新内容后再审核。")


def _claim(record: Record, **values) -> None:
    """Move a record out of the state this request read it in, only if it is still in it: of a
    withdrawal and an approval at the same moment, one changes the row and the other is refused
    (the second waits for the first's row lock on PostgreSQL, and SQLite writes one at a time)."""
    conditions = [Record.id == record.id, Record.status == record.status]
    if record.status == "submitted":
        conditions.append(Record.submitted_at == record.submitted_at)
    claimed = db.session.execute(update(Record).where(*conditions).values(**values)
                                 .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise Conflict(CHANGED_MEANWHILE)
    for key, value in values.items():
        set_committed_value(record, key, value)


def withdraw(actor, record: Record) -> None:
    """The author (or another editor of the tenant) takes a submitted record back to draft before
    it is reviewed."""
    require_permission(actor, Permission.CONTENT_EDIT, record.tenant)
    if record.status != "submitted":
        raise Conflict("只有待审核的信息可以撤回。" if record.status != "published" else "信息已经发布，不能撤回。")
    _claim(record, status="draft", submitted_at=None)
    audit.record("catalog.record.withdraw", target=record, actor=actor, summary=f"撤回“{record.title}”，改为草稿")


def return_to_draft(actor, record: Record, note: str, *, seen: str | None = None) -> None:
    require_permission(actor, Permission.CONTENT_PUBLISH, record.tenant)
    if record.status != "submitted":
        raise Conflict("只有待审核的信息可以退回。")
    if not (note or "").strip():
        raise DomainError("退回时请写明原因，便于编辑修改。", field="note")
    _check_seen(record, seen)
    _claim(record, status="draft", return_note=note.strip(), reviewed_by_id=getattr(actor, "id", None),
           reviewed_at=utcnow())
    audit.record("catalog.record.return", target=record, actor=actor, summary=f"退回“{record.title}”：{note.strip()}")


def waiting_for(moment: datetime | None, now: datetime | None = None) -> str:
    """How long a record has waited for review, as a reviewer reads it: 3 小时, 2 天."""
    if moment is None:
        return ""
    seconds = max(((now or utcnow()) - moment).total_seconds(), 0)
    if seconds < 3600:
        return "不到 1 小时"
    if seconds < 86400:
        return f"{int(seconds // 3600)} 小时"
    return f"{int(seconds // 86400)} 天"


@dataclass(frozen=True)
class Waiting:
    """A record in a reviewer's queue (plain values: nothing of another tenant stays in the session)."""
    id: int
    title: str
    submitted_at: datetime | None
    tenant: Tenant


def review_queue(actor, tenant: Tenant) -> list[Waiting]:
    """Records waiting for review in the tenant and the units below it that run the catalog, which
    `actor` may approve (not what they wrote themselves, the rule of may_publish), oldest first."""
    units = {t.id: t for t in db.session.scalars(select(Tenant).where(Tenant.path.startswith(tenant.path),
                                                                       Tenant.status == "active"))
             if "catalog" in (t.enabled_plugins or []) and has_permission(actor, Permission.CONTENT_PUBLISH, t)}
    if not units:
        return []
    with across_tenants(units, reason="审核队列：本级和下级待审核的政府信息"):
        rows = db.session.execute(select(Record.id, Record.title, Record.submitted_at, Record.tenant_id,
                                         Record.created_by_id, Record.last_edited_by_id)
                                  .where(Record.status == "submitted", Record.tenant_id.in_(units))
                                  .order_by(Record.submitted_at, Record.id)).all()
        alone = set(db.session.scalars(select(CatalogSettings.tenant_id).where(  # one-person publishing
            CatalogSettings.tenant_id.in_(units), CatalogSettings.self_publish.is_(True))))
    everyone = getattr(actor, "is_superadmin", False)
    return [Waiting(r.id, r.title, r.submitted_at, units[r.tenant_id]) for r in rows
            if everyone or r.tenant_id in alone or not _wrote(actor, r.created_by_id, r.last_edited_by_id)]


def returned_to(actor, tenant: Tenant) -> list[Record]:
    """Drafts of the tenant a reviewer sent back to `actor` (its author or last editor), newest first."""
    user_id = getattr(actor, "id", None)
    if user_id is None:
        return []
    return list(db.session.scalars(select(Record).where(
        Record.tenant_id == tenant.id, Record.status == "draft", Record.return_note != "",
        or_(Record.created_by_id == user_id, Record.last_edited_by_id == user_id))
        .order_by(Record.reviewed_at.desc(), Record.id.desc()).limit(20)))


def approved_for(actor, tenant: Tenant, *, days: int = 7) -> list[Record]:
    """The tenant's records `actor` wrote or last changed that someone else approved in the last
    `days` days, newest first: the author's side of an approval."""
    user_id = getattr(actor, "id", None)
    if user_id is None:
        return []
    since = utcnow() - timedelta(days=days)
    return list(db.session.scalars(select(Record).where(
        Record.tenant_id == tenant.id, Record.status == "published", Record.published_at >= since,
        or_(Record.created_by_id == user_id, Record.last_edited_by_id == user_id),
        Record.reviewed_by_id.is_not(None), Record.reviewed_by_id != user_id)
        .order_by(Record.published_at.desc(), Record.id.desc()).limit(10)))


def next_index_no(tenant: Tenant, year: int) -> tuple[str, int]:
    """The next 索引号 of a tenant for a year: unit code / year - sequence, e.g. 11451102X/2026-00017.

    One atomic UPDATE … RETURNING on the (tenant, year) counter: correct under concurrent
    publishing on PostgreSQL (row lock) and SQLite (the write lock), across processes. Numbers
    only go up, so none is ever given out twice, and each year starts again at 1.
    """
    if not tenant.unit_code:
        raise DomainError(f"“{tenant.name}”还没有单位代码，无法生成索引号。请管理员在“单位信息”中填写。")
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(IndexSequence).values(tenant_id=tenant.id, year=year, last_value=0)
                       .on_conflict_do_nothing(index_elements=["tenant_id", "year"]))
    seq = db.session.execute(
        update(IndexSequence).where(IndexSequence.tenant_id == tenant.id, IndexSequence.year == year)
        .values(last_value=IndexSequence.last_value + 1).returning(IndexSequence.last_value)
        .execution_options(synchronize_session=False)).scalar_one()
    return f"{tenant.unit_code}/{year}-{seq:05d}", seq


def publish(actor, record: Record, *, review_confirmed: bool, when: datetime | None = None,
            seen: str | None = None) -> Record:
    """Approve and publish: confidentiality review confirmed, 索引号 given, files made public."""
    tenant = record.tenant
    require_permission(actor, Permission.ADMIN_ACCESS, tenant)
    if record.status == "published":
        raise Conflict("该信息已经发布。")
    if not may_publish(actor, record):
        if has_permission(actor, Permission.CONTENT_PUBLISH, tenant):
            if record.status == "draft":
                raise AccessDenied("草稿尚未提交审核，不能发布。")
            raise AccessDenied("需要另一位审核人员审核：不能审核发布自己起草或修改过的信息。")
        raise AccessDenied("您没有发布权限，请提交审核。")
    if not review_confirmed:
        raise DomainError("发布前请确认已完成保密审查。", field="review_confirmed")
    _check_seen(record, seen)
    if problems := interpretation_problems(record):
        raise DomainError(" ".join(problems), field="documents")
    when = when or utcnow()
    # Claim the record first, in the state it was read in: of two simultaneous approvals only one
    # changes the row, so a record never gets two 索引号, and one withdrawn meanwhile is not published.
    _claim(record, status="published")
    year = china_date(when).year  # the year people see on the record, not the UTC one
    record.index_no, record.index_seq = next_index_no(tenant, year)
    record.index_year = year
    record.status = "published"
    record.published_at = when
    record.review_confirmed = True
    record.reviewed_at = utcnow()
    record.reviewed_by_id = getattr(actor, "id", None)
    refresh_attachment_visibility([link.attachment_id for link in record.attachment_links])
    audit.record("catalog.record.publish", target=record, actor=actor,
                 summary=f"发布“{record.title}”，索引号 {record.index_no}")
    return record


def may_set_validity(actor, tenant: Tenant) -> bool:
    """Policy: who marks a published record 失效 or 废止: its reviewers, or any editor where the
    tenant publishes alone."""
    return has_permission(actor, Permission.CONTENT_PUBLISH, tenant) or publishes_alone(actor, tenant)


def may_supervise(user, tenant: Tenant) -> bool:
    """Policy: who sees the timeliness supervision of a tenant and the units below it (page, reports,
    navigation): its admins and its reviewers."""
    return (has_permission(user, Permission.TENANT_MANAGE, tenant)
            or has_permission(user, Permission.CONTENT_PUBLISH, tenant))


def require_supervision(user, tenant: Tenant) -> None:
    if not may_supervise(user, tenant):
        require_permission(user, Permission.TENANT_MANAGE, tenant)


def lapse(actor, record: Record, validity: str, *, on: date | None = None, superseded_by: int | None = None) -> None:
    """Mark a published record 失效 or 废止 (or valid again); it stays visible and is never deleted."""
    tenant = record.tenant
    if not may_set_validity(actor, tenant):
        require_permission(actor, Permission.CONTENT_PUBLISH, tenant)
    if record.status != "published":
        raise Conflict("只有已发布的信息才有时效状态。")
    if validity not in VALIDITY_LABELS:
        raise DomainError("时效只能是有效、失效或废止。", field="validity")
    replacement = None
    if superseded_by:
        replacement = db.session.scalar(select(Record).where(Record.id == int(superseded_by)))
        if replacement is None or replacement.status != "published" or replacement.id == record.id:
            raise DomainError("替代文件必须是本单位另一条已发布的信息。", field="superseded_by")
    record.validity = validity
    record.validity_date = None if validity == "valid" else (on or china_today())
    record.superseded_by_id = replacement.id if replacement and validity != "valid" else None
    audit.record("catalog.record.validity", target=record, actor=actor,
                 summary=f"“{record.title}”标记为{VALIDITY_LABELS[validity]}")


def delete_record(actor, record: Record) -> None:
    require_permission(actor, Permission.CONTENT_EDIT, record.tenant)
    if record.status == "published":
        raise Conflict("已发布的信息不能删除；已失效或废止的请标记时效。")
    if record.status == "submitted":
        raise Conflict("待审核的信息不能删除；请先撤回。")
    audit.record("catalog.record.delete", target=record, actor=actor, summary=f"删除草稿“{record.title}”")
    attachment_ids = [link.attachment_id for link in record.attachment_links]
    db.session.delete(record)
    refresh_attachment_visibility(attachment_ids)


# --- public queries ---------------------------------------------------------------------------

def public_records():
    """The records the public may read: published and proactively disclosed."""
    return select(Record).where(Record.status == "published", Record.disclosure == "proactive")


def filtered_public_records(*, domain: str | None = None, item_id: int | None = None, year: int | None = None,
                            validity: str | None = None, q: str | None = None):
    stmt = public_records()
    if item_id:
        stmt = stmt.where(Record.item_id == item_id)
    if domain:
        stmt = stmt.where(Record.item_id.in_(select(CatalogItem.id).where(CatalogItem.domain_code == domain)))
    if year:
        stmt = stmt.where(Record.index_year == year)
    today = china_today()
    past_expiry = Record.expiry_date.is_not(None) & (Record.expiry_date < today)
    if validity == "valid":
        stmt = stmt.where(Record.validity == "valid", ~past_expiry)
    elif validity == "expired":
        stmt = stmt.where((Record.validity == "expired") | ((Record.validity == "valid") & past_expiry))
    elif validity == "repealed":
        stmt = stmt.where(Record.validity == "repealed")
    if q:
        like = f"%{q.strip()}%"
        doc_no = f"%{canonical_doc_no(q)}%" if looks_like_doc_no(q) else like
        stmt = stmt.where(or_(Record.title.like(like), Record.doc_no.like(doc_no), Record.index_no.like(like)))
    return stmt.order_by(Record.published_at.desc(), Record.id.desc())


def public_record_counts(tenant: Tenant) -> dict[int, int]:
    rows = db.session.execute(select(Record.item_id, func.count()).where(
        Record.tenant_id == tenant.id, Record.status == "published", Record.disclosure == "proactive")
        .group_by(Record.item_id))
    return dict(rows.all())


def public_years(tenant: Tenant) -> list[int]:
    return sorted({y for y in db.session.scalars(select(Record.index_year).where(
        Record.tenant_id == tenant.id, Record.status == "published", Record.index_year.is_not(None)).distinct())},
        reverse=True)


def item_latest_records(tenant: Tenant, item_ids: Iterable[int], per_item: int = 3) -> dict[int, list[Record]]:
    """The newest public records of each of these items (one query, whatever their number)."""
    ids = list(item_ids)
    if not ids:
        return {}
    rank = func.row_number().over(partition_by=Record.item_id,
                                  order_by=(Record.published_at.desc(), Record.id.desc())).label("rank")
    ranked = (public_records().where(Record.tenant_id == tenant.id, Record.item_id.in_(ids))
              .add_columns(rank).subquery())
    latest = db.session.scalars(select(Record).join(ranked, ranked.c.id == Record.id).where(ranked.c.rank <= per_item)
                                .order_by(Record.published_at.desc(), Record.id.desc())).all()
    out: dict[int, list[Record]] = {}
    for record in latest:
        out.setdefault(record.item_id, []).append(record)
    return out


STATUTORY_RULES = "ZD"   # the 政府信息公开制度 domain: its records are the 专栏's 公开制度 part


def statutory_tree(tenant: Tenant):
    """法定主动公开内容 of the tenant: the statutory domains it publishes under (第二十条, and 第二十一条
    for its kind), without the 公开制度 (a part of the 专栏 of its own)."""
    return [(d, rows) for d, rows in tree(tenant, applicable_only=True, kinds={"statutory"}) if d.code != STATUTORY_RULES]


def rules_items(tenant: Tenant) -> list[CatalogItem]:
    """The tenant's applicable items of 政府信息公开制度."""
    return [i for i in leaf_items(tenant) if i.domain_code == STATUTORY_RULES]


# --- the annual report's section 二 -----------------------------------------------------------

def proactive_statistics(tenant: Tenant, year: int) -> dict[str, dict[str, int]]:
    """第二十条第（一）项 of section 二 (主动公开政府信息情况) of the annual report, for 规章 and
    行政规范性文件, counted from the tenant's published records of that document type, in the format of
    《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》
    （国办公开办函〔2021〕30号）:

    - 本年制发件数 (issued): records whose 成文日期 (written_date; when missing, the China date of
      publication) falls in `year`;
    - 本年废止件数 (repealed): records marked 废止 (validity "repealed") with a 废止 date in `year`;
    - 现行有效件数 (in_force): records issued by 31 December of `year` and still in force that day:
      not marked 废止 or 失效 from a day up to it, and not past their 失效日期 (a record is valid on its
      失效日期 itself, as Record.current_validity reads it).
    """
    end = date(year, 12, 31)
    out = {"rules": {"issued": 0, "repealed": 0, "in_force": 0},
           "normative": {"issued": 0, "repealed": 0, "in_force": 0}}
    keys = {"rule": "rules", "normative": "normative"}
    rows = db.session.execute(select(Record.doc_type, Record.written_date, Record.published_at, Record.validity,
                                     Record.validity_date, Record.expiry_date).where(
        Record.tenant_id == tenant.id, Record.status == "published", Record.doc_type.in_(keys))).all()
    for r in rows:
        counts = out[keys[r.doc_type]]
        issued_on = r.written_date or (china_date(r.published_at) if r.published_at else None)
        if issued_on is None:
            continue
        if issued_on.year == year:
            counts["issued"] += 1
        if r.validity == "repealed" and r.validity_date and r.validity_date.year == year:
            counts["repealed"] += 1
        lapsed = r.validity != "valid" and (r.validity_date is None or r.validity_date <= end)
        past_expiry = r.expiry_date is not None and r.expiry_date < end
        if issued_on <= end and not lapsed and not past_expiry:
            counts["in_force"] += 1
    return out


# --- 政策解读 (interpretations) ------------------------------------------------------------------
# A record with a form (interp_form) is a 解读 of the documents its InterpretationLink rows name: catalog
# records of the county's tree (the district, its towns and villages) or other plugins' documents found
# through the lookup_documents hook ("gazette:article:5"). Rules: a document outside the county's tree
# is never linked (refused) nor shown (filtered); a 解读 is published only once its catalog documents
# are; a 图解 only when every picture has its description. A policy (a 规范性文件, or a record marked
# needs_interpretation) waits for its 解读: flagged in the editor's list and in supervision until one is
# published, and a 解读 published more than CATALOG_INTERPRETATION_LATE_WORKDAYS working days after its
# document is late.

import re as _re
from html.parser import HTMLParser as _HTMLParser

from plugins.catalog.models import INTERP_BY, INTERP_FORMS, InterpretationLink

LATE_SETTING = "CATALOG_INTERPRETATION_LATE_WORKDAYS"
DEFAULT_LATE_WORKDAYS = 3
MAX_DOCUMENTS = 20
RECORD_REF = _re.compile(r"catalog:record:([1-9][0-9]{0,17})")
OUTSIDE_COUNTY = "只能关联本县（区）及所属乡镇（街道）、村（社区）的文件；该文件不存在、未公开或不属于本县。"


def late_workdays() -> int:
    """N of "a 解读 published more than N working days after its document is late" (default 3)."""
    from flask import current_app
    try:
        value = int(current_app.config.get(LATE_SETTING, DEFAULT_LATE_WORKDAYS))
    except (TypeError, ValueError):
        return DEFAULT_LATE_WORKDAYS
    return value if value >= 0 else DEFAULT_LATE_WORKDAYS


def record_ref(record_id: int) -> str:
    return f"catalog:record:{record_id}"


def county_ids(tenant: Tenant) -> list[int]:
    """The tenants of the county's tree the tenant belongs to (its district and everything below)."""
    root = district_id(tenant)
    return list(db.session.scalars(select(Tenant.id).where(or_(Tenant.id == root, Tenant.path.like(f"/{root}/%")))))


def _chain(tenant: Tenant) -> list[Tenant]:
    """The tenant and its ancestors up to the district: whose other documents a 解读 may interpret."""
    return [*tenant.ancestors(), tenant]


@dataclass(frozen=True)
class DocumentLink:
    """A document or a 解读 as a page, the API or search shows it (plain values, nothing of another
    tenant stays in the session)."""
    ref: str
    title: str
    doc_no: str = ""
    url: str = ""
    form: str = ""          # a 解读's form label
    tenant_id: int | None = None
    tenant_name: str = ""
    published: bool = True
    record_id: int | None = None


def _record_url(tenant_by_id: dict, tenant_id: int, record_id: int) -> str:
    from core.plugin_api import url_path_for
    return url_path_for("catalog.record", tenant=tenant_by_id[tenant_id], record_id=record_id)


def _tenants(ids) -> dict[int, Tenant]:
    ids = set(ids)
    return {t.id: t for t in db.session.scalars(select(Tenant).where(Tenant.id.in_(ids)))} if ids else {}


def _other_documents(tenant: Tenant, *, query: str | None = None, refs: list[str] | None = None) -> list[DocumentLink]:
    """Other plugins' documents of the tenant's chain (its own and its ancestors'), through the
    lookup_documents hook; the catalog's own records are read directly (drafts too)."""
    from flask import current_app
    from core.plugin_api import collect
    registry = current_app.extensions["cms"]
    out = []
    for unit in _chain(tenant):
        with across_tenants([unit.id], reason="政策解读：查找本级和上级的其他文件（lookup_documents）"):
            found = collect(registry.hook_for(unit, "lookup_documents"), tenant=unit, query=query, refs=refs)
        out += [DocumentLink(ref=d.ref, title=d.title, doc_no=d.doc_no, url=d.url, tenant_id=unit.id,
                             tenant_name=unit.name) for d in found if d.plugin != "catalog"]
    return out


def _catalog_documents(tenant: Tenant, stmt_filter) -> list[DocumentLink]:
    """Catalog records of the county's tree matching `stmt_filter`: the tenant's own in any state, the
    other units' only when public; never a 解读 itself."""
    ids = county_ids(tenant)
    with across_tenants(ids, reason="政策解读：本县范围内的文件"):
        rows = db.session.execute(
            select(Record.id, Record.title, Record.doc_no, Record.tenant_id, Record.status, Record.disclosure)
            .where(Record.tenant_id.in_(ids), Record.interp_form == "", stmt_filter,
                   or_(Record.tenant_id == tenant.id, (Record.status == "published") & (Record.disclosure == "proactive")))
            .order_by(Record.published_at.desc(), Record.id.desc()).limit(MAX_DOCUMENTS)).all()
    names = _tenants(r.tenant_id for r in rows)
    return [DocumentLink(ref=record_ref(r.id), title=r.title, doc_no=r.doc_no, tenant_id=r.tenant_id,
                         tenant_name=names[r.tenant_id].name, published=r.status == "published", record_id=r.id,
                         url=_record_url(names, r.tenant_id, r.id) if r.status == "published" and r.disclosure == "proactive"
                         else "") for r in rows]


def find_documents(tenant: Tenant, query: str) -> list[DocumentLink]:
    """Documents a 解读 of `tenant` may interpret whose title or 文号 contains `query`."""
    query = standard.normalise_text(query or "")[:100]
    if not query:
        return []
    like = f"%{query}%"
    doc_no = f"%{canonical_doc_no(query)}%" if looks_like_doc_no(query) else like
    found = _catalog_documents(tenant, or_(Record.title.like(like), Record.doc_no.like(doc_no)))
    return (found + _other_documents(tenant, query=query))[:MAX_DOCUMENTS]


def resolve_document(tenant: Tenant, ref: str) -> DocumentLink:
    """The document `ref` as a 解读 of `tenant` may link it; refused when outside the county's tree."""
    ref = str(ref or "").strip()
    match = RECORD_REF.fullmatch(ref)
    if match:
        found = _catalog_documents(tenant, Record.id == int(match.group(1)))
    elif _re.fullmatch(r"[a-z_]{1,30}:[a-z_]{1,30}:[1-9][0-9]{0,17}", ref):
        found = [d for d in _other_documents(tenant, refs=[ref]) if d.ref == ref]
    else:
        found = []
    if not found:
        raise DomainError(OUTSIDE_COUNTY, field="documents")
    return found[0]


def document_links(record: Record) -> list[InterpretationLink]:
    return list(db.session.scalars(select(InterpretationLink).where(InterpretationLink.interpretation_id == record.id)
                                   .order_by(InterpretationLink.position, InterpretationLink.id)))


def set_documents(actor, record: Record, refs) -> bool:
    """The documents a 解读 interprets, in order (each checked: in the county's tree, not itself)."""
    if not may_edit(actor, record):
        require_permission(actor, Permission.CONTENT_EDIT, record.tenant)
        raise Conflict("待审核的信息不能修改；如需修改，请先撤回，或请审核人员退回。")
    wanted: list[str] = []
    for ref in refs or []:
        ref = str(ref).strip()
        if ref and ref not in wanted:
            wanted.append(ref)
    if len(wanted) > MAX_DOCUMENTS:
        raise DomainError(f"一篇解读最多关联 {MAX_DOCUMENTS} 个文件。", field="documents")
    links = document_links(record)
    if [link.document_ref for link in links] == wanted:
        return False
    if wanted and not record.interp_form:
        raise DomainError("只有政策解读可以关联文件：请先选择解读形式。", field="interp_form")
    documents = [resolve_document(record.tenant, ref) for ref in wanted]
    if any(d.record_id == record.id for d in documents):
        raise DomainError("解读不能关联它自己。", field="documents")
    if record.status == "published" and (late := [d for d in documents if not d.published]):
        raise DomainError(f"《{late[0].title}》尚未发布，已发布的解读不能关联未发布的文件。", field="documents")
    for link in links:
        db.session.delete(link)
    db.session.flush()
    for position, d in enumerate(documents, start=1):
        db.session.add(InterpretationLink(tenant_id=record.tenant_id, interpretation_id=record.id, document_ref=d.ref,
                                          record_id=d.record_id, document_tenant_id=d.tenant_id, title=d.title[:300],
                                          doc_no=(d.doc_no or "")[:100], url=(d.url or "")[:500], position=position))
    db.session.flush()
    record.last_edited_by_id = getattr(actor, "id", None)
    audit.record("catalog.interpretation.documents", target=record, actor=actor,
                 summary=f"“{record.title}”解读的文件：" + ("、".join(f"《{d.title}》" for d in documents) or "（无）"))
    return True


class _Images(_HTMLParser):
    def __init__(self):
        super().__init__()
        self.images: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            values = dict(attrs)
            self.images.append((values.get("src") or "", (values.get("alt") or "").strip()))


def images_without_description(record: Record) -> list[str]:
    """The record's image attachments that its text does not show with a description (alt text)."""
    parser = _Images()
    parser.feed(record.body or "")
    described = {src for src, alt in parser.images if alt}
    return [a.filename for a in record.attachments
            if a.is_image and not any(f"/files/{a.token}/" in src for src in described)]


def interpretation_problems(record: Record) -> list[str]:
    """Why a 解读 cannot be published yet (empty: it can)."""
    if not record.interp_form:
        return []
    problems = []
    links = document_links(record)
    if not links:
        problems.append("请关联所解读的文件（按文号或标题查找）。")
    ids = [link.record_id for link in links if link.record_id]
    if ids:
        with across_tenants(county_ids(record.tenant), reason="政策解读：所解读文件的发布状态"):
            pending = db.session.execute(select(Record.title).where(Record.id.in_(ids), Record.status != "published")
                                         .order_by(Record.id)).scalars().all()
        problems += [f"所解读的文件《{title}》尚未发布：解读不能先于文件发布。请先审核发布该文件"
                     f"（审核文件时可勾选“同时审核通过其解读”）。" for title in pending]
    if record.interp_form == "graphic":
        images = [a for a in record.attachments if a.is_image]
        if not images:
            problems.append("图解须上传至少一张图片（JPG、PNG）。")
        problems += [f"图解中的图片“{name}”缺少文字说明：请在正文中插入该图片并填写图片说明（替代文本）。"
                     for name in images_without_description(record)]
    if record.interp_form == "media" and not (record.interp_url or record.attachment_links):
        problems.append("音视频解读须上传文件或填写音视频链接。")
    if record.interp_form == "press" and not record.interp_url:
        problems.append("媒体解读须填写媒体报道的链接。")
    return problems


def _interp_values(data: dict) -> dict:
    values: dict = {}
    if "interp_form" in data:
        values["interp_form"] = data["interp_form"] or ""
        if values["interp_form"] not in INTERP_FORMS and values["interp_form"]:
            raise DomainError(f"解读形式只能是：{'、'.join(INTERP_FORMS.values())}。", field="interp_form")
    if "interp_url" in data:
        url = (data["interp_url"] or "").strip()
        if url and not _re.fullmatch(r"https?://[^\s/?#]+\.[^\s/?#]+[^\s]*", url, _re.I):
            raise DomainError("链接须以 http:// 或 https:// 开头的网址。", field="interp_url")
        if len(url) > 500:
            raise DomainError("链接不能超过 500 个字符。", field="interp_url")
        values["interp_url"] = url
    if "interp_by_kind" in data:
        values["interp_by_kind"] = data["interp_by_kind"] or ""
        if values["interp_by_kind"] and values["interp_by_kind"] not in INTERP_BY:
            raise DomainError(f"解读人只能是：{'、'.join(INTERP_BY.values())}。", field="interp_by_kind")
    if "interp_by_name" in data:
        values["interp_by_name"] = standard.normalise_text(data["interp_by_name"] or "")
        if len(values["interp_by_name"]) > 100:
            raise DomainError("解读人名称不能超过 100 个字符。", field="interp_by_name")
    if "needs_interpretation" in data:
        values["needs_interpretation"] = bool(data["needs_interpretation"])
    return values


def submitted_interpretations(record: Record) -> list[Record]:
    """The tenant's 解读 of `record` waiting for review (what one review of the document can cover)."""
    return list(db.session.scalars(select(Record).join(InterpretationLink, InterpretationLink.interpretation_id == Record.id)
                                   .where(InterpretationLink.record_id == record.id, Record.status == "submitted",
                                          Record.tenant_id == record.tenant_id).order_by(Record.id)))


def publish_with_interpretations(actor, record: Record, *, review_confirmed: bool, seen: str | None = None,
                                 when: datetime | None = None) -> list[Record]:
    """Approve a document and, in the same step, its submitted 解读 that may then be published (同步审签):
    those `actor` may approve and that nothing else holds back. Returns the 解读 published."""
    publish(actor, record, review_confirmed=review_confirmed, seen=seen, when=when)
    done = []
    for interpretation in submitted_interpretations(record):
        if may_publish(actor, interpretation) and not interpretation_problems(interpretation):
            publish(actor, interpretation, review_confirmed=True, when=when)
            done.append(interpretation)
    return done


def interpretations_of(tenant: Tenant, refs) -> dict[str, list[DocumentLink]]:
    """The published, public 解读 of the county's tree of each document ref, oldest first (one query)."""
    refs = list(refs)
    if not refs:
        return {}
    ids = county_ids(tenant)
    with across_tenants(ids, reason="政策解读：文件的解读"):
        rows = db.session.execute(
            select(InterpretationLink.document_ref, Record.id, Record.title, Record.doc_no, Record.interp_form,
                   Record.tenant_id)
            .join(Record, Record.id == InterpretationLink.interpretation_id)
            .where(InterpretationLink.document_ref.in_(refs), Record.tenant_id.in_(ids), Record.status == "published",
                   Record.disclosure == "proactive")
            .order_by(Record.published_at, Record.id)).all()
    names = _tenants(r.tenant_id for r in rows)
    out: dict[str, list[DocumentLink]] = {}
    for r in rows:
        out.setdefault(r.document_ref, []).append(DocumentLink(
            ref=record_ref(r.id), title=r.title, doc_no=r.doc_no, url=_record_url(names, r.tenant_id, r.id),
            form=INTERP_FORMS.get(r.interp_form, ""), tenant_id=r.tenant_id, tenant_name=names[r.tenant_id].name,
            record_id=r.id))
    return out


def documents_of(tenant: Tenant, interpretation_ids) -> dict[int, list[DocumentLink]]:
    """The documents each 解读 interprets as the public may see them: catalog records of the county's
    tree that are public, other plugins' documents the lookup_documents hook still offers."""
    interpretation_ids = list(interpretation_ids)
    if not interpretation_ids:
        return {}
    ids = county_ids(tenant)
    with across_tenants(ids, reason="政策解读：解读的文件"):
        links = db.session.execute(select(InterpretationLink.interpretation_id, InterpretationLink.document_ref,
                                          InterpretationLink.record_id)
                                   .where(InterpretationLink.interpretation_id.in_(interpretation_ids))
                                   .order_by(InterpretationLink.position, InterpretationLink.id)).all()
        record_ids = [link.record_id for link in links if link.record_id]
        records = {r.id: r for r in db.session.execute(
            select(Record.id, Record.title, Record.doc_no, Record.tenant_id).where(
                Record.id.in_(record_ids or [0]), Record.tenant_id.in_(ids), Record.status == "published",
                Record.disclosure == "proactive")).all()}
    names = _tenants(r.tenant_id for r in records.values())
    others = {link.document_ref for link in links if not link.record_id}
    offered = {d.ref: d for d in _other_documents(tenant, refs=sorted(others))} if others else {}
    out: dict[int, list[DocumentLink]] = {}
    for link in links:
        if link.record_id in records:
            r = records[link.record_id]
            out.setdefault(link.interpretation_id, []).append(DocumentLink(
                ref=link.document_ref, title=r.title, doc_no=r.doc_no, url=_record_url(names, r.tenant_id, r.id),
                tenant_id=r.tenant_id, tenant_name=names[r.tenant_id].name, record_id=r.id))
        elif link.document_ref in offered:
            out.setdefault(link.interpretation_id, []).append(offered[link.document_ref])
    return out


def awaiting_interpretation(tenant: Tenant, record_ids) -> set[int]:
    """Of these records, the policies (a 规范性文件, or marked as needing one) without a published 解读."""
    record_ids = list(record_ids)
    if not record_ids:
        return set()
    policies = set(db.session.scalars(select(Record.id).where(Record.id.in_(record_ids), Record.interp_form == "",
                                                              or_(Record.doc_type == "normative",
                                                                  Record.needs_interpretation.is_(True)))))
    if not policies:
        return set()
    with across_tenants(county_ids(tenant), reason="政策解读：文件是否已有发布的解读（下级单位的解读也算）"):
        done = set(db.session.scalars(select(InterpretationLink.record_id).join(
            Record, Record.id == InterpretationLink.interpretation_id).where(
            InterpretationLink.record_id.in_(policies), Record.status == "published")))
    return policies - done


@dataclass(frozen=True)
class PolicyFinding:
    """A published policy of a unit as supervision reads it: still without its 解读, or given one late."""
    tenant_id: int
    record_id: int
    title: str
    doc_no: str
    published_on: date
    interpreted_on: date | None     # the first 解读's publication day, None: none yet
    workdays: int | None            # working days between the two (None: none yet)
    late: bool


def policy_findings(tenants, *, since: date | None = None, as_of: date | None = None) -> list[PolicyFinding]:
    """Every published policy of these units (published from `since`, by `as_of`) with its first
    published 解读 of the county's tree: two queries whatever their number."""
    from core.plugin_api import Calendar
    tenants = list(tenants)
    ids = [t.id for t in tenants]
    if not ids:
        return []
    roots = {district_id(t) for t in tenants}
    scope = set(ids)
    for root in roots:
        scope.update(db.session.scalars(select(Tenant.id).where(or_(Tenant.id == root, Tenant.path.like(f"/{root}/%")))))
    limit = late_workdays()
    cal = Calendar()
    with across_tenants(scope, reason="政策解读：各单位的政策文件和解读"):
        docs = db.session.execute(select(Record.id, Record.tenant_id, Record.title, Record.doc_no, Record.published_at)
                                  .where(Record.tenant_id.in_(ids), Record.status == "published",
                                         Record.interp_form == "",
                                         or_(Record.doc_type == "normative", Record.needs_interpretation.is_(True)))
                                  .order_by(Record.tenant_id, Record.published_at, Record.id)).all()
        first = dict(db.session.execute(
            select(InterpretationLink.record_id, func.min(Record.published_at))
            .join(Record, Record.id == InterpretationLink.interpretation_id)
            .where(InterpretationLink.record_id.in_([d.id for d in docs] or [0]), Record.status == "published")
            .group_by(InterpretationLink.record_id)).all())
    out = []
    for d in docs:
        published_on = china_date(d.published_at)
        if (since and published_on < since) or (as_of and published_on > as_of):
            continue
        at = first.get(d.id)
        interpreted_on = china_date(at) if at is not None else None
        if interpreted_on is not None and as_of and interpreted_on > as_of:
            interpreted_on = None
        took = cal.workdays_between(published_on, interpreted_on) if interpreted_on else None
        out.append(PolicyFinding(d.tenant_id, d.id, d.title, d.doc_no, published_on, interpreted_on, took,
                                 took is not None and took > limit))
    return out


def interpretation_ratios(tenants, year: int) -> dict[int, float | None]:
    """The yearly assessment's 政策解读 measure: per unit, of its policies published in `year`, the
    share whose 解读 was published within the limit (None: no policy that year)."""
    findings = policy_findings(tenants, since=date(year, 1, 1), as_of=min(date(year, 12, 31), china_today()))
    out: dict[int, float | None] = {t.id: None for t in tenants}
    totals: dict[int, list[int]] = {}
    for f in findings:
        counts = totals.setdefault(f.tenant_id, [0, 0])
        counts[0] += 1
        counts[1] += 1 if f.interpreted_on is not None and not f.late else 0
    for tenant_id, (total, good) in totals.items():
        out[tenant_id] = good / total
    return out
