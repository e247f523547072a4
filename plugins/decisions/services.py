"""重大行政决策: the yearly 事项目录 and each item's stages. No Flask request objects here: views,
the API, the demo and the tests call these functions alike, with the acting user.

Rules:
- a list is published once approved (who approved, the meeting that approved it, its date), by
  someone who may publish (Permission.CONTENT_PUBLISH);
- after publication an item is never edited silently nor deleted: an addition, a removal (the
  item stays, shown as 已调整 with its reason) and an adjustment each need a reason and leave a
  dated DecisionChange, shown to the public under the list;
- a stage is recorded only for a procedure the item requires (the result and the follow-up notes
  belong to every decision); its shared document (a consultation for 预公开, a record for 决策结果)
  is chosen through the lookup_documents hook and kept as its ref, never copied;
- the year's completion is published from 1 December of the year: each item still on the list
  is 已完成 or 推进中 (with a reason); removed items count as 已撤回/调整 with their reason.
"""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import func, select

from core.plugin_api import (across_tenants, audit, china_today, collect, Conflict, db, DomainError, Permission,
                             require_permission, SharedDocument, Tenant, utcnow)
from plugins.decisions.models import (DecisionChange, DecisionItem, DecisionList, DecisionStage, PROCEDURE_LABELS,
                                      PROCEDURES, STAGE_KINDS, TYPE_LABELS)

TENANT_KINDS = ("district", "town")
FIRST_YEAR = 2019                    # 条例 in force from 1 September 2019
NAME_MAX, UNIT_MAX, TEXT_MAX, REASON_MAX = 300, 200, 20000, 2000
PUBLISHED_FROZEN = "事项目录已发布，不能直接修改；请用“调整事项”并写明调整理由，调整情况将向社会公开。"
CONSULTATION_PREFIX = "opinions:consultation:"


def registry():
    return current_app.extensions["cms"]


def actor_name(actor) -> str:
    return getattr(actor, "display_name", None) or getattr(actor, "label", None) or getattr(actor, "username", "")


# --- reading -------------------------------------------------------------------------------------

def lists_of(tenant: Tenant) -> list[DecisionList]:
    return list(db.session.scalars(select(DecisionList).where(DecisionList.tenant_id == tenant.id)
                                   .order_by(DecisionList.year.desc())))


def published_lists(tenant: Tenant) -> list[DecisionList]:
    return list(db.session.scalars(select(DecisionList).where(
        DecisionList.tenant_id == tenant.id, DecisionList.status == "published").order_by(DecisionList.year.desc())))


def list_of_year(tenant: Tenant, year: int) -> DecisionList | None:
    return db.session.scalar(select(DecisionList).where(DecisionList.tenant_id == tenant.id, DecisionList.year == year))


def overdue_items(decision_list: DecisionList, as_of: date) -> list[DecisionItem]:
    if not decision_list.is_public:
        return []
    return [i for i in decision_list.items if i.overdue(as_of)]


def overdue_counts(tenant_ids: list[int], as_of: date) -> dict[int, int]:
    """Tenant id → items of published lists past their 计划完成时限 without a decision (across tenants)."""
    if not tenant_ids:
        return {}
    decided = select(DecisionStage.id).where(DecisionStage.item_id == DecisionItem.id, DecisionStage.kind == "result")
    with across_tenants(tenant_ids, reason="时效监督：重大行政决策事项逾期未完成"):
        rows = db.session.execute(select(DecisionItem.tenant_id, func.count()).join(DecisionList).where(
            DecisionItem.tenant_id.in_(tenant_ids), DecisionList.status == "published",
            DecisionItem.status == "active", DecisionItem.due_on < as_of, DecisionItem.progress != "done",
            ~decided.exists()).group_by(DecisionItem.tenant_id)).all()
    return {tenant_id: n for tenant_id, n in rows if n}


# --- shared documents (the lookup_documents hook) --------------------------------------------------

def _wanted(kind: str, ref: str) -> bool:
    """预公开 takes a consultation; 决策结果 a published document (a record), never a consultation."""
    return ref.startswith(CONSULTATION_PREFIX) if kind == "prepublic" else not ref.startswith(CONSULTATION_PREFIX)


