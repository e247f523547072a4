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
                             Tenant, utcnow)
from plugins.catalog import standard
from plugins.catalog.models import (CatalogItem, CatalogSettings, IndexSequence, Record, RecordAttachment,
                                    VALIDITY_LABELS)

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


# --- items ------------------------------------------------------------------------------------

def tenant_level(tenant: Tenant) -> str:
    return standard.levels_for_kind(tenant.kind)


def is_applicable(item: CatalogItem, tenant: Tenant) -> bool:
    """The tenant must publish under this item: its level is the tenant's and it is not marked N/A."""
    return not item.not_applicable and tenant_level(tenant) in (item.levels or [])


def all_items(tenant: Tenant) -> list[CatalogItem]:
    """Every item of the tenant in domain and tree order, children attached (one query)."""
    items = db.session.scalars(select(CatalogItem).where(CatalogItem.tenant_id == tenant.id)
                               .order_by(CatalogItem.position, CatalogItem.id)).all()
    order = {code: i for i, code in enumerate(standard.domains())}
    return sorted(items, key=lambda i: (order.get(i.domain_code, 999), i.position, i.id))


def tree(tenant: Tenant, *, applicable_only: bool = False) -> list[tuple[standard.Domain, list[tuple[CatalogItem, list[CatalogItem]]]]]:
    """[(domain, [(top item, [children])])] for the tenant, without lazy loads."""
    items = all_items(tenant)
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
    domains = standard.domains()
    return [(domains[code], rows) for code, rows in out.items() if code in domains]


def leaf_items(tenant: Tenant, *, applicable_only: bool = True) -> list[CatalogItem]:
    items = all_items(tenant)
    parents = {i.parent_id for i in items if i.parent_id}
    return [i for i in items if i.id not in parents and (not applicable_only or is_applicable(i, tenant))]


def item_errors(data: dict) -> list[tuple[str, str]]:
    """(field, message) for everything wrong in an item's fields."""
    errors = []
    if not (data.get("name") or "").strip():
        errors.append(("name", "请填写事项名称。"))
    elif len(data["name"]) > 200:
        errors.append(("name", "事项名称不能超过 200 个字符。"))
    if data.get("domain_code") not in standard.domains():
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


def _check_item(data: dict) -> None:
    errors = item_errors(data)
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
    data = {"audience": "全社会", "methods": ["主动"], "levels": [tenant_level(tenant)], **data}
    if parent is not None:
        if parent.parent_id is not None:
            raise DomainError("事项最多两级：不能在二级事项下再建事项。", field="parent")
        if db.session.scalar(select(func.count()).select_from(Record).where(Record.item_id == parent.id)):
            raise DomainError(f"“{parent.name}”下已有政府信息，不能再分出二级事项；请新增一个一级事项。", field="parent")
        data["domain_code"] = parent.domain_code
    _check_item(data)
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
    _check_item(merged)
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
    domains = standard.domains()
    if tenant.kind == "town":
        wanted = {c for c, d in domains.items() if d.kind == "pilot" and d.reaches_town}
    else:
        wanted = {c for c, d in domains.items() if d.kind == "village"}
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
    orphaned = [i for i in mine if i.source_id and i.source_id not in flat]
    return {"changed": changed, "missing": missing, "orphaned": orphaned}


def adopt_source(actor, item: CatalogItem) -> list[str]:
    """Make a derived item say again what its source says (相同事项的公开内容对应一致)."""
    if item.source_id is None:
        raise DomainError("这是本单位新增的事项，没有上级来源。")
    src = next((s for s in _flat(template_for(item.tenant)) if s.get("id") == item.source_id), None)
    if src is None:
        raise NotFound("上级目录中已没有对应的事项。")
    return update_item(actor, item, {k: src[k] for k in COMPARED_FIELDS})


def add_missing(actor, tenant: Tenant) -> int:
    """Derive the source items the tenant does not have yet (e.g. added to the district's standard later)."""
    require_permission(actor, Permission.CONTENT_EDIT, tenant)
    missing = {s["id"] for s in divergences(tenant)["missing"]}
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


def _flat(template: list[dict]) -> list[dict]:
    return [x for s in template for x in [s, *s["children"]]]


# --- records ----------------------------------------------------------------------------------

RECORD_TEXT_FIELDS = ("title", "summary", "doc_no", "issuing_body", "disclosure_reason")
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
    if "item_id" in data:
        item = db.session.scalar(select(CatalogItem).where(CatalogItem.id == data["item_id"]))
        if item is None or item.children or not is_applicable(item, tenant):
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
