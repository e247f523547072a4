"""Editors' pages: the catalog, records and their workflow, consistency, Excel, supervision."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from core.plugin_api import (audit, china_today, choices, collect, csv_download, db, get_or_404, has_permission, import_word,
                             page_args, paginate, Permission, require_permission, requires, run_button, run_form,
                             save_uploads, Tenant, tenant_by_slug)
from plugins.catalog import excel, services, standard
from plugins.catalog import supervision as monitor
from plugins.catalog.forms import (ApplicabilityForm, CustomDomainForm, ItemForm, PublishForm, RecordForm, ReturnForm,
                                   SettingsForm, ValidityForm, format_basis_lines)
from plugins.catalog.models import STATUS_LABELS, CatalogItem, CustomDomain, Record

bp = Blueprint("catalog_admin", __name__, template_folder="templates")


def _domain_choices(tenant: Tenant) -> list[tuple[str, str]]:
    """The domains a tenant may add items to: every one for a district; the pilot domains and those
    reaching its level for a town; the village categories and custom domains of 村级 for a village."""
    level = services.tenant_level(tenant)
    domains = services.domains_for(tenant, active_only=True).values()
    if tenant.kind == "district":
        allowed = list(domains)
    elif tenant.kind == "town":
        allowed = [d for d in domains if d.kind == "pilot" or (d.kind != "village" and d.reaches(level))]
    else:
        allowed = [d for d in domains if d.reaches(level)]
    return [(d.code, f"{d.code} {d.name}") for d in allowed]


# --- items ------------------------------------------------------------------------------------

@bp.get("/")
@requires(Permission.CONTENT_VIEW)
def index():
    return redirect(url_for("catalog_admin.records"))


@bp.get("/items")
@requires(Permission.CONTENT_VIEW)
def items():
    rows = services.tree(g.tenant)
    counts = dict(db.session.execute(select(Record.item_id, db.func.count()).where(Record.tenant_id == g.tenant.id)
                                     .group_by(Record.item_id)).all())
    return render_template("catalog/admin_items.html", tenant=g.tenant, rows=rows, counts=counts,
                           level=services.tenant_level(g.tenant), form=ApplicabilityForm())


@bp.route("/items/new", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def item_new():
    parent = get_or_404(CatalogItem, request.args.get("parent", type=int)) if request.args.get("parent") else None
    form = ItemForm()
    form.domain_code.choices = choices(_domain_choices(g.tenant))
    if parent is not None:
        form.domain_code.data = parent.domain_code
    if request.method == "GET":
        form.levels.data = [services.tenant_level(g.tenant)]
        chosen = services.domains_for(g.tenant, active_only=True).get(request.args.get("domain") or "")
        if parent is None and chosen is not None:   # from a custom domain's page: its code and levels
            form.domain_code.data = chosen.code
            if chosen.kind == "custom":
                form.levels.data = list(chosen.levels)
        form.methods.data = ["主动"]
        form.channels.data = ["政府网站"]
        form.time_limit.data = standard.DEFAULT_TIME_LIMIT
        form.responsible_body.data = g.tenant.name
    if form.validate_on_submit():
        done = run_form(form, lambda: services.create_item(current_user, g.tenant, form.item_data(), parent=parent),
                        message=lambda item: f"已新增事项“{item.name}”。",
                        then=lambda item: url_for("catalog_admin.items") + f"#item-{item.id}")
        if done:
            return done
    return render_template("catalog/admin_item_form.html", tenant=g.tenant, form=form, item=None, parent=parent)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def item_edit(item_id: int):
    item = get_or_404(CatalogItem, item_id)
    form = ItemForm(obj=item if request.method == "GET" else None)
    form.domain_code.choices = choices(_domain_choices(g.tenant))
    form.domain_code.data = item.domain_code
    if request.method == "GET":
        form.content_elements.data = "\n".join(item.content_elements or [])
        form.legal_basis.data = format_basis_lines(item.legal_basis or [])
    if form.validate_on_submit():
        data = form.item_data()
        data.pop("domain_code")

        def act():
            return services.update_item(current_user, item, data)
        done = run_form(form, act, message=lambda changed: "已保存。" if changed else "没有改动。",
                        then=url_for("catalog_admin.items") + f"#item-{item.id}")
        if done:
            return done
    source = None
    if item.source_id:
        source = next((s for s in services._flat(services.template_for(g.tenant)) if s.get("id") == item.source_id), None)
    return render_template("catalog/admin_item_form.html", tenant=g.tenant, form=form, item=item, parent=item.parent,
                           source=source, rule_text=standard.describe_rule(item.rule or {}))


@bp.post("/items/<int:item_id>/applicability")
@requires(Permission.CONTENT_EDIT)
def item_applicability(item_id: int):
    item = get_or_404(CatalogItem, item_id)
    form = ApplicabilityForm()
    if not form.validate_on_submit():
        abort(400)
    applicable = request.form.get("applicable") == "1"

    def act():
        services.set_applicability(current_user, item, applicable, form.reason.data)
        return f"“{item.name}”已{'恢复适用' if applicable else '标记为不适用'}。"
    return run_button(act, form=form, then=url_for("catalog_admin.items") + f"#item-{item.id}")


@bp.post("/items/<int:item_id>/delete")
@requires(Permission.CONTENT_EDIT)
def item_delete(item_id: int):
    item = get_or_404(CatalogItem, item_id)
    name = item.name

    def act():
        services.delete_item(current_user, item)
        return f"已删除事项“{name}”。"
    return run_button(act, form=ApplicabilityForm(), then=url_for("catalog_admin.items"))


@bp.get("/consistency")
@requires(Permission.CONTENT_VIEW)
def consistency():
    return render_template("catalog/admin_consistency.html", tenant=g.tenant, result=services.divergences(g.tenant),
                           form=ApplicabilityForm())


@bp.post("/items/<int:item_id>/adopt")
@requires(Permission.CONTENT_EDIT)
def item_adopt(item_id: int):
    item = get_or_404(CatalogItem, item_id)
    if not ApplicabilityForm().validate_on_submit():
        abort(400)
    services.adopt_source(current_user, item)
    db.session.commit()
    flash(f"“{item.name}”已与上级标准目录保持一致。", "success")
    return redirect(url_for("catalog_admin.consistency"))


@bp.post("/consistency/add-missing")
@requires(Permission.CONTENT_EDIT)
def add_missing():
    if not ApplicabilityForm().validate_on_submit():
        abort(400)
    created = services.add_missing(current_user, g.tenant)
    db.session.commit()
    flash(f"已从上级标准目录补充 {created} 个事项。", "success")
    return redirect(url_for("catalog_admin.consistency"))


# --- records ----------------------------------------------------------------------------------

def _item_choices(tenant: Tenant) -> list[tuple[int, str]]:
    items = services.all_items(tenant)
    names = {i.id: i.name for i in items}
    domains = services.domains_for(tenant)
    return [(i.id, " / ".join(filter(None, [domains[i.domain_code].name if i.domain_code in domains else "",
                                            names.get(i.parent_id), i.name])))
            for i in services.leaf_items(tenant)]


@bp.get("/records")
@requires(Permission.CONTENT_VIEW)
def records():
    status = request.args.get("status") or None
    stmt = select(Record).where(Record.tenant_id == g.tenant.id)
    if status in STATUS_LABELS:
        stmt = stmt.where(Record.status == status)
    q = (request.args.get("q") or "").strip()[:100]
    if q:
        stmt = stmt.where(Record.title.like(f"%{q}%") | Record.index_no.like(f"%{q}%") | Record.doc_no.like(f"%{q}%"))
    page = paginate(stmt.order_by(Record.updated_at.desc(), Record.id.desc()), *page_args())
    counts = dict(db.session.execute(select(Record.status, db.func.count()).where(Record.tenant_id == g.tenant.id)
                                     .group_by(Record.status)).all())
    names = dict(db.session.execute(select(CatalogItem.id, CatalogItem.name).where(
        CatalogItem.id.in_({r.item_id for r in page.items}))).all()) if page.items else {}
    awaiting = services.awaiting_interpretation(g.tenant, [r.id for r in page.items])
    return render_template("catalog/admin_records.html", tenant=g.tenant, page=page, status=status, q=q,
                           counts=counts, status_labels=STATUS_LABELS, item_names=names, awaiting=awaiting)


@bp.route("/records/new", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def record_new():
    form = RecordForm()
    form.item_id.choices = choices(_item_choices(g.tenant))
    form.doc_type.choices = choices(services.doc_types_for(g.tenant).items())
    if request.method == "GET":
        form.issuing_body.data = g.tenant.name
        form.written_date.data = china_today()
        if request.args.get("item", type=int):
            form.item_id.data = request.args.get("item", type=int)
    found = _found_documents(form)
    if import_word(form, form.body, title=form.title, doc_no=form.doc_no) or found is not None:
        pass
    elif form.validate_on_submit():
        def act():
            data = form.record_data() | {"attachment_ids": save_uploads(form.files.name),
                                         "documents": request.form.getlist("documents")}
            record = services.create_record(current_user, g.tenant, data)
            if request.form.get("then") == "submit":
                services.submit(current_user, record)
            return record
        done = run_form(form, act, then=lambda record: url_for("catalog_admin.record_edit", record_id=record.id),
                        message=lambda record: f"已保存“{record.title}”"
                                               f"{'并提交审核' if record.status == 'submitted' else '为草稿'}。")
        if done:
            return done
    return render_template("catalog/admin_record_form.html", tenant=g.tenant, form=form, record=None,
                           linked=_chosen_documents(None), found=found or [])


FIND_BUTTON = "find_documents"


def _found_documents(form) -> list | None:
    """The documents a 解读's editor looked for (the 查找 button: nothing is saved), else None."""
    if request.method != "POST" or FIND_BUTTON not in request.form:
        return None
    chosen = set(request.form.getlist("documents"))
    return [d for d in services.find_documents(g.tenant, form.doc_q.data or "") if d.ref not in chosen]


