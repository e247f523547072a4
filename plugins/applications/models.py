"""依申请公开: requests for government information (政府信息公开条例, 2019, 第二十七条 to 第四十五条),
their statutory clock, the answer from the closed list of the annual report, the reply letter,
fees, reconsideration and litigation.

Applications belong to a district or a town (villages forward theirs, 第二十九条 does not apply to
them); they are personal data (PIPL): the applicant's details are masked for everyone but the
tenant's own office and its admins (privacy.may_see_applicant), and erased after the retention
period (`cms privacy purge`).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.plugin_api import AttachmentLink, db, TenantScoped, TimestampMixin, UTCDateTime

CODE_GROUPS = (4, 4, 4)          # the 查询码, e.g. K7QX-2MHP-W9ZD (core.codes)

# How it arrived, and how the legal receipt date is fixed (第三十一条).
CHANNEL_LABELS = {"online": "网上申请", "letter": "信函", "in_person": "当面提交", "fax": "传真",
                  "email": "电子邮件"}
# Who asks: the columns of the annual report's section 三 (国办公开办函〔2021〕30号).
APPLICANT_LABELS = {"citizen": "自然人", "commercial": "商业企业", "research": "科研机构",
                    "social": "社会公益组织", "legal": "法律服务机构", "other_org": "其他"}
ORG_KINDS = ("commercial", "research", "social", "legal", "other_org")
ID_TYPE_LABELS = {"id_card": "居民身份证", "passport": "护照", "hk_macao": "港澳居民来往内地通行证",
                  "taiwan": "台湾居民来往大陆通行证", "other": "其他有效身份证件"}
FORM_LABELS = {"paper": "纸质", "email": "电子邮件", "disc": "光盘", "other": "其他"}
DELIVERY_LABELS = {"post": "邮寄", "email": "电子邮件", "in_person": "当面领取", "fax": "传真"}

STATUS_LABELS = {
    "awaiting_receipt": "待确认收到",       # online / fax: received once the office confirms (第三十一条第三项)
    "open": "办理中",
    "correction": "待申请人补正",           # the clock stops (第三十条)
    "third_party": "征求第三方意见",        # these days do not count (第三十二条)
    "answered": "已答复",                   # the letter is approved and signed
    "delivered": "已送达",
    "closed": "已办结",                     # withdrawn, lapsed, or delivered and archived
}
OPEN_STATUSES = ("awaiting_receipt", "open", "correction", "third_party")

# The answers (第三十六条), exactly as the annual report's section 三 lists them
# (国办公开办函〔2021〕30号, 表三 (三) 办理结果): a type and, except 予以公开, one reason of that type.
ANSWER_LABELS = {
    "disclose": "予以公开",
    "partial": "部分公开（区分处理的，只计这一情形，不计其他情形）",
    "withhold": "不予公开",
    "unable": "无法提供",
    "not_handled": "不予处理",
    "other": "其他处理",
}
ANSWER_SHORT = {"disclose": "予以公开", "partial": "部分公开", "withhold": "不予公开", "unable": "无法提供",
                "not_handled": "不予处理", "other": "其他处理"}
REASONS = {
    "withhold": {
        "state_secret": "属于国家秘密",
        "law_forbids": "其他法律行政法规禁止公开",
        "three_safeties": "危及“三安全一稳定”",
        "third_party_rights": "保护第三方合法权益",
        "internal_affairs": "属于三类内部事务信息",
        "process_info": "属于四类过程性信息",
        "enforcement_file": "属于行政执法案卷",
        "query_matter": "属于行政查询事项",
    },
    "unable": {
        "not_held": "本机关不掌握相关政府信息",
        "needs_making": "没有现成信息需要另行制作",
        "still_unclear": "补正后申请内容仍不明确",
    },
    "not_handled": {
        "petition": "信访举报投诉类申请",
        "repeated": "重复申请",
        "publication": "要求提供公开出版物",
        "mass_repeated": "无正当理由大量反复申请",
        "confirm_again": "要求行政机关确认或重新出具已获取信息",
    },
    "other": {
        "no_correction": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "unpaid": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        "other": "其他",
    },
}
# 部分公开 names its withheld parts with the reasons of 不予公开 (第三十七条).
REASONS["partial"] = REASONS["withhold"]

APPEAL_LABELS = {"reconsideration": "行政复议", "litigation": "行政诉讼"}
APPEAL_RESULT_LABELS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结"}


class Application(TenantScoped, TimestampMixin, db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("code", name="code"),
        CheckConstraint("applicant_kind IN ('citizen', 'commercial', 'research', 'social', 'legal', 'other_org')",
                        name="applicant_kind"),
        CheckConstraint("status IN ('awaiting_receipt', 'open', 'correction', 'third_party', 'answered', "
                        "'delivered', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))                      # 查询码
    channel: Mapped[str] = mapped_column(String(16), default="online")
    # The applicant (personal data: masked but for privacy.may_see_applicant, purged after retention)
    applicant_kind: Mapped[str] = mapped_column(String(16), default="citizen")
    name: Mapped[str] = mapped_column(String(200))                     # person or organisation
    id_type: Mapped[str] = mapped_column(String(16), default="")
    id_number: Mapped[str] = mapped_column(String(40), default="")
    work_unit: Mapped[str] = mapped_column(String(200), default="")
    org_code: Mapped[str] = mapped_column(String(30), default="")      # 统一社会信用代码
    legal_rep: Mapped[str] = mapped_column(String(100), default="")
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    # What is asked for
    description: Mapped[str] = mapped_column(Text)
    doc_ref: Mapped[str] = mapped_column(String(300), default="")      # 文号 or title, if known
    form: Mapped[str] = mapped_column(String(16), default="paper")      # FORM_LABELS
    delivery: Mapped[str] = mapped_column(String(16), default="post")   # DELIVERY_LABELS
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The clock (China's dates; the working-day calendar of core.workdays)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)          # when it came in / was registered
    received_on: Mapped[date | None] = mapped_column(Date)               # 收到申请之日 (第三十一条)
    due_on: Mapped[date | None] = mapped_column(Date)                    # the legal due date, recomputed
    status: Mapped[str] = mapped_column(String(20), default="awaiting_receipt")
    extended_days: Mapped[int] = mapped_column(Integer, default=0)       # one extension, ≤ 20 working days
    extension_reason: Mapped[str] = mapped_column(Text, default="")
    extension_approved_by: Mapped[str] = mapped_column(String(100), default="")
    extended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    correction_asked_on: Mapped[date | None] = mapped_column(Date)       # once, within 7 working days
    correction_note: Mapped[str] = mapped_column(Text, default="")
    correction_deadline: Mapped[date | None] = mapped_column(Date)
    corrected_on: Mapped[date | None] = mapped_column(Date)              # the clock restarts from here
    third_party_from: Mapped[date | None] = mapped_column(Date)          # ≤ 15 working days, not counted
    third_party_until: Mapped[date | None] = mapped_column(Date)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)         # working days not counted
    # The answer (第三十六条)
    answer: Mapped[str] = mapped_column(String(16), default="")          # ANSWER_LABELS
    answer_reason: Mapped[str] = mapped_column(String(30), default="")   # REASONS[answer]
    answer_basis: Mapped[str] = mapped_column(Text, default="")          # legal basis
    answer_explanation: Mapped[str] = mapped_column(Text, default="")    # why; withheld parts
    answered_on: Mapped[date | None] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    delivered_by: Mapped[str] = mapped_column(String(16), default="")    # DELIVERY_LABELS
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Fees (国办函〔2020〕109号)
    fee_yuan: Mapped[int] = mapped_column(Integer, default=0)
    fee_basis: Mapped[str] = mapped_column(String(16), default="")       # "count" | "pages" | ""
    fee_due_on: Mapped[date | None] = mapped_column(Date)
    fee_paid_on: Mapped[date | None] = mapped_column(Date)
    fee_waived: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_waiver_reason: Mapped[str] = mapped_column(Text, default="")
    personal_data_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    events: Mapped[list["ApplicationEvent"]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                           order_by="ApplicationEvent.id")
    letters: Mapped[list["ReplyLetter"]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                       order_by="ReplyLetter.id")
    appeals: Mapped[list["Appeal"]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                  order_by="Appeal.id")

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def applicant_label(self) -> str:
        return APPLICANT_LABELS[self.applicant_kind]

    @property
    def answer_label(self) -> str:
        return ANSWER_SHORT.get(self.answer, "")

    @property
    def reason_label(self) -> str:
        return REASONS.get(self.answer, {}).get(self.answer_reason, "")


class ApplicationEvent(TenantScoped, db.Model):
    """The file of an application, step by step: what happened, when, who, and what the applicant was told."""
    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    summary: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_name: Mapped[str] = mapped_column(String(100), default="")

    application: Mapped[Application] = relationship(back_populates="events")


LETTER_STATUS_LABELS = {"draft": "草稿", "submitted": "待审核", "approved": "已签发"}


class ReplyLetter(TenantScoped, TimestampMixin, db.Model):
    """The 答复告知书: drafted from the answer's template, reviewed by a second person, signed with a
    文号, rendered as a PDF (core.pdf) and delivered with the information provided."""
    __tablename__ = "application_letters"
    __table_args__ = (CheckConstraint("status IN ('draft', 'submitted', 'approved')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    doc_no: Mapped[str] = mapped_column(String(100), default="")
    body: Mapped[str] = mapped_column(Text, default="")                # plain text, paragraphs
    status: Mapped[str] = mapped_column(String(16), default="draft")
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pdf_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id", ondelete="SET NULL"))

    application: Mapped[Application] = relationship(back_populates="letters")
    attachment_links: Mapped[list["LetterAttachment"]] = relationship(cascade="all, delete-orphan",
                                                                     order_by="LetterAttachment.position")

    @property
    def status_label(self) -> str:
        return LETTER_STATUS_LABELS[self.status]


class LetterAttachment(AttachmentLink, TenantScoped, db.Model):
    """The information provided with a letter."""
    __tablename__ = "application_letter_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("application_letters.id", ondelete="CASCADE"), index=True)


class Appeal(TenantScoped, db.Model):
    """行政复议 or 行政诉讼 against an answer: the annual report's section 四."""
    __tablename__ = "application_appeals"
    __table_args__ = (CheckConstraint("kind IN ('reconsideration', 'litigation')", name="kind"),
                      CheckConstraint("result IN ('upheld', 'corrected', 'other', 'pending')", name="result"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    filed_on: Mapped[date] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(16), default="pending")
    decided_on: Mapped[date | None] = mapped_column(Date)
    after_reconsideration: Mapped[bool] = mapped_column(Boolean, default=False)   # 复议后起诉
    note: Mapped[str] = mapped_column(Text, default="")

    application: Mapped[Application] = relationship(back_populates="appeals")


class ApplicationSettings(TenantScoped, db.Model):
    """A tenant's office for applications: who answers, and the bodies named in every letter's
    remedies (行政复议 within 60 days, 行政诉讼 within 6 months)."""
    __tablename__ = "application_settings"
    __table_args__ = (UniqueConstraint("tenant_id", name="tenant"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_name: Mapped[str] = mapped_column(String(200), default="")           # e.g. 白水镇人民政府办公室
    reconsideration_body: Mapped[str] = mapped_column(String(200), default="")  # e.g. 青岚县人民政府
    court: Mapped[str] = mapped_column(String(200), default="")                 # e.g. 青岚县人民法院
    doc_no_prefix: Mapped[str] = mapped_column(String(50), default="")          # e.g. 白政依复
