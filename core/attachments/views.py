"""Attachments: a tenant's list and upload form, and the public download."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from core import audit
from core.accounts import Permission, has_permission, require_permission
from core.actions import show_error
from core.attachments import Attachment, attachment_by_token, save_upload, storage_path
from core.attachments.forms import UploadForm
from core.db import db
from core.errors import DomainError
from core.pagination import page_args, paginate
from core.web.admin import bp, requires
from core.web.portal import bp as portal_bp


@bp.route("/<tenant_slug>/attachments", methods=["GET", "POST"])
@requires(Permission.CONTENT_VIEW)
def attachments():
    form = UploadForm()
    if request.method == "POST":
        require_permission(current_user, Permission.CONTENT_EDIT, g.tenant)
        if form.validate_on_submit():
            try:
                item = save_upload(request.files.get("file"), uploaded_by=current_user, is_public=form.public.data)
            except DomainError as exc:
                show_error(form, exc)
            else:
                audit.record("attachment.upload", target=item, summary=f"上传附件 {item.filename}（{item.size_label}）")
                db.session.commit()
                flash(f"已上传“{item.filename}”。", "success")
                return redirect(url_for("admin.attachments"))
    page = paginate(select(Attachment).order_by(Attachment.created_at.desc(), Attachment.id.desc()), *page_args())
    return render_template("admin/attachments.html", tenant=g.tenant, form=form, page=page)


@portal_bp.get("/<tenant:tenant_path>/files/<token>")
@portal_bp.get("/<tenant:tenant_path>/files/<token>/<path:name>")
def attachment(token: str, name: str | None = None):
    """An attachment of this tenant; internal ones only for people who may see drafts."""
    if len(token) != 32:
        abort(404)
    item = attachment_by_token(token)
    if item is None or not (item.is_public or has_permission(current_user, Permission.CONTENT_VIEW, g.tenant)):
        abort(404)
    response = send_file(storage_path(item.token), mimetype=item.content_type, as_attachment=not item.inline,
                         download_name=item.filename, conditional=True, max_age=3600 if item.is_public else 0)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    if not item.is_public:
        response.headers["Cache-Control"] = "private, no-store"
    return response
