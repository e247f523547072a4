"""Sample records for the demo county, dated relative to today so supervision shows real findings:
some records published on time, one late, some lapsed and superseded, a draft past its deadline,
a record waiting for review, 依申请公开 and 不予公开 records, and villages behind on their monthly
finance disclosure. Loaded on any day of the year, nothing is dated after now: a document of a
fixed day of the year (a budget in February) is last year's until that day has come. A record whose
text says 具体内容见附件 carries that attachment (a one-page PDF made here, stored as uploads are).
法定主动公开内容: the county and each town also have 行政规范性文件 of fixed dates (2023–2026, one
repealed in 2025: the annual report's section 二 counts them, see tests/catalog/test_statutory.py),
their 政府信息公开制度 and 机构职能, and the county its 财政预决算; each only once its day has come."""
from __future__ import annotations

import io
import struct
import zlib
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from core.plugin_api import (Calendar, china_moment, china_today, db, save_upload, SYSTEM, tenant_by_slug, tenant_scope,
                             url_path_for, user_by_username, utcnow)
from plugins.catalog import services
from plugins.catalog.models import Record


def _at(day: date) -> datetime:
    """Ten in the morning of `day` in China, or a minute ago when that is still to come today."""
    return min(china_moment(day, time(10, 0)), utcnow() - timedelta(minutes=1))


# --- attachments the records' text refers to, made in code ------------------------------------

def _store(filename: str, data: bytes):
    """Through the same checks and storage as an editor's upload (internal until its record is published)."""
    return save_upload(FileStorage(stream=io.BytesIO(data), filename=filename), uploaded_by=SYSTEM)


def _wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)] or [""]


def demo_pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF of Chinese text, a few hundred bytes: it names Adobe's standard Chinese
    font STSong-Light (UniGB-UCS2-H encoding) instead of embedding one, as PDF readers provide it."""
    ops, y = [], 780
    for number, line in enumerate(lines):
        size = 16 if number == 0 else 12
        for part in _wrap(line, 495 // size):
            ops.append(f"BT /F1 {size} Tf 50 {y} Td <{part.encode('utf-16-be').hex().upper()}> Tj ET")
            y -= size + 10
        y -= 6
    content = "\n".join(ops).encode("ascii")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 5 0 R>>>>/Contents 4 0 R>>",
        b"<</Length %d>>\nstream\n" % len(content) + content + b"\nendstream",
        b"<</Type/Font/Subtype/Type0/BaseFont/STSong-Light/Encoding/UniGB-UCS2-H/DescendantFonts[6 0 R]>>",
        b"<</Type/Font/Subtype/CIDFontType0/BaseFont/STSong-Light/CIDSystemInfo<</Registry(Adobe)/Ordering(GB1)"
        b"/Supplement 2>>/FontDescriptor 7 0 R/DW 1000>>",
        b"<</Type/FontDescriptor/FontName/STSong-Light/Flags 6/FontBBox[-25 -254 1000 880]/ItalicAngle 0"
        b"/Ascent 880/Descent -120/CapHeight 880/StemV 93>>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def demo_png(width: int = 160, height: int = 90, rgb: tuple[int, int, int] = (0, 102, 204)) -> bytes:
    """A small plain PNG (a 图解's picture in the demo), a few hundred bytes."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def demo_attachment(tenant, item_name: str, title: str, written: date):
    """The attachment a demo record's text mentions: a page about `title`, as a PDF."""
    phone = (tenant.contact or {}).get("phone", "")
    return _store(f"{title}（附件）.pdf", demo_pdf([
        title, f"{tenant.name}　{written.year}年{written.month}月{written.day}日",
        f"本附件是“{item_name}”事项公开内容的详细说明（演示数据，内容为示例）。",
        "如有疑问，请在工作日来电咨询" + (f"：{phone}。" if phone else "。")]))


def _year_of(today: date, month: int, day: int) -> int:
    """The latest year in which month/day has come: this year from that day on, else last year."""
    return today.year if date(today.year, month, day) <= today else today.year - 1


class _Writer:
    def __init__(self, tenant, cal: Calendar, today: date):
        self.tenant, self.cal, self.today = tenant, cal, today
        self.items = {i.name: i for i in services.leaf_items(tenant)}
        self.count = 0

    def record(self, item_name: str, title: str, *, written: date, published: date | None = None, status="published",
               doc_no="", body="", disclosure="proactive", reason="", validity="valid", lapsed_on=None,
               superseded_by=None, created_by=None, attachments=(), doc_type="", expiry=None, interp_form="",
               documents=(), interp_by=("", ""), needs_interpretation=False):
        item = self.items.get(item_name)
        if item is None:
            return None
        body = body or f"<p>{title}。</p><p>具体内容见附件或来电咨询。</p>"
        record = services.create_record(SYSTEM, self.tenant, {
            "item_id": item.id, "title": title, "doc_no": doc_no, "issuing_body": self.tenant.name,
            "written_date": written, "body": body, "disclosure": disclosure, "disclosure_reason": reason,
            "doc_type": doc_type, "expiry_date": expiry, "needs_interpretation": needs_interpretation,
            "interp_form": interp_form, "interp_by_kind": interp_by[0], "interp_by_name": interp_by[1],
            "documents": list(documents)})
        record.created_by_id = getattr(created_by, "id", None)
        if not attachments and "附件" in body:   # the text says 见附件: give it one
            attachments = [demo_attachment(self.tenant, item.name, title, written).id]
        if attachments:
            services.set_attachments(record, list(attachments))
        if status in ("submitted", "published"):
            record.status = "submitted"
            record.submitted_at = _at(written)
        if status == "published":
            services.publish(SYSTEM, record, review_confirmed=True, when=_at(published or written))
            if validity != "valid":
                services.lapse(SYSTEM, record, validity, on=lapsed_on, superseded_by=superseded_by)
        self.count += 1
        return record


def _month_start(day: date, back: int = 0) -> date:
    y, m = day.year, day.month - back
    while m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1)


