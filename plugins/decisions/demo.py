"""Demo content: 青岚县's decision list of this year (six items at different stages: one whose 预公开
is the county's demo consultation, with its adoption feedback published; one decided, with its
meeting and its decision document, a catalog record; one withdrawn with its reason; one overdue)
and 白水镇's list of three (one whose 预公开 is the town's open consultation).

Consultations and records are found through the lookup_documents hook (runs trylast, after the
opinions and catalog demos); an item whose document is not there is recorded without it.
Idempotent: a tenant's list of the year already there is left as it is.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app

from core.plugin_api import CHINA_TZ, china_today, db, SYSTEM, tenant_by_slug, tenant_scope
from plugins.decisions import services

ALL = ["participation", "hearing", "expert", "risk", "legality", "collective"]


def _document(tenant, kind: str, query: str):
    found = services.find_documents(tenant, kind, query)
    return found[0] if found else None


class _Dates:
    """Dates between the list's approval and today, so every stage is in the past whatever today is."""

    def __init__(self, today: date):
        self.today = today
        self.approved = max(date(today.year - 1, 12, 20), today - timedelta(days=300))

    def at(self, fraction: float) -> date:
        return self.approved + timedelta(days=int((self.today - self.approved).days * fraction))


def _publish(tenant, decision_list, meeting: str, d: _Dates) -> None:
    services.publish_list(SYSTEM, decision_list, {"approved_by": f"{tenant.name}人民政府", "approval_meeting": meeting,
                                                  "approved_on": d.approved})
    day = min(d.today, d.approved + timedelta(days=5))
    decision_list.published_on = day
    decision_list.published_at = datetime.combine(day, time(10), CHINA_TZ)


def _stage(item, kind: str, on: date, text: str = "", *, name: str = "", ref: str = "") -> None:
    services.record_stage(SYSTEM, item, kind, {"happened_on": on, "text": text, "name": name, "ref": ref})


