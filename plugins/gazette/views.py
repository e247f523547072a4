"""Public pages of the gazette: the latest issue, the archive by year, an issue's contents, articles
(readable on a phone, with previous / next), the PDF, classified browsing, search and the feed."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, g, make_response, render_template, request, send_file, url_for
from core.plugin_api import collect, db, get_or_404, int_arg, NotFound, page_args
from plugins.gazette import pdf, services
from plugins.gazette.models import VALIDITY_LABELS, GazetteArticle, GazetteIssue

bp = Blueprint("gazette", __name__, template_folder="templates")


@bp.context_processor
def _search_form_context() -> dict:
    return {"field_labels": services.SEARCH_FIELD_LABELS}


def _issue_or_404(year: int, number: int) -> GazetteIssue:
    try:
        return services.issue_by_number(year, number)
    except NotFound:
        abort(404)


@bp.get("/")
def index():
    gazette = services.gazette_for(g.tenant, create=False)
    issues = db.session.scalars(services.published_issues().order_by(
        GazetteIssue.published_on.desc(), GazetteIssue.total_number.desc()).limit(13)).all()
    latest = issues[0] if issues else None
    return render_template("gazette/index.html", tenant=g.tenant, gazette=gazette, latest=latest,
                           recent=issues[1:], years=services.years(g.tenant))


@bp.get("/<int(min=1900,max=2200):year>/")
def year(year: int):
    issues = db.session.scalars(services.published_issues().where(GazetteIssue.year == year)
                                .order_by(GazetteIssue.number)).all()
    if not issues:
        abort(404)
    return render_template("gazette/year.html", tenant=g.tenant, gazette=services.gazette_for(g.tenant, create=False),
                           year=year, issues=issues, years=services.years(g.tenant))


def _adjacent(issue: GazetteIssue):
    base = services.published_issues()
    before = db.session.scalar(base.where(GazetteIssue.total_number < issue.total_number)
                               .order_by(GazetteIssue.total_number.desc()).limit(1))
    after = db.session.scalar(base.where(GazetteIssue.total_number > issue.total_number)
                              .order_by(GazetteIssue.total_number).limit(1))
    return before, after


@bp.get("/<int(min=1900,max=2200):year>/<int(min=1,max=999):number>/")
def issue(year: int, number: int):
    issue = _issue_or_404(year, number)
    before, after = _adjacent(issue)
    return render_template("gazette/issue.html", tenant=g.tenant, issue=issue, toc=issue.table_of_contents(),
                           before=before, after=after)


@bp.get("/<int(min=1900,max=2200):year>/<int(min=1,max=999):number>.pdf")
def issue_pdf(year: int, number: int):
    issue = _issue_or_404(year, number)
    path = pdf.cached_path(issue)
    if path is None:
        path = pdf.ensure_pdf(issue)
        db.session.commit()
    response = send_file(path, mimetype="application/pdf", conditional=True, max_age=3600,
                         download_name=f"{issue.gazette_name or 'gazette'}-{issue.year}-{issue.number:02d}.pdf")
    response.headers["Content-Disposition"] = "inline; " + response.headers["Content-Disposition"].split(";", 1)[1]
    return response


@bp.get("/articles/<int:article_id>")
def article(article_id: int):
    article = get_or_404(GazetteArticle, article_id)
    if not article.issue.is_published:
        abort(404)
    previous, following = services.neighbours(article)
    superseded_by = article.superseded_by if article.superseded_by and article.superseded_by.issue.is_published \
        else None
    corrects = article.corrects if article.corrects and article.corrects.issue.is_published else None
    # What other plugins show about this article (its 政策解读, a decision it records), through a hook;
    # an article reprinting another plugin's document shares that document's references.
    hook = current_app.extensions["cms"].hook_for(g.tenant, "document_references")
    refs = [f"gazette:article:{article.id}"] + ([article.source_ref] if article.source_ref else [])
    related = sorted({(n.url, n.title): n for ref in refs for n in collect(hook, tenant=g.tenant, ref=ref)
                      if n.plugin != "gazette"}.values(), key=lambda n: (n.order, n.title))
    return render_template("gazette/article.html", tenant=g.tenant, article=article, issue=article.issue,
                           previous=previous, following=following, superseded_by=superseded_by, corrects=corrects,
                           errata=services.errata_for(article), related=related)


def _query() -> services.ArchiveQuery:
    return services.ArchiveQuery(q=request.args.get("q", ""), field=request.args.get("field", "all"),
                                 section=request.args.get("section"), issuer=request.args.get("issuer"),
                                 year=int_arg("year", 1900, 2200), validity=request.args.get("validity"),
                                 sort=request.args.get("sort"))


@bp.get("/search")
def search():
    query = _query()
    page, facets = services.archive_page(query, *page_args()) if not query.is_empty else (None, None)
    return render_template("gazette/search.html", tenant=g.tenant, query=query, page=page, facets=facets,
                           validity_labels=VALIDITY_LABELS)


@bp.get("/browse")
def browse():
    return render_template("gazette/browse.html", tenant=g.tenant, sections=services.section_counts(g.tenant),
                           issuers=services.issuer_counts(g.tenant), years=services.years(g.tenant),
                           article_years=services.facets(services.ArchiveQuery())["year"])


@bp.get("/feed.atom")
def feed():
    issues = db.session.scalars(services.published_issues().order_by(
        GazetteIssue.published_at.desc(), GazetteIssue.id.desc()).limit(24)).all()
    response = make_response(render_template(
        "gazette/feed.atom.xml", tenant=g.tenant, gazette=services.gazette_for(g.tenant, create=False),
        issues=issues, self_url=url_for("gazette.feed", _external=True),
        home_url=url_for("gazette.index", _external=True)))
    response.mimetype = "application/atom+xml"
    return response