def load_demo() -> list[str]:
    if tenant_by_slug("qinglan") is None:
        return []
    registry = current_app.extensions["cms"]
    cal, today = Calendar(), china_today()
    lines = []
    li, zhao = user_by_username("li"), user_by_username("zhao")
    for slug, fill in (("qinglan", _district), ("baishui", _busy_town), ("liuhe", _quiet_town),
                       ("chengguan", _quiet_town), ("dongpo", _village_behind), ("xihe", None),
                       ("liuhecun", _village_ok), ("shangzhuang", _village_ok), ("nanmen", _village_ok),
                       ("beiguan", _village_behind)):
        tenant = tenant_by_slug(slug)
        if tenant is None or fill is None or not registry.is_enabled(tenant, "catalog"):
            continue
        with tenant_scope(tenant):
            if db.session.scalar(select(func.count()).select_from(Record)):
                continue
            writer = _Writer(tenant, cal, today)
            fill(writer, today, cal, li=li, zhao=zhao)
            db.session.flush()
            _fill_rest(writer, today, cal, share=0.4 if fill is _village_behind else 0.8)
            db.session.flush()
            lines.append(f"政务公开目录：{tenant.name} {writer.count} 条示例政府信息")
    return lines


def _fill_rest(w: _Writer, today: date, cal: Calendar, share: float) -> None:
    """Most other items get one record that meets their rule, so the column looks lived in and
    the supervision page shows gaps, not an empty county. The choice is stable (no randomness)."""
    used = set(db.session.scalars(select(Record.item_id)))
    for item in w.items.values():
        if item.id in used or zlib.crc32(f"{w.tenant.slug}/{item.name}".encode()) % 100 >= share * 100:
            continue
        kind = (item.rule or {}).get("kind", "none")
        if kind == "monthly":
            day = cal.nth_workday_of(today.replace(day=1), 2)
        elif kind == "quarterly":
            day = cal.nth_workday_of(date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), 5)
        elif kind == "yearly":
            day = cal.nth_workday_of(date(today.year, 1, 1), 3)
        else:
            day = today - timedelta(days=zlib.crc32(item.name.encode()) % 150 + 10)
        day = min(day, today)
        written = day - timedelta(days=1)
        while not cal.is_workday(written):  # formed on the working day before: always on time
            written -= timedelta(days=1)
        w.record(item.name, f"{w.tenant.name}{item.name}（{day.year}年{day.month}月）", written=written, published=day)


