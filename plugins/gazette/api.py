"""Gazette API: public reading (issues, contents, articles, search) and the editors' writes with a
token (issues, articles, publication). A published issue refuses every write with 409."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import Blueprint, g, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict, Field

from core.plugin_api import (api_user, ApiError, db, get_or_404, has_permission, Id, int_arg, operation,
                            page_args, paginate, Permission)
from plugins.gazette import services
from plugins.gazette.models import GazetteArticle, GazetteIssue

bp = Blueprint("gazette_api", __name__)
TAGS = ("gazette",)
Validity = Literal["valid", "expired", "repealed"]
PAGE_QUERY = {"page": {"type": "integer", "minimum": 1}, "per_page": {"type": "integer", "minimum": 1, "maximum": 100}}


class IssueOut(BaseModel):
    model_config = ConfigDict(title="GazetteIssue")
    id: int
    year: int
    number: int
    total_number: int
    label: str
    published_on: date
    status: Literal["draft", "published"]
    published_at: datetime | None
    articles: int
    url: str | None
    pdf_url: str | None


class ArticleOut(BaseModel):
    model_config = ConfigDict(title="GazetteArticle")
    id: int
    issue: str
    issue_id: int
    section: str
    position: int
    title: str
    doc_no: str
    issuers: list[str]
    written_date: date | None
    effective_date: date | None
    validity: Validity
    validity_date: date | None
    superseded_by: int | None
    corrects: int | None
    source_ref: str
    page_start: int | None
    page_end: int | None
    url: str | None


class ArticleDetailOut(ArticleOut):
    model_config = ConfigDict(title="GazetteArticleDetail")
    body_html: str
    validity_note: str
    attachments: list[dict]
    previous: int | None
    next: int | None


class TocSection(BaseModel):
    section: str
    articles: list[ArticleOut]


class IssueDetailOut(IssueOut):
    model_config = ConfigDict(title="GazetteIssueDetail")
    gazette: str
    editing_unit: str
    editor_note: str
    sections: list[str]
    toc: list[TocSection]


class IssuePage(BaseModel):
    model_config = ConfigDict(title="GazetteIssuePage")
    items: list[IssueOut]
    page: int
    per_page: int
    total: int


class ArticlePage(BaseModel):
    model_config = ConfigDict(title="GazetteSearchResults")
    items: list[ArticleOut]
    page: int
    per_page: int
    total: int
    facets: dict[str, list[list]]


class IssueIn(BaseModel):
    model_config = ConfigDict(title="GazetteIssueInput", extra="forbid")
    year: int | None = Field(None, ge=1949, le=2100, description="默认今年")
    number: int | None = Field(None, ge=1, le=366, description="默认当年下一期")
    total_number: int | None = Field(None, ge=1, le=100_000, description="默认下一个总期号")
    published_on: date | None = Field(None, description="默认今天")
    editor_note: str = Field("", max_length=5000)
    sections: list[str] | None = Field(None, max_length=20, description="默认公报设置中的常用栏目")


class IssuePatch(BaseModel):
    model_config = ConfigDict(title="GazetteIssuePatch", extra="forbid")
    year: int | None = Field(None, ge=1949, le=2100)
    number: int | None = Field(None, ge=1, le=366)
    total_number: int | None = Field(None, ge=1, le=100_000)
    published_on: date | None = None
    editor_note: str | None = Field(None, max_length=5000)
    sections: list[str] | None = Field(None, max_length=20)


class ArticleIn(BaseModel):
    model_config = ConfigDict(title="GazetteArticleInput", extra="forbid")
    section: str = Field(min_length=1, max_length=50)
    title: str = Field("", max_length=300, description="引用政府信息（source_ref）时可省略")
    doc_no: str = Field("", max_length=100)
    issuers: list[str] = Field(default_factory=list, max_length=10)
    written_date: date | None = None
    effective_date: date | None = None
    body_html: str = Field("", max_length=2_000_000)
    corrects: Id | None = Field(None, description="勘误：被更正文章的 id（此前已出版的一期）")
    source_ref: str = Field("", max_length=100, description="引用已发布的政府信息，如 catalog:record:12")
    attachment_ids: list[Id] = Field(default_factory=list, max_length=50)


class ArticlePatch(BaseModel):
    model_config = ConfigDict(title="GazetteArticlePatch", extra="forbid")
    source_ref: str | None = Field(None, max_length=100, description="引用的政府信息；空字符串取消引用")
    section: str | None = Field(None, min_length=1, max_length=50)
    title: str | None = Field(None, min_length=1, max_length=300)
    doc_no: str | None = Field(None, max_length=100)
    issuers: list[str] | None = Field(None, max_length=10)
    written_date: date | None = None
    effective_date: date | None = None
    body_html: str | None = Field(None, max_length=2_000_000)
    corrects: Id | None = None
    attachment_ids: list[Id] | None = Field(None, max_length=50)


class MoveIn(BaseModel):
    model_config = ConfigDict(title="GazetteMoveInput", extra="forbid")
    direction: Literal["up", "down"]


class ValidityIn(BaseModel):
    model_config = ConfigDict(title="GazetteValidityInput", extra="forbid")
    validity: Validity
    validity_date: date | None = None
    superseded_by: Id | None = None
    note: str = Field("", max_length=300)


def _public(issue: GazetteIssue) -> bool:
    return issue.is_published


def issue_out(issue: GazetteIssue) -> dict:
    public = _public(issue)
    return IssueOut(
        id=issue.id, year=issue.year, number=issue.number, total_number=issue.total_number, label=issue.label,
        published_on=issue.published_on, status=issue.status, published_at=issue.published_at,
        articles=len(issue.articles),
        url=url_for("gazette.issue", year=issue.year, number=issue.number, _external=True) if public else None,
        pdf_url=url_for("gazette.issue_pdf", year=issue.year, number=issue.number, _external=True) if public else None,
    ).model_dump(mode="json")


def _article_fields(a: GazetteArticle) -> dict:
    return dict(id=a.id, issue=a.issue.short_label, issue_id=a.issue_id, section=a.section, position=a.position,
                title=a.title, doc_no=a.doc_no, issuers=a.issuers or [], written_date=a.written_date,
                effective_date=a.effective_date, validity=a.validity, validity_date=a.validity_date,
                superseded_by=a.superseded_by_id, corrects=a.corrects_id, source_ref=a.source_ref,
                page_start=a.page_start, page_end=a.page_end,
                url=url_for("gazette.article", article_id=a.id, _external=True) if _public(a.issue) else None)


def article_out(a: GazetteArticle) -> dict:
    return ArticleOut(**_article_fields(a)).model_dump(mode="json")


def article_detail_out(a: GazetteArticle) -> dict:
    previous, following = services.neighbours(a)
    attachments = [{"id": x.id, "filename": x.filename, "size": x.size,
                    "url": url_for("portal.attachment", token=x.token, name=x.filename, _external=True)}
                   for x in a.attachments]
    return ArticleDetailOut(**_article_fields(a), body_html=a.body, validity_note=a.validity_note,
                            attachments=attachments, previous=previous.id if previous else None,
                            next=following.id if following else None).model_dump(mode="json")


def issue_detail_out(issue: GazetteIssue) -> dict:
    name, unit = (issue.gazette_name, issue.editing_unit) if issue.is_published else (
        services.gazette_for(issue.tenant, create=False).name, services.gazette_for(issue.tenant, create=False).editing_unit)
    return IssueDetailOut(**issue_out(issue), gazette=name, editing_unit=unit, editor_note=issue.editor_note,
                          sections=issue.sections or [],
                          toc=[TocSection(section=s, articles=[ArticleOut(**_article_fields(a)) for a in articles])
                               for s, articles in issue.table_of_contents()]).model_dump(mode="json")


def _year_arg() -> int | None:
    if request.args.get("year") in (None, ""):
        return None
    year = int_arg("year", 1900, 2200)
    if year is None:
        raise ApiError("year 应是 1900 到 2200 之间的年份。", 400)
    return year


def _editor() -> bool:
    user = api_user()
    return user is not None and has_permission(user, Permission.CONTENT_VIEW, g.tenant)


def _issue(issue_id: int) -> GazetteIssue:
    issue = get_or_404(GazetteIssue, issue_id)
    if not issue.is_published and not _editor():
        raise ApiError("不存在。", 404)
    return issue


def _article(article_id: int) -> GazetteArticle:
    article = get_or_404(GazetteArticle, article_id)
    if not article.issue.is_published and not _editor():
        raise ApiError("不存在。", 404)
    return article


# --- public reading -----------------------------------------------------------------------------

@bp.get("/issues")
@operation("各期公报（新的在前）；带编辑令牌时包括编辑中的期次", response=IssuePage, tags=TAGS, errors=(400, 404),
           query={"year": {"type": "integer", "description": "只看这一年"}, **PAGE_QUERY})
def issues():
    stmt = services.published_issues() if not _editor() else db.select(GazetteIssue)
    year = _year_arg()
    if year:
        stmt = stmt.where(GazetteIssue.year == year)
    page = paginate(stmt.order_by(GazetteIssue.year.desc(), GazetteIssue.number.desc()), *page_args())
    return jsonify(IssuePage(items=[IssueOut(**issue_out(i)) for i in page.items], page=page.page,
                             per_page=page.per_page, total=page.total).model_dump(mode="json"))


@bp.get("/issues/<int:issue_id>")
@operation("一期公报及其目录", response=IssueDetailOut, tags=TAGS, errors=(404,))
def issue(issue_id: int):
    return jsonify(issue_detail_out(_issue(issue_id)))


@bp.get("/issues/<int(min=1900,max=2200):year>/<int(min=1,max=999):number>")
@operation("按年份和期号查一期公报及其目录（如 2026/3）", response=IssueDetailOut, tags=TAGS, errors=(404,))
def issue_by_number(year: int, number: int):
    return jsonify(issue_detail_out(services.issue_by_number(year, number)))


@bp.get("/articles/<int:article_id>")
@operation("一篇公报文章（正文、附件、本期上一篇和下一篇）", response=ArticleDetailOut, tags=TAGS, errors=(404,))
def article(article_id: int):
    return jsonify(article_detail_out(_article(article_id)))


@bp.get("/search")
@operation("检索已出版的公报文章：标题、正文或文号（括号写法不限），可按栏目、发文机关、年份、时效筛选",
           response=ArticlePage, tags=TAGS, errors=(400, 404),
           query={"q": {"type": "string", "maxLength": 100, "description": "检索词，空格分隔的词须同时出现"},
                  "field": {"type": "string", "enum": list(services.SEARCH_FIELDS), "default": "all"},
                  "section": {"type": "string"}, "issuer": {"type": "string"}, "year": {"type": "integer"},
                  "validity": {"type": "string", "enum": ["valid", "expired", "repealed"]},
                  "sort": {"type": "string", "enum": list(services.SORTS),
                           "description": "默认：有检索词时按相关度，否则最新在前"}, **PAGE_QUERY})
def search():
    args = request.args
    if args.get("field", "all") not in services.SEARCH_FIELDS:
        raise ApiError(f"field 只能是 {'、'.join(services.SEARCH_FIELDS)}。", 400)
    if args.get("sort") and args["sort"] not in services.SORTS:
        raise ApiError(f"sort 只能是 {'、'.join(services.SORTS)}。", 400)
    if args.get("validity") and args["validity"] not in ("valid", "expired", "repealed"):
        raise ApiError("validity 只能是 valid、expired 或 repealed。", 400)
    query = services.ArchiveQuery(q=args.get("q", ""), field=args.get("field", "all"), section=args.get("section"),
                                  issuer=args.get("issuer"), year=_year_arg(),
                                  validity=args.get("validity"), sort=args.get("sort"))
    page, counts = services.archive_page(query, *page_args())
    facets = {k: [list(row) for row in v] for k, v in counts.items()}
    return jsonify(ArticlePage(items=[ArticleOut(**_article_fields(a)) for a in page.items], page=page.page,
                               per_page=page.per_page, total=page.total, facets=facets).model_dump(mode="json"))


# --- editors ------------------------------------------------------------------------------------

@bp.post("/issues")
@operation("新建一期（编辑中）；未给出的期号按顺序自动编排", response=IssueDetailOut, body=IssueIn, auth=True,
           status=201, tags=TAGS, errors=(400, 403, 404))
def create_issue(body: IssueIn):
    data = body.model_dump(exclude_none=True)
    issue = services.create_issue(api_user(), g.tenant, data)
    db.session.commit()
    return jsonify(issue_detail_out(issue)), 201


@bp.patch("/issues/<int:issue_id>")
@operation("修改编辑中的一期；已出版的期次返回 409", permission=Permission.CONTENT_VIEW, response=IssueDetailOut, body=IssuePatch,
           tags=TAGS, errors=(400, 403, 404, 409))
def update_issue(issue_id: int, body: IssuePatch):
    issue = get_or_404(GazetteIssue, issue_id)
    services.update_issue(api_user(), issue, body.model_dump(exclude_unset=True))
    db.session.commit()
    return jsonify(issue_detail_out(issue))


@bp.post("/issues/<int:issue_id>/articles")
@operation("在编辑中的一期加入文章（可引用已发布的政府信息）", permission=Permission.CONTENT_VIEW, response=ArticleDetailOut, body=ArticleIn,
           auth=True, status=201, tags=TAGS, errors=(400, 403, 404, 409))
def add_article(issue_id: int, body: ArticleIn):
    issue = get_or_404(GazetteIssue, issue_id)
    data = body.model_dump(exclude_unset=True)
    data["body"] = data.pop("body_html", "")
    if "corrects" in data:
        data["corrects_id"] = data.pop("corrects")
    if not data.get("source_ref") and not (data.get("title") or "").strip():
        raise ApiError("请填写标题。", 400, [{"field": "title", "message": "请填写标题。"}])
    article = services.add_article(api_user(), issue, data)
    db.session.commit()
    return jsonify(article_detail_out(article)), 201


@bp.patch("/articles/<int:article_id>")
@operation("修改编辑中的文章；已出版的期次返回 409", permission=Permission.CONTENT_VIEW, response=ArticleDetailOut, body=ArticlePatch,
           tags=TAGS, errors=(400, 403, 404, 409))
def update_article(article_id: int, body: ArticlePatch):
    article = get_or_404(GazetteArticle, article_id)
    data = body.model_dump(exclude_unset=True)
    if "body_html" in data:
        data["body"] = data.pop("body_html") or ""
    if "corrects" in data:
        data["corrects_id"] = data.pop("corrects")
    services.update_article(api_user(), article, data)
    db.session.commit()
    return jsonify(article_detail_out(article))


@bp.delete("/articles/<int:article_id>")
@operation("从编辑中的一期删去文章；已出版的期次返回 409", permission=Permission.CONTENT_VIEW, status=204, tags=TAGS,
           errors=(403, 404, 409))
def delete_article(article_id: int):
    article = get_or_404(GazetteArticle, article_id)
    services.delete_article(api_user(), article)
    db.session.commit()
    return "", 204


@bp.post("/articles/<int:article_id>/move")
@operation("在本栏目内上移或下移一篇文章（编辑中的一期）", permission=Permission.CONTENT_VIEW, response=IssueDetailOut, body=MoveIn, tags=TAGS,
           errors=(400, 403, 404, 409))
def move_article(article_id: int, body: MoveIn):
    article = get_or_404(GazetteArticle, article_id)
    if not services.move_article(api_user(), article, -1 if body.direction == "up" else 1):
        raise ApiError("已经在本栏目的最前或最后。", 409)
    db.session.commit()
    return jsonify(issue_detail_out(article.issue))


@bp.post("/issues/<int:issue_id>/publish")
@operation("出版一期：生成 PDF、冻结内容、进入检索库", permission=Permission.CONTENT_VIEW, response=IssueDetailOut, tags=TAGS,
           errors=(400, 403, 404, 409, 503))
def publish(issue_id: int):
    issue = get_or_404(GazetteIssue, issue_id)
    services.publish_issue(api_user(), issue)
    db.session.commit()
    return jsonify(issue_detail_out(issue))


@bp.post("/articles/<int:article_id>/validity")
@operation("标注已出版文章的时效（失效、废止及替代文件）", permission=Permission.CONTENT_VIEW, response=ArticleDetailOut, body=ValidityIn,
           tags=TAGS, errors=(400, 403, 404, 409))
def validity(article_id: int, body: ValidityIn):
    article = get_or_404(GazetteArticle, article_id)
    if not article.issue.is_published:
        raise ApiError("文章所在的一期出版后才需要标注时效。", 409)
    services.set_validity(api_user(), article, body.validity, on=body.validity_date,
                          superseded_by=body.superseded_by, note=body.note)
    db.session.commit()
    return jsonify(article_detail_out(article))
