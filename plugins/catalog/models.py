"""Catalog items (公开事项), records (政府信息) and the index-number sequences, all tenant-owned."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.plugin_api import (Attachment, AttachmentLink, china_today, db, TenantScoped, TimestampMixin,
                            UTCDateTime)

VALIDITY_LABELS = {"valid": "有效", "expired": "失效", "repealed": "废止"}
DISCLOSURE_LABELS = {"proactive": "主动公开", "on_request": "依申请公开", "withheld": "不予公开"}
STATUS_LABELS = {"draft": "草稿", "submitted": "待审核", "published": "已发布"}
# The document type the annual report counts (国办公开办函〔2021〕30号, section 二, 第二十条第（一）项).
DOC_TYPE_LABELS = {"": "其他", "rule": "规章", "normative": "行政规范性文件"}
# 政策解读: a record is an interpretation of documents when it has a form (see services, "interpretations").
INTERP_FORMS = {"text": "文字解读", "graphic": "图解", "qa": "问答", "media": "音视频", "press": "媒体解读"}
INTERP_BY = {"department": "起草部门", "leader": "负责人", "expert": "专家"}


class CatalogItem(TenantScoped, TimestampMixin, db.Model):
    """One 公开事项: a one- or two-level tree inside a domain, with every element of the standard."""

    __tablename__ = "catalog_items"
    __table_args__ = (
        CheckConstraint("audience IN ('全社会', '特定群体')", name="audience"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    domain_code: Mapped[str] = mapped_column(String(8), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_items.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    content_elements: Mapped[list] = mapped_column(JSON, default=list)
    legal_basis: Mapped[list] = mapped_column(JSON, default=list)   # [{type, title, doc_no}]
    time_limit: Mapped[str] = mapped_column(String(300), default="")
    rule: Mapped[dict] = mapped_column(JSON, default=dict)          # standard.parse_time_limit()
    responsible_body: Mapped[str] = mapped_column(String(200), default="")
    methods: Mapped[list] = mapped_column(JSON, default=list)       # 主动 / 依申请
    channels: Mapped[list] = mapped_column(JSON, default=list)
    audience: Mapped[str] = mapped_column(String(16), default="全社会")
    audience_note: Mapped[str] = mapped_column(String(200), default="")
    levels: Mapped[list] = mapped_column(JSON, default=list)        # 县级 / 乡级 / 村级
    # The item this one was derived from (the district's standard item), in another tenant.
    source_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_items.id", ondelete="SET NULL"), index=True)
    not_applicable: Mapped[bool] = mapped_column(Boolean, default=False)
    not_applicable_reason: Mapped[str] = mapped_column(Text, default="")

    parent: Mapped["CatalogItem | None"] = relationship(remote_side=[id], back_populates="children",
                                                        foreign_keys=[parent_id])
    children: Mapped[list["CatalogItem"]] = relationship(back_populates="parent", foreign_keys=[parent_id],
                                                        order_by="(CatalogItem.position, CatalogItem.id)",
                                                        cascade="all, delete-orphan")

    @property
    def is_leaf(self) -> bool:
        return not self.children


class CustomDomain(TenantScoped, TimestampMixin, db.Model):
    """A domain a district adds beyond the shipped standards (乡村振兴, 十四五规划, 民生实事): owned by the
    district; its towns and villages read it (services.custom_domains) and derive its items."""

    __tablename__ = "catalog_custom_domains"
    __table_args__ = (UniqueConstraint("tenant_id", "code"), UniqueConstraint("tenant_id", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8))                    # X01, X02, … given by the system
    name: Mapped[str] = mapped_column(String(100))
    levels: Mapped[list] = mapped_column(JSON, default=list)        # 县级 / 乡级 / 村级
    lead: Mapped[list] = mapped_column(JSON, default=list)          # lead departments
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Record(TenantScoped, TimestampMixin, db.Model):
    """One piece of government information (政府信息) published under a catalog item."""

    __tablename__ = "catalog_records"
    __table_args__ = (
        UniqueConstraint("tenant_id", "index_no"),
        # Public listings: one tenant's published records, newest first.
        Index("ix_catalog_records_listing", "tenant_id", "status", "published_at"),
        CheckConstraint("status IN ('draft', 'submitted', 'published')", name="status"),
        CheckConstraint("validity IN ('valid', 'expired', 'repealed')", name="validity"),
        CheckConstraint("disclosure IN ('proactive', 'on_request', 'withheld')", name="disclosure"),
        CheckConstraint("interp_form IN ('', 'text', 'graphic', 'qa', 'media', 'press')", name="interp_form"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("catalog_items.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")             # sanitized HTML
    index_no: Mapped[str | None] = mapped_column(String(64))        # 索引号, given at publication
    index_year: Mapped[int | None] = mapped_column(Integer)
    index_seq: Mapped[int | None] = mapped_column(Integer)
    doc_no: Mapped[str] = mapped_column(String(100), default="")    # 文号
    doc_type: Mapped[str] = mapped_column(String(16), default="")   # DOC_TYPE_LABELS: 规章 / 行政规范性文件
    issuing_body: Mapped[str] = mapped_column(String(200), default="")
    written_date: Mapped[date | None] = mapped_column(Date)         # 成文日期
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    effective_date: Mapped[date | None] = mapped_column(Date)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    validity: Mapped[str] = mapped_column(String(16), default="valid")
    validity_date: Mapped[date | None] = mapped_column(Date)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_records.id", ondelete="SET NULL"))
    disclosure: Mapped[str] = mapped_column(String(16), default="proactive")
    disclosure_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    review_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)  # 保密审查
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Whoever changed the text last: they may not be the one who approves it.
    last_edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    return_note: Mapped[str] = mapped_column(Text, default="")    # why a reviewer sent it back
    # 政策解读: "" for an ordinary record, else the form of the interpretation (INTERP_FORMS); its
    # documents are InterpretationLink rows. 音视频 / 媒体解读 may point to a page elsewhere (interp_url).
    interp_form: Mapped[str] = mapped_column(String(16), default="")
    interp_url: Mapped[str] = mapped_column(String(500), default="")
    interp_by_kind: Mapped[str] = mapped_column(String(16), default="")    # INTERP_BY
    interp_by_name: Mapped[str] = mapped_column(String(100), default="")
    # A policy document that must be published with its 解读 (规范性文件 always must).
    needs_interpretation: Mapped[bool] = mapped_column(Boolean, default=False)

    item: Mapped[CatalogItem] = relationship()
    superseded_by: Mapped["Record | None"] = relationship(remote_side=[id])
    attachment_links: Mapped[list["RecordAttachment"]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="RecordAttachment.position")

    @property
    def attachments(self) -> list[Attachment]:
        return [link.attachment for link in self.attachment_links]

    @property
    def is_public(self) -> bool:
        return self.status == "published" and self.disclosure == "proactive"

    def current_validity(self, today: date | None = None) -> str:
        """有效 / 失效 / 废止 as of today: a record past its 失效日期 has lapsed even if nobody marked it."""
        if self.validity == "valid" and self.expiry_date is not None and self.expiry_date < (today or china_today()):
            return "expired"
        return self.validity

    @property
    def validity_label(self) -> str:
        return VALIDITY_LABELS[self.current_validity()]

    @property
    def doc_type_label(self) -> str:
        return DOC_TYPE_LABELS.get(self.doc_type or "", "其他")

    @property
    def disclosure_label(self) -> str:
        return DISCLOSURE_LABELS[self.disclosure]

    @property
    def is_interpretation(self) -> bool:
        return bool(self.interp_form)

    @property
    def interp_form_label(self) -> str:
        return INTERP_FORMS.get(self.interp_form or "", "")

    @property
    def interp_by_label(self) -> str:
        kind = INTERP_BY.get(self.interp_by_kind or "", "")
        return "：".join(filter(None, [kind, self.interp_by_name]))

    @property
    def wants_interpretation(self) -> bool:
        """A policy to be published with its 解读: a 规范性文件, or a record marked so (not a 解读 itself)."""
        return not self.interp_form and (self.doc_type == "normative" or bool(self.needs_interpretation))

    @property
    def status_label(self) -> str:
        if self.status == "published" and self.current_validity() != "valid":
            return f"已{VALIDITY_LABELS[self.current_validity()]}"
        return STATUS_LABELS[self.status]


class RecordAttachment(AttachmentLink, TenantScoped, db.Model):
    __tablename__ = "catalog_record_attachments"
    __table_args__ = (UniqueConstraint("record_id", "attachment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("catalog_records.id", ondelete="CASCADE"), index=True)

    record: Mapped[Record] = relationship(back_populates="attachment_links")


class InterpretationLink(TenantScoped, db.Model):
    """One document a 解读 interprets, owned by the 解读's tenant: a catalog record of the county's tree
    (`record_id`) or another plugin's document (`document_ref`, e.g. "gazette:article:5", found through
    the lookup_documents hook); title and 文号 as they were when linked (display reads the live ones)."""

    __tablename__ = "catalog_interpretation_links"
    __table_args__ = (UniqueConstraint("interpretation_id", "document_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interpretation_id: Mapped[int] = mapped_column(ForeignKey("catalog_records.id", ondelete="CASCADE"), index=True)
    document_ref: Mapped[str] = mapped_column(String(100), index=True)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("catalog_records.id", ondelete="CASCADE"), index=True)
    document_tenant_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300), default="")
    doc_no: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    interpretation: Mapped[Record] = relationship(foreign_keys=[interpretation_id])


class IndexSequence(TenantScoped, db.Model):
    """The last 索引号 sequence number given out per tenant and year; it only ever goes up."""

    __tablename__ = "catalog_index_sequences"
    __page_cache_ignore__ = "*"
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class CatalogSettings(TenantScoped, db.Model):
    __tablename__ = "catalog_settings"
    __table_args__ = (UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Small villages have one clerk: allow an editor to publish without a second person.
    self_publish: Mapped[bool] = mapped_column(Boolean, default=False)
