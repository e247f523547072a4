"""Demo gazette of 青岚县: the twelve monthly issues of the past year, with normative documents and
their 文号, office documents, department documents, personnel appointments, policy readings, a
document repealed (and linked to what replaced it), one that lapsed, an erratum, and one document
taken from the disclosure catalog through the lookup_documents hook."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import func, select

from core.plugin_api import china_today, CHINA_TZ, db, SYSTEM, tenant_by_slug, tenant_scope
from plugins.gazette import services
from plugins.gazette.models import GazetteIssue

FIRST_YEAR = 2019   # the gazette's first issue: 2019年第1期 is 总第1期
COUNTY = "青岚县"

# (what the measures are about, the department that drafted them)
TOPICS = [
    ("农村危房改造补助资金管理办法", "青岚县住房和城乡建设局"),
    ("城乡居民基本医疗保险实施办法", "青岚县医疗保障局"),
    ("行政规范性文件制定和备案管理办法", "青岚县司法局"),
    ("重大行政决策程序规定", "青岚县司法局"),
    ("农村集体资金资产资源管理办法", "青岚县农业农村局"),
    ("政府投资项目管理办法", "青岚县发展和改革局"),
    ("困难群众临时救助实施细则", "青岚县民政局"),
    ("城乡生活垃圾分类管理办法", "青岚县城市管理局"),
    ("政府购买服务管理办法", "青岚县财政局"),
    ("突发事件应急预案管理办法", "青岚县应急管理局"),
    ("公共租赁住房保障管理办法", "青岚县住房和城乡建设局"),
    ("高龄老人生活补贴发放办法", "青岚县民政局"),
    ("农村饮水安全工程运行管理办法", "青岚县水利局"),
    ("优化营商环境若干措施", "青岚县发展和改革局"),
]
OFFICE_PLANS = [
    "为民办实事项目实施方案", "政务公开工作要点", "防汛抗旱应急预案", "农村人居环境整治提升行动方案",
    "“一件事一次办”改革实施方案", "秋冬季大气污染防治攻坚方案", "义务教育优质均衡发展实施方案",
    "安全生产大检查工作方案", "就业创业促进行动方案", "冬春农田水利建设实施方案", "食品安全示范县创建方案",
    "政府网站和政务新媒体管理办法",
]
DEPARTMENT_NOTICES = [
    ("青岚县民政局", "民", "关于做好冬春困难群众基本生活保障工作的通知"),
    ("青岚县教育体育局", "教体", "关于做好中小学校寒假安全工作的通知"),
    ("青岚县人力资源和社会保障局", "人社", "关于调整城乡居民基础养老金标准的通知"),
    ("青岚县农业农村局", "农", "关于做好春季农业生产工作的通知"),
    ("青岚县卫生健康局", "卫健", "关于开展家庭医生签约服务提质增效工作的通知"),
    ("青岚县财政局", "财", "关于做好惠民惠农财政补贴资金“一卡通”发放工作的通知"),
]
PEOPLE = [("张明", "青岚县教育体育局局长"), ("李华", "青岚县民政局副局长"), ("王芳", "青岚县财政局局长"),
          ("刘强", "青岚县交通运输局局长"), ("陈静", "青岚县卫生健康局副局长"), ("杨帆", "青岚县司法局局长"),
          ("赵磊", "青岚县水利局副局长"), ("孙悦", "青岚县文化和旅游局局长")]


def _chapters(topic: str, department: str) -> str:
    subject = topic.removesuffix("管理办法").removesuffix("实施办法").removesuffix("办法").removesuffix("实施细则") \
        .removesuffix("规定").removesuffix("若干措施")
    return "".join([
        f"<h3>{COUNTY}{topic}</h3>",
        "<h4>第一章　总则</h4>",
        f"<p>第一条　为规范{subject}工作，保障群众合法权益，根据有关法律法规和上级规定，结合本县实际，制定本办法。</p>",
        f"<p>第二条　本办法适用于本县行政区域内的{subject}及其监督管理活动。</p>",
        f"<p>第三条　{department}负责全县{subject}的组织实施和监督管理；财政、审计等部门按照各自职责做好相关工作；"
        "各乡镇人民政府、街道办事处负责本辖区内的具体工作。</p>",
        "<h4>第二章　申请与办理</h4>",
        "<p>第四条　符合条件的单位和个人可以向所在乡镇人民政府、街道办事处或者县级主管部门提出申请，"
        "也可以通过政务服务网办理。</p>",
        "<p>第五条　受理机关应当自受理之日起十个工作日内作出决定；情况复杂的，经负责人批准可以延长五个工作日，"
        "并告知申请人延长的理由。</p>",
        "<p>第六条　办理结果应当在村（居）务公开栏和县政府门户网站公示，公示期不少于七日。</p>",
        "<h4>第三章　监督管理</h4>",
        "<p>第七条　任何单位和个人不得截留、挤占、挪用相关资金。对违反本办法的，依法依规追究责任。</p>",
        "<p>第八条　有关部门应当畅通投诉举报渠道，接受社会监督。</p>",
        "<h4>第四章　附则</h4>",
        f"<p>第九条　本办法由{department}负责解释。</p>",
    ])


def _notice(issuer: str, topic: str, department: str, effective: date, *, meeting: int) -> str:
    return (f"<p>各乡镇人民政府、街道办事处，县政府各部门：</p>"
            f"<p>《{COUNTY}{topic}》已经县人民政府第{meeting}次常务会议审议通过，现印发给你们，请认真贯彻执行。</p>"
            + _chapters(topic, department)
            + f"<p>第十条　本办法自{effective.year}年{effective.month}月{effective.day}日起施行，有效期五年。</p>")


def _months(today: date) -> list[date]:
    """The first days of the twelve months of the past year, the latest issue last."""
    month = date(today.year, today.month, 1)
    if today.day < 15:  # this month's issue appears mid-month
        month = (month - timedelta(days=1)).replace(day=1)
    months = []
    for _ in range(12):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


class _Numbers:
    """文号 sequences per prefix and year."""

    def __init__(self):
        self.last: dict[tuple[str, int], int] = {}

    def next(self, prefix: str, year: int, month: int = 1) -> str:
        # A year's first number in the demo reflects the documents issued before that month.
        value = self.last.get((prefix, year), 3 * (month - 1)) + 1
        self.last[(prefix, year)] = value
        return f"{prefix}〔{year}〕{value}号"


def _plan(today: date) -> list[dict]:
    numbers = _Numbers()
    issues = []
    for index, month in enumerate(_months(today)):
        year = month.year
        published = month.replace(day=15)
        written = month.replace(day=5)
        topic, department = TOPICS[index % len(TOPICS)]
        effective = (published + timedelta(days=31)).replace(day=1)
        articles = [
            {"section": "规范性文件", "title": f"{COUNTY}人民政府关于印发《{COUNTY}{topic}》的通知",
             "doc_no": numbers.next("青政发", year, month.month), "issuers": [f"{COUNTY}人民政府"], "written_date": written,
             "effective_date": effective, "body": _notice("县政府", topic, department, effective, meeting=30 + index)},
            {"section": "政府办公室文件",
             "title": f"{COUNTY}人民政府办公室关于印发《{COUNTY}{year}年{OFFICE_PLANS[index]}》的通知",
             "doc_no": numbers.next("青政办发", year, month.month), "issuers": [f"{COUNTY}人民政府办公室"],
             "written_date": written + timedelta(days=2),
             "body": f"<p>各乡镇人民政府、街道办事处，县政府各部门：</p><p>《{COUNTY}{year}年{OFFICE_PLANS[index]}》"
                     "已经县人民政府同意，现印发给你们，请结合实际认真组织实施。</p>"
                     f"<h3>{COUNTY}{year}年{OFFICE_PLANS[index]}</h3><h4>一、总体要求</h4>"
                     "<p>坚持以人民为中心的发展思想，聚焦群众急难愁盼问题，确保各项任务按期完成。</p>"
                     "<h4>二、主要任务</h4><ol><li>明确责任分工，建立工作台账。</li><li>加强督促检查，按月调度进展。</li>"
                     "<li>做好信息公开，及时回应社会关切。</li></ol><h4>三、保障措施</h4>"
                     "<p>各牵头单位要于每季度末向县政府办公室报送工作进展情况。</p>"},
        ]
        if index % 2 == 0:
            notice_department, code, what = DEPARTMENT_NOTICES[(index // 2) % len(DEPARTMENT_NOTICES)]
            articles.append({"section": "部门文件", "title": f"{notice_department}{what}",
                             "doc_no": numbers.next(f"青{code}发", year, month.month), "issuers": [notice_department],
                             "written_date": written + timedelta(days=1),
                             "body": "<p>各乡镇（街道）有关单位：</p><p>为切实做好相关工作，现将有关事项通知如下：</p>"
                                     "<p>一、提高思想认识，压实工作责任。</p><p>二、摸清底数，做到应保尽保、应享尽享。</p>"
                                     "<p>三、加强资金监管，确保资金安全、规范、高效使用。</p>"})
        if index % 2 == 1:
            first, second = PEOPLE[index % len(PEOPLE)], PEOPLE[(index + 3) % len(PEOPLE)]
            articles.append({"section": "人事任免", "title": f"{COUNTY}人民政府关于{first[0]}等同志职务任免的通知",
                             "doc_no": numbers.next("青政任", year, max(1, month.month // 2)), "issuers": [f"{COUNTY}人民政府"],
                             "written_date": written + timedelta(days=3),
                             "body": f"<p>各乡镇人民政府、街道办事处，县政府各部门：</p><p>经县人民政府研究决定：</p>"
                                     f"<p>任命{first[0]}为{first[1]}（试用期一年）；</p>"
                                     f"<p>任命{second[0]}为{second[1]}；</p>"
                                     f"<p>免去{PEOPLE[(index + 5) % len(PEOPLE)][0]}的"
                                     f"{PEOPLE[(index + 5) % len(PEOPLE)][1]}职务。</p>"})
        articles.append({"section": "政策解读", "title": f"《{COUNTY}{topic}》政策解读", "issuers": [department],
                         "written_date": written + timedelta(days=4),
                         "body": f"<h4>一、制定背景</h4><p>为进一步规范{topic.removesuffix('办法')}工作，县政府制定了本办法。</p>"
                                 "<h4>二、主要内容</h4><p>明确了适用范围、部门职责、申请办理流程、公示要求和监督管理措施。</p>"
                                 f"<h4>三、施行时间</h4><p>自{effective.year}年{effective.month}月{effective.day}日起施行。</p>"})
        if index == 0:  # a document repealed during the year…
            articles.insert(1, {
                "section": "规范性文件",
                "title": f"{COUNTY}人民政府关于印发《{COUNTY}城区义务教育学校招生划片管理暂行办法》的通知",
                "doc_no": numbers.next("青政发", year, month.month), "issuers": [f"{COUNTY}人民政府"],
                "written_date": written + timedelta(days=1),
                "body": "<p>各乡镇人民政府、街道办事处，县政府各部门：</p><p>现将《青岚县城区义务教育学校招生划片管理"
                        "暂行办法》印发给你们，请遵照执行。</p><h3>青岚县城区义务教育学校招生划片管理暂行办法</h3>"
                        "<p>第一条　城区公办小学、初中按照划片范围免试就近招生。</p>"
                        "<p>第二条　划片范围每年三月向社会公布。</p>",
                "_repealed_by": "招生入学管理办法"})
        if index == 3:  # …by the one that replaced it
            articles.insert(0, {
                "section": "规范性文件",
                "title": f"{COUNTY}人民政府关于印发《{COUNTY}义务教育学校招生入学管理办法》的通知",
                "doc_no": numbers.next("青政发", year, month.month), "issuers": [f"{COUNTY}人民政府"],
                "written_date": written + timedelta(days=1),
                "body": "<p>各乡镇人民政府、街道办事处，县政府各部门：</p><p>《青岚县义务教育学校招生入学管理办法》"
                        "已经县人民政府常务会议审议通过，现印发给你们。《青岚县城区义务教育学校招生划片管理暂行办法》"
                        "同时废止。</p><h3>青岚县义务教育学校招生入学管理办法</h3>"
                        "<p>第一条　义务教育阶段学校招生坚持免试就近入学。</p>"
                        "<p>第二条　公办学校招生划片范围由县教育体育局会同乡镇人民政府确定，每年三月底前公布。</p>"
                        "<p>第三条　进城务工人员随迁子女按照居住证和相关证明材料统筹安排入学。</p>"})
        if index == 2:  # an erratum to the appointment notice of the previous issue
            target = next(a for a in issues[1]["articles"] if a["section"] == "人事任免")
            previous = issues[1]["month"]
            articles.append({
                "section": "勘误", "title": f"关于《{COUNTY}人民政府公报》{previous.year}年第{previous.month}期有关内容的更正",
                "issuers": [f"{COUNTY}人民政府办公室"], "written_date": written + timedelta(days=5),
                "body": f"<p>本刊{previous.year}年第{previous.month}期刊登的《{target['title']}》（{target['doc_no']}）中，"
                        "“试用期一年”应为“试用期一年（自任职之日起计算）”。特此更正。</p>",
                "_corrects": target["title"]})
        issues.append({"year": year, "month": month, "published_on": published,
                       "total_number": (year - FIRST_YEAR) * 12 + month.month, "articles": articles})

    return issues


def load_demo() -> list[str]:
    district = tenant_by_slug("qinglan")
    if district is None or not current_app.extensions["cms"].is_enabled(district, "gazette"):
        return []
    with tenant_scope(district):
        if db.session.scalar(select(func.count()).select_from(GazetteIssue)):
            return []
        today = china_today()
        by_title = {}
        repealed = []
        lapsed = None
        for plan in _plan(today):
            month = plan["month"]
            sections = list(dict.fromkeys(a["section"] for a in sorted(
                plan["articles"], key=lambda a: services.DEFAULT_SECTIONS.index(a["section"])
                if a["section"] in services.DEFAULT_SECTIONS else 99)))
            issue = services.create_issue(SYSTEM, district, {
                "year": plan["year"], "number": month.month, "total_number": plan["total_number"],
                "published_on": plan["published_on"], "sections": sections,
                "editor_note": f"本期刊登{COUNTY}人民政府及其办公室、县政府部门{month.month}月印发的规范性文件和政府文件等，"
                               "以本刊刊登的文本为标准文本。" if month.month in (1, 7) else ""})
            for article in plan["articles"]:
                data = {k: v for k, v in article.items() if not k.startswith("_")}
                if "_corrects" in article:
                    data["corrects_id"] = by_title[article["_corrects"]].id
                created = services.add_article(SYSTEM, issue, data)
                by_title[created.title] = created
                if "_repealed_by" in article:
                    repealed.append((created, article["_repealed_by"]))
            if plan["month"] == _months(today)[3]:
                _cite_catalog_record(district, issue)
            when = datetime.combine(plan["published_on"], time(9), tzinfo=CHINA_TZ).astimezone(timezone.utc)
            services.publish_issue(SYSTEM, issue, make_pdf=False, when=when)
            if lapsed is None and plan["month"] == _months(today)[0]:
                lapsed = next(a for a in issue.articles if a.section == "政府办公室文件")
        for article, replacement_words in repealed:
            replacement = next(a for t, a in by_title.items() if replacement_words in t and a is not article)
            services.set_validity(SYSTEM, article, "repealed", on=replacement.issue.published_on,
                                  superseded_by=replacement.id,
                                  note=f"被《{replacement.title.split('《')[1].split('》')[0]}》（{replacement.doc_no}）废止")
        if lapsed is not None:
            services.set_validity(SYSTEM, lapsed, "expired", on=date(lapsed.issue.year, 12, 31),
                                  note="年度工作方案，执行期满")
        count = db.session.scalar(select(func.count()).select_from(GazetteIssue))
    return [f"政府公报：{district.name} {count} 期（近一年每月一期），含废止、失效文件和勘误"]


def _cite_catalog_record(district, issue) -> None:
    """Print a document the education bureau already published in the disclosure catalog."""
    found = [d for d in services.find_sources(district, "义务教育招生入学工作的实施意见")
             if d.written_date and d.written_date.year == issue.year]
    if found:
        services.add_article(SYSTEM, issue, {"section": "部门文件", "source_ref": found[0].ref,
                                             "issuers": ["青岚县教育体育局"]})
