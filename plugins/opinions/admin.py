"""Editors' pages: drafting and announcing consultations, moderation, offline opinions, answers,
publishing the feedback, exports."""
from __future__ import annotations

import re

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from core.plugin_api import (ActionForm, append_rows, audit, china_today, choices, csv_download, db, DomainError, get_or_404,
                             import_word, may_see_personal_data, new_workbook, page_args, paginate, Permission, requires, run_form,
                             save_upload, xlsx_download)
from plugins.opinions import services
from plugins.opinions.forms import (ConsultationForm, DispositionForm, ExtendForm, FeedbackForm, GroupForm,
                                   ModerateForm, OfflineForm, SettingsForm)
from plugins.opinions.models import (COMMENT_STATUS_LABELS, DISPOSITION_LABELS, KIND_LABELS, REASON_REQUIRED, AnswerGroup,
                                     Comment, Consultation)
from plugins.opinions.views import article_choices

bp = Blueprint("opinions_admin", __name__, template_folder="templates")


@bp.get("/")
@requires(Permission.CONTENT_VIEW)
def index():
    page = paginate(select(Consultation).order_by(Consultation.created_at.desc(), Consultation.id.desc()), *page_args())
    counts = dict(db.session.execute(select(Comment.consultation_id, func.count()).where(
        Comment.consultation_id.in_([c.id for c in page.items])).group_by(Comment.consultation_id)).all()) if page.items else {}
    return render_template("opinions/admin_index.html", tenant=g.tenant, page=page, counts=counts)


def _uploads(form) -> list[int]:
    ids = []
    for upload in request.files.getlist(form.files.name):
        if upload and upload.filename:
            item = save_upload(upload, uploaded_by=current_user)
            audit.record("attachment.upload", target=item, summary=f"上传附件 {item.filename}")
            ids.append(item.id)
    return ids


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def new():
    form = ConsultationForm()
    form.kind.choices = choices((k, KIND_LABELS[k]) for k in services.kinds_for(g.tenant))
    if request.method == "GET":
        form.kind.data = "other"
        form.starts_on.data, form.ends_on.data = services.default_period(tenant_id=g.tenant.id)
        form.responsible_unit.data = g.tenant.name
    if import_word(form, form.draft_html, title=form.title):
        pass
    elif form.validate_on_submit():
        def act():
            return services.create_consultation(current_user, g.tenant,
                                                form.consultation_data() | {"attachment_ids": _uploads(form)})
        done = run_form(form, act, message="已保存为草稿。检查无误后点击“发布征集公告”。",
                        then=lambda consultation: url_for("opinions_admin.manage", consultation_id=consultation.id))
        if done:
            return done
    return _render_form(form, None)


def _render_form(form, consultation: Consultation | None):
    """The form with, for each kind, its minimum period and the earliest end date from the start date."""
    hints, start = None, None
    if consultation is None or consultation.announced_at is None:
        start = (form.starts_on.data if not form.starts_on.errors else None) or china_today()
        hints = services.period_hints(g.tenant, start, consultation.kind if consultation else None)
    return render_template("opinions/admin_form.html", tenant=g.tenant, form=form, c=consultation, hints=hints,
                           hint_start=start)


