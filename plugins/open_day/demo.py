"""Demo open days: one upcoming with places left (白水镇), one full with a waitlist (青岚县), and one
held last month with its review and ratings published (青岚县)."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from core.plugin_api import CHINA_TZ, db, SYSTEM, tenant_by_slug, tenant_scope, utcnow
from plugins.open_day import services
from plugins.open_day.models import OpenDay, Registration

PEOPLE = ["张建国", "李秀英", "王伟", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周丽", "吴强", "徐娟", "孙涛", "马超"]


def _register(event, n, size=1):
    return services.register(event, {"name": PEOPLE[n % len(PEOPLE)], "phone": f"1380000{n:04d}", "group_size": size,
                                     "consent": True})


def _at(days: int, hour: int) -> datetime:
    """A round time in Beijing, `days` from today."""
    day = (utcnow().astimezone(CHINA_TZ) + timedelta(days=days)).date()
    return datetime.combine(day, time(hour), tzinfo=CHINA_TZ)


def load_demo() -> list[str]:
    registry = current_app.extensions["cms"]
    lines = []
    now = utcnow()
    town, district = tenant_by_slug("baishui"), tenant_by_slug("qinglan")
    if town is not None and registry.is_enabled(town, "open_day"):
        with tenant_scope(town):
            if not db.session.scalar(select(func.count()).select_from(OpenDay)):
                event = services.create_event(SYSTEM, town, {
                    "title": "走进白水镇便民服务中心", "place": "白水镇便民服务中心（白水街 8 号）",
                    "description_html": "<p>参观社保、医保、户籍窗口，体验“一窗受理”，与窗口工作人员面对面交流。</p>",
                    "starts_at": _at(10, 9), "ends_at": _at(10, 11),
                    "registration_opens_at": _at(-2, 9), "registration_closes_at": _at(9, 17),
                    "places": 30, "max_group_size": 3, "notes": "请携带身份证；服务中心设有无障碍通道。"})
                services.publish_event(SYSTEM, event)
                for n in range(6):
                    _register(event, n, size=1 + n % 2)
                lines.append("政府开放日：白水镇 1 场报名中的开放日")
    if district is not None and registry.is_enabled(district, "open_day"):
        with tenant_scope(district):
            if not db.session.scalar(select(func.count()).select_from(OpenDay)):
                full = services.create_event(SYSTEM, district, {
                    "title": "青岚县政务服务中心开放日", "place": "青岚县政务服务中心二楼大厅",
                    "description_html": "<p>了解企业开办“一件事”和不动产登记办理流程，参加窗口体验。</p>",
                    "starts_at": _at(5, 14), "ends_at": _at(5, 17),
                    "registration_opens_at": _at(-5, 9), "registration_closes_at": _at(4, 17),
                    "places": 10, "max_group_size": 2, "require_id_number": False})
                services.publish_event(SYSTEM, full)
                for n in range(13):
                    _register(full, 100 + n)
                past = services.create_event(SYSTEM, district, {
                    "title": "走进县应急管理局：防灾减灾开放日", "place": "青岚县应急指挥中心",
                    "description_html": "<p>参观应急指挥大厅，学习地震、火灾逃生和心肺复苏。</p>",
                    "starts_at": _at(-20, 9), "ends_at": _at(-20, 12),
                    "registration_opens_at": _at(-35, 9), "registration_closes_at": _at(-21, 17),
                    "places": 20})
                past.published_at = now - timedelta(days=36)
                for n in range(8):
                    r = Registration(tenant_id=district.id, open_day_id=past.id, code=services.new_code(),
                                     name=PEOPLE[n], phone=f"1390000{n:04d}", group_size=1, status="confirmed",
                                     confirmed_at=now - timedelta(days=30))
                    if n < 7:
                        r.checked_in_at = past.starts_at + timedelta(minutes=5)
                    if n < 5:
                        r.rating, r.rated_at = (5, 5, 4, 5, 3)[n], now - timedelta(days=19)
                        r.feedback = ("讲解很细致，学会了心肺复苏。", "", "希望多办几场。", "", "时间有点短。")[n]
                    db.session.add(r)
                past.taken = 8
                db.session.flush()
                services.publish_review(SYSTEM, past, "<p>20 位市民走进应急指挥中心，观看了应急演练，"
                                                      "学习了心肺复苏和灭火器使用。</p>")
                lines.append("政府开放日：青岚县 1 场已满（含候补）、1 场已发布回顾")
    return lines
