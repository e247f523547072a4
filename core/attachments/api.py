"""Attachments in the JSON API: upload (editors) and metadata."""
from __future__ import annotations

from flask import g, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict

from core import audit
from core.accounts import Permission, has_permission, require_permission
from core.api import ApiError, api_user, bp, operation
from core.attachments import Attachment, save_upload
from core.db import db
from core.tenants import get_or_404


class AttachmentOut(BaseModel):
    model_config = ConfigDict(title="Attachment")
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    is_public: bool
    url: str
    created_at: str


def attachment_out(item: Attachment) -> dict:
    return AttachmentOut(id=item.id, filename=item.filename, content_type=item.content_type, size=item.size,
                         sha256=item.sha256, is_public=item.is_public, created_at=item.created_at.isoformat(),
                         url=url_for("portal.attachment", token=item.token, name=item.filename, _external=True)
                         ).model_dump()


@bp.post("/tenants/<tenant_slug>/attachments")
@operation("上传附件（编辑）", response=AttachmentOut, auth=True, status=201, errors=(400, 403, 404, 413),
           form={"type": "object", "required": ["file"], "properties": {
               "file": {"type": "string", "format": "binary", "description": "PDF、Word、Excel、OFD、JPG 或 PNG"},
               "public": {"type": "boolean", "description": "立即公开；默认在引用它的内容发布后公开"}}})
def upload_attachment():
    """Store a file for the tenant; its extension and its content must both be on the allow-list."""
    require_permission(g.api_user, Permission.CONTENT_EDIT, g.tenant)
    item = save_upload(request.files.get("file"), uploaded_by=g.api_user,
                       is_public=request.form.get("public", "").lower() in {"1", "true", "yes"})
    audit.record("attachment.upload", target=item, summary=f"通过 API 上传附件 {item.filename}")
    db.session.commit()
    return jsonify(attachment_out(item)), 201


@bp.get("/tenants/<tenant_slug>/attachments/<int:attachment_id>")
@operation("附件信息", response=AttachmentOut, errors=(404,))
def get_attachment(attachment_id: int):
    """A public attachment, or an internal one for a token that may see the tenant's drafts."""
    item = get_or_404(Attachment, attachment_id)
    if not item.is_public and not has_permission(api_user(), Permission.CONTENT_VIEW, g.tenant):
        raise ApiError("不存在。", 404)
    return jsonify(attachment_out(item))
