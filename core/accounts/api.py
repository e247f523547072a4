"""The token's own user in the JSON API."""
from __future__ import annotations

from flask import g, jsonify
from pydantic import BaseModel

from core.accounts import ROLE_LABELS
from core.api import bp, operation


class GrantOut(BaseModel):
    tenant: str
    role: str
    role_label: str


class MeOut(BaseModel):
    username: str
    display_name: str
    is_superadmin: bool
    grants: list[GrantOut]


@bp.get("/me")
@operation("当前令牌所属的用户及其授权", response=MeOut, auth=True, errors=(401,))
def me():
    user = g.api_user
    grants = [GrantOut(tenant=gr.tenant.slug, role=gr.role, role_label=ROLE_LABELS[gr.role]) for gr in user.grants]
    return jsonify(MeOut(username=user.username, display_name=user.display_name, is_superadmin=user.is_superadmin,
                         grants=grants).model_dump())
