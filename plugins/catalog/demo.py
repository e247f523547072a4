"""Sample records for the demo county, dated relative to today so supervision shows real findings:
some records published on time, one late, some lapsed and superseded, a draft past its deadline,
a record waiting for review, 依申请公开 and 不予公开 records, and villages behind on their monthly
finance disclosure. Loaded on any day of the year, nothing is dated after now: a document of a
fixed day of the year (a budget in February) is last year's until that day has come. A record whose
text says 具体内容见附件 carries that attachment (a one-page PDF made here, stored as uploads are)."""
from __future__ import annotations

import io
import zlib
from datetime import date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from core.plugin_api import (Calendar, china_moment, china_today, db, save_upload, SYSTEM, tenant_by_slug, tenant_scope,
                             user_by_username, utcnow)
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
               superseded_by=None, created_by=None, attachments=()):
        item = self.items.get(item_name)
        if item is None:
            return None
        body = body or f"<p>{title}。</p><p>具体内容见附件或来电咨询。</p>"
        record = services.create_record(SYSTEM, self.tenant, {
            "item_id": item.id, "title": title, "doc_no": doc_no, "issuing_body": self.tenant.name,
            "written_date": written, "body": body, "disclosure": disclosure, "disclosure_reason": reason})
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


def _district(w: _Writer, today: date, cal: Calendar, **_) -> None:
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


def _busy_town(w: _Writer, today: date, cal: Calendar, li=None, zhao=None) -> None:
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
