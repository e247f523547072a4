"""The gazette (政府公报), its issues (年/期/总期) and their articles, all tenant-owned.

A published issue is the standard text and is frozen: the guard at the end of this module refuses,
at flush time, any change to what an issue printed, whoever tries (a form, the API, the CLI or a
service called directly). What may still change after publication is archive metadata that the
issue never printed: an article's validity (失效 / 废止, and what replaced it) and the page range
its PDF gave it.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, event, inspect)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from core.plugin_api import (Attachment, AttachmentLink, Conflict, db, TenantScoped, TimestampMixin,
                            UTCDateTime)

DEFAULT_SECTIONS = ["政府令", "规范性文件", "政府文件", "政府办公室文件", "部门文件", "人事任免", "政策解读"]
FREQUENCY_LABELS = {"monthly": "月刊", "bimonthly": "双月刊", "quarterly": "季刊", "irregular": "不定期"}
VALIDITY_LABELS = {"valid": "有效", "expired": "失效", "repealed": "废止"}
STATUS_LABELS = {"draft": "编辑中", "published": "已出版"}
FROZEN_MESSAGE = "本期公报已出版，内容不能再修改；如需更正，请在之后的一期中刊登勘误。"


class IssueFrozen(Conflict):
    """A change to what a published issue printed."""

    def __init__(self, message: str = FROZEN_MESSAGE):
        super().__init__(message)


class Gazette(TenantScoped, TimestampMixin, db.Model):
    """A tenant's gazette: its name, how often it appears, who edits it, its usual sections."""

    __tablename__ = "gazettes"
    __table_args__ = (
        UniqueConstraint("tenant_id"),
        CheckConstraint("frequency IN ('monthly', 'bimonthly', 'quarterly', 'irregular')", name="frequency"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    frequency: Mapped[str] = mapped_column(String(16), default="monthly")
    editing_unit: Mapped[str] = mapped_column(String(100), default="")
    sections: Mapped[list] = mapped_column(JSON, default=lambda: list(DEFAULT_SECTIONS))

    @property
    def frequency_label(self) -> str:
        return FREQUENCY_LABELS[self.frequency]


class GazetteIssue(TenantScoped, TimestampMixin, db.Model):
    """One issue: 2026年第3期（总第27期）."""

    __tablename__ = "gazette_issues"
    __table_args__ = (
        UniqueConstraint("tenant_id", "year", "number"),
        UniqueConstraint("tenant_id", "total_number"),
        Index("ix_gazette_issues_listing", "tenant_id", "status", "published_on"),
        CheckConstraint("status IN ('draft', 'published')", name="status"),
        CheckConstraint("number >= 1 AND total_number >= 1", name="numbers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)                  # 期, from 1 each year
    total_number: Mapped[int] = mapped_column(Integer)            # 总期, never resets
    published_on: Mapped[date] = mapped_column(Date)              # the date printed on the cover
    editor_note: Mapped[str] = mapped_column(Text, default="")    # 编者按, plain text
    sections: Mapped[list] = mapped_column(JSON, default=list)    # this issue's sections, in print order
    status: Mapped[str] = mapped_column(String(16), default="draft")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the cover printed, kept so renaming the gazette later does not change past issues.
    gazette_name: Mapped[str] = mapped_column(String(100), default="")
    editing_unit: Mapped[str] = mapped_column(String(100), default="")
    # The cached PDF: the fingerprint of the content it was made from, its file name and size.
    pdf_fingerprint: Mapped[str] = mapped_column(String(64), default="")
    pdf_file: Mapped[str] = mapped_column(String(200), default="")
    pdf_pages: Mapped[int | None] = mapped_column(Integer)
    pdf_size: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    articles: Mapped[list["GazetteArticle"]] = relationship(
        back_populates="issue", cascade="all, delete-orphan",
        order_by="(GazetteArticle.section_position, GazetteArticle.position, GazetteArticle.id)")

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.number}期（总第{self.total_number}期）"

    @property
    def short_label(self) -> str:
        return f"{self.year}年第{self.number}期"

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def table_of_contents(self) -> list[tuple[str, list["GazetteArticle"]]]:
        """(section, its articles) in print order; sections without articles are left out."""
        groups: dict[str, list[GazetteArticle]] = {}
        for article in self.articles:
            groups.setdefault(article.section, []).append(article)
        order = {name: i for i, name in enumerate(self.sections or [])}
        return sorted(groups.items(), key=lambda item: order.get(item[0], len(order)))


class GazetteArticle(TenantScoped, TimestampMixin, db.Model):
    """One document printed in an issue: a normative document, an order, an appointment notice…"""

    __tablename__ = "gazette_articles"
    __table_args__ = (
        Index("ix_gazette_articles_toc", "issue_id", "section_position", "position"),
        Index("ix_gazette_articles_section", "tenant_id", "section"),
        CheckConstraint("validity IN ('valid', 'expired', 'repealed')", name="validity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("gazette_issues.id", ondelete="CASCADE"), index=True)
    section: Mapped[str] = mapped_column(String(50))
    section_position: Mapped[int] = mapped_column(Integer, default=0)   # the section's place in the issue
    position: Mapped[int] = mapped_column(Integer, default=0)           # the article's place in its section
    title: Mapped[str] = mapped_column(String(300))
    doc_no: Mapped[str] = mapped_column(String(100), default="")         # 文号, as printed
    issuers: Mapped[list] = mapped_column(JSON, default=list)            # 发文机关, in signing order
    written_date: Mapped[date | None] = mapped_column(Date)              # 成文日期
    effective_date: Mapped[date | None] = mapped_column(Date)            # 施行日期
    body: Mapped[str] = mapped_column(Text, default="")                  # sanitized HTML
    # Errata (勘误): this article corrects one printed in an earlier issue.
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("gazette_articles.id", ondelete="SET NULL"),
                                                    index=True)
    # The same document in another plugin (lookup_documents hook), e.g. "catalog:record:12".
    source_ref: Mapped[str] = mapped_column(String(100), default="", index=True)
    # Archive metadata, still editable after publication:
    validity: Mapped[str] = mapped_column(String(16), default="valid")
    validity_date: Mapped[date | None] = mapped_column(Date)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("gazette_articles.id", ondelete="SET NULL"))
    validity_note: Mapped[str] = mapped_column(String(300), default="")  # e.g. 被《…》废止
    page_start: Mapped[int | None] = mapped_column(Integer)
    page_end: Mapped[int | None] = mapped_column(Integer)

    issue: Mapped[GazetteIssue] = relationship(back_populates="articles")
    corrects: Mapped["GazetteArticle | None"] = relationship(remote_side=[id], foreign_keys=[corrects_id])
    superseded_by: Mapped["GazetteArticle | None"] = relationship(remote_side=[id], foreign_keys=[superseded_by_id])
    issuer_rows: Mapped[list["ArticleIssuer"]] = relationship(back_populates="article", cascade="all, delete-orphan",
                                                              order_by="ArticleIssuer.position")
    attachment_links: Mapped[list["ArticleAttachment"]] = relationship(
        back_populates="article", cascade="all, delete-orphan", order_by="ArticleAttachment.position")

    @property
    def attachments(self) -> list[Attachment]:
        return [link.attachment for link in self.attachment_links]

    @property
    def validity_label(self) -> str:
        return VALIDITY_LABELS[self.validity]

    @property
    def issuer_text(self) -> str:
        return "、".join(self.issuers or [])

    @property
    def pages_label(self) -> str:
        if not self.page_start:
            return ""
        return f"第{self.page_start}页" if self.page_end in (None, self.page_start) else \
            f"第{self.page_start}–{self.page_end}页"


class ArticleIssuer(TenantScoped, db.Model):
    """One issuing body of an article, as its own row for classified browsing by 发文机关."""

    __tablename__ = "gazette_article_issuers"
    __table_args__ = (
        UniqueConstraint("article_id", "name"),
        Index("ix_gazette_article_issuers_name", "tenant_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("gazette_articles.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)

    article: Mapped[GazetteArticle] = relationship(back_populates="issuer_rows")


class ArticleAttachment(AttachmentLink, TenantScoped, db.Model):
    __tablename__ = "gazette_article_attachments"
    __table_args__ = (UniqueConstraint("article_id", "attachment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("gazette_articles.id", ondelete="CASCADE"), index=True)

    article: Mapped[GazetteArticle] = relationship(back_populates="attachment_links")


# --- the freeze ---------------------------------------------------------------------------------

# Columns that describe the archive, not the printed text; they may change after publication.
ARCHIVE_COLUMNS = {
    GazetteIssue: {"published_at", "published_by_id", "pdf_fingerprint", "pdf_file", "pdf_pages", "pdf_size",
                   "updated_at"},
    GazetteArticle: {"validity", "validity_date", "superseded_by_id", "validity_note", "page_start", "page_end",
                     "updated_at", "source_ref"},
}


def _was_published(issue: GazetteIssue | None) -> bool:
    """Published before this flush (publishing itself changes status from draft in the same flush)."""
    if issue is None:
        return False
    history = inspect(issue).attrs.status.history
    before = history.deleted[0] if history.deleted else issue.status
    return before == "published" and inspect(issue).persistent


def _changed_columns(obj) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.mapper.column_attrs if state.attrs[attr.key].history.has_changes()}


def _issue_of(obj) -> GazetteIssue | None:
    if isinstance(obj, GazetteIssue):
        return obj
    if isinstance(obj, GazetteArticle):
        return obj.issue or (db.session.get(GazetteIssue, obj.issue_id) if obj.issue_id else None)
    article = obj.article or (db.session.get(GazetteArticle, obj.article_id) if obj.article_id else None)
    return _issue_of(article) if article is not None else None


def _previous_issues(obj) -> list[GazetteIssue]:
    """The issues a row belonged to before this flush, when it was moved to another parent."""
    state = inspect(obj)
    if isinstance(obj, GazetteArticle):
        ids = [v for v in state.attrs.issue_id.history.deleted if v] + \
            [v.id for v in state.attrs.issue.history.deleted if v is not None]
        if obj.issue is not None and obj.issue_id is not None and obj.issue.id != obj.issue_id:
            ids.append(obj.issue_id)  # the new parent is set, the old key not yet synchronised
        return [i for i in (db.session.get(GazetteIssue, x) for x in ids) if i is not None]
    if isinstance(obj, (ArticleIssuer, ArticleAttachment)):
        ids = [v for v in state.attrs.article_id.history.deleted if v] + \
            [v.id for v in state.attrs.article.history.deleted if v is not None]
        if obj.article is not None and obj.article_id is not None and obj.article.id != obj.article_id:
            ids.append(obj.article_id)
        articles = [db.session.get(GazetteArticle, x) for x in ids]
        return [i for i in (_issue_of(a) for a in articles if a is not None) if i is not None]
    return []


@event.listens_for(Session, "before_flush")
def _guard_published_issues(session, flush_context, instances) -> None:
    for obj in list(session.new):
        if isinstance(obj, (GazetteArticle, ArticleIssuer, ArticleAttachment)) and _was_published(_issue_of(obj)):
            raise IssueFrozen()
    for obj in list(session.deleted):
        if isinstance(obj, GazetteIssue) and _was_published(obj):
            raise IssueFrozen("已出版的公报不能删除。")
        if isinstance(obj, (GazetteArticle, ArticleIssuer, ArticleAttachment)):
            issue = _issue_of(obj)
            if _was_published(issue) and issue not in session.deleted:
                raise IssueFrozen()
    for obj in list(session.dirty):
        if not isinstance(obj, (GazetteIssue, GazetteArticle, ArticleIssuer, ArticleAttachment)):
            continue
        if any(_was_published(issue) for issue in _previous_issues(obj)):
            raise IssueFrozen()  # moved out of a published issue
        if not _was_published(_issue_of(obj)):
            continue
        changed = _changed_columns(obj) - ARCHIVE_COLUMNS.get(type(obj), set())
        if isinstance(obj, GazetteIssue) and "status" in _changed_columns(obj):
            raise IssueFrozen("已出版的公报不能撤回为草稿。")
        if changed:
            raise IssueFrozen()