@bp.route("/<int:consultation_id>/edit", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def edit(consultation_id: int):
    consultation = get_or_404(Consultation, consultation_id)
    form = ConsultationForm(obj=consultation if request.method == "GET" else None)
    form.kind.choices = choices((k, KIND_LABELS[k]) for k in services.kinds_for(g.tenant, consultation.kind))
    if consultation.announced_at is not None:  # the text, the kind and the dates are fixed once announced
        for name in services.FIXED_WHEN_ANNOUNCED:
            getattr(form, name).validators = []
        form.kind.validate_choice = False
    form.draft_html.offer_images(consultation.attachments)
    if consultation.announced_at is None and import_word(form, form.draft_html, title=form.title):
        pass
    elif form.validate_on_submit():
        data = form.consultation_data()
        if consultation.announced_at is not None:
            for name in services.FIXED_WHEN_ANNOUNCED:
                data.pop(name)
        data["attachment_ids"] = [a.id for a in consultation.attachments] + _uploads(form)

        def act():
            return services.update_consultation(current_user, consultation, data)
        done = run_form(form, act, message=lambda changed: "已保存。" if changed else "没有改动。",
                        then=url_for("opinions_admin.manage", consultation_id=consultation.id))
        if done:
            return done
    return _render_form(form, consultation)


@bp.route("/settings", methods=["GET", "POST"])
@requires(Permission.TENANT_MANAGE)
def settings():
    row = services.settings_for(g.tenant.id)
    form = SettingsForm(other_min_period=row.other_min_period, other_period_unit=row.other_period_unit)
    if form.validate_on_submit():
        def act():
            return services.save_settings(current_user, g.tenant, other_min_period=form.other_min_period.data,
                                          other_period_unit=form.other_period_unit.data)
        done = run_form(form, act, message=lambda changed: "已保存。" if changed else "没有改动。",
                        then=url_for("opinions_admin.settings"))
        if done:
            return done
    return render_template("opinions/admin_settings.html", tenant=g.tenant, form=form,
                           rules=services.period_rules(g.tenant))


@bp.get("/<int:consultation_id>")
@requires(Permission.CONTENT_VIEW)
def manage(consultation_id: int):
    consultation = get_or_404(Consultation, consultation_id)
    status = request.args.get("status") or None
    stmt = select(Comment).where(Comment.consultation_id == consultation.id)
    if status in COMMENT_STATUS_LABELS:
        stmt = stmt.where(Comment.status == status)
    page = paginate(stmt.order_by(Comment.id), *page_args(50))
    counts = dict(db.session.execute(select(Comment.status, func.count()).where(
        Comment.consultation_id == consultation.id).group_by(Comment.status)).all())
    offline = OfflineForm(prefix="offline")
    offline.article_id.choices = article_choices(consultation)
    group_form = GroupForm(prefix="group")
    published = services.published_comments(consultation)
    group_form.comment_ids.choices = choices((c.id, f"#{c.id} {c.content[:30]}") for c in published)
    groups = list(db.session.scalars(select(AnswerGroup).where(AnswerGroup.consultation_id == consultation.id)))
    return render_template("opinions/admin_manage.html", tenant=g.tenant, c=consultation, page=page, status=status,
                           counts=counts, status_labels=COMMENT_STATUS_LABELS, offline=offline, extend=ExtendForm(),
                           moderate=ModerateForm(), disposition=DispositionForm(), group_form=group_form,
                           groups=groups, feedback_form=FeedbackForm(), unanswered=services.unanswered(consultation),
                           dispositions=DISPOSITION_LABELS, reason_required=REASON_REQUIRED,
                           may_see_personal=may_see_personal_data(current_user, g.tenant),
                           period=services.period_label(consultation), action=ActionForm())


def _act(consultation_id: int, form, action, *, anchor: str = ""):
    consultation = get_or_404(Consultation, consultation_id)
    if not form.validate_on_submit():
        errors = [e for f in form for e in f.errors]
        flash("；".join(errors) or "请检查填写的内容。", "error")
        return redirect(url_for("opinions_admin.manage", consultation_id=consultation.id) + anchor)
    try:
        message = action(consultation, form)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(request.form.get("next") if (request.form.get("next") or "").startswith("/admin/")
                    else url_for("opinions_admin.manage", consultation_id=consultation.id) + anchor)


@bp.post("/<int:consultation_id>/announce")
@requires(Permission.CONTENT_EDIT)
def announce(consultation_id: int):
    def act(c, form):
        services.announce(current_user, c)
        return f"已发布征集公告，{c.starts_on:%Y-%m-%d} 至 {c.ends_on:%Y-%m-%d} 接受意见。"
    return _act(consultation_id, ActionForm(), act)


@bp.post("/<int:consultation_id>/extend")
@requires(Permission.CONTENT_EDIT)
def extend(consultation_id: int):
    def act(c, form):
        services.extend(current_user, c, form.ends_on.data, form.reason.data)
        return f"已延期至 {c.ends_on:%Y-%m-%d}。"
    return _act(consultation_id, ExtendForm(), act)


@bp.post("/<int:consultation_id>/offline")
@requires(Permission.CONTENT_EDIT)
def offline(consultation_id: int):
    consultation = get_or_404(Consultation, consultation_id)
    form = OfflineForm(prefix="offline")
    form.article_id.choices = article_choices(consultation)

    def act(c, f):
        comment = services.add_offline_comment(current_user, c, {
            "source": f.source.data, "received_on": f.received_on.data, "article_id": f.article_id.data or None,
            "author_name": f.author_name.data, "contact": f.contact.data, "content": f.content.data})
        return f"已录入{comment.source_label}意见 #{comment.id}。"
    return _act(consultation_id, form, act, anchor="#comments")


def _comment(consultation: Consultation, comment_id: int) -> Comment:
    comment = get_or_404(Comment, comment_id)
    if comment.consultation_id != consultation.id:
        abort(404)
    return comment


@bp.post("/<int:consultation_id>/comments/<int:comment_id>/moderate")
@requires(Permission.CONTENT_EDIT)
def moderate(consultation_id: int, comment_id: int):
    def act(c, form):
        comment = _comment(c, comment_id)
        raw = (form.duplicate_of.data or "").strip().lstrip("#")
        duplicate_of = int(raw) if re.fullmatch(r"[0-9]{1,18}", raw) else None
        services.moderate(current_user, comment, form.action.data, reason=form.reason.data or "",
                          duplicate_of=duplicate_of)
        return f"意见 #{comment.id}：{comment.status_label}。"
    return _act(consultation_id, ModerateForm(), act, anchor=f"#comment-{comment_id}")


@bp.post("/<int:consultation_id>/comments/<int:comment_id>/disposition")
@requires(Permission.CONTENT_EDIT)
def disposition(consultation_id: int, comment_id: int):
    def act(c, form):
        comment = _comment(c, comment_id)
        services.set_disposition(current_user, comment, form.disposition.data, form.reason.data or "")
        return f"意见 #{comment.id} 的处理结果已保存（发布反馈后公开）。"
    return _act(consultation_id, DispositionForm(), act, anchor=f"#comment-{comment_id}")


@bp.post("/<int:consultation_id>/groups")
@bp.post("/<int:consultation_id>/groups/<int:group_id>")
@requires(Permission.CONTENT_EDIT)
def group(consultation_id: int, group_id: int | None = None):
    def act(c, form):
        existing = None
        if group_id is not None:
            existing = get_or_404(AnswerGroup, group_id)
            if existing.consultation_id != c.id:
                abort(404)
        saved = services.save_group(current_user, c, title=form.title.data, comment_ids=form.comment_ids.data,
                                    disposition=form.disposition.data, reason=form.reason.data or "", group=existing)
        return f"已合并答复 {len(saved.comments)} 条意见。"
    return _act(consultation_id, GroupForm(prefix="group"), act, anchor="#groups")


@bp.post("/<int:consultation_id>/groups/<int:group_id>/delete")
@requires(Permission.CONTENT_EDIT)
def group_delete(consultation_id: int, group_id: int):
    def act(c, form):
        existing = get_or_404(AnswerGroup, group_id)
        if existing.consultation_id != c.id:
            abort(404)
        services.delete_group(current_user, existing)
        return "已取消合并。"
    return _act(consultation_id, ActionForm(), act, anchor="#groups")


@bp.post("/<int:consultation_id>/feedback")
@requires(Permission.CONTENT_EDIT)
def publish_feedback(consultation_id: int):
    def act(c, form):
        services.publish_feedback(current_user, c, form.intro.data)
        return "意见采纳情况已发布。"
    return _act(consultation_id, FeedbackForm(), act)


def _export_rows(consultation: Consultation) -> tuple[list[list], bool]:
    unmasked = may_see_personal_data(current_user, g.tenant) and request.args.get("personal") == "1"
    if unmasked:
        audit.record("opinions.export.personal", target=consultation, summary=f"导出“{consultation.title}”意见（含个人信息）")
        db.session.commit()
    return services.export_rows(consultation, unmasked=unmasked), unmasked


@bp.get("/<int:consultation_id>/export.csv")
@requires(Permission.CONTENT_VIEW)
def export_csv(consultation_id: int):
    consultation = get_or_404(Consultation, consultation_id)
    rows, _ = _export_rows(consultation)
    return csv_download(rows, f"{consultation.title}意见汇总.csv", "comments.csv")


@bp.get("/<int:consultation_id>/export.xlsx")
@requires(Permission.CONTENT_VIEW)
def export_xlsx(consultation_id: int):
    consultation = get_or_404(Consultation, consultation_id)
    rows, _ = _export_rows(consultation)
    wb = new_workbook()
    append_rows(wb.create_sheet("意见汇总"), rows)
    return xlsx_download(wb, f"{consultation.title}意见汇总.xlsx", "comments.xlsx")
