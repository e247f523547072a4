"""The archive of a closed application (issue 19, point 7; 001: 登记、审核、办理、答复、归档): its
whole file as one PDF (the request, every step with its date, the answer, the letter's text,
delivery), and as a zip with that PDF, the signed letter and the information provided. The
applicant is masked unless the exporter may see them (privacy.may_see_applicant); the letters are
what was sent to the applicant, with their name, as they are."""
from __future__ import annotations

import io
import zipfile

from core.plugin_api import Attachment, china_date, db, ReportDocument, storage_path
from plugins.applications.models import (APPLICANT_LABELS, Application, CHANNEL_LABELS, DELIVERY_LABELS,
                                         FORM_LABELS, ID_TYPE_LABELS)
from plugins.applications.privacy import applicant


def _day(value) -> str:
    return value.isoformat() if value else "—"


def archive_pdf(application: Application, unmasked: bool) -> bytes:
    a = application
    p = applicant(a, unmasked)
    doc = ReportDocument(f"政府信息公开申请档案（{a.code}）", author=a.tenant.name)
    doc.paragraph(f"受理机关：{a.tenant.name}　　申请方式：{CHANNEL_LABELS.get(a.channel, a.channel)}　　"
                  f"状态：{a.status_label}", size=10)
    doc.paragraph("一、申请人", bold=True, size=12, height=8)
    rows = [["申请人类型", APPLICANT_LABELS[a.applicant_kind]], ["姓名或名称", p["name"]]]
    if a.applicant_kind == "citizen":
        rows += [["证件", f"{ID_TYPE_LABELS.get(a.id_type, '')} {p['id_number']}".strip()], ["工作单位", p["work_unit"]]]
    else:
        rows += [["统一社会信用代码", p["org_code"]], ["法定代表人", p["legal_rep"]], ["联系人", p["contact_name"]]]
    rows += [["通信地址", f"{p['address']} {p['postcode']}".strip()], ["电话", p["phone"]], ["电子邮箱", p["email"]]]
    doc.table(["项目", "内容"], [[k, v or "—"] for k, v in rows], widths=[1, 3])
    doc.paragraph("二、所需信息", bold=True, size=12, height=8)
    doc.table(["项目", "内容"], [["内容描述", a.description], ["文号或标题", a.doc_ref or "—"],
                                ["提供形式", FORM_LABELS.get(a.form, a.form)], ["获取方式", DELIVERY_LABELS.get(a.delivery, a.delivery)]],
              widths=[1, 3])
    doc.paragraph("三、办理时限", bold=True, size=12, height=8)
    doc.table(["项目", "日期"], [
        ["提交", china_date(a.submitted_at).isoformat()], ["收到申请", _day(a.received_on)],
        ["要求补正", _day(a.correction_asked_on)], ["收到补正", _day(a.corrected_on)],
        ["延长答复期限", f"{a.extended_days} 个工作日（{a.extension_approved_by}同意：{a.extension_reason}）" if a.extended_days else "—"],
        ["征求第三方意见", f"{_day(a.third_party_from)} 至 {_day(a.third_party_until)}，不计入 {a.paused_days} 个工作日"
         if a.third_party_from else "—"],
        ["答复期限", _day(a.due_on)], ["答复", _day(a.answered_on)], ["送达", _day(a.delivered_on)
                                                                      + (f"（{DELIVERY_LABELS.get(a.delivered_by, '')}）" if a.delivered_by else "")],
        ["办结", _day(a.closed_on)]], widths=[1, 3])
    doc.paragraph("四、答复", bold=True, size=12, height=8)
    doc.table(["项目", "内容"], [["答复类型", a.answer_label or "—"], ["理由", a.reason_label or "—"],
                                ["法律依据", a.answer_basis or "—"], ["不予公开的内容和理由", a.answer_explanation or "—"]],
              widths=[1, 3])
    for letter in a.letters:
        doc.paragraph(f"答复告知书 {letter.doc_no}（{letter.status_label}）", bold=True, size=11, height=8)
        for line in (letter.body or "").splitlines():
            if line.strip():
                doc.paragraph(line.strip(), size=10)
    doc.paragraph("五、办理过程", bold=True, size=12, height=8)
    doc.table(["时间", "经办人", "事项"], [[china_date(e.at).isoformat(), e.actor_name or "—", e.summary] for e in a.events],
              widths=[1, 1, 4])
    return doc.output()


def archive_zip(application: Application, unmasked: bool) -> bytes:
    """档案.pdf, the signed letters' PDFs and the information provided, as stored."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{application.code}-档案.pdf", archive_pdf(application, unmasked))
        for letter in application.letters:
            if letter.pdf_attachment_id is not None and letter.status == "approved":
                pdf = db.session.get(Attachment, letter.pdf_attachment_id)
                if pdf is not None:
                    z.write(storage_path(pdf.token), f"{application.code}-答复告知书-{letter.id}.pdf")
            for link in letter.attachment_links:
                z.write(storage_path(link.attachment.token), f"提供的信息/{link.attachment.filename}")
    return out.getvalue()
