"""Editors' pages: events, registrants (masked), check-in at the door, cancellation, the review."""
from __future__ import annotations


from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.plugin_api import (ActionForm, audit, CHINA_TZ, csv_download, db, DomainError, get_or_404, mask_name,
                             may_see_personal_data, page_args, paginate, Permission, requires, run_button, run_form,
                             save_upload)
from plugins.open_day import services
from plugins.open_day.forms import CancelEventForm, CheckInForm, EventForm, ReviewForm
from plugins.open_day.models import OpenDay, Registration

bp = Blueprint("open_day_admin", __name__, template_folder="templates")
CHECK_IN_MESSAGES = {
    "ok": ("success", "签到成功：{name}，共 {size} 人。"),
    "already": ("success", "已经签到过了（{time}）：{name}，共 {size} 人。"),
    "unknown": ("error", "没有这个报名码，或它不属于本次活动。"),
    "waitlisted": ("error", "这位是候补报名，尚未递补成功：{name}。"),
    "cancelled": ("error", "这个报名已取消：{name}。"),
}


@bp.get("/")
@requires(Permission.CONTENT_VIEW)
def index():
    page = paginate(select(OpenDay).order_by(OpenDay.starts_at.desc(), OpenDay.id.desc()), *page_args())
    return render_template("open_day/admin_index.html", tenant=g.tenant, page=page)


def _local(form: EventForm, event: OpenDay) -> None:
    """Show stored UTC times in China time in the form."""
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "cancel_deadline"):
        value = getattr(event, name)
        getattr(form, name).data = value.astimezone(CHINA_TZ).replace(tzinfo=None) if value else None


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def new():
    form = EventForm()
    if request.method == "GET":
        for name, value in services.default_times().items():
            getattr(form, name).data = value.replace(tzinfo=None)
        form.waitlist_enabled.data = True
    if form.validate_on_submit():
        done = run_form(form, lambda: services.create_event(current_user, g.tenant, form.event_data()),
                        message="已保存为草稿，检查无误后请发布。",
                        then=lambda event: url_for("open_day_admin.manage", event_id=event.id))
        if done:
            return done
    return render_template("open_day/admin_form.html", tenant=g.tenant, form=form, e=None)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def edit(event_id: int):
    event = get_or_404(OpenDay, event_id)
    form = EventForm(obj=event if request.method == "GET" else None)
    if request.method == "GET":
        _local(form, event)
    if form.validate_on_submit():
        done = run_form(form, lambda: services.update_event(current_user, event, form.event_data()),
                        message=lambda changed: "已保存。" if changed else "没有改动。",
                        then=url_for("open_day_admin.manage", event_id=event.id))
        if done:
            return done
    return render_template("open_day/admin_form.html", tenant=g.tenant, form=form, e=event)


@bp.get("/<int:event_id>")
@requires(Permission.CONTENT_VIEW)
def manage(event_id: int):
    event = get_or_404(OpenDay, event_id)
    status = request.args.get("status") or None
    stmt = select(Registration).where(Registration.open_day_id == event.id)
    if status in ("confirmed", "waitlisted", "cancelled"):
        stmt = stmt.where(Registration.status == status)
    page = paginate(stmt.order_by(Registration.id), *page_args(50))
    return render_template("open_day/admin_manage.html", tenant=g.tenant, e=event, page=page, status=status,
                           counts=services.attendance(event), action=ActionForm(), cancel_form=CancelEventForm(),
                           review_form=ReviewForm(review_html=event.review_html),
                           may_see_personal=may_see_personal_data(current_user, g.tenant),
                           satisfaction=services.satisfaction(event), mask_code=services.mask_code,
                           check_in_open=services.check_in_open(event))


@bp.post("/<int:event_id>/publish")
@requires(Permission.CONTENT_EDIT)
def publish(event_id: int):
    event = get_or_404(OpenDay, event_id)

    def act():
        services.publish_event(current_user, event)
        return "已发布，报名时间到后公众即可报名。"
    return run_button(act, then=url_for("open_day_admin.manage", event_id=event.id))


@bp.post("/<int:event_id>/cancel")
@requires(Permission.CONTENT_EDIT)
def cancel(event_id: int):
    event = get_or_404(OpenDay, event_id)
    form = CancelEventForm()

    def act():
        told = services.cancel_event(current_user, event, form.reason.data)
        return f"活动已取消，已通知 {told} 位报名者。"
    return run_button(act, form=form, then=url_for("open_day_admin.manage", event_id=event.id))


@bp.post("/<int:event_id>/registrations/<int:registration_id>/cancel")
@requires(Permission.CONTENT_EDIT)
def cancel_registration(event_id: int, registration_id: int):
    event = get_or_404(OpenDay, event_id)
    registration = get_or_404(Registration, registration_id)
    form = ActionForm()
    if registration.open_day_id != event.id or not form.validate_on_submit():
        abort(404)

    def act():
        services.cancel_registration(registration, by="staff", actor=current_user)
        return f"已取消 {mask_name(registration.name)} 的报名，候补名单已按顺序递补。"
    return run_button(act, form=form, then=url_for("open_day_admin.manage", event_id=event.id))


@bp.route("/<int:event_id>/check-in", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def check_in(event_id: int):
    """At the door: type or scan the code; checking the same code twice does no harm."""
    event = get_or_404(OpenDay, event_id)
    form = CheckInForm()
    result = None
    if form.validate_on_submit():
        try:
            outcome, registration = services.check_in(current_user, event, form.code.data)
        except DomainError as exc:
            db.session.rollback()
            return render_template("open_day/admin_check_in.html", tenant=g.tenant, e=event, form=form,
                                   result=("error", exc.message), counts=services.attendance(event))
        db.session.commit()
        category, template = CHECK_IN_MESSAGES[outcome]
        result = (category, template.format(
            name=mask_name(registration.name) if registration else "", size=registration.group_size if registration else "",
            time=registration.checked_in_at.astimezone(CHINA_TZ).strftime("%H:%M") if registration and registration.checked_in_at else ""))
        form.code.data = ""
    return render_template("open_day/admin_check_in.html", tenant=g.tenant, e=event, form=form, result=result,
                           counts=services.attendance(event))


@bp.post("/<int:event_id>/review")
@requires(Permission.CONTENT_EDIT)
def review(event_id: int):
    event = get_or_404(OpenDay, event_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    if event.status() not in ("held", "reviewed"):
        flash("活动举办后才能发布回顾。", "error")
        return redirect(url_for("open_day_admin.manage", event_id=event.id))
    def act():
        # Refused, the photos saved here are removed with the transaction.
        ids = []
        for upload in request.files.getlist(form.photos.name):
            if upload and upload.filename:
                photo = save_upload(upload, uploaded_by=current_user)
                audit.record("attachment.upload", target=photo, summary=f"上传回顾照片 {photo.filename}")
                ids.append(photo.id)
        services.publish_review(current_user, event, form.review_html.data, ids)
        return "活动回顾已发布。"
    return run_button(act, form=form, then=url_for("open_day_admin.manage", event_id=event.id) + "#review")


@bp.get("/<int:event_id>/export.csv")
@requires(Permission.CONTENT_VIEW)
def export(event_id: int):
    event = get_or_404(OpenDay, event_id)
    unmasked = may_see_personal_data(current_user, g.tenant) and request.args.get("personal") == "1"
    if unmasked:
        audit.record("open_day.export.personal", target=event, summary=f"导出“{event.title}”报名名单（含个人信息）")
        db.session.commit()
    return csv_download(services.export_rows(event, unmasked=unmasked), f"{event.title}报名名单.csv", "registrations.csv")
