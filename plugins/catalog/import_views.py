"""The import page's steps: upload a workbook, review the proposed matches, confirm.

The parsed rows wait server side between the preview and the confirmation: in the person's
session (always server-side: the cookie holds only a random id), compressed, with a random token
that the preview form carries, the tenant and the person. The confirmation is refused unless all
three agree, so another tenant's editor (or an older preview in another tab) cannot confirm it,
and the editor's choices are checked again against the tenant's items (excel.apply_import).
Nothing is written before the confirmation. A preview lasts PREVIEW_TTL: an editor who walks away
does not leave the file's rows in the session; a stale one is dropped on the next visit of the
import page and refused on confirmation.
"""
from __future__ import annotations

import hmac
import json
import re
import secrets
import zlib
from datetime import timedelta

from flask import flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField

from core.plugin_api import check_size, choices, db, DomainError, LimitExceeded, show_error, utcnow
from plugins.catalog import excel, services
from plugins.catalog.forms import ImportForm

SESSION_KEY = "catalog_import"
NEW = "new"
MAX_OPTIONS = 60        # items offered per row, the likeliest first (a domain has a dozen or so)
EXPIRED = "导入预览已失效（已经确认过，或者之后又上传了另一个文件），请重新上传目录文件。"
PREVIEW_TTL = timedelta(minutes=30)
STALE = "导入预览已超过 30 分钟未确认，已失效，请重新上传目录文件。"
ITEM_ID_RE = re.compile(r"[0-9]{1,9}")   # ASCII digits only: "²".isdigit() is true, int("²") fails


class ConfirmImportForm(FlaskForm):
    token = HiddenField()
    names = RadioField("对应到已有事项时，事项名称", default="standard", validate_choice=False, choices=choices([
        ("standard", "保留目录中已有的名称（推荐：与标准目录保持一致）"),
        ("file", "改用导入文件中的名称")]))


def import_page(domain_choices: list[tuple[str, str]]):
    """GET: the upload form. POST with a file: the preview. POST with a token: the confirmation."""
    if request.method == "POST" and "token" in request.form:
        return _confirm()
    if request.method == "GET" and _stale(session.get(SESSION_KEY)):
        session.pop(SESSION_KEY, None)
    form = ImportForm()
    form.domain_code.choices = choices([("", "按工作表标题自动判断")] + domain_choices)
    problems: list[str] = []
    if form.validate_on_submit():
        upload = request.files.get("file")
        if not upload or not upload.filename.lower().endswith(".xlsx"):
            form.file.errors = ["请选择 .xlsx 格式的目录文件。"]
        else:
            try:
                data = upload.read()
                check_size(len(data), "目录文件")
                parsed, plan = excel.preview_import(current_user, g.tenant, data,
                                                    domain_code=form.domain_code.data or None)
            except LimitExceeded as exc:
                problems = [exc.message]
            except excel.ImportRefused as exc:
                problems = exc.problems
            except DomainError as exc:
                show_error(form, exc)
            else:
                token = secrets.token_urlsafe(24)
                session[SESSION_KEY] = {
                    "token": token, "tenant": g.tenant.id, "user": current_user.id,
                    "filename": upload.filename[:200], "at": utcnow().timestamp(),
                    "rows": zlib.compress(json.dumps(excel.serialise(parsed), ensure_ascii=False).encode()),
                }
                confirm = ConfirmImportForm(token=token)
                return _preview(plan, confirm, upload.filename[:200])
            db.session.rollback()
    return render_template("catalog/admin_import.html", tenant=g.tenant, form=form, problems=problems, preview=None)


def _stale(pending) -> bool:
    """A preview older than PREVIEW_TTL (or without its time: from before previews expired)."""
    if not isinstance(pending, dict):
        return pending is not None
    at = pending.get("at")
    return not isinstance(at, (int, float)) or utcnow().timestamp() - at > PREVIEW_TTL.total_seconds()


def _pending(token: str) -> dict | None:
    pending = session.get(SESSION_KEY)
    if not isinstance(pending, dict) or not token:
        return None
    if not hmac.compare_digest(str(pending.get("token", "")), token):
        return None
    if pending.get("tenant") != g.tenant.id or pending.get("user") != current_user.id:
        return None
    return pending


def _choices_from_form(plan: excel.ImportPlan) -> dict[int, int | None]:
    """The editor's select per row; a value that is neither 新增 nor a number becomes an invalid id."""
    out: dict[int, int | None] = {}
    for row, _ in plan.rows:
        value = request.form.get(f"match-{row.n}")
        if value is None:
            continue                      # not sent: the proposal stands
        out[row.n] = None if value == NEW else int(value) if ITEM_ID_RE.fullmatch(value) else -1
    return out


def _confirm():
    confirm = ConfirmImportForm()
    pending = _pending(request.form.get("token", ""))
    if pending is not None and _stale(pending):
        session.pop(SESSION_KEY, None)
        flash(STALE, "error")
        return redirect(url_for("catalog_admin.import_catalog"))
    if pending is None or not confirm.validate_on_submit():
        flash(EXPIRED if pending is None else "页面已过期，请重新上传目录文件。", "error")
        return redirect(url_for("catalog_admin.import_catalog"))
    parsed = excel.deserialise(json.loads(zlib.decompress(pending["rows"])))
    plan = excel.plan_import(g.tenant, parsed)
    chosen = _choices_from_form(plan)
    try:
        report = excel.apply_import(current_user, g.tenant, parsed, chosen, keep_names=confirm.names.data != "file",
                                    filename=pending.get("filename", ""), plan=plan)
    except excel.ImportRefused as exc:
        db.session.rollback()   # nothing was written: the plan still holds
        return _preview(plan, confirm, pending.get("filename", ""), chosen=chosen, problems=exc.problems)
    except DomainError as exc:
        db.session.rollback()
        return _preview(plan, confirm, pending.get("filename", ""), chosen=chosen, problems=[exc.message])
    db.session.commit()
    session.pop(SESSION_KEY, None)
    flash("导入完成：" + report.summary(), "success")
    return redirect(url_for("catalog_admin.items"))


def _label(candidate) -> str:
    return f"{candidate.parent_name} / {candidate.name}" if candidate.parent_name else candidate.name


def _preview(plan: excel.ImportPlan, confirm: ConfirmImportForm, filename: str, *, chosen=None, problems=()):
    domains = services.domains_for(g.tenant)
    rows = []
    for row, parsed in plan.rows:
        proposal = plan.proposals[row.n]
        selected = chosen[row.n] if chosen and row.n in chosen else proposal.item_id
        options = [(NEW, "新增事项", selected is None)]
        ranked = plan.options(row)
        shown = ranked[:MAX_OPTIONS] + [(c, v) for c, v in ranked[MAX_OPTIONS:] if c.id == selected]
        options += [(str(c.id), _label(c), c.id == selected) for c, _ in shown]
        domain = domains.get(row.domain_code)
        rows.append({"n": row.n, "number": row.n + 1, "domain": domain.name if domain else row.domain_code,
                     "name": row.name, "parent_name": row.parent_name, "group": row.group,
                     "time_limit": parsed.fields.get("time_limit", ""), "options": options,
                     "proposal": proposal, "proposed": next((label for value, label, _ in options
                                                             if value == str(proposal.item_id)), "新增事项")})
    matched = sum(1 for r in rows if r["proposal"].item_id is not None)
    return render_template("catalog/admin_import.html", tenant=g.tenant, form=None, problems=list(problems),
                           preview={"rows": rows, "filename": filename, "matched": matched,
                                    "new": len(rows) - matched}, confirm=confirm, new_value=NEW)
