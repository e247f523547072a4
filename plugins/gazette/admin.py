"""Editors' pages: the gazette's settings, issues, their contents in print order, articles (typed,
or taken from a published catalog record), the PDF preview, publication, validity and errata."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from core.plugin_api import (ActionForm, choices, db, DomainError, get_or_404, has_permission, import_word,
                            page_args, paginate, Permission, requires, run_button, run_form, save_uploads)
from plugins.gazette import pdf, services
from plugins.gazette.forms import ArticleForm, IssueForm, SettingsForm, ValidityForm
from plugins.gazette.models import GazetteArticle, GazetteIssue

bp = Blueprint("gazette_admin", __name__, template_folder="templates")


@bp.get("/")
@requires(Permission.CONTENT_VIEW)
def index():
    stmt = select(GazetteIssue).order_by(GazetteIssue.year.desc(), GazetteIssue.number.desc())
    page = paginate(stmt, *page_args())
    return render_template("gazette/admin_index.html", tenant=g.tenant, page=page,
                           gazette=services.gazette_for(g.tenant, create=False))


@bp.route("/settings", methods=["GET", "POST"])
@requires(Permission.TENANT_MANAGE)
def settings():
    gazette = services.gazette_for(g.tenant)
    form = SettingsForm(obj=gazette if request.method == "GET" else None)
    if request.method == "GET":
        form.sections.data = "\n".join(gazette.sections or [])
    if form.validate_on_submit():
        done = run_form(form, lambda: services.update_settings(current_user, g.tenant, form.settings_data()),
                        message=lambda changed: "已保存。" if changed else "没有改动。",
                        then=url_for("gazette_admin.index"))
        if done:
            return done
    return render_template("gazette/admin_settings.html", tenant=g.tenant, form=form)


@bp.route("/issues/new", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def issue_new():
    form = IssueForm()
    if request.method == "GET":
        from core.plugin_api import china_today
        numbers = services.next_numbers(g.tenant)
        form.year.data, form.number.data, form.total_number.data = (numbers["year"], numbers["number"],
                                                                    numbers["total_number"])
        form.published_on.data = china_today()
        form.sections.data = "\n".join(services.gazette_for(g.tenant, create=False).sections or [])
    if form.validate_on_submit():
        done = run_form(form, lambda: services.create_issue(current_user, g.tenant, form.issue_data()),
                        message=lambda issue: f"已新建{issue.label}，请加入文章。",
                        then=lambda issue: url_for("gazette_admin.issue", issue_id=issue.id))
        if done:
            return done
    return render_template("gazette/admin_issue_form.html", tenant=g.tenant, form=form, issue=None)


@bp.get("/issues/<int:issue_id>")
@requires(Permission.CONTENT_VIEW)
def issue(issue_id: int):
    issue = get_or_404(GazetteIssue, issue_id)
    return render_template("gazette/admin_issue.html", tenant=g.tenant, issue=issue, toc=issue.table_of_contents(),
                           action=ActionForm(), pdf_current=pdf.cached_path(issue) is not None if issue.articles
                           else False,
                           can_edit=has_permission(current_user, Permission.CONTENT_EDIT, g.tenant),
                           can_publish=has_permission(current_user, Permission.CONTENT_EDIT, g.tenant)
                           or has_permission(current_user, Permission.CONTENT_PUBLISH, g.tenant))


@bp.route("/issues/<int:issue_id>/edit", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def issue_edit(issue_id: int):
    issue = get_or_404(GazetteIssue, issue_id)
    if issue.is_published:
        flash(services.IssueFrozen().message, "error")
        return redirect(url_for("gazette_admin.issue", issue_id=issue.id))
    form = IssueForm(obj=issue if request.method == "GET" else None)
    if request.method == "GET":
        form.sections.data = "\n".join(issue.sections or [])
    if form.validate_on_submit():
        done = run_form(form, lambda: services.update_issue(current_user, issue, form.issue_data()),
                        message=lambda changed: "已保存。" if changed else "没有改动。",
                        then=url_for("gazette_admin.issue", issue_id=issue.id))
        if done:
            return done
    return render_template("gazette/admin_issue_form.html", tenant=g.tenant, form=form, issue=issue)


def _action(issue: GazetteIssue, act, *, to=None):
    back = url_for("gazette_admin.issue", issue_id=issue.id)
    return run_button(act, then=to or back, back=back)


@bp.post("/issues/<int:issue_id>/publish")
@requires(Permission.CONTENT_VIEW)
def issue_publish(issue_id: int):
    issue = get_or_404(GazetteIssue, issue_id)
    if request.form.get("confirm") != "yes":
        flash("请勾选“已核对目录和 PDF，确认出版”。出版后内容不能再修改。", "error")
        return redirect(url_for("gazette_admin.issue", issue_id=issue.id))

    def act():
        services.publish_issue(current_user, issue)
        return f"{issue.label}已出版。"
    return _action(issue, act)


@bp.post("/issues/<int:issue_id>/delete")
@requires(Permission.CONTENT_EDIT)
def issue_delete(issue_id: int):
    issue = get_or_404(GazetteIssue, issue_id)

    def act():
        label = issue.label
        services.delete_issue(current_user, issue)
        return f"已删除{label}。"
    return _action(issue, act, to=url_for("gazette_admin.index"))


@bp.get("/issues/<int:issue_id>/preview.pdf")
@requires(Permission.CONTENT_VIEW)
def issue_pdf(issue_id: int):
    issue = get_or_404(GazetteIssue, issue_id)
    if not issue.articles:
        flash("本期还没有文章，无法生成 PDF。", "error")
        return redirect(url_for("gazette_admin.issue", issue_id=issue.id))
    try:
        path = pdf.ensure_pdf(issue)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("gazette_admin.issue", issue_id=issue.id))
    db.session.commit()
    # Named in Chinese as people file it (RFC 6266 filename*, with an ASCII fallback from Werkzeug)
    response = send_file(path, mimetype="application/pdf",
                         download_name=f"{pdf.cover_text(issue)[0]}{issue.year}年第{issue.number}期（预览）.pdf")
    response.headers["Cache-Control"] = "no-store"
    return response


# --- articles -----------------------------------------------------------------------------------

def _article_choices(form: ArticleForm, issue: GazetteIssue) -> None:
    form.section.choices = choices((s, s) for s in issue.sections or [])
    earlier = db.session.scalars(services.published_articles().where(
        GazetteIssue.total_number < issue.total_number).order_by(GazetteIssue.total_number.desc(),
                                                                 GazetteArticle.id).limit(300)).all()
    form.corrects_id.choices = choices([("", "（不是勘误）")] + [
        (a.id, f"{a.issue.short_label}　{a.title}{'（' + a.doc_no + '）' if a.doc_no else ''}") for a in earlier])


@bp.route("/issues/<int:issue_id>/articles/new", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def article_new(issue_id: int):
    issue = get_or_404(GazetteIssue, issue_id)
    if issue.is_published:
        flash(services.IssueFrozen().message, "error")
        return redirect(url_for("gazette_admin.issue", issue_id=issue.id))
    form = ArticleForm()
    _article_choices(form, issue)
    found = services.find_sources(g.tenant, request.args.get("find", "")) if request.args.get("find") else None
    source = None
    if request.method == "GET":
        form.section.data = request.args.get("section") or (issue.sections[0] if issue.sections else "")
        if request.args.get("source"):
            source = services.source(g.tenant, request.args["source"])
            if source is None:
                flash("要引用的政府信息不存在或尚未公开。", "error")
            else:
                fields = services.fields_from_source(g.tenant, source.ref)
                form.title.data, form.doc_no.data = fields["title"], fields["doc_no"]
                form.issuers.data = "\n".join(fields["issuers"])
                form.written_date.data, form.effective_date.data = fields["written_date"], fields["effective_date"]
                form.body.data, form.source_ref.data = fields["body"], source.ref
    elif form.source_ref.data:
        source = services.source(g.tenant, form.source_ref.data)
    if import_word(form, form.body, title=form.title, doc_no=form.doc_no):
        pass
    elif form.validate_on_submit():
        def act():
            data = form.article_data() | {"attachment_ids": save_uploads(form.files.name),
                                          "source_ref": form.source_ref.data or ""}
            article = services.add_article(current_user, issue, data)
            return article
        done = run_form(form, act, message=lambda article: f"已加入“{article.title}”。",
                        then=lambda article: url_for("gazette_admin.issue", issue_id=issue.id) + f"#a{article.id}")
        if done:
            return done
    return render_template("gazette/admin_article_form.html", tenant=g.tenant, form=form, issue=issue, article=None,
                           found=found, source=source, find=request.args.get("find", ""))


@bp.route("/articles/<int:article_id>", methods=["GET", "POST"])
@requires(Permission.CONTENT_VIEW)
def article_edit(article_id: int):
    article = get_or_404(GazetteArticle, article_id)
    issue = article.issue
    if issue.is_published:
        return redirect(url_for("gazette_admin.article_validity", article_id=article.id))
    form = ArticleForm(obj=article if request.method == "GET" else None)
    _article_choices(form, issue)
    if request.method == "GET":
        form.issuers.data = "\n".join(article.issuers or [])
        form.corrects_id.data = str(article.corrects_id or "")
    form.body.offer_images(article.attachments)
    can_edit = has_permission(current_user, Permission.CONTENT_EDIT, g.tenant)
    if can_edit and import_word(form, form.body, title=form.title, doc_no=form.doc_no):
        pass
    elif request.method == "POST" and form.validate_on_submit():
        keep = [a.id for a in article.attachments if str(a.id) not in request.form.getlist("remove_attachment")]

        def act():
            data = form.article_data() | {"attachment_ids": keep + save_uploads(form.files.name),
                                          "source_ref": form.source_ref.data or ""}
            changed = services.update_article(current_user, article, data)
            return changed
        done = run_form(form, act, message=lambda changed: "已保存。" if changed else "没有改动。",
                        then=url_for("gazette_admin.issue", issue_id=issue.id) + f"#a{article.id}")
        if done:
            return done
    return render_template("gazette/admin_article_form.html", tenant=g.tenant, form=form, issue=issue,
                           article=article, found=None, source=services.source(g.tenant, article.source_ref),
                           can_edit=can_edit, find="")


@bp.post("/articles/<int:article_id>/delete")
@requires(Permission.CONTENT_EDIT)
def article_delete(article_id: int):
    article = get_or_404(GazetteArticle, article_id)
    issue = article.issue

    def act():
        title = article.title
        services.delete_article(current_user, article)
        return f"已删去“{title}”。"
    return _action(issue, act)


@bp.post("/articles/<int:article_id>/move")
@requires(Permission.CONTENT_EDIT)
def article_move(article_id: int):
    article = get_or_404(GazetteArticle, article_id)
    offset = -1 if request.form.get("direction") == "up" else 1

    def act():
        services.move_article(current_user, article, offset)
        return ""
    return _action(article.issue, act, to=url_for("gazette_admin.issue", issue_id=article.issue_id)
                   + f"#a{article.id}")


@bp.route("/articles/<int:article_id>/validity", methods=["GET", "POST"])
@requires(Permission.CONTENT_VIEW)
def article_validity(article_id: int):
    article = get_or_404(GazetteArticle, article_id)
    form = ValidityForm(obj=article if request.method == "GET" else None)
    others = db.session.scalars(services.published_articles().where(GazetteArticle.id != article.id)
                                .order_by(GazetteIssue.total_number.desc(), GazetteArticle.id).limit(300)).all()
    form.superseded_by.choices = choices([("", "（无）")] + [
        (a.id, f"{a.issue.short_label}　{a.title}{'（' + a.doc_no + '）' if a.doc_no else ''}") for a in others])
    if request.method == "GET":
        form.superseded_by.data = str(article.superseded_by_id or "")
        form.note.data = article.validity_note
    if request.method == "POST" and form.validate_on_submit():
        def act():
            if not article.issue.is_published:
                raise DomainError("文章所在的一期出版后才需要标注时效。")
            services.set_validity(current_user, article, form.validity.data, on=form.validity_date.data,
                                  superseded_by=form.superseded_by.data or None, note=form.note.data or "")
        done = run_form(form, act, message=f"已将“{article.title}”标记为{article.validity_label}。",
                        then=url_for("gazette_admin.article_validity", article_id=article.id))
        if done:
            return done
    return render_template("gazette/admin_validity.html", tenant=g.tenant, article=article, issue=article.issue,
                           form=form, errata=services.errata_for(article),
                           can_change=has_permission(current_user, Permission.CONTENT_EDIT, g.tenant)
                           or has_permission(current_user, Permission.CONTENT_PUBLISH, g.tenant))
