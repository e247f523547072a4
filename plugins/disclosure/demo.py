"""Demo content for the demo county: each district's and town's 公开指南 (first version), last
year's annual report published before its due date, and this year's report as a draft.

Runs after every other plugin's demo content (trylast), so the applications and the catalog's
records of the year are there to be counted. Idempotent: a unit's year already reported is left as it is.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from core.plugin_api import (CHINA_TZ, china_today, db, DomainError, SYSTEM, Tenant, tenant_scope)
from plugins.disclosure import guide, services

# What the office enters (no system holds them): 行政许可, 行政处罚, 行政强制, fees in yuan.
ENTERED = {"district": {"licensing": 1268, "penalty": 342, "coercion": 17, "fees_wan": "85.3260"},
           "town": {"licensing": 46, "penalty": 12, "coercion": 0, "fees_wan": "0"}}
PROBLEMS = ("一是部分栏目信息更新不够及时，政策解读形式较为单一；二是依申请公开答复的规范化水平有待提高。"
            "\n\n下一步，将落实信息发布审查和动态更新机制，丰富图表、视频等解读形式，加强对工作人员的业务培训。")


def _units() -> list[Tenant]:
    registry = current_app.extensions["cms"]
    return [t for t in db.session.scalars(select(Tenant).where(Tenant.status == "active").order_by(Tenant.path))
            if t.kind in services.TENANT_KINDS and registry.is_enabled(t, "disclosure")]


def _fill(report, kind: str) -> None:
    data = dict(ENTERED[kind]) | {"overview": report.overview, "problems": PROBLEMS,
                                  "other_matters": report.other_matters}
    services.update(SYSTEM, report, data)


def load_demo() -> list[str]:
    today = china_today()
    last, this = today.year - 1, today.year
    guides = published = drafts = 0
    refused = []
    for tenant in _units():
        with tenant_scope(tenant):
            if guide.current(tenant) is None:
                guide.save(SYSTEM, tenant, guide.form_defaults(tenant))
                guides += 1
            if services.latest(tenant, last) is None:
                report = services.generate(SYSTEM, tenant, last)
                _fill(report, tenant.kind)
                try:
                    services.review(SYSTEM, report)
                    services.publish(SYSTEM, report)
                except DomainError as exc:
                    refused.append(f"{tenant.name}：{exc.message}")
                else:
                    day = min(today, services.due_on(tenant, last) - timedelta(days=10))
                    report.published_on = day
                    report.published_at = datetime.combine(day, time(10), CHINA_TZ)
                    published += 1
            if services.latest(tenant, this) is None:
                _fill(services.generate(SYSTEM, tenant, this), tenant.kind)
                drafts += 1
            db.session.flush()
    if not (guides or published or drafts or refused):
        return []
    lines = [f"政府信息公开专栏：{guides} 份公开指南，{published} 份 {last} 年年度报告已发布，{drafts} 份 {this} 年年度报告草稿"]
    return lines + [f"政府信息公开专栏：未能发布 {line}" for line in refused]
