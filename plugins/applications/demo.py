"""Demo applications for the demo county: a complete year (the last calendar year, the one whose
annual report is due) in 青岚县, 白水镇 and 柳河镇, every answer type of the report's section 三, a
reconsideration and a lawsuit; and today's desk in every state: one overdue, one extended, one
waiting for correction, one with a third party, one awaiting receipt, a fee notice.

Dates are relative to China's today, so the demo works on any day. Each application comes in
through the services; the steps the services date "today" (an answer, a lapse) are written as they
stood on their own day, and every entry of the file carries the day it happened. No letter PDF is
rendered here: that takes seconds and the demo must load fast.
"""
from __future__ import annotations

from datetime import date, time, timedelta

from flask import current_app
from sqlalchemy import func, select

from core.plugin_api import Calendar, china_moment, china_today, db, SYSTEM, tenant_by_slug, tenant_scope
from plugins.applications import appeals, fees, services
from plugins.applications.models import Application

# The applicants (fictional). Citizens: name, ID number, phone, address; organisations: kind, name,
# 统一社会信用代码, contact.
PEOPLE = {
    "李秀英": ("451122196504120027", "13807741201", "青岚县人民路 36 号 2 单元 301 室"),
    "王建华": ("451122197809230519", "13907742318", "青岚县府前街 102 号"),
    "刘德明": ("451122195811060035", "13517743390", "青岚县城关街道南门社区 5 组"),
    "陈国平": ("451122198201150713", "18977741654", "青岚县青岚江路 8 号"),
    "杨桂兰": ("451122196907280046", "15877745572", "白水镇东坡村 3 组"),
    "赵志强": ("451122199003310218", "13677746605", "青岚县建设路 21 号"),
    "黄丽萍": ("451122198606120421", "13977747734", "柳河镇柳河大道 12 号"),
    "周文斌": ("451122197502190837", "18777748861", "青岚县人民路 88 号"),
    "吴海燕": ("451122199211040520", "15077749902", "白水镇西河村 1 组"),
    "徐长林": ("451122196012250316", "13877740073", "青岚县北关社区 2 栋"),
    "孙晓东": ("451122198809080911", "13707741185", "青岚县新城路 5 号"),
    "马玉珍": ("451122195705140023", "13317742246", "柳河镇上庄村 4 组"),
    "郭永福": ("451122197110010339", "18277743357", "白水镇白水街 56 号"),
    "胡春梅": ("451122198402220648", "13607744468", "青岚县府前街 7 号"),
    "朱建军": ("451122197707070215", "13977745579", "青岚县城关街道北关社区 9 组"),
    "何淑芬": ("451122196308180024", "15177746680", "白水镇东坡村 6 组"),
}
ORGS = {
    "青岚县绿源茶业有限公司": ("commercial", "91451122MA5K3C7Q2X", "蒋经理", "0123-6668801"),
    "青岚江流域生态研究所": ("research", "12451122MB1F40721K", "罗研究员", "0123-6668802"),
    "青岚县阳光助残公益服务中心": ("social", "52451122MJ3A86511P", "蓝主任", "0123-6668803"),
    "广青律师事务所": ("legal", "31451122MD0123456T", "韦律师", "0123-6668804"),
    "白水镇茶叶专业合作社": ("other_org", "93451122MA5L8B2W4R", "覃社长", "0123-6668805"),
    "柳河镇竹木加工协会": ("other_org", "51451122MJ2B77320Y", "莫会长", "0123-6668806"),
}
BASIS = {
    ("withhold", "process_info"): "《中华人民共和国政府信息公开条例》第十六条第二款",
    ("withhold", "enforcement_file"): "《中华人民共和国政府信息公开条例》第十六条第二款",
    ("partial", "third_party_rights"): "《中华人民共和国政府信息公开条例》第十五条、第三十七条",
    ("partial", "internal_affairs"): "《中华人民共和国政府信息公开条例》第十六条第一款、第三十七条",
    ("unable", "not_held"): "《中华人民共和国政府信息公开条例》第三十六条第四项",
    ("unable", "needs_making"): "《中华人民共和国政府信息公开条例》第三十八条",
    ("not_handled", "petition"): "《中华人民共和国政府信息公开条例》第三十九条第一款",
    ("not_handled", "repeated"): "《中华人民共和国政府信息公开条例》第三十六条第六项",
    ("not_handled", "publication"): "《中华人民共和国政府信息公开条例》第三十九条第二款",
}
EXPLANATION = {
    "partial": "申请公开的信息中涉及第三方商业秘密的部分（企业报价明细、银行账号）不予公开，其余部分予以公开。",
    "withhold": "申请公开的信息属于行政机关在履行行政管理职能过程中形成的内部研究、讨论记录，不予公开。",
}

