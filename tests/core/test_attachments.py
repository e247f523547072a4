"""Uploads: allow-list by extension and content, size limit, random names, safe serving, isolation."""
from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from core.attachments import Attachment
from core.db import db
from core.tenants import across_tenants
from tests.conftest import csrf_from

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        # Fixed member dates: the bytes are test ids, the same in every xdist worker.
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", date_time=(2026, 1, 1, 0, 0, 0)), "<Types/>")
        z.writestr(zipfile.ZipInfo("word/document.xml", date_time=(2026, 1, 1, 0, 0, 0)), "<w:document/>")
    return buffer.getvalue()


def upload(client, slug: str, name: str, data: bytes, public: bool = False):
    page = client.get(f"/admin/{slug}/attachments")
    form = {"csrf_token": csrf_from(page.get_data(as_text=True)), "file": (io.BytesIO(data), name)}
    if public:
        form["public"] = "y"
    return client.post(f"/admin/{slug}/attachments", data=form, content_type="multipart/form-data")


@pytest.mark.parametrize("name, data", [("通知.pdf", PDF), ("photo.PNG", PNG), ("方案.docx", _docx())])
def test_allowed_files_are_stored_under_random_names(demo, client, auth, name, data):
    auth.login("li")
    response = upload(client, "baishui", name, data)
    assert response.status_code == 302
    with demo.app_context(), across_tenants(None, reason="test check"):
        item = db.session.scalars(select(Attachment)).one()
        assert item.filename == name and item.size == len(data)
        assert len(item.token) == 32 and name not in item.token
        from core.attachments import storage_path
        assert storage_path(item.token).read_bytes() == data