def _chosen_documents(record) -> list:
    """The documents the form shows as linked: those just posted (a search keeps the choice), else the
    record's links, as their titles were when linked."""
    if request.method == "POST":
        out = []
        for ref in request.form.getlist("documents")[:services.MAX_DOCUMENTS]:
            try:
                out.append(services.resolve_document(g.tenant, ref))
            except services.DomainError:
                continue
        return out
    if record is None:
        return []
    return [services.DocumentLink(ref=link.document_ref, title=link.title, doc_no=link.doc_no, url=link.url)
            for link in services.document_links(record)]


@bp.route("/records/<int:record_id>", methods=["GET", "POST"])
@requires(Permission.CONTENT_VIEW)
def record_edit(record_id: int):
    record = get_or_404(Record, record_id)
    form = RecordForm(obj=record if request.method == "GET" else None)
    form.item_id.choices = choices(_item_choices(g.tenant))
    form.doc_type.choices = choices(services.doc_types_for(g.tenant, record.doc_type).items())
    form.body.offer_images(record.attachments)
    editable = services.may_edit(current_user, record)
    found = _found_documents(form) if editable else None
    if editable and (import_word(form, form.body, title=form.title, doc_no=form.doc_no) or found is not None):
        pass
    elif request.method == "POST" and form.validate_on_submit():
        keep = [a.id for a in record.attachments if str(a.id) not in request.form.getlist("remove_attachment")]

        def act():
            data = form.record_data() | {"attachment_ids": keep + save_uploads(form.files.name),
                                         "documents": request.form.getlist("documents")}
            changed = services.update_record(current_user, record, data)
            return changed
        done = run_form(form, act, message=lambda changed: "已保存。" if changed else "没有改动。",
                        then=url_for("catalog_admin.record_edit", record_id=record.id))
        if done:
            return done
    published = db.session.scalars(select(Record).where(Record.status == "published", Record.id != record.id)
                                   .order_by(Record.published_at.desc()).limit(200)).all()
    validity_form = ValidityForm(validity=record.validity)
    validity_form.superseded_by.choices = choices([(0, "（无）")] + [(r.id, f"{r.index_no} {r.title}") for r in published])
    history = audit.history(record)
    return render_template("catalog/admin_record_form.html", tenant=g.tenant, form=form, record=record,
                           editable=editable, can_publish=services.may_publish(current_user, record),
                           can_review=has_permission(current_user, Permission.CONTENT_PUBLISH, g.tenant),
                           can_edit=has_permission(current_user, Permission.CONTENT_EDIT, g.tenant),
                           publish_form=PublishForm(), return_form=ReturnForm(), validity_form=validity_form,
                           history=history, seen=services.submission_stamp(record),
                           linked=_chosen_documents(record), found=found or [],
                           problems=services.interpretation_problems(record) if record.status != "published" else [],
                           pending_interpretations=services.submitted_interpretations(record),
                           interpretations=services.interpretations_of(g.tenant, [services.record_ref(record.id)]).get(
                               services.record_ref(record.id), []),
                           awaiting=record.id in services.awaiting_interpretation(g.tenant, [record.id]))