# The demo year's applications: (tenant, applicant, received (year offset from the demo year,
# month, day), channel, description, answer, reason, working days to the answer, what else happened).
# Offset -1: carried in from the year before; an answer after 31 December: carried to the next year.
YEAR = [
    ("qinglan", "李秀英", (-1, 12, 16), "letter", "{y} 年城区老旧小区改造项目的资金安排和改造小区名单", "disclose", "", 14, {}),
    ("qinglan", "青岚县绿源茶业有限公司", (-1, 12, 23), "online", "县城茶叶交易市场摊位招租的评审结果和中标单位报价",
     "partial", "third_party_rights", 24, {"third_party": (3, 8)}),
    ("qinglan", "王建华", (0, 2, 18), "online", "人民路拓宽工程的征收补偿方案", "disclose", "", 9,
     {"delivery": "email"}),
    ("qinglan", "刘德明", (0, 3, 10), "in_person", "城关街道南门社区旧城改造项目的会议纪要", "withhold", "process_info", 15, {}),
    ("qinglan", "广青律师事务所", (0, 4, 7), "letter", "县自然资源局与某房地产开发企业签订的土地出让合同",
     "partial", "third_party_rights", 24, {"third_party": (4, 9)}),
    ("qinglan", "陈国平", (0, 4, 21), "online", "青岚江 1998 年防洪堤建设的设计图纸", "unable", "not_held", 12, {}),
    ("qinglan", "赵志强", (0, 5, 12), "online", "近十年全县各乡镇每年的低保人数按性别和年龄段的统计", "unable", "needs_making", 16, {}),
    ("qinglan", "周文斌", (0, 5, 26), "letter", "要求查处邻居违法搭建并公开处理结果", "not_handled", "petition", 8, {}),
    ("qinglan", "陈国平", (0, 6, 9), "online", "青岚江 1998 年防洪堤建设的设计图纸（再次申请）", "not_handled", "repeated", 6, {}),
    ("qinglan", "青岚江流域生态研究所", (0, 6, 23), "online", "2020 年以来青岚江县境内断面水质监测月报", "disclose", "", 30,
     {"extend": 10}),
    ("qinglan", "徐长林", (0, 7, 14), "online", "关于那个项目的文件", "other", "no_correction", 0, {"correction": True}),
    ("qinglan", "孙晓东", (0, 8, 11), "online", "{y} 年至今全县政府投资项目的全部招投标文件", "other", "unpaid", 0,
     {"fee": (150, "unpaid")}),
    ("qinglan", "青岚县阳光助残公益服务中心", (0, 9, 8), "letter", "{y} 年度残疾人两项补贴发放情况汇总表", "disclose", "", 18,
     {"fee": (45, "paid")}),
    ("qinglan", "胡春梅", (0, 10, 13), "in_person", "县市场监管局对某餐饮店行政处罚的调查询问笔录", "withhold", "enforcement_file",
     15, {"appeals": True}),
    ("qinglan", "白水镇茶叶专业合作社", (0, 11, 10), "letter", "茶产业发展扶持资金的申报条件和评审结果", "disclose", "", 10, {}),
    ("qinglan", "朱建军", (0, 12, 1), "letter", "北关社区棚户区改造安置房分配方案及分配结果", "disclose", "", 9,
     {"fee": (60, "waived")}),
    ("qinglan", "马玉珍", (0, 12, 22), "letter", "柳河至上庄公路改建工程的环境影响评价文件", "disclose", "", 12, {}),
    ("baishui", "杨桂兰", (0, 3, 17), "in_person", "白水镇 {y} 年农村危房改造补助对象名单", "disclose", "", 7, {}),
    ("baishui", "郭永福", (0, 6, 16), "letter", "白水街集贸市场 2019 年改建的验收报告", "unable", "not_held", 11,
     {"reconsideration": "corrected"}),
    ("baishui", "青岚县绿源茶业有限公司", (0, 9, 15), "online", "白水镇茶园道路硬化项目的施工合同及决算",
     "partial", "internal_affairs", 17, {}),
    ("baishui", "何淑芬", (0, 12, 24), "in_person", "东坡村土地承包经营权确权登记结果", "disclose", "", 10, {}),
    ("liuhe", "黄丽萍", (0, 5, 19), "online", "柳河镇 {y} 年财政预算执行情况", "disclose", "", 6, {}),
    ("liuhe", "柳河镇竹木加工协会", (0, 10, 20), "letter", "要求提供 {y} 年《青岚年鉴》", "not_handled", "publication", 5, {}),
]


