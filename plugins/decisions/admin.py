"""The office's pages: the tenant's decision lists, a list (its items, publication after approval,
the overdue filter supervision links to), an item (edit or adjust, remove, delete a draft's),
its stages (with the shared documents found through lookup_documents) and the year's completion."""
from __future__ import annotations

from flask import abort, Blueprint, g, render_template, request, url_for
from flask_login import current_user

from core.plugin_api import (ActionForm, choices, china_today, get_or_404, has_permission, Permission, requires,
                             run_button, run_form)
from plugins.decisions import services
from plugins.decisions.admin_forms import (CompletionForm, ItemForm, ListForm, NewListForm, PublishForm, RemoveForm,
                                           StageForm)
from plugins.decisions.models import DecisionItem, DecisionList, DecisionStage, PROGRESS_LABELS, STAGE_KINDS
from plugins.decisions.views import stage_view

bp = Blueprint("decisions_admin", __name__, template_folder="templates")


def _years() -> list[int]:
    this_year = china_today().year
    return [this_year + 1, this_year, this_year - 1]


def _may(permission: Permission, tenant=None) -> bool:
    return has_permission(current_user, permission, tenant or g.tenant)


def _refused_csrf(form) -> None:
    if "csrf_token" in form.errors:
        abort(400)


# --- lists -----------------------------------------------------------------------------------------

def _index_page(form: NewListForm | None = None):
    if form is None:
        form = NewListForm(formdata=None, year=china_today().year)
    form.year.choices = choices((y, f"{y} 年") for y in _years())
    today = china_today()
    overdue_only = request.args.get("filter") == "overdue"
    lists = services.lists_of(g.tenant)
    overdue = [(lst, i) for lst in lists for i in services.overdue_items(lst, today)]
    return render_template("decisions/admin_index.html", tenant=g.tenant, lists=lists, form=form, today=today,
                           overdue=overdue, overdue_only=overdue_only, can_edit=_may(Permission.CONTENT_EDIT))


@bp.get("/")
@requires(Permission.CONTENT_VIEW)
def index():
    return _index_page()


@bp.post("/new")
@requires(Permission.CONTENT_EDIT)
def create():
    form = NewListForm()
    form.year.choices = choices((y, f"{y} 年") for y in _years())
    if form.validate_on_submit():
        done = run_form(form, lambda: services.create_list(current_user, g.tenant, form.year.data),
                        message=lambda row: f"已建立{row.year}年事项目录草稿，请逐项录入事项。",
                        then=lambda row: url_for("decisions_admin.decision_list", list_id=row.id))
        if done:
            return done
    _refused_csrf(form)
    return _index_page(form), 422


def _list_page(row: DecisionList, form: ListForm | None = None, publish: PublishForm | None = None):
    today = china_today()
    return render_template(
        "decisions/admin_list.html", tenant=g.tenant, lst=row, today=today,
        form=form or ListForm(formdata=None, intro=row.intro),
        publish=publish or PublishForm(formdata=None, approved_by=f"{g.tenant.name}人民政府"),
        overdue=services.overdue_items(row, today), action=ActionForm(formdata=None),
        can_edit=_may(Permission.CONTENT_EDIT), can_publish=_may(Permission.CONTENT_PUBLISH))


@bp.get("/<int:list_id>")
@requires(Permission.CONTENT_VIEW)
def decision_list(list_id: int):
    return _list_page(get_or_404(DecisionList, list_id))


@bp.post("/<int:list_id>")
@requires(Permission.CONTENT_EDIT)
def list_save(list_id: int):
    row = get_or_404(DecisionList, list_id)
    form = ListForm()
    if form.validate_on_submit():
        done = run_form(form, lambda: services.update_list(current_user, row, {"intro": form.intro.data}),
                        message="已保存。", then=url_for("decisions_admin.decision_list", list_id=row.id))
        if done:
            return done
    _refused_csrf(form)
    return _list_page(row, form=form), 422