def _record_action(record_id: int, form_class, action):
    record = get_or_404(Record, record_id)
    form = form_class()
    return run_button(lambda: action(record, form), form=form,
                      then=url_for("catalog_admin.record_edit", record_id=record.id))


@bp.post("/records/<int:record_id>/submit")
@requires(Permission.CONTENT_EDIT)
def record_submit(record_id: int):
    def act(record, form):
        services.submit(current_user, record)
        return "已提交审核。"
    return _record_action(record_id, PublishForm, act)


@bp.post("/records/<int:record_id>/withdraw")
@requires(Permission.CONTENT_EDIT)
def record_withdraw(record_id: int):
    def act(record, form):
        services.withdraw(current_user, record)
        return "已撤回，信息改为草稿，可以继续修改后再提交。"
    return _record_action(record_id, PublishForm, act)


@bp.get("/review")
@requires(Permission.CONTENT_PUBLISH)
def review_queue():
    """The reviewer's queue: what waits for review here and in the units below, oldest first."""
    queue = services.review_queue(current_user, g.tenant)
    return render_template("catalog/admin_review.html", tenant=g.tenant, queue=queue, waiting_for=services.waiting_for)


@bp.post("/records/<int:record_id>/publish")
@requires(Permission.CONTENT_VIEW)
def record_publish(record_id: int):
    def act(record, form):
        if form.with_interpretations.data:
            done = services.publish_with_interpretations(current_user, record, review_confirmed=form.review_confirmed.data,
                                                         seen=request.form.get("seen"))
            return f"已发布，索引号 {record.index_no}。" + (f"同时发布了 {len(done)} 篇解读。" if done else "")
        services.publish(current_user, record, review_confirmed=form.review_confirmed.data, seen=request.form.get("seen"))
        return f"已发布，索引号 {record.index_no}。"
    return _record_action(record_id, PublishForm, act)