# --- 法定主动公开内容: 行政规范性文件 of fixed years (the annual report counts them), the 公开制度,
# 机构职能 and 财政预决算 ------------------------------------------------------------------------------

def _normative(w: _Writer, today: date, docs) -> dict[str, object]:
    """Normative documents (doc_type "normative") of fixed dates, each only once its day has come:
    docs are (key, doc_no, title, written, published, expiry). Returns {key: record}."""
    out = {}
    for key, doc_no, title, written, published, expiry in docs:
        if published > today:
            continue
        out[key] = w.record("行政规范性文件", title, written=written, published=published, doc_no=doc_no,
                            doc_type="normative", expiry=expiry,
                            body=f"<p>{title}。</p><p>本文件经{w.tenant.name}合法性审核、集体审议后公布施行。</p>")
    return out


def _repeal(records: dict, key: str, on: date, today: date, replaced_by: str | None = None) -> None:
    if records.get(key) is not None and on <= today:
        replacement = records.get(replaced_by) if replaced_by else None
        services.lapse(SYSTEM, records[key], "repealed", on=on, superseded_by=replacement.id if replacement else None)


def _county_statutory(w: _Writer, today: date) -> None:
    """青岚县: the 2025 figures of the annual report (hand-counted in tests/catalog/test_statutory.py):
    issued 3 (2025-1, -2, -3号), repealed 1 (2025-1号, replaced by 2025-3号 on 2025-11-20), in force
    at the end of 2025: 3 (2024-2号, 2025-2号, 2025-3号; 2023-1号 lapsed on its 失效日期 2025-06-30)."""
    docs = _normative(w, today, [
        ("2023-1", "青政规〔2023〕1号", "青岚县人民政府关于实施2023—2025年春耕生产补贴的通知",
         date(2023, 2, 1), date(2023, 2, 8), date(2025, 6, 30)),
        ("2024-2", "青政规〔2024〕2号", "青岚县人民政府关于加强城乡居民生活垃圾分类工作的通知",
         date(2024, 9, 3), date(2024, 9, 10), None),
        ("2025-1", "青政规〔2025〕1号", "青岚县人民政府关于印发《青岚县城区停车管理办法》的通知",
         date(2025, 2, 18), date(2025, 2, 25), None),
        ("2025-2", "青政规〔2025〕2号", "青岚县人民政府关于进一步规范农村宅基地审批管理的意见",
         date(2025, 6, 10), date(2025, 6, 16), None),
        ("2025-3", "青政规〔2025〕3号", "青岚县人民政府关于印发《青岚县城区停车管理办法（修订）》的通知",
         date(2025, 11, 14), date(2025, 11, 20), None),
        ("2026-1", "青政规〔2026〕1号", "青岚县人民政府关于印发《青岚县政府投资项目管理办法》的通知",
         date(2026, 3, 9), date(2026, 3, 16), None),
        ("2026-2", "青政规〔2026〕2号", "青岚县人民政府关于深化城乡居民生活垃圾分类工作的通知",
         date(2026, 8, 5), date(2026, 8, 12), None),
    ])
    _repeal(docs, "2025-1", date(2025, 11, 20), today, replaced_by="2025-3")
    _repeal(docs, "2024-2", date(2026, 8, 12), today, replaced_by="2026-2")
    w.record("机关职能和机构设置", "青岚县人民政府机构职能", written=date(2025, 3, 3), published=date(2025, 3, 6),
             body="<h2>主要职能</h2><p>执行县人民代表大会及其常务委员会的决议，领导所属各工作部门和乡镇人民政府的工作。</p>"
                  "<h2>机构设置</h2><p>县人民政府设办公室和工作部门 22 个。</p>"
                  "<h2>办公地址和时间</h2><p>青岚县人民路 1 号；工作日 8:30—12:00，14:00—17:30。</p>")
    w.record("政府信息公开制度文件", "青岚县政府信息公开工作制度（2025年修订）", written=date(2025, 4, 1),
             published=date(2025, 4, 7), doc_no="青政办发〔2025〕9号")
    w.record("政府信息公开制度文件", "青岚县政府信息公开保密审查办法", written=date(2025, 4, 1),
             published=date(2025, 4, 7), doc_no="青政办发〔2025〕10号")
    # The decision document of the county's demo 重大行政决策 on parking fees (plugins/decisions/demo.py
    # links it as the item's 决策结果, after its consultation and meeting): days before today.
    decided = today - timedelta(days=4)
    w.record("收费项目依据和标准", "青岚县人民政府关于印发《青岚县城区机动车停放服务收费管理办法》的通知",
             written=decided, published=today - timedelta(days=2), doc_no=f"青政发〔{decided.year}〕18号",
             body="<p>《青岚县城区机动车停放服务收费管理办法》已经县人民政府常务会议审议通过，现印发给你们，请认真贯彻执行。</p>"
                  "<p>城区道路停车泊位实行分时段收费，首 30 分钟免费；老旧小区周边道路夜间免费停放。</p>")
    budget = _year_of(today, 2, 12)
    w.record("本级财政预算决算", f"青岚县{budget}年财政预算和{budget - 1}年预算执行情况",
             written=date(budget, 2, 5), published=date(budget, 2, 12))


