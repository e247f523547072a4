"""What the district sees of its units' applications from outside this plugin: overdue counts on
the catalog's supervision page (supervision_notices hook) and the share answered on time in the
yearly assessment (assessment_components hook). Plain counts; nobody's personal data."""
from __future__ import annotations

from datetime import date

from flask import current_app, url_for
from sqlalchemy import func, or_, select

from core.plugin_api import across_tenants, AssessmentComponent, db, SupervisionNotice
from plugins.applications.models import Application

NAME = "applications"


def overdue_counts(tenants, as_of: date) -> dict[int, int]:
    """Applications whose clock runs (received, not paused) and whose due date has passed."""
    ids = [t.id for t in tenants]
    if not ids:
        return {}
    with across_tenants(ids, reason="时效监督：各单位依申请公开逾期件数"):
        rows = db.session.execute(select(Application.tenant_id, func.count()).where(
            Application.tenant_id.in_(ids), Application.status == "open", Application.answered_on.is_(None),
            Application.due_on < as_of)
            .group_by(Application.tenant_id)).all()
    return dict(rows)


def _list_url(tenant) -> str:
    if "applications_admin.index" not in current_app.view_functions:
        return ""
    return url_for("applications_admin.index", tenant=tenant, urgency="overdue")


def notices(tenants, as_of: date) -> list[SupervisionNotice]:
    by_id = {t.id: t for t in tenants}
    return [SupervisionNotice(NAME, tid, "依申请公开逾期未答复", n, url=_list_url(by_id[tid]))
            for tid, n in sorted(overdue_counts(tenants, as_of).items()) if n]


def replies_on_time(tenants, year: int, today: date) -> dict[int, float | None]:
    """Per tenant: of the applications answered in `year` and those still unanswered past a due
    date in `year`, the share answered by the due date; None when there was none."""
    ids = [t.id for t in tenants]
    start, end = date(year, 1, 1), date(year, 12, 31)
    cutoff = min(end, today)
    with across_tenants(ids, reason="年考核：依申请按时答复率"):
        rows = db.session.execute(select(Application.tenant_id, Application.answered_on, Application.due_on).where(
            Application.tenant_id.in_(ids),
            or_(Application.answered_on.between(start, end),
                (Application.answered_on.is_(None) & Application.due_on.between(start, cutoff)
                 & (Application.due_on < cutoff) & (Application.status == "open"))))).all()
    counted: dict[int, list[int]] = {tid: [0, 0] for tid in ids}
    for tenant_id, answered_on, due_on in rows:
        counted[tenant_id][1] += 1
        if answered_on is not None and (due_on is None or answered_on <= due_on):
            counted[tenant_id][0] += 1
    return {tid: (ok / total if total else None) for tid, (ok, total) in counted.items()}


def components(tenants, year: int, today: date) -> list[AssessmentComponent]:
    return [AssessmentComponent("application", "依申请按时答复率", replies_on_time(tenants, year, today))]