@bp.post("/records/<int:record_id>/return")
@requires(Permission.CONTENT_PUBLISH)
def record_return(record_id: int):
    def act(record, form):
        services.return_to_draft(current_user, record, form.note.data, seen=request.form.get("seen"))
        return "已退回编辑修改。"
    return _record_action(record_id, ReturnForm, act)


@bp.post("/records/<int:record_id>/validity")
@requires(Permission.CONTENT_VIEW)
def record_validity(record_id: int):
    def act(record, form):
        services.lapse(current_user, record, form.validity.data, on=form.validity_date.data,
                       superseded_by=form.superseded_by.data or None)
        return f"时效已改为“{record.validity_label}”。"
    record = get_or_404(Record, record_id)
    return _record_action(record_id, lambda: _validity_form(record), act)


def _validity_form(record: Record) -> ValidityForm:
    form = ValidityForm()
    form.superseded_by.choices = choices([(0, "（无）")] + [(r.id, r.title) for r in db.session.scalars(
        select(Record).where(Record.status == "published", Record.id != record.id))])
    return form


@bp.post("/records/<int:record_id>/delete")
@requires(Permission.CONTENT_EDIT)
def record_delete(record_id: int):
    record = get_or_404(Record, record_id)
    title = record.title

    def act():
        services.delete_record(current_user, record)
        return f"已删除草稿“{title}”。"
    return run_button(act, form=PublishForm(), then=url_for("catalog_admin.records"),
                      back=url_for("catalog_admin.record_edit", record_id=record_id))


# --- the district's own domains ---------------------------------------------------------------

def _require_district_admin():
    """District admins only: in a town or village the pages do not exist (404); in the district the
    permission check answers as everywhere (403 for its editors, 404 for people of other units)."""
    if g.tenant.kind != "district":
        abort(404)
    require_permission(current_user, Permission.TENANT_MANAGE, g.tenant)