def find_documents(tenant: Tenant, kind: str, query: str) -> list[SharedDocument]:
    query = (query or "").strip()[:100]
    if not query:
        return []
    found = collect(registry().hook_for(tenant, "lookup_documents"), tenant=tenant, query=query, refs=None)
    return [d for d in found if _wanted(kind, d.ref)][:20]


def resolve(tenant: Tenant, ref: str) -> SharedDocument | None:
    """The shared document `ref` as its plugin offers it now; None when gone or no longer public."""
    if not ref:
        return None
    found = collect(registry().hook_for(tenant, "lookup_documents"), tenant=tenant, query=None, refs=[ref])
    return next((d for d in found if d.ref == ref), None)


def references(tenant: Tenant, ref: str) -> list[DecisionItem]:
    """The public items whose stages point at the shared document `ref` (document_references hook)."""
    pointing = select(DecisionStage.id).where(DecisionStage.item_id == DecisionItem.id, DecisionStage.ref == ref)
    return list(db.session.scalars(
        select(DecisionItem).join(DecisionList)
        .where(pointing.exists(), DecisionItem.tenant_id == tenant.id, DecisionList.status == "published")
        .order_by(DecisionItem.id)))


# --- checks --------------------------------------------------------------------------------------

def _text(data: dict, key: str, label: str, limit: int, *, required: bool = False) -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        raise DomainError(f"请填写{label}。", field=key)
    if len(value) > limit:
        raise DomainError(f"{label}不能超过 {limit} 个字。", field=key)
    return value


def _date(data: dict, key: str, label: str, *, required: bool = True) -> date | None:
    value = data.get(key)
    if value in (None, ""):
        if required:
            raise DomainError(f"请填写{label}。", field=key)
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError(f"{label}格式应为 年-月-日，如 2026-06-30。", field=key) from None


def _editable_list(actor, decision_list: DecisionList) -> None:
    require_permission(actor, Permission.CONTENT_EDIT, decision_list.tenant)


def _item_fields(data: dict, year: int) -> dict:
    name = _text(data, "name", "事项名称", NAME_MAX, required=True)
    decision_type = str(data.get("decision_type") or "")
    if decision_type not in TYPE_LABELS:
        raise DomainError("请从列表中选择决策类型。", field="decision_type")
    unit = _text(data, "unit", "承办单位", UNIT_MAX, required=True)
    due_on = _date(data, "due_on", "计划完成时限")
    if not date(year, 1, 1) <= due_on <= date(year + 1, 12, 31):
        raise DomainError(f"计划完成时限应在 {year} 年内（最迟次年年底）。", field="due_on")
    procedures = [p for p in (data.get("procedures") or []) if p]
    unknown = [p for p in procedures if p not in PROCEDURE_LABELS]
    if unknown:
        raise DomainError("请从列表中选择决策程序。", field="procedures")
    procedures = [key for key, _ in PROCEDURES if key in procedures]
    summary = _text(data, "summary", "事项简介", TEXT_MAX)
    return {"name": name, "decision_type": decision_type, "unit": unit, "due_on": due_on,
            "procedures": procedures, "summary": summary}


def _reason(reason, field: str = "reason") -> str:
    reason = str(reason or "").strip()
    if not reason:
        raise DomainError("事项目录已发布，调整须写明理由（将向社会公开）。", field=field)
    if len(reason) > REASON_MAX:
        raise DomainError(f"理由不能超过 {REASON_MAX} 个字。", field=field)
    return reason


def _change(actor, item: DecisionItem, kind: str, reason: str, summary: str = "") -> DecisionChange:
    change = DecisionChange(tenant_id=item.tenant_id, decision_list=item.decision_list, item_id=item.id, kind=kind,
                            changed_on=china_today(), item_name=item.name, summary=summary, reason=reason,
                            recorded_at=utcnow(), recorded_by_name=actor_name(actor))
    db.session.add(change)
    return change


# --- lists ---------------------------------------------------------------------------------------

