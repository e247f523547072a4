"""Consultations on drafts (意见征集), their comments and the government's answers (采纳情况)."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.plugin_api import (Attachment, AttachmentLink, china_today, db, TenantScoped, TimestampMixin,
                            UTCDateTime)

MIN_PERIOD_DAYS = 30          # the general rule, and the default minimum of 其他 (OpinionSettings)
# What is consulted on decides the shortest period (without a published reason):
#   规章: 规章制定程序条例（国务院令第695号修订）第十五条, 一般不少于30日 (only for tenants with
#         规章制定权, 立法法 第九十三条: none of this product's tenant kinds, see services);
#   重大行政决策: 重大行政决策程序暂行条例（国务院令第713号）第十五条, 一般不少于30日;
#   行政规范性文件: 国办发〔2018〕37号, 征求意见的期限一般不少于7个工作日;
#   其他: the tenant's own minimum (OpinionSettings), 30 days unless it says otherwise.
# The start day is not counted (民法典 第二百零一条).
KIND_LABELS = {"rules": "规章", "major_decision": "重大行政决策", "normative": "行政规范性文件", "other": "其他"}
KINDS = tuple(KIND_LABELS)
PERIOD_UNITS = {"days": "日", "workdays": "个工作日"}
STATUS_LABELS = {"draft": "草稿", "scheduled": "即将开始", "open": "正在征集", "closed": "已结束",
                 "answered": "已反馈"}
SOURCE_LABELS = {"online": "网上留言", "letter": "来信", "phone": "来电", "forum": "座谈会", "hearing": "听证会",
                 "visit": "实地走访", "email": "电子邮件"}
OFFLINE_SOURCES = tuple(k for k in SOURCE_LABELS if k != "online")
COMMENT_STATUS_LABELS = {"pending": "待审核", "published": "已公开", "hidden": "未公开", "duplicate": "重复意见"}
DISPOSITION_LABELS = {"adopted": "采纳", "partly": "部分采纳", "rejected": "不予采纳", "irrelevant": "与本次征求意见无关"}
REASON_REQUIRED = ("partly", "rejected")


class Consultation(TenantScoped, TimestampMixin, db.Model):
    __tablename__ = "opinion_consultations"
    __table_args__ = (CheckConstraint("moderation IN ('immediate', 'review')", name="moderation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    draft_html: Mapped[str] = mapped_column(Text, default="")          # sanitized
    explanation_html: Mapped[str] = mapped_column(Text, default="")    # 起草说明, sanitized
    responsible_unit: Mapped[str] = mapped_column(String(200), default="")
    offline_channels: Mapped[str] = mapped_column(Text, default="")    # 邮寄地址、电话、电子邮箱……
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)                        # inclusive
    kind: Mapped[str] = mapped_column(String(20), default="other")     # KIND_LABELS: decides the minimum period
    short_period_reason: Mapped[str] = mapped_column(Text, default="")  # shown publicly
    extensions: Mapped[list] = mapped_column(JSON, default=list)       # [{from, to, reason, at, by}]
    moderation: Mapped[str] = mapped_column(String(16), default="review")
    contact_required: Mapped[bool] = mapped_column(Boolean, default=False)
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # left the draft state
    feedback_intro: Mapped[str] = mapped_column(Text, default="")
    feedback_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    personal_data_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    articles: Mapped[list["Article"]] = relationship(back_populates="consultation", order_by="Article.number",
                                                     cascade="all, delete-orphan")
    attachment_links: Mapped[list["ConsultationAttachment"]] = relationship(
        cascade="all, delete-orphan", order_by="ConsultationAttachment.position")

    def status(self, today: date | None = None) -> str:
        """Derived from dates and actions: draft → scheduled → open → closed → answered."""
        if self.announced_at is None:
            return "draft"
        if self.feedback_published_at is not None:
            return "answered"
        today = today or china_today()
        if today < self.starts_on:
            return "scheduled"
        if today <= self.ends_on:
            return "open"
        return "closed"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status()]

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, KIND_LABELS["other"])

    @property
    def period_days(self) -> int:
        """Calendar days of the period, the start day not counted (民法典 第二百零一条)."""
        return (self.ends_on - self.starts_on).days

    @property
    def attachments(self) -> list[Attachment]:
        return [link.attachment for link in self.attachment_links]


class OpinionSettings(TenantScoped, db.Model):
    """A tenant's own rules for consultations: the shortest period of a consultation of kind 其他."""

    __tablename__ = "opinion_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    other_min_period: Mapped[int] = mapped_column(Integer, default=MIN_PERIOD_DAYS)
    other_period_unit: Mapped[str] = mapped_column(String(10), default="days")   # PERIOD_UNITS


class Article(TenantScoped, db.Model):
    """A numbered article (第五条) or paragraph of the draft, so a comment can point at it."""

    __tablename__ = "opinion_articles"
    __table_args__ = (UniqueConstraint("consultation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("opinion_consultations.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(40))      # 第五条 / 第5段
    html: Mapped[str] = mapped_column(Text)

    consultation: Mapped[Consultation] = relationship(back_populates="articles")


class ConsultationAttachment(AttachmentLink, TenantScoped, db.Model):
    __tablename__ = "opinion_consultation_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("opinion_consultations.id", ondelete="CASCADE"), index=True)


class AnswerGroup(TenantScoped, TimestampMixin, db.Model):
    """Similar comments answered together: one summary, one disposition, one reason."""

    __tablename__ = "opinion_answer_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("opinion_consultations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))   # what these opinions say, in a line
    disposition: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")

    comments: Mapped[list["Comment"]] = relationship(back_populates="group", order_by="Comment.id")

    @property
    def disposition_label(self) -> str:
        return DISPOSITION_LABELS.get(self.disposition or "", "未答复")


class Comment(TenantScoped, TimestampMixin, db.Model):
    """One opinion, online or entered by an editor from a letter, a call, a 座谈会 or a 听证会."""

    __tablename__ = "opinion_comments"
    __page_cache_new__ = False       # a new comment shows only on the page with the form (never cached)
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'published', 'hidden', 'duplicate')", name="status"),
        Index("ix_opinion_comments_consultation_status", "consultation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("opinion_consultations.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("opinion_articles.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="online")
    author_name: Mapped[str] = mapped_column(String(50), default="")   # personal data
    contact: Mapped[str] = mapped_column(String(100), default="")      # personal data: phone or e-mail
    content: Mapped[str] = mapped_column(Text)                          # plain text
    tracking_code: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    moderation_note: Mapped[str] = mapped_column(Text, default="")      # why hidden
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("opinion_comments.id", ondelete="SET NULL"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("opinion_answer_groups.id", ondelete="SET NULL"), index=True)
    disposition: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    received_on: Mapped[date | None] = mapped_column(Date)              # offline opinions: when received

    consultation: Mapped[Consultation] = relationship()
    article: Mapped[Article | None] = relationship()
    group: Mapped[AnswerGroup | None] = relationship(back_populates="comments")
    duplicate_of: Mapped["Comment | None"] = relationship(remote_side=[id])

    @property
    def effective_disposition(self) -> str | None:
        return self.group.disposition if self.group is not None else self.disposition

    @property
    def effective_reason(self) -> str:
        return self.group.reason if self.group is not None else self.reason

    @property
    def disposition_label(self) -> str:
        return DISPOSITION_LABELS.get(self.effective_disposition or "", "未答复")

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]

    @property
    def status_label(self) -> str:
        return COMMENT_STATUS_LABELS[self.status]