@bp.get("/domains")
@requires(Permission.ADMIN_ACCESS)
def domains():
    _require_district_admin()
    custom = db.session.scalars(select(CustomDomain).where(CustomDomain.tenant_id == g.tenant.id)
                                .order_by(CustomDomain.code)).all()
    counts = dict(db.session.execute(select(CatalogItem.domain_code, db.func.count()).where(
        CatalogItem.tenant_id == g.tenant.id).group_by(CatalogItem.domain_code)).all())
    shipped = [d for d in standard.domains().values()]
    return render_template("catalog/admin_domains.html", tenant=g.tenant, custom=custom, shipped=shipped,
                           counts=counts, kinds=standard.DOMAIN_KINDS, form=ApplicabilityForm())


@bp.route("/domains/new", methods=["GET", "POST"])
@requires(Permission.ADMIN_ACCESS)
def domain_new():
    _require_district_admin()
    form = CustomDomainForm()
    if request.method == "GET":
        form.levels.data = ["县级", "乡级"]
    if form.validate_on_submit():
        def act():
            domain = services.create_custom_domain(current_user, g.tenant, form.domain_data())
            return domain, _add_and_propagate(domain, form.item_names(), creating=True)
        done = run_form(form, act, message=lambda done: f"已新增领域“{done[0].name}”（{done[0].code}）。" + done[1],
                        then=lambda done: url_for("catalog_admin.domains") + f"#domain-{done[0].code}")
        if done:
            return done
    return render_template("catalog/admin_domain_form.html", tenant=g.tenant, form=form, domain=None)


@bp.route("/domains/<int:domain_id>/edit", methods=["GET", "POST"])
@requires(Permission.ADMIN_ACCESS)
def domain_edit(domain_id: int):
    _require_district_admin()
    domain = get_or_404(CustomDomain, domain_id)
    form = CustomDomainForm(obj=domain if request.method == "GET" else None)
    if request.method == "GET":
        form.lead.data = "\n".join(domain.lead or [])
    if form.validate_on_submit():
        def act():
            changed = services.update_custom_domain(current_user, domain, form.domain_data())
            added = _add_and_propagate(domain, form.item_names())
            return ("已保存。" if changed else ("" if added else "没有改动。")) + added
        done = run_form(form, act, message=lambda text: text,
                        then=url_for("catalog_admin.domains") + f"#domain-{domain.code}")
        if done:
            return done
    return render_template("catalog/admin_domain_form.html", tenant=g.tenant, form=form, domain=domain)


def _add_and_propagate(domain, names: list[str], creating: bool = False) -> str:
    """The items named in the domain's form, then to every unit the domain reaches; what to tell."""
    if not names:
        return "请在此页“新增事项”中填写它的事项（或由编辑人员在“事项”中新增）。" if creating else ""
    items, reached = services.add_custom_domain_items(current_user, domain, names)
    return (f"已新增事项 {len(items)} 个" + (f"，已下发到 {len(reached)} 个单位（" + "，".join(
        f"{name} {n} 个" for name, n in reached.items()) + "）" if reached else "") + "。")


@bp.post("/domains/<int:domain_id>/active")
@requires(Permission.ADMIN_ACCESS)
def domain_active(domain_id: int):
    _require_district_admin()
    domain = get_or_404(CustomDomain, domain_id)
    active = request.form.get("active") == "1"

    def act():
        services.set_custom_domain_active(current_user, domain, active)
        return f"领域“{domain.name}”已{'启用' if active else '停用'}。"
    return run_button(act, form=ApplicabilityForm(), then=url_for("catalog_admin.domains") + f"#domain-{domain.code}")


@bp.post("/domains/<int:domain_id>/propagate")
@requires(Permission.ADMIN_ACCESS)
def domain_propagate(domain_id: int):
    _require_district_admin()
    domain = get_or_404(CustomDomain, domain_id)

    def act():
        done = services.propagate_domain(current_user, g.tenant, domain.code)
        if not done:
            return f"“{domain.name}”的事项各单位都已有，没有需要下发的。"
        return f"已下发“{domain.name}”的事项：" + "，".join(f"{name} {n} 个" for name, n in done.items()) + "。"
    return run_button(act, form=ApplicabilityForm(), then=url_for("catalog_admin.domains") + f"#domain-{domain.code}")


# --- Excel ------------------------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def import_catalog():
    """Upload, then a preview matching each row to the tenant's items, then the confirmation."""
    from plugins.catalog.import_views import import_page
    return import_page(_domain_choices(g.tenant))