def _town_statutory(w: _Writer, today: date, code: str) -> None:
    """A town's 行政规范性文件 of 2025 and 2026, its 公开制度 and 机构职能. 白水镇 (code 白) 2025: issued 2,
    repealed 1 (白政规〔2025〕2号 on 2025-12-01), in force at the end of the year 1."""
    name = w.tenant.name
    docs = _normative(w, today, [
        ("2025-1", f"{code}政规〔2025〕1号", f"{name}村级公益事业一事一议筹资筹劳管理办法",
         date(2025, 4, 8), date(2025, 4, 15), None),
        ("2025-2", f"{code}政规〔2025〕2号", f"{name}农村人居环境整治三年行动实施方案",
         date(2025, 5, 6), date(2025, 5, 12), None),
        ("2026-1", f"{code}政规〔2026〕1号", f"{name}农村集体资产管理办法",
         date(2026, 2, 10), date(2026, 2, 16), None),
    ])
    _repeal(docs, "2025-2", date(2025, 12, 1), today)
    w.record("政府信息公开制度文件", f"{name}政府信息公开工作制度", written=date(2025, 3, 10),
             published=date(2025, 3, 14))
    w.record("机关职能和机构设置", f"{name}机构职能", written=date(2025, 3, 3), published=date(2025, 3, 6),
             body=f"<p>{name}人民政府（办事处）设党政综合办公室、经济发展办公室、社会事务办公室等内设机构。</p>")


