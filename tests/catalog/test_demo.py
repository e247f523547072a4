"""The demo county's records: what their text promises is there (issue 18 point 9)."""
from __future__ import annotations

import io
import re

import pypdf
from markupsafe import escape
from sqlalchemy import select

from core.db import db
from core.tenants import across_tenants
from plugins.catalog.models import Record


def test_every_published_demo_record_that_mentions_an_attachment_has_one_that_downloads(demo_content, client):
    with demo_content.app_context(), across_tenants(None, reason="test: every tenant's demo records"):
        records = db.session.scalars(select(Record).where(Record.status == "published").order_by(Record.id)).all()
        mentioning = [(r.tenant.url_path, r.id, r.title, r.is_public, [(a.token, a.filename, a.extension, a.is_public)
                                                                   for a in r.attachments])
                      for r in records if "附件" in r.body]
    assert len(mentioning) > 50                         # nearly every demo record says 具体内容见附件
    assert [title for _, _, title, _, files in mentioning if not files] == []
    public = [m for m in mentioning if m[3]]
    assert public
    for path, record_id, title, _, files in public:
        assert all(is_public for *_, is_public in files), title
    # The public page of each public record links its file, and the link downloads it.
    quoted = [m for m in public if any('"' in name for _, name, *_ in m[4])]    # names the page must escape
    for path, record_id, title, _, files in public[:15] + quoted:
        page = client.get(f"/{path}/catalog/records/{record_id}").get_data(as_text=True)
        token, filename, extension, _ = files[0]
        link = re.search(rf'href="([^"]*/files/{token}[^"]*)"', page)
        assert link, f"{title}: the record page does not link its attachment"
        assert str(escape(filename)) in page                # as the page shows it (a title may hold "quotes")
        response = client.get(link.group(1))
        assert response.status_code == 200 and response.mimetype == "application/pdf", title
        text = pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
        assert title in text.replace("\n", ""), title
