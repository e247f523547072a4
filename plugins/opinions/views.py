"""Public consultation pages: listings, the draft with its articles, commenting, tracking codes,
the feedback report."""
from __future__ import annotations

import os

from flask import Blueprint, abort, current_app, g, make_response, redirect, render_template, request, session, url_for
from sqlalchemy import select

from core.plugin_api import (across_subtree, choices, collect, client_address, csv_download, db, DomainError, get_or_404,
                             limiter, lookup_limit, page_args, paginate, show_error, Tenant)
from plugins.opinions import services
from plugins.opinions.forms import CommentForm, TrackForm
from plugins.opinions.models import STATUS_LABELS, Consultation

bp = Blueprint("opinions", __name__, template_folder="templates")
LISTS = {"open": "正在征集", "closed": "已结束", "answered": "已反馈"}


def comment_limit_per_address() -> str:
    return (current_app.config.get("OPINIONS_LIMIT_PER_ADDRESS") or os.environ.get("OPINIONS_LIMIT_PER_ADDRESS")
            or "10 per minute;60 per day")


def comment_limit_per_consultation() -> str:
    return (current_app.config.get("OPINIONS_LIMIT_PER_CONSULTATION")
            or os.environ.get("OPINIONS_LIMIT_PER_CONSULTATION") or "600 per hour")


def consultation_key() -> str:
    return f"consultation:{request.view_args.get('consultation_id')}"


LIMIT_MESSAGE = "提交过于频繁，请稍后再试。"
# Shared limits: the form and the API count against the same budget.
comment_limits = [
    limiter.shared_limit(comment_limit_per_address, scope="opinions-comment-address", key_func=client_address,
                         methods=["POST"], error_message=LIMIT_MESSAGE),
    limiter.shared_limit(comment_limit_per_consultation, scope="opinions-comment-consultation",
                         key_func=consultation_key, methods=["POST"], error_message=LIMIT_MESSAGE),
]


def rate_limited(view):
    for decorator in comment_limits:
        view = decorator(view)
    return view


def article_choices(consultation: Consultation):
    return choices([("", "整体意见（不针对具体条款）")] + [(str(a.id), a.label) for a in consultation.articles])


def _public(consultation_id: int) -> Consultation:
    consultation = get_or_404(Consultation, consultation_id)
    if consultation.announced_at is None:
        abort(404)  # drafts are never public
    return consultation


@bp.get("/")
def index():
    current = request.args.get("status", "open")
    if current not in LISTS:
        current = "open"
    page = paginate(services.by_status(current), *page_args())
    elsewhere = []
    if g.tenant.kind == "district" and current == "open":
        # The district page gathers every open consultation of its towns.
        registry = current_app.extensions["cms"]
        with across_subtree(g.tenant, reason="district page: open consultations of the towns"):
            found = list(db.session.scalars(services.by_status("open").where(Consultation.tenant_id != g.tenant.id)))
            tenants = {t.id: t for t in db.session.scalars(select(Tenant).where(Tenant.id.in_({c.tenant_id for c in found})))}
        # Only where the public can follow the link: active towns that have consultations switched on.
        elsewhere = [(c, tenants[c.tenant_id]) for c in found
                     if tenants[c.tenant_id].is_active and registry.is_enabled(tenants[c.tenant_id], "opinions")]
    return render_template("opinions/index.html", tenant=g.tenant, page=page, current=current, lists=LISTS,
                           elsewhere=elsewhere)


@bp.get("/<int:consultation_id>")
def consultation(consultation_id: int):
    consultation = _public(consultation_id)
    form = CommentForm()
    form.article_id.choices = article_choices(consultation)
    if request.args.get("article"):
        form.article_id.data = request.args.get("article")
    comments = services.published_comments(consultation)
    # Where else this consultation appears (the decision item it is the 预公开 of), through a hook.
    appears_in = collect(current_app.extensions["cms"].hook_for(g.tenant, "document_references"), tenant=g.tenant,
                         ref=f"opinions:consultation:{consultation.id}")
    return render_template("opinions/consultation.html", tenant=g.tenant, c=consultation, form=form,
                           comments=comments, status=consultation.status(), status_labels=STATUS_LABELS,
                           period=services.period_label(consultation), appears_in=appears_in)


@bp.post("/<int:consultation_id>/comments")
@rate_limited
def comment(consultation_id: int):
    consultation = _public(consultation_id)
    form = CommentForm()
    form.article_id.choices = article_choices(consultation)
    if form.website.data:  # the honeypot: people never see this field, robots fill it
        abort(400)
    if form.validate_on_submit():
        try:
            comment = services.submit_comment(consultation, form.comment_data())
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            session["opinions_code"] = comment.tracking_code
            return redirect(url_for("opinions.thanks", consultation_id=consultation.id))
    comments = services.published_comments(consultation)
    return render_template("opinions/consultation.html", tenant=g.tenant, c=consultation, form=form, comments=comments,
                           status=consultation.status(), status_labels=STATUS_LABELS), 400


@bp.get("/<int:consultation_id>/thanks")
def thanks(consultation_id: int):
    consultation = _public(consultation_id)
    code = session.pop("opinions_code", None)
    if code is None:
        return redirect(url_for("opinions.consultation", consultation_id=consultation.id))
    return render_template("opinions/thanks.html", tenant=g.tenant, c=consultation, code=code)


# Looking a comment up by its tracking code, by page or API: slows guessing (issue 17).
track_limit = lookup_limit("opinions-track", "OPINIONS_LIMIT_CODE_LOOKUPS")


@bp.get("/track")
@track_limit
def track():
    form = TrackForm(request.args, meta={"csrf": False})
    comment = None
    looked_up = bool(request.args.get("code"))
    if looked_up:
        comment = services.comment_by_code(request.args["code"])
        if comment is not None and comment.consultation.announced_at is None:
            comment = None
    return render_template("opinions/track.html", tenant=g.tenant, form=form, comment=comment, looked_up=looked_up)


@bp.get("/<int:consultation_id>/feedback")
def feedback(consultation_id: int):
    consultation = _public(consultation_id)
    if consultation.feedback_published_at is None:
        abort(404)
    return render_template("opinions/feedback.html", tenant=g.tenant, c=consultation,
                           report=services.feedback_report(consultation))


@bp.get("/<int:consultation_id>/feedback.csv")
def feedback_csv(consultation_id: int):
    consultation = _public(consultation_id)
    if consultation.feedback_published_at is None:
        abort(404)
    return csv_download(services.report_rows(consultation), f"{consultation.title}意见采纳情况.csv", "feedback.csv")


@bp.get("/feed.atom")
def feed():
    entries = db.session.scalars(services.by_status("all").limit(50)).all()
    response = make_response(render_template("opinions/feed.atom.xml", tenant=g.tenant, entries=entries,
                                             self_url=url_for("opinions.feed", _external=True),
                                             home_url=url_for("opinions.index", _external=True)))
    response.mimetype = "application/atom+xml"
    return response
