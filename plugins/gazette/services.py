"""Gazette logic: the gazette's settings, issues and their numbering, articles, publication (which
freezes the issue), errata, validity, the searchable archive and its facets.

Every function takes the acting user first and checks permissions itself, so views, the API, the
CLI and tests get the same rules and the same Chinese error messages.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, inspect, select
from sqlalchemy.orm import contains_eager

from core.plugin_api import (Attachment, audit, canonical_doc_no, china_today, clean_html, collect, Conflict, db,
                             DomainError, duplicate, has_permission, mark_public, NotFound, Page, Permission,
                             looks_like_doc_no, plain_text, prefer_search_index, require_permission, search_match, SearchDocument,
                             SharedDocument, sync_attachments, Tenant, text_to_html, url_path_for, utcnow)
from plugins.gazette.models import (DEFAULT_SECTIONS, FREQUENCY_LABELS, VALIDITY_LABELS, ArticleAttachment,
                                    ArticleIssuer, Gazette, GazetteArticle, GazetteIssue, IssueFrozen)

NAME = "gazette"
MAX_SECTIONS = 20
MAX_ISSUERS = 10
SORTS = ("newest", "oldest", "relevance")
SEARCH_FIELDS = {"all": None, "title": "title", "doc_no": "code", "body": "body"}
SEARCH_FIELD_LABELS = {"all": "全部", "title": "标题", "doc_no": "文号", "body": "全文"}


# --- the gazette --------------------------------------------------------------------------------

def gazette_for(tenant: Tenant, *, create: bool = True) -> Gazette:
    """The tenant's gazette, created with sensible defaults the first time it is needed (or, with
    create=False, as an unsaved default for pages that only read)."""
    row = db.session.scalar(select(Gazette).where(Gazette.tenant_id == tenant.id))
    if row is None:
        row = Gazette(tenant_id=tenant.id, name=f"{tenant.name}人民政府公报",
                      editing_unit=f"{tenant.name}人民政府办公室", frequency="monthly",
                      sections=list(DEFAULT_SECTIONS))
        if create:
            db.session.add(row)
            db.session.flush()
    return row


def _text(value, label: str, field: str, limit: int, *, required: bool = False) -> str:
    value = re.sub(r"\s+", " ", str(value or "")).strip()
    if required and not value:
        raise DomainError(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise DomainError(f"{label}不能超过 {limit} 个字符。", field=field)
    return value


def _names(value, label: str, field: str, *, limit: int, length: int = 50) -> list[str]:
    """A list typed one per line (or separated by 、，,;), trimmed, without duplicates."""
    if isinstance(value, str):
        value = re.split(r"[\n\r、，,;；]+", value)
    names = list(dict.fromkeys(_text(v, label, field, length) for v in (value or [])))
    names = [n for n in names if n]
    if len(names) > limit:
        raise DomainError(f"{label}最多 {limit} 个。", field=field)
    return names


def update_settings(actor, tenant: Tenant, data: dict) -> list[str]:
    require_permission(actor, Permission.TENANT_MANAGE, tenant)
    gazette = gazette_for(tenant)
    values: dict = {}
    if "name" in data:
        values["name"] = _text(data["name"], "公报名称", "name", 100, required=True)
    if "editing_unit" in data:
        values["editing_unit"] = _text(data["editing_unit"], "编辑单位", "editing_unit", 100, required=True)
    if "frequency" in data:
        if data["frequency"] not in FREQUENCY_LABELS:
            raise DomainError("出版周期只能是月刊、双月刊、季刊或不定期。", field="frequency")
        values["frequency"] = data["frequency"]
    if "sections" in data:
        values["sections"] = _names(data["sections"], "栏目", "sections", limit=MAX_SECTIONS) or list(DEFAULT_SECTIONS)
    changed = [k for k, v in values.items() if getattr(gazette, k) != v]
    for key in changed:
        setattr(gazette, key, values[key])
    if changed:
        audit.record("gazette.settings", target=gazette, actor=actor, summary=f"修改公报设置：{'、'.join(changed)}")
    return changed


# --- issues -------------------------------------------------------------------------------------

def next_numbers(tenant: Tenant, year: int | None = None) -> dict:
    """The numbers the next issue would normally take: this year's next 期 and the next 总期."""
    year = year or china_today().year
    last_number = db.session.scalar(select(func.max(GazetteIssue.number)).where(
        GazetteIssue.tenant_id == tenant.id, GazetteIssue.year == year)) or 0
    last_total = db.session.scalar(select(func.max(GazetteIssue.total_number)).where(
        GazetteIssue.tenant_id == tenant.id)) or 0
    return {"year": year, "number": last_number + 1, "total_number": last_total + 1}


