"""三员分立 as a rule (issue 17; GB/T 22239-2019 等保 2.0 第三级, 安全管理中心: 系统管理、审计管理、安全管理
由不同的管理员担任): the system, security and audit admin roles exclude each other and every content
role (editor, reviewer); nobody grants or changes their own roles; a security admin manages only
people wholly inside the subtrees he manages; `cms security-check` reports combinations made before
the rule."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.accounts import (CONTENT_ROLES, SEPARATED_ROLES, SYSTEM, RoleGrant, User, excluded_by, excluded_combination,
                           grant_role, revoke_role, user_by_username)
from core.db import db
from core.errors import AccessDenied, Conflict
from core.tenants import tenant_by_slug
from tests.conftest import post_form


def test_the_rule_excludes_each_admin_role_from_the_others_and_from_content():
    for admin in SEPARATED_ROLES:
        for other in (SEPARATED_ROLES - {admin}) | CONTENT_ROLES:
            assert excluded_by(admin, {other}) == {other}
            assert excluded_by(other, {admin}) == {admin}
    assert excluded_by("editor", {"reviewer"}) == set() and excluded_by("reviewer", {"editor"}) == set()
    assert excluded_combination({"admin", "editor"}) == {"admin", "editor"}
    assert excluded_combination({"editor", "reviewer"}) == set()


@pytest.mark.parametrize("holder, role", [("wang", "editor"), ("wang", "reviewer"), ("qian", "editor"),
                                          ("zhou", "reviewer"), ("li", "security_admin"), ("zhao", "admin"),
                                          ("qian", "audit_admin")])
def test_an_admin_role_and_a_content_role_never_meet_in_one_person(demo, ctx, holder, role):
    with pytest.raises(Conflict, match="三员分立"):
        grant_role(SYSTEM, user_by_username(holder), tenant_by_slug("liuhe"), role)


def test_editor_and_reviewer_may_be_one_person(demo, ctx):
    _, created = grant_role(SYSTEM, user_by_username("li"), tenant_by_slug("baishui"), "reviewer")
    assert created


def test_the_security_admin_cannot_grant_himself_anything(demo, client, auth):
    """The finding: qian granted himself editor and reviewer on the county and read every draft."""
    auth.login("qian")
    for role in ("editor", "reviewer", "security_admin"):
        page = post_form(client, "/admin/qinglan/users", {"grant-username": "qian", "grant-tenant": "qinglan",
                                                          "grant-role": role}).get_data(as_text=True)
        assert "不能修改自己的角色" in page or "三员分立" in page
    with demo.app_context():
        qian = user_by_username("qian")
        assert sorted(g.role for g in qian.grants) == ["security_admin"]
        with pytest.raises(AccessDenied, match="不能修改自己的角色"):
            revoke_role(qian, qian, tenant_by_slug("qinglan"), "security_admin")
    assert client.get("/admin/baishui/catalog/records").status_code in (403, 404)


def test_a_town_security_admin_manages_only_people_wholly_in_his_town(demo, client, auth, runner):
    runner.invoke(args=["users", "create", "townsec", "--password", "town-security-77"])
    runner.invoke(args=["users", "grant", "townsec", "security_admin", "baishui"])
    with demo.app_context():
        townsec, wang, li = (user_by_username(n) for n in ("townsec", "wang", "li"))
        # wang works for the county: a town's security admin neither grants him roles nor revokes his
        with pytest.raises(AccessDenied, match="上级单位的安全管理员"):
            grant_role(townsec, wang, tenant_by_slug("xihe"), "admin")
        # li works in 白水镇 only: the town's security admin manages him
        _, created = grant_role(townsec, li, tenant_by_slug("xihe"), "reviewer")
        assert created
        db.session.commit()
        wang_id = wang.id
    auth.login("townsec", "town-security-77")
    for action in ("deactivate", "reset_totp", "unlock"):
        assert post_form(client, "/admin/baishui/users", {}, url=f"/admin/baishui/users/{wang_id}/{action}").status_code == 404
    with demo.app_context():
        assert user_by_username("wang").active


def test_security_check_reports_combinations_made_before_the_rule(demo, runner):
    with demo.app_context():
        wang = user_by_username("wang")
        db.session.add(RoleGrant(user=wang, tenant=tenant_by_slug("qinglan"), role="editor"))  # as the old demo had
        db.session.commit()
    result = runner.invoke(args=["security-check"])
    assert "S021" in result.output and "wang（系统管理员、编辑）" in result.output
    with demo.app_context():
        grant = db.session.scalar(select(RoleGrant).join(User).where(User.username == "wang", RoleGrant.role == "editor"))
        db.session.delete(grant)
        db.session.commit()
    assert "S021" not in runner.invoke(args=["security-check"]).output
