"""The items of published decision lists in site search (an item leaves with its list's publication)."""
from __future__ import annotations

from sqlalchemy import select

from core.plugin_api import SearchDocument, SearchFollow, SearchSource, url_path_for
from plugins.decisions.models import DecisionItem, DecisionList


def item_document(item: DecisionItem) -> SearchDocument | None:
    decision_list = item.decision_list
    if decision_list is None or not decision_list.is_public:
        return None
    body = "\n".join(filter(None, [item.summary, f"承办单位：{item.unit}", f"决策类型：{item.type_label}",
                                   item.removed_reason]))
    return SearchDocument(plugin="decisions", kind="item", id=item.id, tenant_id=item.tenant_id, title=item.name,
                          body=body, url=url_path_for("decisions.item", tenant=decision_list.tenant, decision_id=item.id),
                          published_at=decision_list.published_at, extra=f"{decision_list.year}年重大行政决策事项 {item.unit}",
                          badge="已调整" if item.removed else "")


def _published_items():
    return select(DecisionItem).join(DecisionList).where(DecisionList.status == "published")


def sources() -> list[SearchSource]:
    return [SearchSource(plugin="decisions", kind="item", label="重大行政决策", model=DecisionItem,
                         document=item_document, candidates=_published_items,
                         watch=("name", "summary", "unit", "decision_type", "status", "removed_reason"),
                         follows=(SearchFollow(DecisionList, watch=("status", "published_at"),
                                               children=lambda lst: list(lst.items)),))]