def _district(w: _Writer, today: date, cal: Calendar, **_) -> None:
    _county_statutory(w, today)
    year = _year_of(today, 3, 12)
    old = w.record("规范性文件", f"青岚县教育体育局关于{year - 2}年义务教育招生入学工作的实施意见",
                   written=date(year - 2, 3, 10), published=date(year - 2, 3, 15), doc_no=f"青教体发〔{year - 2}〕3号")
    attachment = _store("招生划片范围示意.pdf", demo_pdf([
        "招生划片范围示意", "青岚县实验小学：城关街道南门社区、北关社区", "白水镇中心小学：白水镇全域"]))
    new = w.record("规范性文件", f"青岚县教育体育局关于{year}年义务教育招生入学工作的实施意见",
                   written=date(year, 3, 6), published=date(year, 3, 12), doc_no=f"青教体发〔{year}〕5号",
                   body="<h2>一、招生原则</h2><p>坚持免试就近入学，公办学校按划片范围招生。</p>"
                        "<h2>二、招生范围</h2><table><thead><tr><th>学校</th><th>划片范围</th></tr></thead>"
                        "<tbody><tr><td>青岚县实验小学</td><td>城关街道南门社区、北关社区</td></tr>"
                        "<tr><td>白水镇中心小学</td><td>白水镇全域</td></tr></tbody></table>",
                   attachments=[attachment.id])
    if old and new:
        services.lapse(SYSTEM, old, "repealed", on=date(year, 3, 12), superseded_by=new.id)
    if new:
        _interpretations(w, new, year)
    w.record("教育法律", "《中华人民共和国义务教育法》", written=date(_year_of(today, 1, 8), 1, 5),
             published=date(_year_of(today, 1, 8), 1, 8))
    w.record("审批结果", "青岚县城南污水处理厂提标改造工程可行性研究报告批复",
             written=cal.add_workdays(today - timedelta(days=70), 0), published=today - timedelta(days=60),
             doc_no=f"青发改审〔{year}〕21号")
    budget = _year_of(today, 2, 10)
    w.record("政府预算", f"青岚县{budget}年政府预算报告", written=date(budget, 1, 20), published=date(budget, 2, 10))
    w.record("医疗卫生机构名录", "青岚县医疗卫生机构名录", written=date(_year_of(today, 2, 3), 2, 1),
             published=date(_year_of(today, 2, 3), 2, 3))
    w.record("审批结果", "某企业投资项目核准信息（涉及商业秘密）", written=today - timedelta(days=20),
             published=today - timedelta(days=18), disclosure="withheld",
             reason="《中华人民共和国政府信息公开条例》第十五条：涉及商业秘密，公开会对第三方合法权益造成损害。")


def _interpretations(w: _Writer, policy, year: int) -> None:
    """The year's 义务教育 policy needs its 解读 and has two, published with it and linked both ways: a
    图解 (its picture described) and a 问答. 青政规〔2026〕1号 and the county's other 规范性文件 have none:
    supervision lists them as published without their 解读."""
    policy.needs_interpretation = True
    ref = services.record_ref(policy.id)
    picture = _store("义务教育招生入学流程图解.png", demo_png())
    src = url_path_for("portal.attachment", tenant=w.tenant, token=picture.token, name=picture.filename)
    described = f"{year}年义务教育招生入学流程：网上报名、资格审核、结果公布、新生报到四个步骤"
    w.record("规范性文件", f"一图读懂《青岚县教育体育局关于{year}年义务教育招生入学工作的实施意见》",
             written=date(year, 3, 6), published=date(year, 3, 12), interp_form="graphic", documents=[ref],
             interp_by=("department", "青岚县教育体育局"), attachments=[picture.id],
             body=f'<p>一图读懂今年义务教育招生入学怎么办。</p><p><img src="{src}" alt="{described}"></p>'
                  "<p>文字版：第一步，网上报名；第二步，资格审核；第三步，结果公布；第四步，新生报到。</p>")
    w.record("规范性文件", f"《青岚县教育体育局关于{year}年义务教育招生入学工作的实施意见》政策问答",
             written=date(year, 3, 6), published=date(year, 3, 13), interp_form="qa", documents=[ref],
             interp_by=("leader", "青岚县教育体育局副局长 周明"),
             body="<h2>问：今年招生的基本原则是什么？</h2><p>答：坚持免试就近入学，公办学校按划片范围招生。</p>"
                  "<h2>问：如何查询孩子对应的学校？</h2><p>答：招生范围见实施意见第二部分的划片表，也可来电咨询县教育体育局。</p>")