def load_demo() -> list[str]:
    registry = current_app.extensions["cms"]
    today = china_today()
    year = today.year - 1
    cal = Calendar()
    lines = []
    slugs = ("qinglan", "baishui", "liuhe", "chengguan")
    tenants = {s: t for s in slugs if (t := tenant_by_slug(s)) is not None and registry.is_enabled(t, "applications")}
    for slug, tenant in tenants.items():
        with tenant_scope(tenant):
            if db.session.scalar(select(func.count()).select_from(Application)):
                continue
            # One flush per application rather than one per query: the demo must load fast.
            with db.session.no_autoflush:
                n = 0
                for spec in YEAR:
                    if spec[0] == slug:
                        _past(tenant, spec, year, today, cal)
                        n += 1
                n += _desk(tenant, slug, today, cal)
            if n:
                lines.append(f"依申请公开：{tenant.name} {n} 件申请（{year} 年全年及当前办理中）")
    return lines


# --- helpers ------------------------------------------------------------------------------------

def _applicant(who: str, delivery: str = "post") -> dict:
    if who in PEOPLE:
        id_number, phone, address = PEOPLE[who]
        return {"applicant_kind": "citizen", "name": who, "id_type": "id_card", "id_number": id_number,
                "phone": phone, "address": address, "postcode": "999001",
                "email": f"demo{phone[-4:]}@example.cn", "delivery": delivery}
    kind, code, contact, phone = ORGS[who]
    return {"applicant_kind": kind, "name": who, "org_code": code, "legal_rep": contact[0] + "某某", "contact_name": contact,
            "phone": phone, "address": "青岚县人民路 1 号", "postcode": "999001", "email": f"office{phone[-2:]}@example.cn",
            "delivery": delivery}


class _File:
    """An application's history, each entry of its file dated the day the step happened."""

    def __init__(self, application: Application):
        self.application = application
        self.stamped = len(application.events)

    def on(self, day: date) -> None:
        events = self.application.events
        for event in events[self.stamped:]:
            event.at = china_moment(day, time(10))
        self.stamped = len(events)


def _receive(tenant, who: str, channel: str, description: str, received: date, delivery: str = "post") -> _File:
    data = {**_applicant(who, delivery), "description": description, "form": "email" if delivery == "email" else "paper",
            "consent": True}
    if channel == "online":
        application = services.submit_online(tenant, data)
    else:
        application = services.register(SYSTEM, tenant, {**data, "channel": channel})
    application.submitted_at = china_moment(received, time(9))
    story = _File(application)
    story.on(received)
    services.confirm_receipt(SYSTEM, application, received)
    story.on(received)
    return story