@bp.get("/export.xlsx")
@requires(Permission.CONTENT_VIEW)
def export_catalog():
    response = make_response(excel.export_catalog(g.tenant))
    response.mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    from urllib.parse import quote
    filename = f"{g.tenant.name}政务公开标准目录.xlsx"
    response.headers["Content-Disposition"] = f"attachment; filename=catalog.xlsx; filename*=UTF-8''{quote(filename)}"
    return response


# --- supervision ------------------------------------------------------------------------------
# One rule (supervision.evaluate_item) behind the page, the chart and every file (reports.py).
from core.plugin_api import pdf_download, xlsx_download  # noqa: E402
from plugins.catalog import reports as report_files  # noqa: E402

def _require_supervision():
    services.require_supervision(current_user, g.tenant)


def _subtree(tenant: Tenant) -> list[Tenant]:
    return list(db.session.scalars(select(Tenant).where(Tenant.path.startswith(tenant.path),
                                                         Tenant.status == "active").order_by(Tenant.path)))


def _supervised(tenant: Tenant) -> list[Tenant]:
    return [t for t in _subtree(tenant) if "catalog" in (t.enabled_plugins or [])]


@bp.get("/supervision")
@requires(Permission.ADMIN_ACCESS)
def supervision():
    _require_supervision()
    today = china_today()
    period = supervision_period(today)
    tenants = _supervised(g.tenant)
    reports = monitor.evaluate(tenants, period=period)
    trend = [(p, value, monitor.band(value)) for p, value in monitor.trend(tenants, 6, as_of=min(today, period.end))]
    notices = supervision_notices(tenants, min(today, period.end))
    policies = services.policy_findings(tenants, as_of=min(today, period.end))
    return render_template("catalog/admin_supervision.html", tenant=g.tenant, reports=reports, period=period,
                           notices=notices, units={t.id: t for t in tenants},
                           interpretation=_interpretation_summary(tenants, policies, period),
                           late_workdays=services.late_workdays(),
                           table=report_files.summary_table(reports), headers=report_files.SUMMARY_HEADERS,
                           totals_text=report_files.totals_text(reports, period), trend=trend,
                           periods=_period_choices(today), bands=monitor.BAND_LABELS,
                           rules_text=report_files.rules_text(), provisional_mark=monitor.PROVISIONAL_MARK)


def _interpretation_summary(tenants: list[Tenant], policies: list, period) -> dict:
    """政策解读 on the supervision page: per unit, its published policies still without a 解读 (of any
    date: they stay until one is published) and those whose 解读 came late in the period; and the list."""
    missing = [p for p in policies if p.interpreted_on is None]
    late = [p for p in policies if p.late and p.interpreted_on and period.start <= p.interpreted_on <= period.end]
    rows = []
    for t in tenants:
        m = sum(1 for p in missing if p.tenant_id == t.id)
        lt = sum(1 for p in late if p.tenant_id == t.id)
        if m or lt:
            rows.append((t, m, lt))
    return {"rows": rows, "missing": missing, "late": late}


def supervision_notices(tenants: list[Tenant], as_of: date) -> list:
    """What other plugins report about these units (the supervision_notices hook), each plugin asked
    only about the units that have it switched on."""
    registry = current_app.extensions["cms"]
    found = []
    for names, group in _by_plugins(tenants).items():
        found += collect(registry.hook_for(group[0], "supervision_notices", only=names), tenants=group, as_of=as_of)
    return sorted(found, key=lambda n: (n.tenant_id, n.plugin))


def _by_plugins(tenants: list[Tenant]) -> dict[tuple, list[Tenant]]:
    groups: dict[tuple, list[Tenant]] = {}
    registry = current_app.extensions["cms"]
    for t in tenants:
        groups.setdefault(tuple(sorted(registry.enabled_names(t))), []).append(t)
    return groups


def supervision_period(today: date) -> monitor.Period:
    period = monitor.Period.parse(request.args.get("period"), today)
    if period.kind == "year":
        period = monitor.Period.containing(today)
    if period.start > today:
        period = monitor.Period.containing(today, period.kind)
    return period


def _period_choices(today: date) -> list[monitor.Period]:
    months, p = [], monitor.Period.containing(today)
    for _ in range(12):
        months.append(p)
        p = p.previous()
    quarters, q = [], monitor.Period.containing(today, "quarter")
    for _ in range(4):
        quarters.append(q)
        q = q.previous()
    return months + quarters