def _busy_town(w: _Writer, today: date, cal: Calendar, li=None, zhao=None) -> None:
    _town_statutory(w, today, "白")
    this_month = _month_start(today)
    w.record("低保对象名单", f"白水镇{this_month.month}月城乡低保对象名单公示", written=this_month,
             published=min(today, cal.nth_workday_of(this_month, 3)))
    w.record("低保对象名单", f"白水镇{_month_start(today, 1).month}月城乡低保对象名单公示",
             written=_month_start(today, 1), published=cal.nth_workday_of(_month_start(today, 1), 4))
    # Published 30 working days after it was formed: a late publication the supervision page reports.
    written = cal.add_workdays(today - timedelta(days=120), 0)
    w.record("招生政策和划片范围", f"白水镇中心小学{today.year}年招生划片范围", written=written,
             published=cal.add_workdays(written, 30), created_by=li)
    w.record("改造对象名单", "白水镇农村危房改造对象名单公示", written=today - timedelta(days=40),
             published=cal.add_workdays(today - timedelta(days=40), 2))
    w.record("低保政策和办事指南", "白水镇最低生活保障办事指南", written=date(_year_of(today, 1, 9), 1, 6),
             published=date(_year_of(today, 1, 9), 1, 9))
    # A draft formed 30 working days ago and still unpublished: overdue.
    w.record("法律援助", "白水镇法律援助工作站服务指南（修订）", written=cal.add_workdays(today - timedelta(days=50), 0),
             status="draft", created_by=li)
    w.record("就业创业政策", f"白水镇{today.year}年就业援助月活动安排", written=today - timedelta(days=3),
             status="submitted", created_by=li)
    w.record("特困人员救助供养", "特困人员个人信息核查材料", written=today - timedelta(days=30),
             published=today - timedelta(days=28), disclosure="on_request",
             reason="《中华人民共和国政府信息公开条例》第十五条：涉及个人隐私，依申请公开。")


def _quiet_town(w: _Writer, today: date, cal: Calendar, **_) -> None:
    _town_statutory(w, today, w.tenant.name[:1])
    w.record("法律援助", f"{w.tenant.name}法律援助工作站服务指南", written=date(_year_of(today, 2, 24), 2, 20),
             published=date(_year_of(today, 2, 24), 2, 24))
    w.record("公共文化设施名录", f"{w.tenant.name}综合文化站开放时间", written=date(_year_of(today, 3, 4), 3, 2),
             published=date(_year_of(today, 3, 4), 3, 4))


def _basic_situation(w: _Writer, today: date) -> None:
    year = _year_of(today, 1, 8)
    w.record("村（居）基本情况", f"{w.tenant.name}{year}年基本情况", written=date(year, 1, 5), published=date(year, 1, 8))


def _village_ok(w: _Writer, today: date, cal: Calendar, **_) -> None:
    this_month = _month_start(today)
    w.record("财务收支和“三资”管理情况", f"{w.tenant.name}{this_month.month}月财务收支公开", written=this_month,
             published=min(today, cal.nth_workday_of(this_month, 2)))
    _basic_situation(w, today)


def _village_behind(w: _Writer, today: date, cal: Calendar, **_) -> None:
    two_ago = _month_start(today, 2)
    # The last monthly finance table is two months old: this month's is overdue.
    w.record("财务收支和“三资”管理情况", f"{w.tenant.name}{two_ago.month}月财务收支公开", written=two_ago,
             published=cal.nth_workday_of(two_ago, 3))
    _basic_situation(w, today)
    meeting = today - timedelta(days=30)
    decision = w.record("村（居）民会议决定及实施情况", f"{w.tenant.name}村民代表会议关于道路硬化项目的决定",
                        written=meeting, published=cal.add_workdays(meeting, 2))
    if decision:  # taken down after 4 working days although at least 7 were required
        services.lapse(SYSTEM, decision, "expired", on=cal.add_workdays(meeting, 6))
