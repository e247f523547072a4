"""The 答复告知书 (第三十六条): drafted from a template per answer type, edited by the office, reviewed
and signed by a second person with a 文号, rendered as a PDF with extractable Chinese text (core's
ReportDocument) and kept, with the information provided, as internal attachments of the tenant."""
from __future__ import annotations

import io
from datetime import date

from sqlalchemy import select, update
from werkzeug.datastructures import FileStorage

from core.plugin_api import (AccessDenied, Attachment, china_today, Conflict, db, DomainError, has_permission,
                             Permission, ReportDocument, require_permission, save_upload, sync_attachments, utcnow)
from plugins.applications import services
from plugins.applications.models import (Application, ApplicationSettings, CHANNEL_LABELS, LetterAttachment,
                                         REASONS, ReplyLetter)

TITLE = "政府信息公开申请答复告知书"
BODY_MAX = 20000
REGULATION = "《中华人民共和国政府信息公开条例》"


def _cn(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


# --- drafting -----------------------------------------------------------------------------------

def _decision(application: Application) -> list[str]:
    """The decision's paragraphs, one template per answer type (第三十六条、第三十七条)."""
    reason = REASONS.get(application.answer, {}).get(application.answer_reason, "")
    basis = application.answer_basis or REGULATION
    explanation = application.answer_explanation
    if application.answer == "disclose":
        return [f"经审查，您申请获取的政府信息属于可以公开的政府信息。根据{REGULATION}第三十六条第二项的规定，"
                "本机关决定予以公开，现将该政府信息随本告知书提供给您（见附件）。"]
    if application.answer == "partial":
        return [f"经审查，您申请获取的政府信息中含有不应当公开的内容，理由：{reason}。根据{basis}及{REGULATION}"
                "第三十七条的规定，本机关对可以公开的部分予以公开，随本告知书提供给您（见附件）；对不应当公开的部分不予公开。",
                f"不予公开的内容：{explanation}"]
    if application.answer == "withhold":
        return [f"经审查，您申请获取的政府信息{reason}。根据{basis}的规定，本机关决定不予公开。",
                f"不予公开的内容及理由：{explanation}"]
    if application.answer == "unable":
        return [f"经审查，{reason}，本机关无法提供您申请获取的政府信息。依据：{basis}。"
                + (f"说明：{explanation}" if explanation else "")]
    if application.answer == "not_handled":
        return [f"经审查，您的申请属于“{reason}”的情形。根据{basis}的规定，本机关不予处理。"
                + (f"说明：{explanation}" if explanation else "")]
    return [f"经审查，{reason}。依据：{basis}。" + (f"说明：{explanation}" if explanation else "")]


def draft_text(application: Application) -> str:
    """The letter's text from the template of its answer type: the applicant, the request and its
    received date, the decision with reason and legal basis, withheld parts, the remedies."""
    tenant = application.tenant
    reconsideration, court = services.remedy_bodies(tenant)
    request = f"本机关于{_cn(application.received_on)}收到您通过{CHANNEL_LABELS.get(application.channel, '')}提出的政府信息公开申请" \
              f"（查询码 {application.code}），申请获取：“{application.description}”。"
    if application.doc_ref:
        request += f"（您提供的文号或标题：{application.doc_ref}）"
    paragraphs = [f"{application.name}：", request]
    if application.corrected_on:
        paragraphs.append(f"您于{_cn(application.corrected_on)}提交了补正后的申请，答复期限自该日起计算。")
    if application.extended_days:
        paragraphs.append(f"经本机关负责人同意，答复期限延长{application.extended_days}个工作日，已告知您。")
    paragraphs += _decision(application)
    paragraphs.append(f"如对本答复不服，可以自收到本告知书之日起六十日内向{reconsideration}申请行政复议"
                      "（《中华人民共和国行政复议法》第二十条），或者自收到本告知书之日起六个月内向"
                      f"{court}提起行政诉讼（《中华人民共和国行政诉讼法》第四十六条）。")
    paragraphs.append("特此告知。")
    return "\n".join(paragraphs)


def current_letter(application: Application) -> ReplyLetter | None:
    return application.letters[-1] if application.letters else None


def draft(actor, application: Application) -> ReplyLetter:
    """A letter drafted from the template of the decision made (or drafted again, while a draft)."""
    require_permission(actor, Permission.CONTENT_EDIT, application.tenant)
    if application.status != "open":
        raise Conflict("只有办理中的申请可以起草答复告知书。")
    if not application.answer:
        raise DomainError("请先作出答复决定，再起草答复告知书。")
    letter = current_letter(application)
    if letter is not None and letter.status != "draft":
        raise Conflict("答复告知书已提交审核，不能重新起草；如需修改，请审核人员退回。")
    if letter is None:
        letter = ReplyLetter(tenant_id=application.tenant_id, application=application)
        db.session.add(letter)
    letter.body = draft_text(application)
    letter.drafted_by_id = getattr(actor, "id", None)
    db.session.flush()
    services.record_event(application, "letter_drafted", "按答复类型的模板起草答复告知书。", actor)
    return letter


def revise(actor, letter: ReplyLetter, body: str, attachment_ids: list[int]) -> bool:
    """The office edits the draft's text and the information provided with it (internal files)."""
    require_permission(actor, Permission.CONTENT_EDIT, letter.application.tenant)
    if letter.status != "draft":
        raise Conflict("只有草稿状态的答复告知书可以修改。")
    text = "\n".join(line.rstrip() for line in (body or "").replace("\r\n", "\n").split("\n")).strip()
    if not text:
        raise DomainError("答复告知书的正文不能为空。", field="body")
    if len(text) > BODY_MAX:
        raise DomainError(f"正文过长：不能超过 {BODY_MAX} 个字。", field="body")
    changed = text != letter.body
    letter.body = text
    if sync_attachments(letter, attachment_ids, LetterAttachment).changed:
        changed = True
    for link in letter.attachment_links:       # the information goes to the applicant only, never public
        link.attachment.is_public = False
    if changed:
        letter.drafted_by_id = getattr(actor, "id", None)   # who last wrote the text does not approve it
        services.record_event(letter.application, "letter_edited", "修改答复告知书。", actor)
    return changed


def submit(actor, letter: ReplyLetter) -> None:
    require_permission(actor, Permission.CONTENT_EDIT, letter.application.tenant)
    if letter.status != "draft":
        raise Conflict("只有草稿可以提交审核。")
    if letter.application.status != "open":
        raise Conflict("只有办理中的申请可以提交答复告知书。")
    letter.status = "submitted"
    services.record_event(letter.application, "letter_submitted", "答复告知书提交审核。", actor)


def return_to_draft(actor, letter: ReplyLetter, note: str) -> None:
    require_permission(actor, Permission.CONTENT_PUBLISH, letter.application.tenant)
    if letter.status != "submitted":
        raise Conflict("只有待审核的答复告知书可以退回。")
    if not (note or "").strip():
        raise DomainError("请写明退回修改的原因。", field="note")
    letter.status = "draft"
    services.record_event(letter.application, "letter_returned", f"答复告知书退回修改：{note.strip()}", actor)


# --- review and signature -----------------------------------------------------------------------

def may_approve(actor, letter: ReplyLetter) -> bool:
    """Policy: a reviewer of the tenant (CONTENT_PUBLISH) who did not write the text, once it was
    submitted: every letter is seen by a second person."""
    return (letter.status == "submitted" and has_permission(actor, Permission.CONTENT_PUBLISH, letter.application.tenant)
            and getattr(actor, "id", None) not in {letter.drafted_by_id, None})


def _settings_row(tenant, *, lock: bool) -> ApplicationSettings | None:
    stmt = select(ApplicationSettings).where(ApplicationSettings.tenant_id == tenant.id)
    return db.session.scalar(stmt.with_for_update() if lock else stmt)


def locked_settings(tenant) -> ApplicationSettings:
    """The tenant's settings row, locked until the transaction ends; stored first when the tenant
    has none yet (race-safe: of two first approvals at once, one inserts, the other's insert does
    nothing and it waits for the row's lock like any later approval)."""
    row = _settings_row(tenant, lock=True)
    if row is None:
        services.create_settings(tenant)
        row = _settings_row(tenant, lock=True)
    return row


def next_doc_no(tenant, year: int) -> str:
    """The next 文号 of the tenant's letters that year: 白政依复〔2026〕3号 (the settings row is locked
    meanwhile, so two approvals at once never get the same number)."""
    settings = locked_settings(tenant)
    prefix = settings.doc_no_prefix or services.default_doc_no_prefix(tenant)
    head = f"{prefix}〔{year}〕"
    taken = db.session.scalars(select(ReplyLetter.doc_no).where(ReplyLetter.tenant_id == tenant.id,
                                                                ReplyLetter.doc_no.startswith(head))).all()
    numbers = [int(n[len(head):-1]) for n in taken if n.endswith("号") and n[len(head):-1].isdigit()]
    return f"{head}{max(numbers, default=0) + 1}号"


def approve(actor, letter: ReplyLetter) -> ReplyLetter:
    """Signed by a second person: a 文号, the PDF kept as an internal attachment, the application
    answered on the day."""
    application = letter.application
    tenant = application.tenant
    require_permission(actor, Permission.CONTENT_VIEW, tenant)
    if letter.status == "approved":
        raise Conflict("这份答复告知书已经签发。")
    if not may_approve(actor, letter):
        if letter.status != "submitted":
            raise Conflict("答复告知书尚未提交审核。")
        if not has_permission(actor, Permission.CONTENT_PUBLISH, tenant):
            raise AccessDenied("您没有审核签发的权限。")
        raise AccessDenied("需要另一位审核人员签发：不能审核自己起草或修改的答复告知书。")
    if application.status != "open":
        raise Conflict("只有办理中的申请可以签发答复告知书。")
    # Claim the letter in the state it was read in: of two approvals at once only one goes on.
    claimed = db.session.execute(update(ReplyLetter).where(ReplyLetter.id == letter.id, ReplyLetter.status == "submitted")
                                 .values(status="approved").execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise Conflict("这份答复告知书已被他人处理，请刷新页面。")
    today = china_today()
    letter.status = "approved"
    letter.doc_no = next_doc_no(tenant, today.year)
    letter.approved_by_id = getattr(actor, "id", None)
    letter.approved_at = utcnow()
    pdf = render_pdf(letter, today)
    stored = save_upload(FileStorage(stream=io.BytesIO(pdf), filename=f"{TITLE}（{letter.doc_no}）.pdf"),
                         uploaded_by=actor, is_public=False)
    letter.pdf_attachment_id = stored.id
    application.status = "answered"
    application.answered_on = today
    services.record_event(application, "letter_approved", f"答复告知书审核签发，文号 {letter.doc_no}。", actor)
    return letter


def pdf_attachment(letter: ReplyLetter) -> Attachment | None:
    return db.session.get(Attachment, letter.pdf_attachment_id) if letter.pdf_attachment_id else None


def render_pdf(letter: ReplyLetter, signed_on: date) -> bytes:
    """The signed letter: title, 文号, the text, the attachments, the office and the date."""
    application = letter.application
    office = services.settings_for(application.tenant).office_name or application.tenant.name
    doc = ReportDocument(TITLE, author=office)
    doc.paragraph(letter.doc_no, center=True)
    doc.pdf.ln(4)
    lines = [line.strip() for line in letter.body.split("\n") if line.strip()]
    for index, line in enumerate(lines):
        salutation = index == 0 and line.endswith("：")       # "张三：" stands at the margin
        doc.paragraph(line if salutation else "　　" + line, size=12, height=7.5)
    files = [link.attachment.filename for link in letter.attachment_links]
    if files:
        doc.pdf.ln(3)
        doc.paragraph("附件：" + "；".join(f"{i}. {name}" for i, name in enumerate(files, 1)), size=12, height=7.5)
    doc.pdf.ln(10)
    for text in (office, _cn(signed_on)):
        doc.pdf.set_font("body", size=12)
        doc.pdf.cell(doc.width, 7.5, text, align="R", new_x="LMARGIN", new_y="NEXT")
    return doc.output()
