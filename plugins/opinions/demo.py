"""Demo consultations: one open in 白水镇 with comments (some on articles), one closed in 青岚县
with its feedback report published, 不予采纳 answers with their reasons included."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from core.plugin_api import china_today, db, SYSTEM, tenant_by_slug, tenant_scope, utcnow
from plugins.opinions import services
from plugins.opinions.models import Consultation

MARKET_DRAFT = "".join(f"<p>{text}</p>" for text in [
    "第一条 为改善白水镇集贸市场经营环境，保障食品安全和交通秩序，制定本方案。",
    "第二条 改造范围为白水街集贸市场及周边道路，占地约 6800 平方米。",
    "第三条 改造期间市场分区轮换施工，早市（6:00—9:00）照常开放。",
    "第四条 新建生鲜区、熟食区、农户自产自销区，设置公共卫生间和垃圾分类收集点。",
    "第五条 改造完成后摊位费按区域调整：生鲜区每月 450 元，农户自产自销区免收摊位费。",
    "第六条 周边道路实行单向通行，在市场东侧新建停车场，设车位 80 个。",
    "第七条 市场管理由镇市场监管所和市场服务中心共同负责，建立投诉处理机制。",
    "第八条 本方案自发布之日起施行。",
])
PARKING_DRAFT = "".join(f"<p>{text}</p>" for text in [
    "第一条 为规范城区机动车停放服务收费行为，合理利用停车资源，制定本办法。",
    "第二条 本办法适用于城区范围内的道路停车泊位和政府投资建设的公共停车场。",
    "第三条 道路停车泊位实行分时段收费：白天首小时 2 元，之后每小时 3 元。",
    "第四条 夜间（20:00 至次日 7:00）道路停车泊位按次收费，每次 3 元。",
    "第五条 残疾人驾驶的专用车辆和执行任务的特种车辆免费停放。",
    "第六条 本办法自 2027 年 1 月 1 日起施行。",
])


def load_demo() -> list[str]:
    registry = current_app.extensions["cms"]
    lines = []
    today = china_today()
    town, district = tenant_by_slug("baishui"), tenant_by_slug("qinglan")
    if town is not None and registry.is_enabled(town, "opinions"):
        with tenant_scope(town):
            if not db.session.scalar(select(func.count()).select_from(Consultation)):
                _market(town, today)
                lines.append("意见征集：白水镇 1 项正在征集的意见征集（含 5 条意见）")
    if district is not None and registry.is_enabled(district, "opinions"):
        with tenant_scope(district):
            if not db.session.scalar(select(func.count()).select_from(Consultation)):
                _parking(district, today)
                lines.append("意见征集：青岚县 1 项已发布采纳情况的意见征集")
    return lines


def _market(town, today) -> None:
    c = services.create_consultation(SYSTEM, town, {
        "title": "白水镇集贸市场改造提升方案（征求意见稿）",
        "summary": "为改善集贸市场经营环境，镇政府起草了改造提升方案，现公开征求意见。",
        "draft_html": MARKET_DRAFT,
        "explanation_html": "<p>集贸市场建于 1998 年，设施老化，早高峰周边道路拥堵。方案经镇党委会研究，并征求了部分经营户意见。</p>",
        "responsible_unit": "白水镇人民政府党政综合办公室",
        "offline_channels": "来信：白水镇白水街 8 号党政综合办公室（邮编 999003）\n电话：0123-6662001\n座谈会：征集期间在市场服务中心召开两场经营户座谈会",
        "starts_on": today - timedelta(days=10), "ends_on": today + timedelta(days=20),
        "moderation": "review"})
    c.announced_at = utcnow() - timedelta(days=10)  # announced when it opened, ten days ago
    articles = {a.label: a.id for a in c.articles}
    for data, publish in [
        ({"article_id": articles["第三条"], "author_name": "张建国", "contact": "13800001111",
          "content": "早市对老年人买菜很重要，建议施工期间把早市延长到 9:30，并在入口设临时指示牌。"}, True),
        ({"article_id": articles["第五条"], "author_name": "刘芳", "contact": "13900002222",
          "content": "生鲜区摊位费从每月 300 元涨到 450 元，涨幅过大，建议分两年逐步调整，或对老经营户给予优惠。"}, True),
        ({"author_name": "", "content": "建议东侧停车场设置一部分电动车充电桩，方便送货的三轮车充电。"}, True),
        ({"article_id": articles["第四条"], "author_name": "陈", "content": "熟食区要和生鲜区分开通风，避免串味。"}, False),
    ]:
        comment = services.submit_comment(c, {**data, "consent": True})
        if publish:
            services.moderate(SYSTEM, comment, "publish")
    services.add_offline_comment(SYSTEM, c, {
        "source": "forum", "article_id": articles["第五条"], "author_name": "经营户代表",
        "received_on": today - timedelta(days=3),
        "content": "座谈会上 12 位经营户提出：改造期间停业的摊位应减免摊位费。"})


def _parking(district, today) -> None:
    c = services.create_consultation(SYSTEM, district, {
        "title": "青岚县城区机动车停放服务收费管理办法（征求意见稿）",
        "summary": "县发展改革局会同县住房城乡建设局起草了本办法，现向社会公开征求意见。",
        "draft_html": PARKING_DRAFT,
        "explanation_html": "<p>城区机动车保有量五年增长一倍，道路停车泊位周转率低。本办法参照周边县市收费标准制定。</p>",
        "responsible_unit": "青岚县发展和改革局",
        "offline_channels": "来信：青岚县人民路 1 号县发展和改革局价格股；听证会：另行公告。",
        "kind": "normative",
        "starts_on": today - timedelta(days=50), "ends_on": today - timedelta(days=21)})
    c.announced_at = utcnow() - timedelta(days=50)
    articles = {a.label: a.id for a in c.articles}
    made = []
    for data in [
        {"article_id": articles["第四条"], "author_name": "王海", "content": "夜间停车应当免费，居民晚上回家没有别的地方停车。"},
        {"article_id": articles["第四条"], "author_name": "李娜", "content": "建议老旧小区周边道路夜间免费停放。"},
        {"article_id": articles["第三条"], "author_name": "赵强", "content": "首小时 2 元可以，但建议增加 15 分钟内免费，方便接送孩子。"},
        {"article_id": articles["第五条"], "author_name": "孙丽", "content": "建议增加新能源汽车优惠。"},
        {"author_name": "周", "content": "希望城区多建几个公共厕所。"},
    ]:
        comment = services.Comment(tenant_id=district.id, consultation=c, source="online",
                                   tracking_code=services.new_tracking_code(), status="published",
                                   content=data["content"], author_name=data["author_name"],
                                   article_id=data.get("article_id"))
        db.session.add(comment)
        made.append(comment)
    db.session.flush()
    letter = services.Comment(tenant_id=district.id, consultation=c, source="letter", tracking_code=services.new_tracking_code(),
                              status="published", author_name="城东社区居委会", received_on=today - timedelta(days=30),
                              article_id=articles["第四条"], content="来信反映：社区周边夜间停车难，请考虑夜间免费。")
    hearing = services.Comment(tenant_id=district.id, consultation=c, source="hearing",
                               tracking_code=services.new_tracking_code(), status="published", author_name="听证代表",
                               received_on=today - timedelta(days=25), article_id=articles["第三条"],
                               content="听证会上多数代表赞成分时段收费，个别代表认为白天收费标准偏高。")
    db.session.add_all([letter, hearing])
    db.session.flush()
    services.save_group(SYSTEM, c, title="建议夜间道路停车免费", comment_ids=[made[0].id, made[1].id, letter.id],
                        disposition="partly",
                        reason="采纳老旧小区周边道路夜间免费停放的建议，已在第四条增加相应规定；城区主干道夜间停车仍按次收费，以保证泊位周转。")
    services.set_disposition(SYSTEM, made[2], "adopted", "已在第三条增加“停放 15 分钟以内免费”。")
    services.set_disposition(SYSTEM, made[3], "rejected",
                             "新能源汽车停车优惠由省级政策统一规定，本办法不作另行规定，以免与上位政策不一致。")
    services.set_disposition(SYSTEM, made[4], "irrelevant", "已转县城市管理局研究。")
    services.set_disposition(SYSTEM, hearing, "rejected",
                             "白天收费标准已低于周边县市平均水平（首小时 3 元），为提高泊位周转率，维持征求意见稿的标准。")
    services.publish_feedback(SYSTEM, c, "共收到意见 7 条，经认真研究，采纳 1 条，部分采纳 3 条，不予采纳 2 条，与本次征求意见无关 1 条。")