def create_list(actor, tenant: Tenant, year, intro: str = "") -> DecisionList:
    require_permission(actor, Permission.CONTENT_EDIT, tenant)
    if tenant.kind not in TENANT_KINDS:
        raise DomainError("只有县（区）和乡镇（街道）编制重大行政决策事项目录。")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise DomainError("请选择年度。", field="year") from None
    if not FIRST_YEAR <= year <= china_today().year + 1:
        raise DomainError(f"年度应在 {FIRST_YEAR} 年至明年之间。", field="year")
    if list_of_year(tenant, year) is not None:
        raise Conflict(f"{year} 年的事项目录已经建立，请在列表中打开它。", field="year")
    row = DecisionList(tenant_id=tenant.id, tenant=tenant, year=year, status="draft",
                       intro=_text({"intro": intro}, "intro", "说明", TEXT_MAX))
    db.session.add(row)
    db.session.flush()
    audit.record("decisions.list.create", target=row, actor=actor, summary=f"建立{year}年重大行政决策事项目录草稿")
    return row


def update_list(actor, decision_list: DecisionList, data: dict) -> DecisionList:
    _editable_list(actor, decision_list)
    if decision_list.is_public:
        raise Conflict("已发布的事项目录的说明不能修改；事项的调整请逐项办理。")
    decision_list.intro = _text(data, "intro", "说明", TEXT_MAX)
    audit.record("decisions.list.update", target=decision_list, actor=actor, summary="修改事项目录说明")
    return decision_list


def publish_list(actor, decision_list: DecisionList, data: dict) -> DecisionList:
    """Publish after approval: 批准机关, the approving meeting (审议通过) and its date are required."""
    require_permission(actor, Permission.CONTENT_PUBLISH, decision_list.tenant)
    if decision_list.is_public:
        raise Conflict("事项目录已经发布。")
    if not [i for i in decision_list.items if i.status == "active"]:
        raise DomainError("事项目录还没有事项，不能发布。")
    approved_by = _text(data, "approved_by", "批准机关", 200, required=True)
    meeting = _text(data, "approval_meeting", "审议通过的会议", 200, required=True)
    approved_on = _date(data, "approved_on", "审议通过日期")
    today = china_today()
    if approved_on > today:
        raise DomainError("审议通过日期不能晚于今天。", field="approved_on")
    if approved_on.year < decision_list.year - 1:
        raise DomainError("审议通过日期应在目录年度或上一年度。", field="approved_on")
    decision_list.approved_by, decision_list.approval_meeting, decision_list.approved_on = approved_by, meeting, approved_on
    decision_list.status = "published"
    decision_list.published_at, decision_list.published_on = utcnow(), today
    decision_list.published_by_name = actor_name(actor)
    audit.record("decisions.list.publish", target=decision_list, actor=actor,
                 summary=f"发布{decision_list.year}年重大行政决策事项目录（{meeting}审议通过）")
    return decision_list


# --- items ---------------------------------------------------------------------------------------

def _next_number(decision_list: DecisionList) -> int:
    return max([i.number for i in decision_list.items] or [0]) + 1


def add_item(actor, decision_list: DecisionList, data: dict, reason: str = "") -> DecisionItem:
    """An item of a draft list, or an addition to a published one (with its reason, logged)."""
    _editable_list(actor, decision_list)
    fields = _item_fields(data, decision_list.year)
    published = decision_list.is_public
    if published:
        reason = _reason(reason)
    item = DecisionItem(tenant_id=decision_list.tenant_id, decision_list=decision_list,
                        number=_next_number(decision_list), status="active", **fields)
    if published:
        item.added_on = china_today()
    db.session.add(item)
    db.session.flush()
    if published:
        _change(actor, item, "add", reason, f"增加事项：{item.name}（承办单位：{item.unit}，计划完成时限：{item.due_on.isoformat()}）")
    audit.record("decisions.item.add", target=item, actor=actor, summary=f"事项目录增加事项“{item.name}”")
    return item


def _describe(item: DecisionItem, fields: dict) -> list[str]:
    labels = {"name": "事项名称", "decision_type": "决策类型", "unit": "承办单位", "due_on": "计划完成时限",
              "procedures": "决策程序", "summary": "事项简介"}

    def shown(key, value):
        if key == "decision_type":
            return TYPE_LABELS[value]
        if key == "procedures":
            return "、".join(PROCEDURE_LABELS[p] for p in value) or "无"
        if key == "due_on":
            return value.isoformat()
        return value

    return [f"{labels[k]}由“{shown(k, getattr(item, k))}”调整为“{shown(k, v)}”" if k != "summary" else "修改了事项简介"
            for k, v in fields.items() if getattr(item, k) != v]