def _answer(story: _File, answer: str, reason: str, day: date) -> None:
    """The decision (checked by the services) and its letter signed on `day`, as it then stood."""
    a = story.application
    services.set_answer(SYSTEM, a, {"answer": answer, "answer_reason": reason,
                                    "answer_basis": BASIS.get((answer, reason), ""),
                                    "answer_explanation": EXPLANATION.get(answer, "")})
    a.status, a.answered_on = "answered", day
    services.record_event(a, "letter_approved", "答复告知书审核签发。", SYSTEM)
    story.on(day)


def _deliver_and_close(story: _File, day: date, cal: Calendar) -> None:
    a = story.application
    services.record_delivery(SYSTEM, a, a.delivery, day)
    story.on(day)
    a.status, a.closed_on = "closed", min(cal.add_workdays(day, 1), china_today())
    services.record_event(a, "closed", "办结归档。", SYSTEM)
    story.on(a.closed_on)


def _past(tenant, spec, year: int, today: date, cal: Calendar) -> None:
    _, who, (offset, month, day), channel, description, answer, reason, workdays, extra = spec
    received = cal.nth_workday_of(date(year + offset, month, day), 1)
    story = _receive(tenant, who, channel, description.format(y=year - 1), received, extra.get("delivery", "post"))
    a = story.application
    if "third_party" in extra:
        sent, answered = (cal.add_workdays(received, n) for n in extra["third_party"])
        services.start_third_party(SYSTEM, a, sent)
        story.on(sent)
        services.end_third_party(SYSTEM, a, answered)
        story.on(answered)
    if "extend" in extra:
        asked = cal.add_workdays(received, 18)
        a.extended_days, a.extension_approved_by = extra["extend"], "县政府办公室王主任"
        a.extension_reason, a.extended_at = "涉及多年监测数据，需要从档案中调取汇总", china_moment(asked, time(10))
        services.refresh_due(a, cal)
        services.record_event(a, "extended", f"经县政府办公室王主任同意，答复期限延长 {a.extended_days} 个工作日至 "
                              f"{a.due_on.isoformat()}。已告知申请人。", SYSTEM)
        story.on(asked)
    if extra.get("correction"):
        asked, until = cal.add_workdays(received, 3), cal.add_workdays(received, 13)
        a.correction_asked_on, a.correction_deadline, a.status = asked, until, "correction"
        a.correction_note = "请写明所需政府信息的名称、文号或者便于查询的其他特征。"
        services.record_event(a, "correction_asked", f"要求补正（{until.isoformat()} 前）：{a.correction_note}", SYSTEM)
        story.on(asked)
        lapsed = cal.add_workdays(until, 1)
        a.answer, a.answer_reason, a.answered_on, a.closed_on, a.status = "other", reason, lapsed, lapsed, "closed"
        services.record_event(a, "lapsed", "申请人逾期未补正，视为放弃申请（《政府信息公开条例》第三十条）。", SYSTEM)
        story.on(lapsed)
        return
    if "fee" in extra:
        pages, outcome = extra["fee"]
        noticed = cal.add_workdays(received, 5)
        a.fee_basis, a.fee_yuan, a.fee_due_on = "pages", fees.pages_fee(pages), cal.add_workdays(noticed, fees.PAYMENT_WORKDAYS)
        services.record_event(a, "fee_notified", f"发出收费通知：按量计收（{pages} 页），信息处理费 {a.fee_yuan} 元，"
                              f"请于 {a.fee_due_on.isoformat()} 前缴纳。", SYSTEM)
        story.on(noticed)
        if outcome == "unpaid":
            lapsed = cal.add_workdays(a.fee_due_on, 1)
            a.answer, a.answer_reason, a.answered_on, a.closed_on, a.status = "other", reason, lapsed, lapsed, "closed"
            services.record_event(a, "fee_lapsed", "申请人逾期未按收费通知要求缴纳费用，不再处理该申请。", SYSTEM)
            story.on(lapsed)
            return
        settled = cal.add_workdays(noticed, 2)
        if outcome == "paid":
            a.fee_paid_on = settled
            services.record_event(a, "fee_paid", f"申请人已缴纳信息处理费 {a.fee_yuan} 元。", SYSTEM)
        else:
            a.fee_waived, a.fee_waiver_reason = True, "申请人为城市最低生活保障对象，经济困难"
            services.record_event(a, "fee_waived", f"减免信息处理费 {a.fee_yuan} 元，理由：{a.fee_waiver_reason}。", SYSTEM)
        a.paused_days += 2
        services.refresh_due(a, cal)
        story.on(settled)
    answered = min(cal.add_workdays(received, workdays), today)
    _answer(story, answer, reason, answered)
    delivered = min(cal.add_workdays(answered, 2), today)
    if delivered < today:
        _deliver_and_close(story, delivered, cal)
    if extra.get("appeals"):            # reconsideration upheld, then a lawsuit still pending at year end
        filed = answered + timedelta(days=10)
        appeals.record_appeal(SYSTEM, a, {"kind": "reconsideration", "filed_on": filed, "result": "upheld",
                                          "decided_on": filed + timedelta(days=30), "note": "县人民政府行政复议决定维持"})
        story.on(filed)
        appeals.record_appeal(SYSTEM, a, {"kind": "litigation", "filed_on": filed + timedelta(days=45),
                                          "after_reconsideration": True, "note": "已向青岚县人民法院起诉"})
        story.on(filed + timedelta(days=45))
    if extra.get("reconsideration"):
        filed = answered + timedelta(days=25)
        appeals.record_appeal(SYSTEM, a, {"kind": "reconsideration", "filed_on": filed, "result": extra["reconsideration"],
                                          "decided_on": filed + timedelta(days=45),
                                          "note": "复议机关责令重新答复：应当查找城建档案后再作答复"})
        story.on(filed)


