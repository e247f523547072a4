"""A tenant's settings, its child tenants and the plugins switched on for it."""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from core.accounts import Permission
from core.actions import run_form
from core.db import db
from core.errors import DomainError
from core.forms import ActionForm
from core.tenants import CHILD_KIND, STATUS_ACTIVE, STATUS_ARCHIVED, TenantKind, tenant_by_slug
from core.tenants.forms import ChildTenantForm, TenantSettingsForm
from core.tenants.provisioning import CONTACT_FIELDS, SITE_FIELDS, create_tenant, set_plugins, set_status, update_tenant
from core.web.admin import bp, requires


@bp.route("/<tenant_slug>/settings", methods=["GET", "POST"])
@requires(Permission.TENANT_MANAGE)
def settings():
    tenant = g.tenant
    saved = {**{k: tenant.contact.get(k, "") for k in CONTACT_FIELDS},
             **{k: (tenant.site_info or {}).get(k, "") for k in SITE_FIELDS}}
    form = TenantSettingsForm(obj=tenant, **saved if request.method == "GET" else {})
    if form.validate_on_submit():
        changes = {"name": form.name.data, "unit_code": form.unit_code.data, "intro": form.intro.data,
                   "contact": {k: getattr(form, k).data for k in CONTACT_FIELDS}}
        if tenant.parent is None:
            changes["site_info"] = {k: getattr(form, k).data or "" for k in SITE_FIELDS}
        if current_user.is_superadmin and tenant.parent is None:
            changes["host"] = form.host.data

        def act():
            return update_tenant(current_user, tenant, **changes)
        done = run_form(form, act, message=lambda changed: "已保存。" if changed else "没有改动。",
                        then=url_for("admin.settings"))
        if done:
            return done
    return render_template("admin/settings.html", tenant=tenant, form=form)


@bp.route("/<tenant_slug>/tenants", methods=["GET", "POST"])
@requires(Permission.TENANT_MANAGE)
def tenants():
    tenant = g.tenant
    child_kind = CHILD_KIND[TenantKind(tenant.kind)]
    form = ChildTenantForm()
    if child_kind is not None and form.validate_on_submit():
        def act():
            return create_tenant(current_user, slug=form.slug.data, name=form.name.data, kind=child_kind.value,
                                 parent=tenant, unit_code=form.unit_code.data or None)
        done = run_form(form, act, message=lambda child: f"已新建{child.kind_label}“{child.name}”。",
                        then=url_for("admin.tenants"))
        if done:
            return done
    return render_template("admin/tenants.html", tenant=tenant, form=form, child_kind=child_kind,
                           children=tenant.children)


@bp.post("/<tenant_slug>/tenants/<child_slug>/status")
@requires(Permission.TENANT_MANAGE)
def tenant_status(child_slug: str):
    child = tenant_by_slug(child_slug)
    if child is None or child.parent_id != g.tenant.id or not ActionForm().validate_on_submit():
        abort(404)
    status = request.form.get("status")
    try:
        set_status(current_user, child, STATUS_ARCHIVED if status == STATUS_ARCHIVED else STATUS_ACTIVE)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"“{child.name}”已{'撤并' if child.status == STATUS_ARCHIVED else '恢复'}。", "success")
    return redirect(url_for("admin.tenants"))


@bp.route("/<tenant_slug>/plugins", methods=["GET", "POST"])
@requires(Permission.TENANT_MANAGE)
def plugins():
    tenant = g.tenant
    registry = current_app.extensions["cms"]
    available = [i for i in registry.infos.values() if tenant.kind in i.tenant_kinds]
    form = ActionForm()
    if form.validate_on_submit():
        chosen = [i.name for i in available if request.form.get(f"plugin-{i.name}")]
        changed = set_plugins(current_user, tenant, chosen)
        db.session.commit()
        flash("已保存。" if changed else "没有改动。", "success")
        return redirect(url_for("admin.plugins"))
    return render_template("admin/plugins.html", tenant=tenant, available=available, form=form)