@bp.post("/<int:list_id>/publish")
@requires(Permission.CONTENT_PUBLISH)
def publish(list_id: int):
    row = get_or_404(DecisionList, list_id)
    form = PublishForm()
    if form.validate_on_submit():
        done = run_form(form, lambda: services.publish_list(current_user, row, form.data),
                        message="事项目录已发布；此后增加、调出或调整事项须写明理由，并向社会公开。",
                        then=url_for("decisions_admin.decision_list", list_id=row.id))
        if done:
            return done
    _refused_csrf(form)
    return _list_page(row, publish=form), 422


# --- items -----------------------------------------------------------------------------------------

def _item_page(row: DecisionList, item: DecisionItem | None, form: ItemForm | None = None,
               remove: RemoveForm | None = None):
    if form is None:
        data = {"name": item.name, "decision_type": item.decision_type, "unit": item.unit,
                "due_on": item.due_on.isoformat(), "procedures": item.procedures, "summary": item.summary} if item else \
            {"procedures": ["participation", "expert", "risk", "legality", "collective"]}
        form = ItemForm(formdata=None, data=data)
    return render_template("decisions/admin_item.html", tenant=g.tenant, lst=row, item=item, form=form,
                           remove=remove or RemoveForm(formdata=None), action=ActionForm(formdata=None),
                           stages=stage_view(item) if item else [], today=china_today(),
                           can_edit=_may(Permission.CONTENT_EDIT))