def _back(today: date, n: int, cal: Calendar) -> date:
    """The n-th working day before `today`."""
    day = today
    while n > 0:
        day -= timedelta(days=1)
        if cal.is_workday(day):
            n -= 1
    return day


def _desk(tenant, slug: str, today: date, cal: Calendar) -> int:
    """Applications on the desk today, in every state of the clock."""
    back = lambda n: _back(today, n, cal)  # noqa: E731
    if slug == "qinglan":
        s = _receive(tenant, "吴海燕", "online", f"青岚县 {today.year} 年义务教育阶段学校招生划片方案", back(18))
        services.extend(SYSTEM, s.application, 15, "涉及教育、住建、自然资源三个部门，需要会商", "县政府办公室王主任")
        s.on(today)
        s = _receive(tenant, "周文斌", "letter", "人民路停车收费标准的成本监审报告", back(12))
        _answer(s, "disclose", "", back(1))
        s = _receive(tenant, "广青律师事务所", "online", "县城污水处理厂特许经营协议及历年运营考核结果", back(8))
        fees.notify_fee(SYSTEM, s.application, "pages", 80)
        s.on(today)
        return 3
    if slug == "baishui":
        s = _receive(tenant, "杨桂兰", "in_person", "东坡村村道硬化工程的资金来源和验收情况", back(3))
        services.ask_correction(SYSTEM, s.application, "请说明所需信息是哪一年度的哪一段村道工程。", today + timedelta(days=14))
        s.on(today)
        _receive(tenant, "郭永福", "letter", f"白水镇 {today.year - 1} 年度财政资金使用情况审计报告", back(25))   # overdue
        s = _receive(tenant, "何淑芬", "letter", "西河村集体土地征收的补偿标准及批准文件", back(16))
        _answer(s, "disclose", "", back(6))
        services.record_delivery(SYSTEM, s.application, "post", back(4))
        s.on(back(4))
        return 3
    if slug == "liuhe":
        s = _receive(tenant, "柳河镇竹木加工协会", "letter", "竹木加工园区规划调整的批复文件及附图", back(6))
        services.start_third_party(SYSTEM, s.application, back(2))
        s.on(back(2))
        services.submit_online(tenant, {**_applicant("马玉珍"), "description": "上庄村道路安全隐患整改的处理情况", "form": "paper",
                                        "consent": True})
        return 2
    if slug == "chengguan":
        _receive(tenant, "刘德明", "in_person", "南门社区加装电梯补助的申请条件和已批准名单", back(4))
        return 1
    return 0
