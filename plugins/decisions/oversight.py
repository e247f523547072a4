"""What the district sees from outside this plugin: items of published decision lists past their
计划完成时限 without a decision, on the catalog's supervision page (supervision_notices hook)."""
from __future__ import annotations

from datetime import date

from flask import current_app

from core.plugin_api import SupervisionNotice, url_path_for
from plugins.decisions.services import overdue_counts, TENANT_KINDS

NAME = "decisions"


def _list_url(tenant) -> str:
    if "decisions_admin.index" not in current_app.view_functions:
        return ""
    return url_path_for("decisions_admin.index", tenant=tenant, filter="overdue")


def notices(tenants, as_of: date) -> list[SupervisionNotice]:
    units = {t.id: t for t in tenants if t.kind in TENANT_KINDS}
    counts = overdue_counts(list(units), as_of)
    return [SupervisionNotice(NAME, tid, "重大行政决策事项逾期未完成", n, url=_list_url(units[tid]), severity="poor")
            for tid, n in sorted(counts.items()) if n]
