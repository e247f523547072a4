"""政府信息公开专栏 (国办公开办函〔2019〕61号): the tenant's 政府信息公开指南, kept in versions, and its
政府信息公开工作年度报告 (政府信息公开条例 第四十九条、第五十条; format 国办公开办函〔2021〕30号).

A report is one version of one tenant's year: draft → reviewed (by a second person) → published.
A published version is frozen; a correction is a new version carrying a note, and the version it
replaces becomes superseded, still readable at its own URL.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import db, TenantScoped, TimestampMixin, UTCDateTime

# The guide's sections, in the order printed; each a plain text of paragraphs.
GUIDE_SECTIONS = (
    ("proactive", "一、主动公开"),
    ("application", "二、依申请公开"),
    ("fees", "三、收费"),
    ("remedy", "四、监督和救济"),
)

STATUS_LABELS = {"draft": "草稿", "reviewed": "已审核", "published": "已发布", "superseded": "已被更正版本取代"}

# Section 二 (主动公开政府信息情况) of the 30号 format: the rows of 第二十条第（一）项 and the figures
# the office enters (no system holds them).
DOC_ROWS = (("rules", "规章"), ("normative", "行政规范性文件"))
DOC_COLUMNS = (("issued", "本年制发件数"), ("repealed", "本年废止件数"), ("in_force", "现行有效件数"))
DECISION_ROWS = (("licensing", "第二十条第（五）项", "行政许可"),
                 ("penalty", "第二十条第（六）项", "行政处罚"),
                 ("coercion", "第二十条第（六）项", "行政强制"))
# Section 四: 行政复议, then 行政诉讼 未经复议直接起诉 and 复议后起诉, each with five columns.
APPEAL_GROUPS = (("reconsideration", "行政复议"), ("direct", "行政诉讼·未经复议直接起诉"),
                 ("after_reconsideration", "行政诉讼·复议后起诉"))
APPEAL_RESULTS = (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"))


class GuideVersion(TenantScoped, db.Model):
    """One saved version of a tenant's 政府信息公开指南; the newest is the current one. The office's
    address, hours, phone, e-mail and postcode are the tenant's contact (core), read when shown."""
    __tablename__ = "disclosure_guide_versions"
    __table_args__ = (UniqueConstraint("tenant_id", "version", name="tenant_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    office_name: Mapped[str] = mapped_column(String(200), default="")    # 政府信息公开工作机构
    fax: Mapped[str] = mapped_column(String(40), default="")
    sections: Mapped[dict] = mapped_column(JSON, default=dict)           # GUIDE_SECTIONS key → plain text
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    saved_by_name: Mapped[str] = mapped_column(String(100), default="")


class AnnualReport(TenantScoped, TimestampMixin, db.Model):
    """One version of a tenant's 政府信息公开工作年度报告 for one year."""
    __tablename__ = "disclosure_annual_reports"
    __table_args__ = (
        UniqueConstraint("tenant_id", "year", "version", name="tenant_year_version"),
        CheckConstraint("status IN ('draft', 'reviewed', 'published', 'superseded')", name="status"),
        CheckConstraint("fees_yuan >= 0", name="fees_yuan"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    correction_note: Mapped[str] = mapped_column(Text, default="")       # why this version corrects the last
    # 一、总体情况; 五、存在的主要问题及改进情况; 六、其他需要报告的事项 (plain text, paragraphs)
    overview: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    other_matters: Mapped[str] = mapped_column(Text, default="")
    # 二: {"rules": {"issued", "repealed", "in_force"}, "normative": {...}, "licensing", "penalty", "coercion"}
    proactive: Mapped[dict] = mapped_column(JSON, default=dict)
    proactive_source: Mapped[str] = mapped_column(String(16), default="")   # "computed" | "entered"
    fees_yuan: Mapped[int] = mapped_column(Integer, default=0)          # 行政事业性收费, in yuan (万元 × 10 000)
    # 三: a snapshot of the application_statistics hook: {"columns": [[key, label]], "rows": [[key,
    # label, level, {column: n}]], "anomalies": [...], "available": bool}
    applications: Mapped[dict] = mapped_column(JSON, default=dict)
    # 四: the hook's appeals {group: {result: n}} and the office's cases outside them, same shape
    appeals: Mapped[dict] = mapped_column(JSON, default=dict)
    appeals_extra: Mapped[dict] = mapped_column(JSON, default=dict)
    info_fees_yuan: Mapped[int] = mapped_column(Integer, default=0)     # 信息处理费 charged in the year (六)
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_by_name: Mapped[str] = mapped_column(String(100), default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_on: Mapped[date | None] = mapped_column(Date)          # China's date of publication
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure_annual_reports.id", ondelete="SET NULL"))

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_public(self) -> bool:
        return self.status in ("published", "superseded")

    @property
    def title(self) -> str:
        return f"{self.tenant.name}{self.year}年政府信息公开工作年度报告"