def _county(tenant, today: date) -> None:
    d = _Dates(today)
    year = today.year
    row = services.create_list(SYSTEM, tenant, year, intro=(
        f"根据《重大行政决策程序暂行条例》，经县政府各部门申报、县司法局合法性审核，{year}年县人民政府重大行政决策事项共 6 项。"
        "\n\n各事项的决策草案、意见征集及采纳情况、会议审议情况和决策结果，在事项页面集中公开。"))

    def add(**data):
        return services.add_item(SYSTEM, row, data)

    parking = add(name="青岚县城区机动车停放服务收费管理办法", decision_type="policy", unit="青岚县发展和改革局",
                  due_on=date(year, 12, 31), procedures=ALL,
                  summary="规范城区道路停车泊位和政府投资公共停车场的收费，实行分时段收费，提高泊位周转率。")
    document = _document(tenant, "result", "政府投资项目管理办法")
    written = document.written_date if document is not None and document.written_date else d.at(0.3)
    investment = add(name="青岚县政府投资项目管理办法", decision_type="policy", unit="青岚县发展和改革局",
                     due_on=max(date(year, 1, 1), min(date(year, 12, 31), written + timedelta(days=20))),
                     procedures=["expert", "legality", "collective"],
                     summary="规范政府投资项目的决策、建设实施和监督管理，提高政府投资效益。")
    plan = add(name="青岚县“十五五”教育事业发展规划", decision_type="planning", unit="青岚县教育体育局",
               due_on=date(year, 12, 31), procedures=["participation", "expert", "risk", "legality", "collective"],
               summary="明确今后五年学前教育、义务教育、高中教育和职业教育的发展目标和布局。")
    sewage = add(name="青岚县城南污水处理厂提标改造工程", decision_type="project", unit="青岚县住房和城乡建设局",
                 due_on=date(year, 12, 31), procedures=["participation", "expert", "risk", "legality", "collective"],
                 summary="城南污水处理厂出水由一级 B 提升至一级 A 标准，新增深度处理设施。")
    taxi = add(name="青岚县城区出租汽车运力投放方案", decision_type="policy", unit="青岚县交通运输局",
               due_on=date(year, 9, 30), procedures=["participation", "hearing", "risk", "legality", "collective"],
               summary="根据城区客运需求确定出租汽车新增运力的数量和投放方式。")
    water = add(name="青岚县农村供水工程运行管理办法", decision_type="resources", unit="青岚县水利局",
                due_on=max(date(year, 1, 1), today - timedelta(days=20)),
                procedures=["participation", "expert", "legality", "collective"],
                summary="明确农村集中供水工程的产权、管护责任、水价和水质检测要求。")
    _publish(tenant, row, "县人民政府第3次常务会议", d)

    # 1. 预公开 is the county's demo consultation (its adoption feedback published); hearing, expert,
    # risk and legality done; the meeting and the decision document (a catalog record) of days ago.
    consultation = _document(tenant, "prepublic", "机动车停放服务收费管理办法")
    start = min(d.today, max(d.approved, consultation.written_date)) if consultation is not None and consultation.written_date \
        else d.at(0.7)
    _stage(parking, "prepublic", start, "决策草案《青岚县城区机动车停放服务收费管理办法（征求意见稿）》及起草说明向社会公开征求意见，"
           "征集期满后公布了意见采纳情况。", ref=consultation.ref if consultation is not None else "")
    _stage(parking, "hearing_notice", min(d.today, start + timedelta(days=10)),
           "县发展和改革局定于征集期内举行城区机动车停放服务收费听证会，公开遴选消费者、经营者、专家等听证参加人 15 名。")
    _stage(parking, "hearing_record", min(d.today, start + timedelta(days=25)),
           "听证会如期举行，15 名听证参加人全部到会。多数代表赞成分时段收费，个别代表认为白天收费标准偏高；听证笔录经参加人签字确认。")
    _stage(parking, "expert", min(d.today, start + timedelta(days=30)),
           "邀请交通规划、价格和法律专家 5 名论证，认为收费标准与周边县市相当，建议增加短时免费停放。")
    _stage(parking, "risk", min(d.today, start + timedelta(days=32)),
           "社会稳定风险评估结论为低风险；针对老旧小区夜间停车难，建议在周边道路实行夜间免费。")
    _stage(parking, "legality", min(d.today - timedelta(days=8), start + timedelta(days=40)),
           "县司法局审查认为，草案符合《中华人民共和国价格法》和省定价目录，程序合法，建议提交县政府常务会议审议。")
    # ... then the meeting and the decision document (a catalog record of a few days ago).
    decided = _document(tenant, "result", "机动车停放服务收费管理办法")
    if decided is not None:
        on = decided.written_date or d.today
        _stage(parking, "meeting", min(on, d.today - timedelta(days=6)),
               "会议审议通过《青岚县城区机动车停放服务收费管理办法》，采纳听证和专家意见，增加首 30 分钟免费停放。",
               name="县人民政府第9次常务会议")
        _stage(parking, "result", on, "县人民政府印发《青岚县城区机动车停放服务收费管理办法》，自公布之日起施行。",
               ref=decided.ref)

    # 2. Decided: expert, legality, the meeting and the decision document (a catalog record), a follow-up.
    _stage(investment, "expert", max(d.approved, written - timedelta(days=40)),
           "邀请投资、财务和工程管理专家 5 名论证，认为办法可行，建议明确项目储备库管理。")
    _stage(investment, "legality", max(d.approved, written - timedelta(days=20)),
           "县司法局审查认为，办法符合《政府投资条例》，无违法设定行政许可、行政处罚等内容。")
    _stage(investment, "meeting", max(d.approved, written - timedelta(days=4)),
           "会议审议通过《青岚县政府投资项目管理办法》，由县人民政府印发施行。", name="县人民政府第6次常务会议")
    _stage(investment, "result", max(d.approved, written),
           "县人民政府印发《青岚县政府投资项目管理办法》，自公布之日起施行。",
           ref=document.ref if document is not None else "")
    _stage(investment, "followup", max(d.approved, min(d.today, written + timedelta(days=90))),
           "办法施行后，县发展和改革局按新办法审批政府投资项目 12 个，项目前期工作平均用时缩短 15 天。")

    # 3. Planning: the draft made public (no consultation yet), the experts heard.
    _stage(plan, "prepublic", d.at(0.8), "规划草案已形成，起草说明和草案全文将在意见征集栏目公开征求意见。")
    _stage(plan, "expert", d.at(0.85), "召开专家论证会，听取教育专家和校长代表意见 8 条，建议增加农村寄宿制学校建设内容。")

    # 4. A project: experts and risk assessment done.
    _stage(sewage, "expert", d.at(0.5), "专家论证认为提标改造工艺选择合理，建议同步建设污泥处置设施。")
    _stage(sewage, "risk", d.at(0.6), "风险评估结论为低风险；施工期间对周边居民的噪声影响需采取夜间停工措施。")

    # 6. Overdue: only the experts heard, past its 计划完成时限.
    _stage(water, "expert", d.at(0.4), "专家论证提出，水价应区分生活用水和经营性用水，并建立水费减免机制。")

    # 5. Withdrawn after publication, with its reason (shown as 已调整, in the change log).
    services.remove_item(SYSTEM, taxi, "经客运需求评估，受网络预约出租汽车发展影响，城区出租汽车供需基本平衡，"
                                       "本年度暂不新增运力，该事项调出本年度目录。")


