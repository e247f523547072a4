"""The working-day calendar kept by superadmins: single days, and a year's whole arrangement."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from core import audit
from core.clock import china_today
from core.db import db
from core.web.admin import bp
from core.workdays import (ArrangementError, CalendarOverride, arrangement_summary, coverage_source, in_year,
                           parse_arrangement, remove_override, set_override, set_year, YEARS)
from core.workdays.forms import CalendarForm, CalendarYearForm


@bp.route("/calendar", methods=["GET", "POST"])
@login_required
def calendar():
    """Working-day overrides (放假、调休), kept by superadmins for years the package does not know yet."""
    if not current_user.is_superadmin:
        abort(404)
    year = request.args.get("year", type=int) or china_today().year
    if year not in YEARS:
        abort(404)
    form = CalendarForm()
    if form.validate_on_submit():
        day = form.day.data
        if request.form.get("remove"):
            remove_override(day)
            audit.record("calendar.remove", summary=f"删除 {day} 的设置")
        else:
            set_override(day, form.kind.data == "workday", form.note.data or "")
            audit.record("calendar.set", summary=f"{day} 设为{'工作日' if form.kind.data == 'workday' else '休息日'} {form.note.data}")
        db.session.commit()
        flash("已保存。", "success")
        return redirect(url_for("admin.calendar", year=day.year))
    return calendar_page(year, form, CalendarYearForm(formdata=None))


@bp.post("/calendar/<int:year>")
@login_required
def calendar_year(year: int):
    """A year's whole arrangement pasted from the State Council's notice: replaces its overrides."""
    if not current_user.is_superadmin or year not in YEARS:
        abort(404)
    form = CalendarYearForm()
    if form.validate_on_submit():
        try:
            days = parse_arrangement(year, form.arrangement.data)
        except ArrangementError as exc:
            form.arrangement.errors = list(form.arrangement.errors) + exc.problems
        else:
            set_year(year, days, actor=current_user, source=form.source.data or "")
            db.session.commit()
            flash(f"已录入 {year} 年节假日安排：{arrangement_summary(days)}。", "success")
            return redirect(url_for("admin.calendar", year=year))
    return calendar_page(year, CalendarForm(formdata=None), form)


def calendar_page(year: int, form: CalendarForm, year_form: CalendarYearForm):
    overrides = [(o.day, o.is_workday, o.note) for o in db.session.scalars(
        select(CalendarOverride).where(in_year(year)).order_by(CalendarOverride.day))]
    return render_template("admin/calendar.html", year=year, source=coverage_source(year), overrides=overrides,
                           form=form, year_form=year_form)