def update_item(actor, item: DecisionItem, data: dict, reason: str = "") -> bool:
    """Edit an item; on a published list it is an adjustment (reason required, logged publicly).
    Returns whether anything changed."""
    _editable_list(actor, item.decision_list)
    if item.removed:
        raise Conflict("已调出目录的事项不能再修改。")
    fields = _item_fields(data, item.decision_list.year)
    differences = _describe(item, fields)
    if not differences:
        return False
    if item.decision_list.is_public:
        reason = _reason(reason)
        _change(actor, item, "modify", reason, "；".join(differences))
    for key, value in fields.items():
        setattr(item, key, value)
    audit.record("decisions.item.update", target=item, actor=actor, summary=f"修改事项“{item.name}”：" + "；".join(differences))
    return True


def delete_item(actor, item: DecisionItem) -> str:
    """Delete an item of a draft list; a published list's items are removed with a reason instead."""
    _editable_list(actor, item.decision_list)
    if item.decision_list.is_public:
        raise Conflict("事项目录已发布，事项不能删除；请用“调出目录”并写明理由。")
    decision_list, name = item.decision_list, item.name
    decision_list.items.remove(item)
    db.session.delete(item)
    for number, other in enumerate(sorted(decision_list.items, key=lambda i: i.number), start=1):
        other.number = number
    audit.record("decisions.item.delete", target=decision_list, actor=actor, summary=f"从目录草稿删除事项“{name}”")
    return f"已删除事项“{name}”。"


def remove_item(actor, item: DecisionItem, reason: str) -> str:
    """Take an item off a published list: it stays, shown as 已调整 with its reason and the date."""
    _editable_list(actor, item.decision_list)
    if not item.decision_list.is_public:
        raise Conflict("目录尚未发布：草稿中的事项可以直接删除。")
    if item.removed:
        raise Conflict("该事项已经调出目录。")
    reason = _reason(reason)
    item.status, item.removed_on, item.removed_reason = "removed", china_today(), reason
    _change(actor, item, "remove", reason, f"调出事项：{item.name}")
    audit.record("decisions.item.remove", target=item, actor=actor, summary=f"事项“{item.name}”调出目录：{reason}")
    return f"事项“{item.name}”已调出目录，公开页面显示为“已调整”及理由。"


# --- stages --------------------------------------------------------------------------------------

def record_stage(actor, item: DecisionItem, kind: str, data: dict) -> DecisionStage:
    """Record (or correct) a stage of the item; follow-up notes are added one by one."""
    _editable_list(actor, item.decision_list)
    info = STAGE_KINDS.get(kind)
    if info is None:
        raise DomainError("没有这个决策环节。")
    if item.removed:
        raise Conflict("已调出目录的事项不再记录决策环节。")
    if info.procedure is not None and info.procedure not in (item.procedures or []):
        raise DomainError(f"本事项的决策程序不包括“{PROCEDURE_LABELS[info.procedure]}”，无需记录{info.label}。")
    happened_on = _date(data, "happened_on", info.date_label)
    if happened_on > china_today():
        raise DomainError(f"{info.date_label}不能晚于今天。", field="happened_on")
    name = _text(data, "name", info.name_label or "名称", 200, required=bool(info.name_label)) if info.name_label else ""
    text = _text(data, "text", info.text_label or "说明", TEXT_MAX, required=info.text_required)
    ref = str(data.get("ref") or "").strip() if info.ref_label else ""
    if ref:
        if not _wanted(kind, ref) or resolve(item.decision_list.tenant, ref) is None:
            raise DomainError("所选文件不存在、尚未公开或不属于本单位，请重新查找。", field="ref")
    if kind == "prepublic" and not (ref or text):
        raise DomainError("请选择意见征集，或填写决策草案和制订背景。", field="ref")
    if kind == "result" and not (ref or text):
        raise DomainError("请选择已公开的决策文件，或填写决策结果说明。", field="ref")
    if info.many:
        seq = (db.session.scalar(select(func.max(DecisionStage.seq)).where(
            DecisionStage.item_id == item.id, DecisionStage.kind == kind)) or 0) + 1
        stage = DecisionStage(tenant_id=item.tenant_id, item=item, kind=kind, seq=seq)
        db.session.add(stage)
    else:
        stage = item.stage(kind)
        if stage is None:
            stage = DecisionStage(tenant_id=item.tenant_id, item=item, kind=kind, seq=0)
            db.session.add(stage)
    stage.happened_on, stage.name, stage.text, stage.ref = happened_on, name, text, ref
    stage.recorded_by_name = actor_name(actor)
    db.session.flush()
    audit.record("decisions.stage.record", target=stage, actor=actor, summary=f"事项“{item.name}”记录{info.label}")
    return stage


