"""Public open-day pages: upcoming events across the subtree, the event with places left,
registration, the registrant's own page (by code: QR, cancel, rate), .ics and Atom."""
from __future__ import annotations

import io
import os

import segno
from flask import Blueprint, abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from sqlalchemy import select

from core.plugin_api import (across_subtree, ActionForm, choices, client_address, db, DomainError, get_or_404,
                             limiter, lookup_limit, show_error, Tenant)
from plugins.open_day import services
from plugins.open_day.forms import RateForm, RegisterForm
from plugins.open_day.ics import event_calendar
from plugins.open_day.models import OpenDay

bp = Blueprint("open_day", __name__, template_folder="templates")
LIMIT_MESSAGE = "操作过于频繁，请稍后再试。"


def _limit(name: str, default: str):
    return lambda: current_app.config.get(name) or os.environ.get(name) or default


# Registering: per address, shared by the form and the API. Looking codes up: slows guessing.
register_limit = limiter.shared_limit(_limit("OPEN_DAY_LIMIT_PER_ADDRESS", "10 per minute;50 per day"),
                                      scope="open-day-register", key_func=client_address, methods=["POST"],
                                      error_message=LIMIT_MESSAGE)
code_limit = lookup_limit("open-day-code", "OPEN_DAY_LIMIT_CODE_LOOKUPS")


def _public(event_id: int) -> OpenDay:
    event = get_or_404(OpenDay, event_id)
    if event.published_at is None:
        abort(404)
    return event


def register_form(event: OpenDay) -> RegisterForm:
    form = RegisterForm()
    form.group_size.choices = choices((n, f"{n} 人") for n in range(1, event.max_group_size + 1))
    return form


@bp.get("/")
def index():
    registry = current_app.extensions["cms"]
    # Open days of the tenant and, for a district, of its towns: one list for the whole county.
    with across_subtree(g.tenant, reason="open days of the tenant and its subtree"):
        upcoming = list(db.session.scalars(services.upcoming().limit(100)))
        past = list(db.session.scalars(services.past().limit(20)))
        tenants = {t.id: t for t in db.session.scalars(select(Tenant).where(
            Tenant.id.in_({e.tenant_id for e in upcoming + past})))}
    def shown(e):
        t = tenants[e.tenant_id]
        return t.is_active and registry.is_enabled(t, "open_day")
    months: dict[str, list] = {}
    for event in filter(shown, upcoming):
        key = event.starts_at.astimezone(services.CHINA_TZ).strftime("%Y年%m月")
        months.setdefault(key, []).append((event, tenants[event.tenant_id]))
    return render_template("open_day/index.html", tenant=g.tenant, months=months,
                           past=[(e, tenants[e.tenant_id]) for e in past if shown(e)])


@bp.get("/<int:event_id>")
def event(event_id: int):
    event = _public(event_id)
    review = services.satisfaction(event) if event.review_published_at else None
    return render_template("open_day/event.html", tenant=g.tenant, e=event, form=register_form(event),
                           status=event.status(), review=review)


@bp.post("/<int:event_id>/register")
@register_limit
def register(event_id: int):
    event = _public(event_id)
    form = register_form(event)
    if form.website.data:
        abort(400)
    if form.validate_on_submit():
        try:
            registration = services.register(event, form.data_for())
        except DomainError as exc:
            show_error(form, exc)
        else:
            db.session.commit()
            return redirect(url_for("open_day.registration", code=registration.code, new=1))
    return render_template("open_day/event.html", tenant=g.tenant, e=event, form=form, status=event.status(),
                           review=None), 400


def _registration(code: str):
    registration = services.registration_by_code(code)
    if registration is None or registration.open_day.published_at is None:
        abort(404)
    return registration


@bp.get("/registration")
@code_limit
def find_registration():
    code = services.normalise_code(request.args.get("code", ""))
    if not code or services.registration_by_code(code) is None:
        flash("没有找到这个报名码，请核对后重试。", "error")
        return redirect(request.referrer if (request.referrer or "").startswith(request.host_url)
                        else url_for("open_day.index"))
    return redirect(url_for("open_day.registration", code=code))


@bp.get("/registration/<code>")
@code_limit
def registration(code: str):
    registration = _registration(code)
    return render_template("open_day/registration.html", tenant=g.tenant, r=registration, e=registration.open_day,
                           position=services.waitlist_position(registration), rate_form=RateForm(),
                           new=request.args.get("new") == "1")


@bp.get("/registration/<code>/qr.svg")
@code_limit
def qr(code: str):
    registration = _registration(code)
    out = io.BytesIO()
    segno.make(registration.code, error="m").save(out, kind="svg", scale=8, border=2, xmldecl=False,
                                                  title=f"报名码 {registration.code}")
    response = make_response(out.getvalue())
    response.mimetype = "image/svg+xml"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/registration/<code>/cancel")
@code_limit
def cancel(code: str):
    registration = _registration(code)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        changed = services.cancel_registration(registration, by="self")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash("已取消报名。" if changed else "这个报名已经取消。", "success")
    return redirect(url_for("open_day.registration", code=registration.code))


@bp.post("/registration/<code>/rate")
@code_limit
def rate(code: str):
    registration = _registration(code)
    form = RateForm()
    if form.validate_on_submit():
        try:
            services.rate(registration, form.rating.data, form.feedback.data)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            db.session.commit()
            flash("感谢您的评价。", "success")
    else:
        flash("；".join(e for f in form for e in f.errors) or "请选择满意度。", "error")
    return redirect(url_for("open_day.registration", code=registration.code))


@bp.get("/<int:event_id>/calendar.ics")
def ics(event_id: int):
    event = _public(event_id)
    response = make_response(event_calendar(event, url_for("open_day.event", event_id=event.id, _external=True),
                                            request.host))
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = f"attachment; filename=open-day-{event.id}.ics"
    return response


@bp.get("/feed.atom")
def feed():
    entries = db.session.scalars(services.visible().order_by(OpenDay.published_at.desc()).limit(50)).all()
    response = make_response(render_template("open_day/feed.atom.xml", tenant=g.tenant, entries=entries,
                                             self_url=url_for("open_day.feed", _external=True),
                                             home_url=url_for("open_day.index", _external=True)))
    response.mimetype = "application/atom+xml"
    return response