def _parse_date(value, label: str, field: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value).strip())
        except ValueError:
            raise DomainError(f"{label}格式不正确，请按“2026-01-31”填写。", field=field) from None
    if not 1949 <= value.year <= 2100:
        raise DomainError(f"{label}的年份不对，请检查。", field=field)
    return value


def _int(value, label: str, field: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(f"{label}必须是整数。", field=field) from None
    if not low <= number <= high:
        raise DomainError(f"{label}应在 {low} 到 {high} 之间。", field=field)
    return number


def _issue_values(tenant: Tenant, data: dict, issue: GazetteIssue | None) -> dict:
    values: dict = {}
    if "year" in data:
        values["year"] = _int(data["year"], "年份", "year", 1949, 2100)
    if "number" in data:
        values["number"] = _int(data["number"], "期号", "number", 1, 366)
    if "total_number" in data:
        values["total_number"] = _int(data["total_number"], "总期号", "total_number", 1, 100_000)
    if "published_on" in data:
        values["published_on"] = _parse_date(data["published_on"], "出版日期", "published_on")
    if "editor_note" in data:
        values["editor_note"] = str(data["editor_note"] or "").strip()
        if len(values["editor_note"]) > 5000:
            raise DomainError("编者按不能超过 5000 个字符。", field="editor_note")
    if "sections" in data:
        values["sections"] = _names(data["sections"], "栏目", "sections", limit=MAX_SECTIONS)
    merged = {k: getattr(issue, k) for k in ("year", "number", "total_number", "published_on")} if issue else {}
    merged.update(values)
    for key, label in (("year", "年份"), ("number", "期号"), ("total_number", "总期号")):
        if merged.get(key) is None:
            raise DomainError(f"请填写{label}。", field=key)
    if merged.get("published_on") is None:
        raise DomainError("请填写出版日期。", field="published_on")
    if merged["published_on"].year != merged["year"]:
        raise DomainError("出版日期应在本期所属年份之内。", field="published_on")
    clash = select(GazetteIssue.id).where(GazetteIssue.tenant_id == tenant.id)
    if issue is not None:
        clash = clash.where(GazetteIssue.id != issue.id)
    if db.session.scalar(clash.where(GazetteIssue.year == merged["year"], GazetteIssue.number == merged["number"])):
        raise DomainError(f"{merged['year']}年第{merged['number']}期已经存在。", field="number")
    if db.session.scalar(clash.where(GazetteIssue.total_number == merged["total_number"])):
        raise DomainError(f"总第{merged['total_number']}期已经存在。", field="total_number")
    return values


def _lock(issue: GazetteIssue) -> None:
    """Re-read the issue under a row lock (PostgreSQL; on SQLite the request already holds the write
    lock), so an edit and a publication of the same issue never interleave."""
    if inspect(issue).persistent:
        db.session.refresh(issue, attribute_names=["status"], with_for_update=True)


def _editable(actor, issue: GazetteIssue) -> None:
    require_permission(actor, Permission.CONTENT_EDIT, issue.tenant)
    _lock(issue)
    if issue.is_published:
        raise IssueFrozen()


def create_issue(actor, tenant: Tenant, data: dict) -> GazetteIssue:
    require_permission(actor, Permission.CONTENT_EDIT, tenant)
    gazette = gazette_for(tenant)
    data = {**next_numbers(tenant, int(data["year"]) if str(data.get("year") or "").isdigit() else None),
            "published_on": china_today(), **{k: v for k, v in data.items() if v not in (None, "")}}
    values = _issue_values(tenant, data, None)
    values.setdefault("sections", list(gazette.sections or DEFAULT_SECTIONS))
    issue = GazetteIssue(tenant_id=tenant.id, status="draft", created_by_id=getattr(actor, "id", None), **values)
    db.session.add(issue)
    db.session.flush()
    audit.record("gazette.issue.create", target=issue, actor=actor, summary=f"新建公报{issue.label}")
    return issue


def update_issue(actor, issue: GazetteIssue, data: dict) -> list[str]:
    _editable(actor, issue)
    values = _issue_values(issue.tenant, data, issue)
    changed = [k for k, v in values.items() if getattr(issue, k) != v]
    for key in changed:
        setattr(issue, key, values[key])
    if "sections" in changed:
        missing = {a.section for a in issue.articles} - set(issue.sections)
        if missing:
            raise DomainError(f"栏目“{'、'.join(sorted(missing))}”下还有文章，不能删去。", field="sections")
        _renumber_sections(issue)
    if changed:
        audit.record("gazette.issue.update", target=issue, actor=actor,
                     summary=f"修改公报{issue.label}：{'、'.join(changed)}")
    return changed


def delete_issue(actor, issue: GazetteIssue) -> None:
    _editable(actor, issue)
    audit.record("gazette.issue.delete", target=issue, actor=actor, summary=f"删除未出版的公报{issue.label}")
    db.session.delete(issue)


def _renumber_sections(issue: GazetteIssue) -> None:
    order = {name: i for i, name in enumerate(issue.sections or [])}
    for article in issue.articles:
        article.section_position = order.get(article.section, len(order))


# --- articles -----------------------------------------------------------------------------------

ARTICLE_FIELDS = ("section", "title", "doc_no", "issuers", "written_date", "effective_date", "body", "body_text",
                  "corrects_id", "source_ref", "attachment_ids")


def _article_values(issue: GazetteIssue, data: dict, article: GazetteArticle | None) -> dict:
    values: dict = {}
    if "section" in data:
        values["section"] = _text(data["section"], "栏目", "section", 50, required=True)
    if "title" in data:
        values["title"] = _text(data["title"], "标题", "title", 300, required=True)
    if "doc_no" in data:
        values["doc_no"] = canonical_doc_no(_text(data["doc_no"], "文号", "doc_no", 100))     # 〔〕 (GB/T 9704)
    if "issuers" in data:
        values["issuers"] = _names(data["issuers"], "发文机关", "issuers", limit=MAX_ISSUERS, length=100)
    for key, label in (("written_date", "成文日期"), ("effective_date", "施行日期")):
        if key in data:
            values[key] = _parse_date(data[key], label, key)
    if data.get("body_text") not in (None, ""):
        values["body"] = str(text_to_html(data["body_text"]))
    elif "body" in data:
        values["body"] = clean_html(data["body"] or "")
    if len(values.get("body", "")) > 2_000_000:
        raise DomainError("正文太长（超过 200 万字符），请把附表作为附件上传。", field="body")
    if "corrects_id" in data:
        values["corrects_id"] = _corrected_article(issue, data["corrects_id"])
    if article is None:
        for key, label in (("section", "栏目"), ("title", "标题")):
            if not values.get(key):
                raise DomainError(f"请填写{label}。", field=key)
    written = values.get("written_date", article.written_date if article else None)
    effective = values.get("effective_date", article.effective_date if article else None)
    if written and effective and effective < written:
        raise DomainError("施行日期不能早于成文日期。", field="effective_date")
    return values


def _corrected_article(issue: GazetteIssue, value) -> int | None:
    """Errata correct an article printed in an earlier, published issue of the same gazette."""
    if value in (None, "", 0):
        return None
    original = db.session.scalar(select(GazetteArticle).where(GazetteArticle.id == _int(
        value, "被更正的文章", "corrects_id", 1, 2**31 - 1)))
    if original is None or not original.issue.is_published or original.issue.total_number >= issue.total_number:
        raise DomainError("勘误只能更正此前已出版各期中的文章。", field="corrects_id")
    return original.id


def _set_issuers(article: GazetteArticle, names: list[str]) -> None:
    if [row.name for row in article.issuer_rows] == names:
        return
    article.issuer_rows = []
    db.session.flush()
    article.issuer_rows = [ArticleIssuer(tenant_id=article.tenant_id, name=n, position=i) for i, n in enumerate(names)]


def _set_attachments(article: GazetteArticle, attachment_ids) -> bool:
    return sync_attachments(article, attachment_ids, ArticleAttachment).changed


def _ensure_section(issue: GazetteIssue, section: str) -> None:
    if section not in (issue.sections or []):
        if len(issue.sections or []) >= MAX_SECTIONS:
            raise DomainError(f"每期最多 {MAX_SECTIONS} 个栏目。", field="section")
        issue.sections = [*(issue.sections or []), section]


def add_article(actor, issue: GazetteIssue, data: dict) -> GazetteArticle:
    """Add an article to a draft issue. With `source_ref`, the shared document's fields fill what
    `data` leaves empty, and its files are copied (the article keeps them whatever happens to the
    original later)."""
    _editable(actor, issue)
    source_files: list[int] = []
    if data.get("source_ref"):
        shared = fields_from_source(issue.tenant, data["source_ref"])
        source_files = shared.pop("attachment_ids")
        data = {**shared, **{k: v for k, v in data.items() if v not in (None, "", [])}}
    values = _article_values(issue, data, None)
    _ensure_section(issue, values["section"])
    last = db.session.scalar(select(func.max(GazetteArticle.position)).where(
        GazetteArticle.issue_id == issue.id, GazetteArticle.section == values["section"]))
    issuers = values.pop("issuers", [])
    article = GazetteArticle(tenant_id=issue.tenant_id, issue=issue, position=(last or 0) + 1,
                             section_position=issue.sections.index(values["section"]), issuers=issuers,
                             source_ref=str(data.get("source_ref") or "")[:100], **values)
    db.session.add(article)
    db.session.flush()
    _set_issuers(article, issuers)
    copies = [duplicate(a, uploaded_by=actor) for a in db.session.scalars(
        select(Attachment).where(Attachment.id.in_(source_files)).order_by(Attachment.id))] if source_files else []
    if copies or data.get("attachment_ids"):
        _set_attachments(article, [c.id for c in copies] + list(data.get("attachment_ids") or []))
    audit.record("gazette.article.create", target=article, actor=actor,
                 summary=f"在公报{issue.label}中加入“{article.title}”")
    return article


def update_article(actor, article: GazetteArticle, data: dict) -> list[str]:
    issue = article.issue
    _editable(actor, issue)
    values = _article_values(issue, data, article)
    if "section" in values and values["section"] != article.section:
        _ensure_section(issue, values["section"])
        last = db.session.scalar(select(func.max(GazetteArticle.position)).where(
            GazetteArticle.issue_id == issue.id, GazetteArticle.section == values["section"]))
        values["position"] = (last or 0) + 1
        values["section_position"] = issue.sections.index(values["section"])
    changed = [k for k, v in values.items() if getattr(article, k) != v]
    for key in changed:
        setattr(article, key, values[key])
    if "issuers" in changed:
        _set_issuers(article, article.issuers)
    if "attachment_ids" in data and _set_attachments(article, data["attachment_ids"]):
        changed.append("attachments")
    if "source_ref" in data and (data["source_ref"] or "") != article.source_ref:
        if data["source_ref"]:
            fields_from_source(issue.tenant, data["source_ref"])  # it must exist
        article.source_ref = str(data["source_ref"] or "")[:100]
        changed.append("source_ref")
    if changed:
        audit.record("gazette.article.update", target=article, actor=actor,
                     summary=f"修改公报文章“{article.title}”：{'、'.join(changed)}")
    return changed


def delete_article(actor, article: GazetteArticle) -> None:
    _editable(actor, article.issue)
    audit.record("gazette.article.delete", target=article, actor=actor,
                 summary=f"从公报{article.issue.label}中删去“{article.title}”")
    article.issue.articles.remove(article)
    db.session.delete(article)


def move_article(actor, article: GazetteArticle, offset: int) -> bool:
    """Move an article up (-1) or down (+1) within its section; False at either end."""
    _editable(actor, article.issue)
    siblings = [a for a in article.issue.articles if a.section == article.section]
    siblings.sort(key=lambda a: (a.position, a.id))
    index = siblings.index(article)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(siblings):
        return False
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position
    return True


def set_validity(actor, article: GazetteArticle, validity: str, *, on=None, superseded_by=None,
                 note: str = "") -> None:
    """Mark an article 失效 or 废止 (or valid again). Allowed after publication: the archive marks
    what is no longer in force and links its replacement; the printed text is never touched."""
    tenant = article.tenant
    if not (has_permission(actor, Permission.CONTENT_EDIT, tenant)
            or has_permission(actor, Permission.CONTENT_PUBLISH, tenant)):
        require_permission(actor, Permission.CONTENT_EDIT, tenant)
    if validity not in VALIDITY_LABELS:
        raise DomainError("时效只能是有效、失效或废止。", field="validity")
    replacement = None
    if superseded_by not in (None, "", 0):
        replacement = db.session.scalar(select(GazetteArticle).where(GazetteArticle.id == _int(
            superseded_by, "替代文件", "superseded_by", 1, 2**31 - 1)))
        if replacement is None or replacement.id == article.id or not replacement.issue.is_published:
            raise DomainError("替代文件必须是本公报已出版的另一篇文章。", field="superseded_by")
    note = _text(note, "时效说明", "validity_note", 300)
    article.validity = validity
    article.validity_date = None if validity == "valid" else (_parse_date(on, "失效日期", "validity_date")
                                                              or china_today())
    article.superseded_by_id = replacement.id if replacement is not None and validity != "valid" else None
    article.validity_note = note if validity != "valid" else ""
    audit.record("gazette.article.validity", target=article, actor=actor,
                 summary=f"“{article.title}”标记为{VALIDITY_LABELS[validity]}")


# --- shared documents (another plugin's records, through hooks) ---------------------------------

def _registry():
    return current_app.extensions["cms"]


def find_sources(tenant: Tenant, query: str) -> list[SharedDocument]:
    """Other plugins' documents an article may reprint: those that carry their text (a catalog
    record does; a consultation, which other plugins link, does not), never the gazette's own."""
    query = (query or "").strip()[:100]
    if not query:
        return []
    hook = _registry().hook_for(tenant, "lookup_documents")
    return [d for d in collect(hook, tenant=tenant, query=query, refs=None)
            if d.plugin != "gazette" and d.body_html][:20]


def source(tenant: Tenant, ref: str) -> SharedDocument | None:
    if not ref or str(ref).startswith("gazette:"):
        return None
    hook = _registry().hook_for(tenant, "lookup_documents")
    found = [d for d in collect(hook, tenant=tenant, query=None, refs=[ref]) if d.ref == ref]
    return found[0] if found else None


ARTICLE_REF = re.compile(r"gazette:article:([1-9][0-9]{0,17})")


def shared_articles(tenant: Tenant, query: str | None, refs) -> list[SharedDocument]:
    """Published articles of `tenant`'s gazette whose title or 文号 contains `query` (20 at most; a
    文号 typed with any brackets), or whose ref is in `refs` (the lookup_documents hook)."""
    from sqlalchemy import or_
    stmt = (select(GazetteArticle).join(GazetteIssue, GazetteArticle.issue_id == GazetteIssue.id)
            .where(GazetteArticle.tenant_id == tenant.id, GazetteIssue.status == "published",
                   GazetteArticle.source_ref == ""))
    if refs is not None:
        ids = [int(m.group(1)) for m in (ARTICLE_REF.fullmatch(str(ref)) for ref in refs) if m]
        if not ids:
            return []
        stmt = stmt.where(GazetteArticle.id.in_(ids))
    if query:
        text_ = query.strip()[:100]
        doc_no = canonical_doc_no(text_) if looks_like_doc_no(text_) else text_
        stmt = stmt.where(or_(GazetteArticle.title.contains(text_, autoescape=True),
                              GazetteArticle.doc_no.contains(doc_no, autoescape=True))).limit(20)
    articles = db.session.scalars(stmt.order_by(GazetteIssue.published_on.desc(), GazetteArticle.id.desc())).all()
    return [SharedDocument(ref=f"gazette:article:{a.id}", plugin="gazette", title=a.title,
                           url=url_path_for("gazette.article", tenant=tenant, article_id=a.id), doc_no=a.doc_no,
                           issuing_body="、".join(a.issuers or []), written_date=a.written_date,
                           effective_date=a.effective_date, validity=a.validity, validity_date=a.validity_date)
            for a in articles]


def fields_from_source(tenant: Tenant, ref: str) -> dict:
    """An article's fields filled from the shared document `ref`, so it is typed only once."""
    document = source(tenant, str(ref))
    if document is None:
        raise DomainError("要引用的政府信息不存在或尚未公开。", field="source_ref")
    return {"title": document.title, "doc_no": document.doc_no, "issuers": [document.issuing_body]
            if document.issuing_body else [], "written_date": document.written_date,
            "effective_date": document.effective_date, "body": document.body_html,
            "attachment_ids": list(document.attachment_ids), "source_ref": document.ref}


# --- publication --------------------------------------------------------------------------------

def publish_issue(actor, issue: GazetteIssue, *, make_pdf: bool = True, when: datetime | None = None) -> None:
    """Publish and freeze the issue: the cover's name and unit are fixed, the articles go into the
    searchable archive, their files become public, and (unless `make_pdf` is False, as for bulk
    imports, whose PDFs are made on first download) the PDF is made or reused from the preview."""
    tenant = issue.tenant
    if not (has_permission(actor, Permission.CONTENT_EDIT, tenant)
            or has_permission(actor, Permission.CONTENT_PUBLISH, tenant)):
        require_permission(actor, Permission.CONTENT_EDIT, tenant)
    _lock(issue)
    if issue.is_published:
        raise Conflict("本期公报已出版，不能再次出版。")
    if not issue.articles:
        raise DomainError("本期还没有文章，不能出版。")
    gazette = gazette_for(tenant)
    issue.gazette_name, issue.editing_unit = gazette.name, gazette.editing_unit
    if make_pdf:
        from plugins.gazette import pdf
        pdf.ensure_pdf(issue)
    issue.status = "published"
    issue.published_at = when or utcnow()
    issue.published_by_id = getattr(actor, "id", None)
    for article in issue.articles:
        for attachment in article.attachments:
            mark_public(attachment)
    db.session.flush()     # site search follows: the articles are indexed in this transaction
    audit.record("gazette.issue.publish", target=issue, actor=actor,
                 summary=f"出版公报{issue.label}，共 {len(issue.articles)} 篇")


ARTICLE_BADGES = {"expired": "已失效", "repealed": "已废止"}


def article_document(article: GazetteArticle) -> SearchDocument | None:
    """An article of a published issue as search (the archive's and the site's) indexes it."""
    issue = article.issue
    if issue is None or issue.status != "published":
        return None
    return SearchDocument(plugin=NAME, kind="article", id=article.id, tenant_id=article.tenant_id,
                          title=article.title, body=plain_text(article.body), code=article.doc_no,
                          extra=" ".join([article.section, *(article.issuers or [])]),
                          url=url_path_for("gazette.article", tenant=issue.tenant, article_id=article.id),
                          published_at=issue.published_at, badge=ARTICLE_BADGES.get(article.validity, ""))


# --- the public archive -------------------------------------------------------------------------

def published_issues():
    return select(GazetteIssue).where(GazetteIssue.status == "published")


def published_articles():
    return (select(GazetteArticle).join(GazetteIssue, GazetteIssue.id == GazetteArticle.issue_id)
            .where(GazetteIssue.status == "published"))


def years(tenant: Tenant) -> list[tuple[int, int]]:
    """(year, number of issues) of the published issues, newest year first."""
    return db.session.execute(select(GazetteIssue.year, func.count()).where(
        GazetteIssue.tenant_id == tenant.id, GazetteIssue.status == "published")
        .group_by(GazetteIssue.year).order_by(GazetteIssue.year.desc())).all()


def issue_by_number(year: int, number: int) -> GazetteIssue:
    issue = db.session.scalar(published_issues().where(GazetteIssue.year == year, GazetteIssue.number == number))
    if issue is None:
        raise NotFound("这一期公报不存在。")
    return issue


def neighbours(article: GazetteArticle) -> tuple[GazetteArticle | None, GazetteArticle | None]:
    """The previous and next article in print order within the issue (掌上公报 navigation)."""
    articles = article.issue.articles
    index = articles.index(article)
    return (articles[index - 1] if index > 0 else None,
            articles[index + 1] if index + 1 < len(articles) else None)


class ArchiveQuery:
    """What someone asked the archive: text, field, the facets chosen, the order."""

    def __init__(self, *, q: str = "", field: str = "all", section: str | None = None, issuer: str | None = None,
                 year: int | None = None, validity: str | None = None, sort: str | None = None):
        self.q = re.sub(r"\s+", " ", q or "").strip()[:100]
        self.field = field if field in SEARCH_FIELDS else "all"
        self.section = (section or "").strip()[:50] or None
        self.issuer = (issuer or "").strip()[:100] or None
        self.year = year
        self.validity = validity if validity in VALIDITY_LABELS else None
        self.sort = sort if sort in SORTS else ("relevance" if self.q else "newest")

    @property
    def is_empty(self) -> bool:
        return not (self.q or self.section or self.issuer or self.year or self.validity)

    def args(self, **override) -> dict:
        """Query-string arguments for links that keep this query and change one thing."""
        values = {"q": self.q or None, "field": self.field if self.field != "all" else None,
                  "section": self.section, "issuer": self.issuer, "year": self.year, "validity": self.validity,
                  "sort": self.sort if self.sort != ("relevance" if self.q else "newest") else None}
        values.update(override)
        return {k: v for k, v in values.items() if v not in (None, "")}


def _filtered(query: ArchiveQuery, *, skip: frozenset[str] = frozenset(), ranked: bool = False):
    """Published articles matching the query (ignoring the facets in `skip`, for their counts), and
    the text-match subquery (or None)."""
    stmt = published_articles()
    matched = None
    if query.q:
        matched = search_match(query.q, plugin=NAME, kind="article", field=SEARCH_FIELDS[query.field],
                               ranked=ranked)
        if matched is None:
            return stmt.where(False), None
        stmt = stmt.join(matched, matched.c.ref_id == GazetteArticle.id)
    if query.section and "section" not in skip:
        stmt = stmt.where(GazetteArticle.section == query.section)
    if query.issuer and "issuer" not in skip:
        stmt = stmt.where(GazetteArticle.id.in_(select(ArticleIssuer.article_id).where(
            ArticleIssuer.name == query.issuer)))
    if query.year and "year" not in skip:
        stmt = stmt.where(GazetteIssue.year == query.year)
    if query.validity and "validity" not in skip:
        stmt = stmt.where(GazetteArticle.validity == query.validity)
    return stmt, matched


def archive_search(query: ArchiveQuery):
    """The statement listing the matching articles in the order asked for."""
    stmt, matched = _filtered(query, ranked=query.sort == "relevance")
    newest = (GazetteIssue.published_on.desc(), GazetteIssue.total_number.desc(),
              GazetteArticle.section_position, GazetteArticle.position, GazetteArticle.id)
    if query.sort == "relevance" and matched is not None:
        return stmt.order_by(matched.c.rank.desc(), *newest)
    if query.sort == "oldest":
        return stmt.order_by(GazetteIssue.published_on, GazetteIssue.total_number, GazetteArticle.section_position,
                             GazetteArticle.position, GazetteArticle.id)
    return stmt.order_by(*newest)


def facets_and_total(query: ArchiveQuery, *, limit: int = 30) -> tuple[dict[str, list[tuple]], int]:
    """Counts by section, issuing body, year and validity of the articles matching the query (each
    facet counted as if its own choice were not made, so other values stay reachable), and the
    number of matching articles.

    Two passes over the matches instead of one per facet: one grouped by (section, year, validity)
    without those three filters, from which the three facets and the total are added up here, and
    one for the issuing bodies."""
    stmt, _ = _filtered(query, skip=frozenset({"section", "year", "validity"}))
    rows = db.session.execute(
        stmt.with_only_columns(GazetteArticle.section, GazetteIssue.year, GazetteArticle.validity, func.count())
        .group_by(GazetteArticle.section, GazetteIssue.year, GazetteArticle.validity)).all()
    chosen = {"section": query.section, "year": query.year, "validity": query.validity}

    def kept(row, ignoring: str | None = None) -> bool:
        values = {"section": row[0], "year": row[1], "validity": row[2]}
        return all(want is None or name == ignoring or values[name] == want for name, want in chosen.items())

    def tally(index: int, name: str) -> Counter:
        counts: Counter = Counter()
        for row in rows:
            if kept(row, name):
                counts[row[index]] += row[3]
        return counts

    sections, years, validities = tally(0, "section"), tally(1, "year"), tally(2, "validity")
    stmt, _ = _filtered(query, skip=frozenset({"issuer"}))
    ids = stmt.with_only_columns(GazetteArticle.id).subquery()
    issuers = db.session.execute(
        select(ArticleIssuer.name, func.count()).join(ids, ids.c.id == ArticleIssuer.article_id)
        .group_by(ArticleIssuer.name).order_by(func.count().desc(), ArticleIssuer.name).limit(limit)).all()
    out = {
        "section": sorted(sections.items(), key=lambda kv: (-kv[1], kv[0]))[:limit],
        "issuer": [(name, count) for name, count in issuers],
        "year": sorted(years.items(), reverse=True),
        "validity": [(key, validities[key]) for key in VALIDITY_LABELS if validities.get(key)],
    }
    return out, sum(row[3] for row in rows if kept(row))


def facets(query: ArchiveQuery, *, limit: int = 30) -> dict[str, list[tuple]]:
    return facets_and_total(query, limit=limit)[0]


def archive_page(query: ArchiveQuery, page: int, per_page: int) -> tuple[Page, dict[str, list[tuple]]]:
    """One page of results and the facets; the total comes with the facets, not from another count."""
    with prefer_search_index():
        counts, total = facets_and_total(query)
        # The issue of each result was joined already: load it with the row, not one query per issue.
        items = db.session.scalars(archive_search(query).options(contains_eager(GazetteArticle.issue))
                                   .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=list(items), page=page, per_page=per_page, total=total), counts


def errata_for(article: GazetteArticle) -> list[GazetteArticle]:
    """Published errata that correct this article."""
    return list(db.session.scalars(published_articles().where(GazetteArticle.corrects_id == article.id)
                                   .order_by(GazetteIssue.total_number)))


def references(tenant: Tenant, source_ref: str) -> list[GazetteArticle]:
    """Published articles that print the shared document `source_ref`."""
    return list(db.session.scalars(published_articles().where(
        GazetteArticle.tenant_id == tenant.id, GazetteArticle.source_ref == source_ref)
        .order_by(GazetteIssue.total_number)))


def issuer_counts(tenant: Tenant, limit: int = 50) -> list[tuple[str, int]]:
    rows = db.session.execute(
        select(ArticleIssuer.name, func.count()).join(GazetteArticle, GazetteArticle.id == ArticleIssuer.article_id)
        .join(GazetteIssue, GazetteIssue.id == GazetteArticle.issue_id)
        .where(ArticleIssuer.tenant_id == tenant.id, GazetteIssue.status == "published")
        .group_by(ArticleIssuer.name).order_by(func.count().desc(), ArticleIssuer.name).limit(limit)).all()
    return [(name, count) for name, count in rows]


def section_counts(tenant: Tenant) -> list[tuple[str, int]]:
    rows = db.session.execute(published_articles().with_only_columns(GazetteArticle.section, func.count())
                              .where(GazetteArticle.tenant_id == tenant.id).group_by(GazetteArticle.section)).all()
    order = {name: i for i, name in enumerate(gazette_for(tenant, create=False).sections or DEFAULT_SECTIONS)}
    return sorted(rows, key=lambda r: (order.get(r[0], len(order)), r[0]))