def delete_stage(actor, stage: DecisionStage) -> str:
    _editable_list(actor, stage.item.decision_list)
    item, label = stage.item, stage.kind_info.label
    item.stages.remove(stage)
    db.session.delete(stage)
    audit.record("decisions.stage.delete", target=item, actor=actor, summary=f"事项“{item.name}”删除{label}记录")
    return f"已删除{label}记录。"


# --- the year's completion -------------------------------------------------------------------------

def completion_opens_on(decision_list: DecisionList) -> date:
    return date(decision_list.year, 12, 1)


def set_progress(actor, decision_list: DecisionList, progress: dict[int, tuple[str, str]]) -> int:
    """Each item's state at the year's end: {item id: ("done" | "in_progress", reason)}."""
    _editable_list(actor, decision_list)
    if not decision_list.is_public:
        raise Conflict("目录发布后才能填写年度完成情况。")
    if decision_list.completion_published_at is not None:
        raise Conflict("年度完成情况已经发布，不能修改。")
    changed = 0
    for item in decision_list.items:
        if item.removed or item.id not in progress:
            continue
        state, reason = progress[item.id]
        state, reason = str(state or ""), str(reason or "").strip()
        if state not in ("", "done", "in_progress"):
            raise DomainError("请从列表中选择完成情况。", field=f"progress_{item.id}")
        if state == "in_progress" and not reason:
            raise DomainError(f"第 {item.number} 项“{item.name}”仍在推进中，请写明原因。", field=f"reason_{item.id}")
        if len(reason) > REASON_MAX:
            raise DomainError(f"原因不能超过 {REASON_MAX} 个字。", field=f"reason_{item.id}")
        if (item.progress, item.progress_reason) != (state, reason):
            item.progress, item.progress_reason = state, reason
            changed += 1
    if changed:
        audit.record("decisions.completion.update", target=decision_list, actor=actor,
                     summary=f"填写{decision_list.year}年事项目录完成情况（{changed} 项）")
    return changed


def publish_completion(actor, decision_list: DecisionList, note: str = "") -> DecisionList:
    require_permission(actor, Permission.CONTENT_PUBLISH, decision_list.tenant)
    if not decision_list.is_public:
        raise Conflict("目录发布后才能发布年度完成情况。")
    if decision_list.completion_published_at is not None:
        raise Conflict("年度完成情况已经发布。")
    today = china_today()
    if today < completion_opens_on(decision_list):
        raise DomainError(f"年度完成情况自 {completion_opens_on(decision_list).isoformat()} 起发布。")
    missing = [i for i in decision_list.items if i.status == "active" and not i.done and i.progress != "in_progress"]
    if missing:
        raise DomainError("以下事项还没有填写完成情况：" + "、".join(f"第 {i.number} 项" for i in missing) + "。")
    for item in decision_list.items:
        if item.status == "active" and item.decided and not item.progress:
            item.progress = "done"
    decision_list.completion_note = _text({"note": note}, "note", "总体情况", TEXT_MAX)
    decision_list.completion_published_at, decision_list.completion_published_on = utcnow(), today
    audit.record("decisions.completion.publish", target=decision_list, actor=actor,
                 summary=f"发布{decision_list.year}年重大行政决策事项目录完成情况")
    return decision_list


def completion_counts(decision_list: DecisionList) -> dict[str, int]:
    items = decision_list.items
    return {"done": sum(1 for i in items if i.status == "active" and i.done),
            "in_progress": sum(1 for i in items if i.status == "active" and not i.done),
            "removed": sum(1 for i in items if i.removed)}
