"""行政复议 and 行政诉讼 brought against an answer (条例 第五十一条; 行政复议法, 行政诉讼法): recorded
as they are filed and decided, so the annual report's section 四 is computed (stats.py)."""
from __future__ import annotations

from core.plugin_api import china_today, db, DomainError, Permission, require_permission
from plugins.applications.models import Appeal, Application, APPEAL_LABELS, APPEAL_RESULT_LABELS
from plugins.applications.services import parse_day, record_event


def _checked(application: Application, data: dict, appeal: Appeal | None = None) -> dict:
    kind = data.get("kind") if appeal is None else appeal.kind
    if kind not in APPEAL_LABELS:
        raise DomainError("请选择行政复议或行政诉讼。", field="kind")
    answered = application.answered_on or application.closed_on
    if answered is None:
        raise DomainError("只能为已作出答复的申请登记行政复议或行政诉讼。")
    filed = parse_day(data.get("filed_on"), "提起日期", "filed_on")
    today = china_today()
    if filed > today:
        raise DomainError("提起日期不能晚于今天。", field="filed_on")
    if filed < answered:
        raise DomainError(f"提起日期不能早于答复日期（{answered.isoformat()}）。", field="filed_on")
    result = data.get("result") or "pending"
    if result not in APPEAL_RESULT_LABELS:
        raise DomainError("请选择审理结果：结果维持、结果纠正、其他结果或尚未审结。", field="result")
    decided = parse_day(data.get("decided_on"), "审结日期", "decided_on", required=result != "pending")
    if result == "pending":
        decided = None
    elif decided < filed or decided > today:
        raise DomainError("审结日期应在提起日期之后、今天或以前。", field="decided_on")
    after = bool(data.get("after_reconsideration")) and kind == "litigation"
    if after and not any(a.kind == "reconsideration" and a is not appeal for a in application.appeals):
        raise DomainError("复议后起诉的，请先登记这份申请的行政复议。", field="after_reconsideration")
    note = str(data.get("note") or "").strip()
    if len(note) > 2000:
        raise DomainError("备注不能超过 2000 个字。", field="note")
    return {"kind": kind, "filed_on": filed, "result": result, "decided_on": decided,
            "after_reconsideration": after, "note": note}


def _summary(appeal: Appeal) -> str:
    kind = APPEAL_LABELS[appeal.kind] + ("（复议后起诉）" if appeal.after_reconsideration else "")
    text = f"{kind}：{appeal.filed_on.isoformat()} 提起，{APPEAL_RESULT_LABELS[appeal.result]}"
    return text + (f"（{appeal.decided_on.isoformat()} 审结）" if appeal.decided_on else "") + "。"


def record_appeal(actor, application: Application, data: dict) -> Appeal:
    """A reconsideration or a lawsuit against the answer to `application`."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    values = _checked(application, data)
    appeal = Appeal(tenant_id=application.tenant_id, application=application, **values)
    db.session.add(appeal)
    record_event(application, "appeal_recorded", "登记" + _summary(appeal), actor)
    return appeal


def update_appeal(actor, appeal: Appeal, data: dict) -> None:
    """Its result (or a corrected date) once known; the kind stays what it was."""
    application = appeal.application
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    values = _checked(application, data, appeal)
    for key, value in values.items():
        setattr(appeal, key, value)
    record_event(application, "appeal_updated", "更新" + _summary(appeal), actor)
