"""Opinions API: public reads and comment submission (tracking code back); editors' lifecycle,
moderation and answers with a token."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from flask import Blueprint, g, jsonify, request, url_for
from pydantic import BaseModel, ConfigDict, Field

from core.plugin_api import (api_user, ApiError, db, get_or_404, has_permission, Id, mask_name, operation,
                            page_args, paginate, Permission, require_permission)
from plugins.opinions import services
from plugins.opinions.models import (OFFLINE_SOURCES, Comment,
                                     Consultation)
from plugins.opinions.views import rate_limited, track_limit

bp = Blueprint("opinions_api", __name__)
TAGS = ("opinions",)
Disposition = Literal["adopted", "partly", "rejected", "irrelevant"]
Kind = Literal["rules", "major_decision", "normative", "other"]
KIND_DESCRIPTION = ("事项类别，决定最短征集期限（开始当日不计入）：major_decision 重大行政决策（30 日）、"
                    "normative 行政规范性文件（7 个工作日）、other 其他（本单位设定，默认 30 日）；"
                    "rules 规章（30 日）仅限有规章制定权的设区的市、自治州以上人民政府，区县、乡镇不能选择；"
                    "期限更短的必须填写 short_period_reason（向社会公开）；发布后不能再改")


class ArticleOut(BaseModel):
    id: int
    number: int
    label: str
    html: str


class ExtensionOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    previous_end: str = Field(alias="from")
    new_end: str = Field(alias="to")
    reason: str


class ConsultationOut(BaseModel):
    model_config = ConfigDict(title="Consultation")
    id: int
    title: str
    summary: str
    status: Literal["draft", "scheduled", "open", "closed", "answered"]
    kind: Kind
    kind_label: str
    starts_on: date
    ends_on: date
    period_days: int = Field(description="征集期限的日历天数，开始当日不计入")
    short_period_reason: str
    extensions: list[ExtensionOut]
    responsible_unit: str
    offline_channels: str
    contact_required: bool
    url: str | None


class ConsultationDetailOut(ConsultationOut):
    model_config = ConfigDict(title="ConsultationDetail")
    draft_html: str
    explanation_html: str
    articles: list[ArticleOut]


class PublicCommentOut(BaseModel):
    model_config = ConfigDict(title="PublicComment")
    id: int
    article: str | None
    source: str
    author: str = Field(description="姓名已脱敏")
    content: str
    submitted_on: date
    disposition: Disposition | None = Field(None, description="反馈发布后才有")
    reason: str | None = None


class CommentReceipt(BaseModel):
    model_config = ConfigDict(title="CommentReceipt")
    tracking_code: str
    status: Literal["pending", "published"]
    track_url: str


class TrackOut(BaseModel):
    model_config = ConfigDict(title="CommentTracking")
    consultation: str
    status: str
    content: str
    disposition: Disposition | None
    disposition_label: str | None
    reason: str | None


class FeedbackOut(BaseModel):
    model_config = ConfigDict(title="FeedbackReport")
    consultation: str
    published_at: datetime
    received: int
    by_source: dict[str, int]
    by_disposition: dict[str, int]
    adoption_rate: float | None
    answers: list[dict]


class CommentIn(BaseModel):
    model_config = ConfigDict(title="CommentInput", extra="forbid")
    content: str = Field(min_length=1, max_length=2000)
    article_id: Id | None = None
    author_name: str = Field("", max_length=50)
    contact: str = Field("", max_length=100, description="手机、固定电话或电子邮箱")
    consent: bool = Field(description="已阅读并同意个人信息保护说明，必须为 true")
    website: str = Field("", description="留空（防机器人字段）")


class ConsultationIn(BaseModel):
    model_config = ConfigDict(title="ConsultationInput", extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field("", max_length=2000)
    draft_html: str = Field(min_length=1, max_length=500_000)
    explanation_html: str = Field("", max_length=500_000)
    responsible_unit: str = Field("", max_length=200)
    offline_channels: str = Field("", max_length=2000)
    kind: Kind = Field("other", description=KIND_DESCRIPTION)
    starts_on: date
    ends_on: date
    short_period_reason: str = Field("", max_length=2000)
    moderation: Literal["immediate", "review"] = "review"
    contact_required: bool = False
    attachment_ids: list[Id] = Field(default_factory=list)


class ConsultationPatch(BaseModel):
    model_config = ConfigDict(title="ConsultationPatch", extra="forbid")
    title: str | None = Field(None, min_length=1, max_length=200)
    summary: str | None = Field(None, max_length=2000)
    draft_html: str | None = Field(None, max_length=500_000)
    explanation_html: str | None = Field(None, max_length=500_000)
    responsible_unit: str | None = Field(None, max_length=200)
    offline_channels: str | None = Field(None, max_length=2000)
    kind: Kind | None = Field(None, description=KIND_DESCRIPTION)
    starts_on: date | None = None
    ends_on: date | None = None
    short_period_reason: str | None = Field(None, max_length=2000)
    moderation: Literal["immediate", "review"] | None = None
    contact_required: bool | None = None


class ExtendIn(BaseModel):
    model_config = ConfigDict(title="ExtendInput", extra="forbid")
    ends_on: date
    reason: str = Field(max_length=2000)


class OfflineIn(BaseModel):
    model_config = ConfigDict(title="OfflineCommentInput", extra="forbid")
    source: Literal[OFFLINE_SOURCES]  # type: ignore[valid-type]
    content: str = Field(min_length=1, max_length=2000)
    received_on: date | None = None
    article_id: Id | None = None
    author_name: str = Field("", max_length=50)
    contact: str = Field("", max_length=100)


class ModerateIn(BaseModel):
    model_config = ConfigDict(title="ModerateInput", extra="forbid")
    action: Literal["publish", "hide", "duplicate"]
    reason: str = Field("", max_length=500)
    duplicate_of: Id | None = None


class DispositionIn(BaseModel):
    model_config = ConfigDict(title="DispositionInput", extra="forbid")
    disposition: Disposition
    reason: str = Field("", max_length=5000, description="部分采纳、不予采纳必填")


class GroupIn(DispositionIn):
    model_config = ConfigDict(title="AnswerGroupInput", extra="forbid")
    title: str = Field(min_length=1, max_length=200)
    comment_ids: list[Id]


class GroupOut(BaseModel):
    model_config = ConfigDict(title="AnswerGroup")
    id: int
    title: str
    disposition: Disposition
    comment_ids: list[Id]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(title="FeedbackInput", extra="forbid")
    intro: str | None = Field(None, max_length=5000)


def consultation_out(c: Consultation, detail: bool = False) -> dict:
    data = dict(id=c.id, title=c.title, summary=c.summary, status=c.status(), kind=c.kind, kind_label=c.kind_label, starts_on=c.starts_on, ends_on=c.ends_on,
                period_days=c.period_days, short_period_reason=c.short_period_reason,
                extensions=[ExtensionOut(**e) for e in c.extensions or []], responsible_unit=c.responsible_unit,
                offline_channels=c.offline_channels, contact_required=c.contact_required,
                url=url_for("opinions.consultation", consultation_id=c.id, _external=True) if c.announced_at else None)
    if detail:
        return ConsultationDetailOut(**data, draft_html=c.draft_html, explanation_html=c.explanation_html,
                                     articles=[ArticleOut(id=a.id, number=a.number, label=a.label, html=a.html)
                                               for a in c.articles]).model_dump(mode="json")
    return ConsultationOut(**data).model_dump(mode="json")


def public_comment(c: Comment, answered: bool) -> dict:
    return PublicCommentOut(id=c.id, article=c.article.label if c.article else None, source=c.source_label,
                            author=mask_name(c.author_name), content=c.content,
                            submitted_on=c.received_on or c.created_at.date(),
                            disposition=c.effective_disposition if answered else None,
                            reason=c.effective_reason if answered else None).model_dump(mode="json")


def _editor() -> bool:
    return has_permission(api_user(), Permission.CONTENT_VIEW, g.tenant)


def _consultation(consultation_id: int) -> Consultation:
    c = get_or_404(Consultation, consultation_id)
    if c.announced_at is None and not _editor():
        raise ApiError("不存在。", 404)
    return c


@bp.get("/consultations")
@operation("意见征集列表", response=ConsultationOut, response_list=True, tags=TAGS, errors=(400, 404),
           query={"status": {"type": "string", "enum": ["open", "closed", "answered", "scheduled", "all"],
                             "default": "all"}})
def consultations():
    status = request.args.get("status", "all")
    if status not in ("open", "closed", "answered", "scheduled", "all"):
        raise ApiError("status 只能是 open、closed、answered、scheduled 或 all。", 400)
    return jsonify([consultation_out(c) for c in db.session.scalars(services.by_status(status).limit(200))])


@bp.get("/consultations/<int:consultation_id>")
@operation("意见征集详情（含分条的征求意见稿）", response=ConsultationDetailOut, tags=TAGS, errors=(404,))
def consultation(consultation_id: int):
    return jsonify(consultation_out(_consultation(consultation_id), detail=True))


@bp.get("/consultations/<int:consultation_id>/comments")
@operation("已公开的意见（姓名脱敏，不含联系方式）", response=PublicCommentOut, response_list=True, tags=TAGS,
           errors=(404,), query={"page": {"type": "integer"}, "per_page": {"type": "integer", "maximum": 100}})
def comments(consultation_id: int):
    c = _consultation(consultation_id)
    page = paginate(services.select_published(c), *page_args(50))
    return jsonify([public_comment(x, c.feedback_published_at is not None) for x in page.items])


@bp.post("/consultations/<int:consultation_id>/comments")
@operation("提交意见（公众，无需登录）；返回查询码", response=CommentReceipt, body=CommentIn, status=201, tags=TAGS,
           errors=(404, 429))
@rate_limited
def submit(consultation_id: int, body: CommentIn):
    c = _consultation(consultation_id)
    if body.website:
        raise ApiError("提交未成功。", 400)
    comment = services.submit_comment(c, body.model_dump())
    db.session.commit()
    return jsonify(CommentReceipt(tracking_code=comment.tracking_code, status=comment.status,
                                  track_url=url_for("opinions.track", code=comment.tracking_code, _external=True)
                                  ).model_dump()), 201


@bp.get("/track/<code>")
@operation("按查询码查看意见的处理情况", response=TrackOut, tags=TAGS, errors=(404, 429))
@track_limit
def track(code: str):
    comment = services.comment_by_code(code)
    if comment is None or comment.consultation.announced_at is None:
        raise ApiError("查询码不存在，请核对后重试。", 404)
    answered = comment.consultation.feedback_published_at is not None
    return jsonify(TrackOut(consultation=comment.consultation.title, status=comment.status_label,
                            content=comment.content,
                            disposition=comment.effective_disposition if answered else None,
                            disposition_label=comment.disposition_label if answered else None,
                            reason=comment.effective_reason if answered else None).model_dump())


@bp.get("/consultations/<int:consultation_id>/feedback")
@operation("意见征集及采纳情况", response=FeedbackOut, tags=TAGS, errors=(404,))
def feedback(consultation_id: int):
    c = _consultation(consultation_id)
    if c.feedback_published_at is None:
        raise ApiError("采纳情况尚未发布。", 404)
    report = services.feedback_report(c)
    answers = [{"group": g.title, "comments": [x.id for x in g.comments], "disposition": g.disposition,
                "reason": g.reason} for g in report["groups"]]
    answers += [{"comment": x.id, "disposition": x.effective_disposition, "reason": x.effective_reason}
                for x in report["singles"]]
    return jsonify(FeedbackOut(consultation=c.title, published_at=c.feedback_published_at, received=report["received"],
                               by_source=dict(report["by_source"]), by_disposition=dict(report["by_disposition"]),
                               adoption_rate=report["adoption_rate"], answers=answers).model_dump(mode="json"))


# --- editors ----------------------------------------------------------------------------------

@bp.post("/consultations")
@operation("新建意见征集（草稿）", response=ConsultationDetailOut, body=ConsultationIn, auth=True, status=201,
           tags=TAGS, errors=(403, 404))
def create(body: ConsultationIn):
    c = services.create_consultation(api_user(), g.tenant, body.model_dump())
    db.session.commit()
    return jsonify(consultation_out(c, detail=True)), 201


@bp.patch("/consultations/<int:consultation_id>")
@operation("修改意见征集", response=ConsultationDetailOut, body=ConsultationPatch, tags=TAGS,
           errors=(403, 404, 409), permission=Permission.CONTENT_VIEW)
def update(consultation_id: int, body: ConsultationPatch):
    c = get_or_404(Consultation, consultation_id)
    services.update_consultation(api_user(), c, body.model_dump(exclude_unset=True))
    db.session.commit()
    return jsonify(consultation_out(c, detail=True))


@bp.post("/consultations/<int:consultation_id>/announce")
@operation("发布征集公告", response=ConsultationOut, tags=TAGS, errors=(403, 404, 409), permission=Permission.CONTENT_VIEW)
def announce(consultation_id: int):
    c = get_or_404(Consultation, consultation_id)
    services.announce(api_user(), c)
    db.session.commit()
    return jsonify(consultation_out(c))


@bp.post("/consultations/<int:consultation_id>/extend")
@operation("延长征集期限（理由公开）", response=ConsultationOut, body=ExtendIn, tags=TAGS,
           errors=(403, 404, 409), permission=Permission.CONTENT_VIEW)
def extend(consultation_id: int, body: ExtendIn):
    c = get_or_404(Consultation, consultation_id)
    services.extend(api_user(), c, body.ends_on, body.reason)
    db.session.commit()
    return jsonify(consultation_out(c))


@bp.post("/consultations/<int:consultation_id>/offline-comments")
@operation("录入线下意见（来信、来电、座谈会、听证会、实地走访）", response=PublicCommentOut, body=OfflineIn,
           status=201, tags=TAGS, errors=(403, 404, 409), permission=Permission.CONTENT_VIEW)
def offline(consultation_id: int, body: OfflineIn):
    c = get_or_404(Consultation, consultation_id)
    comment = services.add_offline_comment(api_user(), c, body.model_dump())
    db.session.commit()
    return jsonify(public_comment(comment, False)), 201


def _editor_comment(comment_id: int) -> Comment:
    require_permission(api_user(), Permission.CONTENT_VIEW, g.tenant)
    return get_or_404(Comment, comment_id)


@bp.post("/comments/<int:comment_id>/moderate")
@operation("审核意见：公开、不公开（须说明理由）或标记重复", response=PublicCommentOut, body=ModerateIn, auth=True,
           tags=TAGS, errors=(403, 404, 409))
def moderate(comment_id: int, body: ModerateIn):
    comment = _editor_comment(comment_id)
    services.moderate(api_user(), comment, body.action, reason=body.reason, duplicate_of=body.duplicate_of)
    db.session.commit()
    return jsonify(public_comment(comment, False))


@bp.put("/comments/<int:comment_id>/disposition")
@operation("答复一条意见（采纳、部分采纳、不予采纳须说明理由、无关）", response=PublicCommentOut, body=DispositionIn,
           auth=True, tags=TAGS, errors=(403, 404, 409))
def disposition(comment_id: int, body: DispositionIn):
    comment = _editor_comment(comment_id)
    services.set_disposition(api_user(), comment, body.disposition, body.reason)
    db.session.commit()
    return jsonify(public_comment(comment, True))


@bp.post("/consultations/<int:consultation_id>/groups")
@operation("合并答复多条相似意见", response=GroupOut, body=GroupIn, status=201, tags=TAGS, errors=(403, 404, 409),
           permission=Permission.CONTENT_VIEW)
def group(consultation_id: int, body: GroupIn):
    c = get_or_404(Consultation, consultation_id)
    saved = services.save_group(api_user(), c, title=body.title, comment_ids=body.comment_ids,
                                disposition=body.disposition, reason=body.reason)
    db.session.commit()
    return jsonify(GroupOut(id=saved.id, title=saved.title, disposition=saved.disposition,
                            comment_ids=[x.id for x in saved.comments]).model_dump()), 201


@bp.post("/consultations/<int:consultation_id>/feedback")
@operation("发布意见采纳情况（所有已公开意见都须有处理结果）", response=ConsultationOut, body=FeedbackIn,
           tags=TAGS, errors=(403, 404, 409), permission=Permission.CONTENT_VIEW)
def publish_feedback(consultation_id: int, body: FeedbackIn):
    c = get_or_404(Consultation, consultation_id)
    services.publish_feedback(api_user(), c, body.intro)
    db.session.commit()
    return jsonify(consultation_out(c))