@bp.route("/<int:list_id>/items/new", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def item_new(list_id: int):
    row = get_or_404(DecisionList, list_id)
    form = ItemForm() if request.method == "POST" else None
    if form is not None:
        if form.validate_on_submit():
            done = run_form(form, lambda: services.add_item(current_user, row, form.item_data(), form.reason.data),
                            message=lambda i: f"已增加第 {i.number} 项“{i.name}”。",
                            then=lambda i: url_for("decisions_admin.item", decision_id=i.id))
            if done:
                return done
        _refused_csrf(form)
        return _item_page(row, None, form=form), 422
    return _item_page(row, None)


@bp.route("/items/<int:decision_id>", methods=["GET", "POST"])
@requires(Permission.CONTENT_VIEW)
def item(decision_id: int):
    row = get_or_404(DecisionItem, decision_id)
    if request.method == "GET":
        return _item_page(row.decision_list, row)
    if not _may(Permission.CONTENT_EDIT, row.tenant):
        abort(403)
    form = ItemForm()
    if form.validate_on_submit():
        done = run_form(form, lambda: services.update_item(current_user, row, form.item_data(), form.reason.data),
                        message=lambda changed: "已保存。" if changed else "没有改动。",
                        then=url_for("decisions_admin.item", decision_id=row.id))
        if done:
            return done
    _refused_csrf(form)
    return _item_page(row.decision_list, row, form=form), 422


@bp.post("/items/<int:decision_id>/delete")
@requires(Permission.CONTENT_EDIT)
def item_delete(decision_id: int):
    row = get_or_404(DecisionItem, decision_id)
    back = url_for("decisions_admin.item", decision_id=row.id)
    return run_button(lambda: services.delete_item(current_user, row),
                      then=url_for("decisions_admin.decision_list", list_id=row.list_id), back=back)


@bp.post("/items/<int:decision_id>/remove")
@requires(Permission.CONTENT_EDIT)
def item_remove(decision_id: int):
    row = get_or_404(DecisionItem, decision_id)
    form = RemoveForm()
    if form.validate_on_submit():
        done = run_form(form, lambda: services.remove_item(current_user, row, form.reason.data),
                        message=lambda text: text, then=url_for("decisions_admin.item", decision_id=row.id))
        if done:
            return done
    _refused_csrf(form)
    return _item_page(row.decision_list, row, remove=form), 422


# --- stages ----------------------------------------------------------------------------------------

def _stage_page(item: DecisionItem, kind: str, form: StageForm | None = None):
    info = STAGE_KINDS.get(kind)
    if info is None:
        abort(404)
    existing = None if info.many else item.stage(kind)
    if form is None:
        form = StageForm(formdata=None, data={"happened_on": existing.happened_on.isoformat() if existing else "",
                                              "name": existing.name if existing else "",
                                              "text": existing.text if existing else "",
                                              "ref": existing.ref if existing else ""})
    form.happened_on.label.text = info.date_label
    form.name.label.text = info.name_label or "名称"
    form.text.label.text = info.text_label or "说明"
    form.ref.label.text = info.ref_label or "文件"
    query = (request.args.get("q") or "").strip()[:100]
    found = services.find_documents(item.tenant, kind, query) if info.ref_label and query else []
    current = services.resolve(item.tenant, form.ref.data) if form.ref.data else None
    options = [("", "不引用")]
    if current is not None:
        options.append((current.ref, f"{current.title}{'（' + current.doc_no + '）' if current.doc_no else ''}"))
    options += [(d.ref, f"{d.title}{'（' + d.doc_no + '）' if d.doc_no else ''}") for d in found
                if current is None or d.ref != current.ref]
    form.ref.choices = choices(options)
    return render_template("decisions/admin_stage.html", tenant=g.tenant, item=item, lst=item.decision_list, info=info,
                           form=form, query=query, found=found, existing=existing,
                           records=item.stages_of(kind), action=ActionForm(formdata=None))


@bp.route("/items/<int:decision_id>/stages/<kind>", methods=["GET", "POST"])
@requires(Permission.CONTENT_EDIT)
def stage(decision_id: int, kind: str):
    row = get_or_404(DecisionItem, decision_id)
    if kind not in STAGE_KINDS:
        abort(404)
    if request.method == "GET":
        return _stage_page(row, kind)
    form = StageForm()
    form.ref.choices = choices([(form.ref.data or "", "")])
    if form.validate_on_submit():
        done = run_form(form, lambda: services.record_stage(current_user, row, kind, form.data),
                        message=f"已记录{STAGE_KINDS[kind].label}。", then=url_for("decisions_admin.item", decision_id=row.id))
        if done:
            return done
    _refused_csrf(form)
    return _stage_page(row, kind, form=form), 422


@bp.post("/stages/<int:stage_id>/delete")
@requires(Permission.CONTENT_EDIT)
def stage_delete(stage_id: int):
    row = get_or_404(DecisionStage, stage_id)
    back = url_for("decisions_admin.item", decision_id=row.item_id)
    return run_button(lambda: services.delete_stage(current_user, row), then=back, back=back)


# --- the year's completion ---------------------------------------------------------------------------

def _completion_page(row: DecisionList, form: CompletionForm | None = None, status: int = 200):
    return render_template("decisions/admin_completion.html", tenant=g.tenant, lst=row, today=china_today(),
                           form=form or CompletionForm(formdata=None, note=row.completion_note),
                           labels=PROGRESS_LABELS, opens_on=services.completion_opens_on(row),
                           counts=services.completion_counts(row), action=ActionForm(formdata=None),
                           can_edit=_may(Permission.CONTENT_EDIT), can_publish=_may(Permission.CONTENT_PUBLISH)), status


@bp.route("/<int:list_id>/completion", methods=["GET", "POST"])
@requires(Permission.CONTENT_VIEW)
def completion(list_id: int):
    row = get_or_404(DecisionList, list_id)
    if request.method == "GET":
        return _completion_page(row)
    if not _may(Permission.CONTENT_EDIT, row.tenant):
        abort(403)
    form = CompletionForm()
    if form.validate_on_submit():
        progress = {i.id: (request.form.get(f"progress_{i.id}", ""), request.form.get(f"reason_{i.id}", ""))
                    for i in row.items if not i.removed}
        done = run_form(form, lambda: services.set_progress(current_user, row, progress),
                        message=lambda n: f"已保存 {n} 项的完成情况。" if n else "没有改动。",
                        then=url_for("decisions_admin.completion", list_id=row.id))
        if done:
            return done
    _refused_csrf(form)
    return _completion_page(row, form, 422)


@bp.post("/<int:list_id>/completion/publish")
@requires(Permission.CONTENT_PUBLISH)
def completion_publish(list_id: int):
    row = get_or_404(DecisionList, list_id)
    form = CompletionForm()
    if form.validate_on_submit():
        done = run_form(form, lambda: services.publish_completion(current_user, row, form.note.data),
                        message="年度完成情况已发布。", then=url_for("decisions_admin.completion", list_id=row.id))
        if done:
            return done
    _refused_csrf(form)
    return _completion_page(row, form, 422)
