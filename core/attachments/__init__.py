"""Attachments: uploads checked by extension *and* content, stored under random names, owned by a tenant."""
from __future__ import annotations

import hashlib
import io
import secrets
import shutil
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from flask import current_app
from sqlalchemy import Boolean, ForeignKey, Integer, String, event, select
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from werkzeug.datastructures import FileStorage

from core.clock import utcnow
from core.db import TenantSession, UTCDateTime, db
from core.errors import DomainError
from core.tenants import TenantScoped

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _zip_with(member: str):
    def check(data: bytes) -> bool:
        if not data.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return any(n.lower() == member.lower() for n in archive.namelist())
        except zipfile.BadZipFile:
            return False
    return check


# extension → (MIME type, content check, shown inline in the browser)
ALLOWED_TYPES = {
    "pdf": ("application/pdf", lambda d: d.startswith(b"%PDF-"), True),
    "jpg": ("image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff"), True),
    "jpeg": ("image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff"), True),
    "png": ("image/png", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n"), True),
    "doc": ("application/msword", lambda d: d.startswith(OLE2), False),
    "xls": ("application/vnd.ms-excel", lambda d: d.startswith(OLE2), False),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             _zip_with("word/document.xml"), False),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             _zip_with("xl/workbook.xml"), False),
    "ofd": ("application/ofd", _zip_with("OFD.xml"), False),
}
ALLOWED_EXTENSIONS_LABEL = "PDF、Word（doc/docx）、Excel（xls/xlsx）、OFD、JPG、PNG"


class Attachment(TenantScoped, db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random, unguessable: the name on disk and in the URL.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    extension: Mapped[str] = mapped_column(String(8))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Internal until the content that uses it is published.
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def inline(self) -> bool:
        return ALLOWED_TYPES[self.extension][2]

    @property
    def is_image(self) -> bool:
        return self.extension in {"jpg", "jpeg", "png"}

    @property
    def size_label(self) -> str:
        if self.size >= 1024 * 1024:
            return f"{self.size / 1024 / 1024:.1f} MB"
        return f"{max(self.size // 1024, 1)} KB"



class AttachmentLink:
    """Mixin for a plugin's table that links one of its documents to core's attachments, in order
    (the document's foreign key and `__tablename__` are the plugin's own)."""
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    @declared_attr
    def attachment(cls) -> Mapped[Attachment]:
        return relationship(Attachment)


class LinkChange(NamedTuple):
    changed: bool
    before: list[int]               # the attachment ids linked before, in order
    ids: list[int]                  # and now
    found: dict[int, Attachment]    # the attachments now linked, by id


def sync_attachments(owner, attachment_ids, link_class) -> LinkChange:
    """The one way to set which files a document links to: `owner.attachment_links` becomes links
    of `link_class` to the given attachments, in that order (a repeated id once). An id that is not
    one of the tenant's attachments is refused, with the same words whether it belongs to another
    tenant or to nobody."""
    ids = []
    for value in attachment_ids or []:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise DomainError("附件编号必须是整数。", field="attachment_ids") from None
        if number not in ids:
            ids.append(number)
    wanted = [i for i in ids if 0 < i < 2**31]
    found = {a.id: a for a in db.session.scalars(select(Attachment).where(Attachment.id.in_(wanted)))} if wanted else {}
    missing = [i for i in ids if i not in found]
    if missing:
        raise DomainError(f"附件不存在：{'、'.join(map(str, missing))}。", field="attachment_ids")
    before = [link.attachment_id for link in owner.attachment_links]
    if before == ids:
        return LinkChange(False, before, ids, found)
    # A file that stays keeps its link row (only its position changes): a new row for it would be
    # inserted before the old one is deleted, against the unique (document, file) constraint.
    kept = {link.attachment_id: link for link in owner.attachment_links}
    links = []
    for position, i in enumerate(ids):
        link = kept.get(i) or link_class(tenant_id=owner.tenant_id, attachment=found[i])
        link.position = position
        links.append(link)
    owner.attachment_links = links
    return LinkChange(True, before, ids, found)


def storage_path(token: str) -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"]) / token[:2] / token


def _safe_filename(name: str) -> str:
    """Keep the user's (often Chinese) file name for display, minus paths and control characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > 200:        # shortened, keeping the extension (the type is judged by it)
        stem, dot, extension = name.rpartition(".")
        name = stem[:190] + dot + extension[:9] if dot and stem else name[:200]
    return name or "附件"


def save_upload(upload: FileStorage | None, *, uploaded_by=None, is_public: bool = False) -> Attachment:
    """Check and store an upload for the current tenant; refuse anything not on the allow-list."""
    if upload is None or not upload.filename:
        raise DomainError("请选择要上传的文件。", field="file")
    filename = _safe_filename(upload.filename)
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ALLOWED_TYPES:
        raise DomainError(f"不支持该文件类型，仅允许上传 {ALLOWED_EXTENSIONS_LABEL} 文件。", field="file")
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise DomainError(f"文件过大，单个文件不能超过 {limit // 1024 // 1024} MB。", field="file")
    if not data:
        raise DomainError("文件是空的。", field="file")
    content_type, looks_right, _ = ALLOWED_TYPES[extension]
    if not looks_right(data):
        raise DomainError(f"文件内容与扩展名 .{extension} 不符，已拒绝上传。", field="file")

    token = secrets.token_hex(16)
    path = storage_path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    # If the transaction that records this file rolls back, the file goes too (no orphans on disk).
    db.session.info.setdefault(_NEW_FILES, []).append(path)
    attachment = Attachment(
        token=token, filename=filename, extension=extension, content_type=content_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), is_public=is_public,
        uploaded_by_id=getattr(uploaded_by, "id", None),
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def duplicate(original: Attachment, *, uploaded_by=None) -> Attachment:
    """A copy of a stored file under a new token, owned by whoever copies it: a document reused by
    another plugin keeps its files even if the original's visibility or links change later."""
    token = secrets.token_hex(16)
    path = storage_path(token)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(storage_path(original.token), path)
    db.session.info.setdefault(_NEW_FILES, []).append(path)
    copy = Attachment(token=token, filename=original.filename, extension=original.extension,
                      content_type=original.content_type, size=original.size, sha256=original.sha256,
                      is_public=False, uploaded_by_id=getattr(uploaded_by, "id", None))
    db.session.add(copy)
    db.session.flush()
    return copy


_NEW_FILES = "cms_new_attachment_files"


def forget_on_rollback(path: Path) -> None:
    """A file written for the current transaction: removed again if it rolls back."""
    db.session.info.setdefault(_NEW_FILES, []).append(path)


@event.listens_for(TenantSession, "after_commit")
def _keep_new_files(session) -> None:
    session.info.pop(_NEW_FILES, None)


@event.listens_for(TenantSession, "after_soft_rollback")
def _remove_new_files(session, previous_transaction) -> None:
    for path in session.info.pop(_NEW_FILES, []):
        path.unlink(missing_ok=True)


def attachment_by_token(token: str) -> Attachment | None:
    """Through the tenant filter: another tenant's attachment is not found."""
    return db.session.scalar(select(Attachment).where(Attachment.token == token))


def mark_public(attachment: Attachment) -> None:
    """Served to everyone: the document that links it has been published."""
    attachment.is_public = True


def mark_private(attachment: Attachment) -> None:
    """Served only to the tenant's editors again: its document was withdrawn or unlinked it."""
    attachment.is_public = False