@pytest.mark.parametrize("name, data, message", [
    ("virus.pdf", EXE, "文件内容与扩展名 .pdf 不符"),
    ("virus.exe", EXE, "不支持该文件类型"),
    ("fake.docx", PDF, "文件内容与扩展名 .docx 不符"),
    ("fake.png", PDF, "文件内容与扩展名 .png 不符"),
    ("page.html", b"<script>alert(1)</script>", "不支持该文件类型"),
    ("empty.pdf", b"", "文件是空的"),
])
def test_refused_uploads_leave_nothing_behind(demo, client, auth, name, data, message):
    auth.login("li")
    response = upload(client, "baishui", name, data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with demo.app_context(), across_tenants(None, reason="test check"):
        assert db.session.scalars(select(Attachment)).all() == []
    assert not any((demo.config["ATTACHMENT_DIR"] and __import__("pathlib").Path(demo.config["ATTACHMENT_DIR"]).rglob("*.*")))


def test_size_limit(demo, client, auth):
    demo.config["ATTACHMENT_MAX_BYTES"] = 1024
    auth.login("li")
    response = upload(client, "baishui", "big.pdf", PDF + b"0" * 2048)
    assert "文件过大" in response.get_data(as_text=True)


def test_reviewer_may_not_upload(demo, client, auth):
    auth.login("zhao")
    assert client.get("/admin/baishui/attachments").status_code == 200
    assert upload(client, "baishui", "a.pdf", PDF).status_code == 403


def test_serving_headers_and_visibility(demo, client, auth):
    auth.login("li")
    upload(client, "baishui", "内部.pdf", PDF)
    upload(client, "baishui", "公开.docx", _docx(), public=True)
    with demo.app_context(), across_tenants(None, reason="test check"):
        internal, public = sorted(db.session.scalars(select(Attachment)), key=lambda a: a.is_public)
        internal_url = f"/qinglan/baishui/files/{internal.token}/x"
        public_url = f"/qinglan/baishui/files/{public.token}"
    seen = client.get(internal_url)
    assert seen.status_code == 200 and seen.data == PDF
    assert seen.headers["X-Content-Type-Options"] == "nosniff"
    assert seen.headers["Content-Disposition"].startswith("inline")
    assert "no-store" in seen.headers["Cache-Control"]
    auth.logout()
    assert client.get(internal_url).status_code == 404  # the public never sees a draft's file
    response = client.get(public_url)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%E5%85%AC%E5%BC%80.docx" in response.headers["Content-Disposition"]
    assert "sandbox" in response.headers["Content-Security-Policy"]
    # the same file under another tenant's path is not found
    assert client.get(public_url.replace("/baishui/", "/liuhe/")).status_code == 404


def test_another_towns_editor_cannot_reach_the_file(demo, client, auth, runner):
    auth.login("li")
    upload(client, "baishui", "内部.pdf", PDF)
    auth.logout()
    runner.invoke(args=["users", "create", "liuhe-editor", "--password", "liuhe-password"])
    runner.invoke(args=["users", "grant", "liuhe-editor", "editor", "liuhe"])
    with demo.app_context(), across_tenants(None, reason="test check"):
        token = db.session.scalar(select(Attachment.token))
    auth.login("liuhe-editor", "liuhe-password")
    assert client.get(f"/qinglan/baishui/files/{token}").status_code == 404
    assert client.get(f"/qinglan/liuhe/files/{token}").status_code == 404
    assert client.get("/admin/baishui/attachments").status_code == 404
    assert "内部.pdf" not in client.get("/admin/liuhe/attachments").get_data(as_text=True)


def test_a_rolled_back_upload_leaves_no_file(demo, ctx):
    from pathlib import Path

    from werkzeug.datastructures import FileStorage

    from core.attachments import save_upload
    from core.tenants import tenant_by_slug, tenant_scope
    with tenant_scope(tenant_by_slug("baishui")):
        item = save_upload(FileStorage(io.BytesIO(PDF), filename="a.pdf"))
        from core.attachments import storage_path
        path = storage_path(item.token)
        assert path.exists()
        db.session.rollback()
    assert not path.exists()
    assert not list(Path(demo.config["ATTACHMENT_DIR"]).rglob("*.*"))


@pytest.mark.parametrize("url", ["/admin/baishui/attachments?page=99999999999999999999",
                                 "/api/v1/tenants/baishui/attachments/99999999999999999999"])
def test_huge_numbers_are_not_a_server_error(demo, client, auth, url):
    auth.login("li")
    assert client.get(url).status_code in (200, 404)


# --- attacks on the upload ---------------------------------------------------------------------

HTML_IN_PDF = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n%%EOF\n"


@pytest.mark.parametrize("name, data, message", [
    ("report.pdf.exe", EXE, "不支持该文件类型"),            # double extension, the last one counts
    ("photo.png.html", b"<script>alert(1)</script>", "不支持该文件类型"),
    ("shell.php.pdf", b"<?php system($_GET['c']); ?>", "文件内容与扩展名 .pdf 不符"),
    ("scan.pdf.png", PDF, "文件内容与扩展名 .png 不符"),
    ("\u202egpj.exe", EXE, "不支持该文件类型"),              # right-to-left override: shows as "exe.jpg"
    ("invoice\u202efdp.exe", EXE, "不支持该文件类型"),
    (".pdf", PDF, "不支持该文件类型"),                       # no name, only a dot
    ("noextension", PDF, "不支持该文件类型"),
])
def test_double_extensions_and_disguises_are_refused(demo, client, auth, name, data, message):
    auth.login("li")
    response = upload(client, "baishui", name, data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    with demo.app_context(), across_tenants(None, reason="test check"):
        assert db.session.scalars(select(Attachment)).all() == []


@pytest.mark.parametrize("name, shown", [
    ("../../../etc/cron.d/evil.pdf", "evil.pdf"),
    ("..\\..\\windows\\system32\\evil.pdf", None),     # whatever the client's quoting leaves of it
    ("/var/www/html/evil.pdf", "evil.pdf"),
    ("....//....//evil.pdf", "evil.pdf"),
    ("%2e%2e%2fevil.pdf", "%2e%2e%2fevil.pdf"),            # stays text: nothing decodes it into a path
    ("a" * 1000 + ".pdf", "a" * 190 + ".pdf"),
])
def test_path_traversal_names_stay_names(demo, client, auth, tmp_path, name, shown):
    auth.login("li")
    assert upload(client, "baishui", name, PDF).status_code == 302
    root = __import__("pathlib").Path(demo.config["ATTACHMENT_DIR"]).resolve()
    with demo.app_context(), across_tenants(None, reason="test check"):
        item = db.session.scalars(select(Attachment)).one()
        from core.attachments import storage_path
        stored = storage_path(item.token).resolve()
    assert item.filename == shown if shown else ("/" not in item.filename and "\\" not in item.filename
                                                 and item.filename.endswith("evil.pdf"))
    assert stored.is_relative_to(root) and stored.name == item.token      # a random name inside the folder
    assert [p for p in root.rglob("*") if p.is_file()] == [stored]
    # served under its display name as a download, never interpreted
    response = client.get(f"/qinglan/baishui/files/{item.token}")
    assert response.status_code == 200 and response.data == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline") and "/" not in disposition and "\\" not in disposition   # a PDF opens in place
    assert response.headers["Content-Security-Policy"].startswith("sandbox")


def test_html_inside_a_real_pdf_is_served_as_a_pdf_in_a_sandbox(demo, client, auth):
    auth.login("li")
    upload(client, "baishui", "notice.pdf", HTML_IN_PDF, public=True)
    with demo.app_context(), across_tenants(None, reason="test check"):
        token = db.session.scalars(select(Attachment.token)).one()
    response = client.get(f"/qinglan/baishui/files/{token}")
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("sandbox")


def test_a_nul_byte_in_the_name_is_refused(demo, client, auth):
    auth.login("li")
    response = upload(client, "baishui", "notice.pdf\x00.exe", PDF)
    assert response.status_code == 400
    with demo.app_context(), across_tenants(None, reason="test check"):
        assert db.session.scalars(select(Attachment)).all() == []


@pytest.mark.parametrize("name, data, status", [
    ("report.pdf.exe", EXE, 400), ("../../evil.pdf", PDF, 201), ("fake.pdf", EXE, 400)])
def test_the_api_upload_applies_the_same_rules(demo, client, name, data, status):
    from core.accounts import issue_token, user_by_username
    with demo.app_context():
        _, token = issue_token(user_by_username("li"), "upload")
        db.session.commit()
    response = client.post("/api/v1/tenants/baishui/attachments", headers={"Authorization": f"Bearer {token}"},
                           data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    assert response.status_code == status, response.get_json()
    if status == 201:
        assert response.get_json()["filename"] == "evil.pdf"
    else:
        assert "error" in response.get_json()


def test_oversize_is_refused_before_it_is_read_whole(demo, client, auth):
    """Beyond MAX_CONTENT_LENGTH the request is refused without reading the body (413)."""
    demo.config["MAX_CONTENT_LENGTH"] = 4096
    auth.login("li")
    response = upload(client, "baishui", "big.pdf", PDF + b"0" * 10_000)
    assert response.status_code == 413 and "上传的内容过大" in response.get_data(as_text=True)