def _town(tenant, today: date) -> None:
    d = _Dates(today)
    year = today.year
    row = services.create_list(SYSTEM, tenant, year, intro=f"{year}年白水镇人民政府重大行政决策事项共 3 项，经镇党委会研究、镇人民政府审议通过。")

    def add(**data):
        return services.add_item(SYSTEM, row, data)

    market = add(name="白水镇集贸市场改造提升方案", decision_type="project", unit="白水镇人民政府党政综合办公室",
                 due_on=date(year, 12, 31), procedures=["participation", "risk", "legality", "collective"],
                 summary="改造白水街集贸市场及周边道路，新建生鲜区、熟食区、农户自产自销区和停车场。")
    assets = add(name="白水镇农村集体资产管理办法", decision_type="policy", unit="白水镇经济发展办公室",
                 due_on=date(year, 12, 31), procedures=["legality", "collective"],
                 summary="规范村级集体资产的登记、经营、处置和收益分配。")
    habitat = add(name="白水镇农村人居环境整治提升行动方案", decision_type="planning", unit="白水镇社会事务办公室",
                  due_on=date(year, 12, 31), procedures=["participation", "expert", "collective"],
                  summary="推进农村厕所革命、生活垃圾和污水治理、村容村貌提升。")
    _publish(tenant, row, "镇人民政府第2次镇长办公会议", d)

    consultation = _document(tenant, "prepublic", "集贸市场改造提升方案")
    start = consultation.written_date if consultation is not None and consultation.written_date else d.at(0.9)
    _stage(market, "prepublic", min(d.today, max(d.approved, start)), "改造提升方案（征求意见稿）及起草说明向社会公开征求意见，"
           "征集期间在市场服务中心召开两场经营户座谈会。", ref=consultation.ref if consultation is not None else "")
    document = _document(tenant, "result", "农村集体资产管理办法")
    written = document.written_date if document is not None and document.written_date else d.at(0.3)
    _stage(assets, "legality", max(d.approved, written - timedelta(days=15)),
           "镇司法所审查认为，办法符合《中华人民共和国村民委员会组织法》和省农村集体资产管理条例。")
    _stage(assets, "meeting", max(d.approved, written - timedelta(days=3)), "会议审议通过《白水镇农村集体资产管理办法》。",
           name="镇人民政府第3次镇长办公会议")
    _stage(assets, "result", max(d.approved, written), "镇人民政府印发《白水镇农村集体资产管理办法》。",
           ref=document.ref if document is not None else "")
    _stage(habitat, "expert", d.at(0.6), "邀请县农业农村局、县生态环境分局专家论证，建议分村制定改厕和污水治理方案。")


def load_demo() -> list[str]:
    registry = current_app.extensions["cms"]
    today = china_today()
    lines = []
    for slug, make, label in (("qinglan", _county, "6 项"), ("baishui", _town, "3 项")):
        tenant = tenant_by_slug(slug)
        if tenant is None or not registry.is_enabled(tenant, "decisions"):
            continue
        with tenant_scope(tenant):
            if services.list_of_year(tenant, today.year) is not None:
                continue
            make(tenant, today)
            db.session.flush()
            lines.append(f"重大行政决策：{tenant.name}{today.year}年事项目录（{label}）已发布")
    return lines