def _period_reports():
    period = supervision_period(china_today())
    return period, monitor.evaluate(_supervised(g.tenant), period=period)


@bp.get("/supervision.csv")
@requires(Permission.ADMIN_ACCESS)
def supervision_csv():
    _require_supervision()
    period, reports = _period_reports()
    rows = [["报告期"] + report_files.SUMMARY_HEADERS]
    rows += [[period.label] + cells for _, cells in report_files.summary_table(reports)]
    return csv_download(rows, f"{report_files.title_of(g.tenant, period)}.csv", "report.csv")


@bp.get("/supervision.xlsx")
@requires(Permission.ADMIN_ACCESS)
def supervision_xlsx():
    _require_supervision()
    period, reports = _period_reports()
    return xlsx_download(report_files.period_xlsx(g.tenant, reports, period),
                         f"{report_files.title_of(g.tenant, period)}.xlsx", "report.xlsx")


@bp.get("/supervision.pdf")
@requires(Permission.ADMIN_ACCESS)
def supervision_pdf():
    _require_supervision()
    period, reports = _period_reports()
    return pdf_download(report_files.period_pdf(g.tenant, reports, period),
                        f"{report_files.title_of(g.tenant, period)}.pdf", "report.pdf")


def _assessment_year(today: date) -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= today.year else today.year


def _assessment():
    year = _assessment_year(china_today())
    return (year, *report_files.assess(_supervised(g.tenant), year))


@bp.get("/assessment")
@requires(Permission.ADMIN_ACCESS)
def assessment():
    _require_supervision()
    year, rows, state, weights = _assessment()
    today = china_today()
    return render_template("catalog/admin_supervision_assessment.html", tenant=g.tenant, year=year,
                           years=list(range(today.year, today.year - 5, -1)),
                           table=report_files.assessment_table(rows, state), headers=report_files.ASSESSMENT_HEADERS,
                           weights_text=report_files.weights_text(state, weights), bands=monitor.BAND_LABELS,
                           rules_text=report_files.rules_text())


@bp.get("/assessment.xlsx")
@requires(Permission.ADMIN_ACCESS)
def assessment_xlsx():
    _require_supervision()
    year, rows, state, weights = _assessment()
    return xlsx_download(report_files.assessment_xlsx(g.tenant, year, rows, state, weights),
                         f"{report_files.assessment_title(g.tenant, year)}.xlsx", "assessment.xlsx")


@bp.get("/assessment.pdf")
@requires(Permission.ADMIN_ACCESS)
def assessment_pdf():
    _require_supervision()
    year, rows, state, weights = _assessment()
    return pdf_download(report_files.assessment_pdf(g.tenant, year, rows, state, weights),
                        f"{report_files.assessment_title(g.tenant, year)}.pdf", "assessment.pdf")


@bp.get("/supervision/<slug>")
@requires(Permission.ADMIN_ACCESS)
def supervision_tenant(slug: str):
    target = tenant_by_slug(slug)
    if target is None or not target.is_in_subtree_of(g.tenant):
        abort(404)
    if target.id != g.tenant.id:
        _require_supervision()
    else:
        require_permission(current_user, Permission.CONTENT_VIEW, g.tenant)
    period = supervision_period(china_today())
    report = monitor.evaluate([target], period=period)[0]
    return render_template("catalog/admin_supervision_tenant.html", tenant=g.tenant, target=target, report=report,
                           period=period, state_labels=monitor.STATE_LABELS, provisional_mark=monitor.PROVISIONAL_MARK,
                           cells=report_files.summary_row(report), headers=report_files.SUMMARY_HEADERS,
                           rules_text=report_files.rules_text())


@bp.route("/settings", methods=["GET", "POST"])
@requires(Permission.TENANT_MANAGE)
def settings():
    row = services.settings_for(g.tenant)
    form = SettingsForm(self_publish=row.self_publish)
    if form.validate_on_submit():
        changed = services.set_self_publish(current_user, g.tenant, form.self_publish.data)
        db.session.commit()
        flash("已保存。" if changed else "没有改动。", "success")
        return redirect(url_for("catalog_admin.settings"))
    return render_template("catalog/admin_settings.html", tenant=g.tenant, form=form)
