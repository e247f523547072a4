"""Government open days (政府开放日): events with limited places, registrations, the waitlist,
check-in, and the published review (活动回顾) with participants' ratings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.plugin_api import Attachment, db, TenantScoped, TimestampMixin, UTCDateTime, utcnow

STATUS_LABELS = {"draft": "草稿", "published": "即将开放报名", "open": "报名中", "full": "名额已满",
                 "closed": "报名已截止", "held": "已举办", "reviewed": "已发布回顾", "cancelled": "已取消"}
REGISTRATION_LABELS = {"confirmed": "报名成功", "waitlisted": "候补中", "cancelled": "已取消"}
ACTIVE = ("confirmed", "waitlisted")


class OpenDay(TenantScoped, TimestampMixin, db.Model):
    __tablename__ = "open_days"
    __page_cache_ignore__ = frozenset({"taken"})   # places taken change with every registration
    __table_args__ = (
        # The last line of defence against overbooking: the database itself refuses it.
        CheckConstraint("taken >= 0 AND taken <= places", name="places"),
        CheckConstraint("max_group_size >= 1", name="group_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))           # theme
    description_html: Mapped[str] = mapped_column(Text, default="")
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registration_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancel_deadline: Mapped[datetime] = mapped_column(UTCDateTime)   # self-cancellation until then
    places: Mapped[int] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)           # confirmed people, companions included
    max_group_size: Mapped[int] = mapped_column(Integer, default=1)  # the registrant and companions
    require_id_number: Mapped[bool] = mapped_column(Boolean, default=False)
    waitlist_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    notes: Mapped[str] = mapped_column(Text, default="")             # for visitors: what to bring, access
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    review_html: Mapped[str] = mapped_column(Text, default="")
    review_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    personal_data_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    photo_links: Mapped[list["ReviewPhoto"]] = relationship(cascade="all, delete-orphan", order_by="ReviewPhoto.position")

    def status(self, now: datetime | None = None) -> str:
        """draft → published → open / full → closed → held → reviewed; or cancelled."""
        now = now or utcnow()
        if self.published_at is None:
            return "draft"
        if self.cancelled_at is not None:
            return "cancelled"
        if self.review_published_at is not None:
            return "reviewed"
        if now >= self.ends_at:
            return "held"
        if now < self.registration_opens_at:
            return "published"
        if now < self.registration_closes_at:
            return "full" if self.taken >= self.places else "open"
        return "closed"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status()]

    @property
    def places_left(self) -> int:
        return max(self.places - self.taken, 0)

    @property
    def photos(self) -> list[Attachment]:
        return [link.attachment for link in self.photo_links]


class Registration(TenantScoped, TimestampMixin, db.Model):
    __tablename__ = "open_day_registrations"
    __page_cache_ignore__ = "*"      # a registration changes no public page (core.web.pagecache)
    __table_args__ = (
        CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name="status"),
        CheckConstraint("group_size >= 1", name="group_size"),
        CheckConstraint("rating IS NULL OR (rating >= 1 AND rating <= 5)", name="rating"),
        # One active registration per phone and event, enforced by the database under any concurrency.
        Index("uq_open_day_registrations_active_phone", "open_day_id", "phone", unique=True,
              sqlite_where=text("status IN ('confirmed', 'waitlisted') AND phone <> ''"),
              postgresql_where=text("status IN ('confirmed', 'waitlisted') AND phone <> ''")),
        Index("ix_open_day_registrations_queue", "open_day_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    open_day_id: Mapped[int] = mapped_column(ForeignKey("open_days.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16), unique=True)    # shown at the door; also the key to manage it
    name: Mapped[str] = mapped_column(String(30))                 # personal data
    phone: Mapped[str] = mapped_column(String(20))                # personal data
    id_number_masked: Mapped[str] = mapped_column(String(20), default="")  # only ever stored masked
    group_size: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)   # moved up from the waitlist
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str] = mapped_column(String(16), default="")  # self, staff, government
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating: Mapped[int | None] = mapped_column(Integer)
    feedback: Mapped[str] = mapped_column(Text, default="")
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    open_day: Mapped[OpenDay] = relationship()

    @property
    def status_label(self) -> str:
        return REGISTRATION_LABELS[self.status]


class ReviewPhoto(TenantScoped, db.Model):
    __tablename__ = "open_day_review_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    open_day_id: Mapped[int] = mapped_column(ForeignKey("open_days.id", ondelete="CASCADE"), index=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"))
    caption: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    attachment: Mapped[Attachment] = relationship()
