"""重大行政决策 (《重大行政决策程序暂行条例》, 国务院令第713号): a district's or town's yearly 事项目录
(decision list), its items, and each item's stages from 预公开 to 执行和评估.

A list is drafted, then published once the government has approved it (the meeting and the date
are recorded). After publication nothing is edited silently: an addition, a removal (the item
stays, shown as 已调整 with its reason) or an adjustment of an item is a dated DecisionChange
shown to the public. At the end of the year the list's completion is published (per item:
已完成, 推进中 with a reason; removed items count as 已撤回/调整 with their reason).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.plugin_api import db, TenantScoped, TimestampMixin, UTCDateTime

# 决策类型: a closed list (条例 第三条).
DECISION_TYPES = (
    ("policy", "重大公共政策"),
    ("planning", "重要规划"),
    ("resources", "自然资源和文化资源方面的重大公共政策和措施"),
    ("project", "重大公共建设项目"),
    ("other", "其他"),
)
TYPE_LABELS = dict(DECISION_TYPES)

# The procedures an item may require (条例 第三章), in the order they happen.
PROCEDURES = (
    ("participation", "公众参与"),
    ("hearing", "听证"),
    ("expert", "专家论证"),
    ("risk", "风险评估"),
    ("legality", "合法性审查"),
    ("collective", "集体讨论决定"),
)
PROCEDURE_LABELS = dict(PROCEDURES)


class StageKind:
    """One kind of stage record: its label, the procedure that requires it (None: every decision
    has it), and which fields it takes."""

    def __init__(self, key, label, procedure, *, text_label="", date_label="日期", name_label="", ref_label="",
                 many=False, text_required=True):
        self.key, self.label, self.procedure = key, label, procedure
        self.text_label, self.date_label, self.name_label, self.ref_label = text_label, date_label, name_label, ref_label
        self.many, self.text_required = many, text_required


STAGES = (
    StageKind("prepublic", "预公开", "participation", text_label="决策草案和制订背景", date_label="公开日期",
              ref_label="意见征集（决策草案公开征求意见）", text_required=False),
    StageKind("hearing_notice", "听证公告", "hearing", text_label="听证公告", date_label="公告日期"),
    StageKind("hearing_record", "听证会及听证笔录", "hearing", text_label="听证情况和听证笔录摘要", date_label="听证日期"),
    StageKind("expert", "专家论证", "expert", text_label="论证意见摘要", date_label="论证日期"),
    StageKind("risk", "风险评估", "risk", text_label="风险评估报告摘要", date_label="评估日期"),
    StageKind("legality", "合法性审查", "legality", text_label="审查结论", date_label="审查日期"),
    StageKind("meeting", "集体讨论决定", "collective", name_label="会议名称", date_label="会议日期",
              text_label="会议审议情况（选填）", text_required=False),
    StageKind("result", "决策结果", None, ref_label="决策文件（已公开的政府信息）", date_label="决定日期",
              text_label="决策结果说明（选填）", text_required=False),
    StageKind("followup", "执行和评估", None, text_label="执行情况或评估结论", date_label="日期", many=True),
)
STAGE_KINDS = {s.key: s for s in STAGES}

LIST_STATUS_LABELS = {"draft": "草稿", "published": "已发布"}
ITEM_STATUS_LABELS = {"active": "有效", "removed": "已调整"}
PROGRESS_LABELS = {"": "未填写", "done": "已完成", "in_progress": "推进中"}
CHANGE_LABELS = {"add": "增加事项", "remove": "调出事项", "modify": "调整事项"}


class DecisionList(TenantScoped, TimestampMixin, db.Model):
    """A tenant's 重大行政决策事项目录 of one year."""
    __tablename__ = "decisions_lists"
    __table_args__ = (
        UniqueConstraint("tenant_id", "year", name="tenant_year"),
        CheckConstraint("status IN ('draft', 'published')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    intro: Mapped[str] = mapped_column(Text, default="")                  # plain text, shown above the table
    approved_by: Mapped[str] = mapped_column(String(200), default="")     # who approved: 县人民政府
    approval_meeting: Mapped[str] = mapped_column(String(200), default="")  # 审议通过: 县政府第N次常务会议
    approved_on: Mapped[date | None] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_on: Mapped[date | None] = mapped_column(Date)
    published_by_name: Mapped[str] = mapped_column(String(100), default="")
    completion_note: Mapped[str] = mapped_column(Text, default="")        # the year's summary (plain text)
    completion_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completion_published_on: Mapped[date | None] = mapped_column(Date)

    items: Mapped[list["DecisionItem"]] = relationship(back_populates="decision_list", order_by="DecisionItem.number",
                                                       cascade="all, delete-orphan")
    changes: Mapped[list["DecisionChange"]] = relationship(
        back_populates="decision_list", order_by="(DecisionChange.changed_on, DecisionChange.id)",
        cascade="all, delete-orphan")

    @property
    def title(self) -> str:
        return f"{self.tenant.name}{self.year}年重大行政决策事项目录"

    @property
    def is_public(self) -> bool:
        return self.status == "published"

    @property
    def status_label(self) -> str:
        return LIST_STATUS_LABELS[self.status]


class DecisionItem(TenantScoped, TimestampMixin, db.Model):
    """One 决策事项 of a list."""
    __tablename__ = "decisions_items"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'removed')", name="status"),
        CheckConstraint("progress IN ('', 'done', 'in_progress')", name="progress"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("decisions_lists.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)                           # 序号
    name: Mapped[str] = mapped_column(String(300))                         # 事项名称
    decision_type: Mapped[str] = mapped_column(String(16), default="policy")
    unit: Mapped[str] = mapped_column(String(200), default="")             # 承办单位
    due_on: Mapped[date] = mapped_column(Date)                             # 计划完成时限
    procedures: Mapped[list] = mapped_column(JSON, default=list)           # PROCEDURES keys
    summary: Mapped[str] = mapped_column(Text, default="")                 # what the decision is about
    status: Mapped[str] = mapped_column(String(16), default="active")
    added_on: Mapped[date | None] = mapped_column(Date)                    # set when added after publication
    removed_on: Mapped[date | None] = mapped_column(Date)
    removed_reason: Mapped[str] = mapped_column(Text, default="")
    progress: Mapped[str] = mapped_column(String(16), default="")          # year-end completion
    progress_reason: Mapped[str] = mapped_column(Text, default="")

    decision_list: Mapped[DecisionList] = relationship(back_populates="items")
    stages: Mapped[list["DecisionStage"]] = relationship(
        back_populates="item", order_by="(DecisionStage.happened_on, DecisionStage.id)", cascade="all, delete-orphan")

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.decision_type, self.decision_type)

    @property
    def procedure_labels(self) -> list[str]:
        return [label for key, label in PROCEDURES if key in (self.procedures or [])]

    @property
    def removed(self) -> bool:
        return self.status == "removed"

    @property
    def status_label(self) -> str:
        return ITEM_STATUS_LABELS[self.status]

    def required_stages(self) -> list[StageKind]:
        """The stages this item goes through: those of its procedures, the result and the follow-up."""
        wanted = set(self.procedures or [])
        return [s for s in STAGES if s.procedure is None or s.procedure in wanted]

    def stage(self, key: str) -> "DecisionStage | None":
        return next((s for s in self.stages if s.kind == key), None)

    def stages_of(self, key: str) -> list["DecisionStage"]:
        return [s for s in self.stages if s.kind == key]

    @property
    def decided(self) -> bool:
        return self.stage("result") is not None

    @property
    def done(self) -> bool:
        return self.progress == "done" or self.decided

    def overdue(self, as_of: date) -> bool:
        return self.status == "active" and not self.done and self.due_on < as_of

    @property
    def current_stage_label(self) -> str:
        """The last stage recorded, as the public list shows an item's progress."""
        if self.removed:
            return "已调整"
        recorded = [s for s in STAGES if self.stage(s.key) is not None]
        return recorded[-1].label if recorded else "未启动"

    @property
    def outcome_label(self) -> str:
        if self.removed:
            return "已撤回/调整"
        return PROGRESS_LABELS["done"] if self.done else PROGRESS_LABELS["in_progress" if self.progress else ""]


class DecisionStage(TenantScoped, TimestampMixin, db.Model):
    """A recorded stage of an item: its date, text, a meeting name, a shared document's ref."""
    __tablename__ = "decisions_stages"
    __table_args__ = (
        UniqueConstraint("item_id", "kind", "seq", name="item_kind_seq"),
        CheckConstraint("kind IN ('prepublic', 'hearing_notice', 'hearing_record', 'expert', 'risk', 'legality', "
                        "'meeting', 'result', 'followup')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("decisions_items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    seq: Mapped[int] = mapped_column(Integer, default=0)                   # 0 for single stages; 1, 2 … follow-ups
    happened_on: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200), default="")            # a meeting's name
    text: Mapped[str] = mapped_column(Text, default="")                   # plain text, paragraphs
    ref: Mapped[str] = mapped_column(String(100), default="", index=True)  # "opinions:consultation:7", "catalog:record:12"
    recorded_by_name: Mapped[str] = mapped_column(String(100), default="")

    item: Mapped[DecisionItem] = relationship(back_populates="stages")

    @property
    def kind_info(self) -> StageKind:
        return STAGE_KINDS[self.kind]


class DecisionChange(TenantScoped, db.Model):
    """A dated change of a published list, shown publicly: an item added, removed or adjusted."""
    __tablename__ = "decisions_changes"
    __table_args__ = (CheckConstraint("kind IN ('add', 'remove', 'modify')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("decisions_lists.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("decisions_items.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    changed_on: Mapped[date] = mapped_column(Date)
    item_name: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[str] = mapped_column(Text, default="")                # what changed (for 调整: old → new)
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_name: Mapped[str] = mapped_column(String(100), default="")

    decision_list: Mapped[DecisionList] = relationship(back_populates="changes")

    @property
    def kind_label(self) -> str:
        return CHANGE_LABELS[self.kind]
