"""Declarative provisioning (cms tenants sync) and the tenants/users commands."""
from __future__ import annotations

import textwrap

import pytest
from sqlalchemy import func, select

from core.accounts import RoleGrant, User
from core.db import db
from core.tenants import Tenant, tenant_by_slug
from tests.conftest import DEMO_FILE


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _write(tmp_path, text: str):
    path = tmp_path / "tenants.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_sync_creates_the_demo_county_then_changes_nothing(app, runner):
    first = runner.invoke(args=["tenants", "sync", str(DEMO_FILE)])
    assert first.exit_code == 0, first.output
    assert "新建 18 项" in first.output
    second = runner.invoke(args=["tenants", "sync", str(DEMO_FILE)])
    assert second.exit_code == 0
    assert "新建 0 项，更新 0 项，未变 18 项。没有任何改动。" in second.output
    with app.app_context():
        assert _count(Tenant) == 10
        assert _count(User) == 8
        kinds = dict(db.session.execute(select(Tenant.kind, func.count()).group_by(Tenant.kind)).all())
        assert kinds == {"district": 1, "town": 3, "village": 6}


def test_adding_two_villages_creates_exactly_those_two(demo, runner, tmp_path):
    path = _write(tmp_path, """
        tenants:
          - slug: baishui
            parent: qinglan
            name: 白水镇
            kind: town
            children:
              - {slug: nanshan, name: 南山村, kind: village}
              - {slug: beishan, name: 北山村, kind: village}
    """)
    result = runner.invoke(args=["tenants", "sync", str(path)])
    assert result.exit_code == 0, result.output
    assert "新建  村（社区） 南山村（nanshan）" in result.output
    assert "新建  村（社区） 北山村（beishan）" in result.output
    assert "新建 2 项，更新 0 项，未变 1 项。" in result.output
    with demo.app_context():
        assert tenant_by_slug("nanshan").url_path == "qinglan/baishui/nanshan"
        assert _count(Tenant) == 12


def test_a_changed_field_is_reported_as_updated(demo, runner, tmp_path):
    path = _write(tmp_path, """
        tenants:
          - {slug: liuhe, parent: qinglan, name: 柳河镇, kind: town, unit_code: "99999999X"}
    """)
    result = runner.invoke(args=["tenants", "sync", str(path)])
    assert "更新  乡镇（街道） 柳河镇（liuhe）：unit_code" in result.output
    with demo.app_context():
        assert tenant_by_slug("liuhe").unit_code == "99999999X"


@pytest.mark.parametrize("body, message", [
    ("""
        tenants:
          - slug: county
            name: 某县
            kind: district
            children:
              - {slug: lonely, name: 孤村, kind: village}
     """, "tenants[0]（某县，slug=county）.children[0]（孤村，slug=lonely）：村（社区）（village）的上级必须是乡镇（街道）（town），不能是区县（district）"),
    ("""
        tenants:
          - slug: county
            name: 某县
            kind: district
            children:
              - {slug: same, name: 甲镇, kind: town}
              - {slug: same, name: 乙镇, kind: town}
     """, "tenants[0]（某县，slug=county）.children[1]（乙镇，slug=same）：slug“same”重复"),
    ("""
        tenants:
          - {slug: Bad_Slug, name: 某县, kind: district}
     """, "slug“Bad_Slug”无效"),
    ("""
        tenants:
          - {slug: admin, name: 某县, kind: district}
     """, "slug“admin”是系统保留词"),
    ("""
        tenants:
          - {slug: county, name: 某县, kind: district, chidren: []}
     """, "未知字段 chidren"),
    ("""
        tenants:
          - {slug: county, name: 某县, kind: district}
        users:
          - {username: someone, password: short, grants: [{tenant: county, role: boss}]}
     """, "未知角色“boss”"),
    ("""
        tenants:
          - {slug: county, name: 某县, kind: district, unit_code: 110101}
     """, "单位代码请加引号书写"),
    ("""
        tenants:
          - {slug: 123, name: 2024, kind: [district]}
     """, "slug 必须是文本"),
    ("""
        tenants:
          - {slug: county, name: 某县, kind: district, intro: 5, sort_order: abc}
     """, "intro 必须是文本"),
    ("""
        tenants:
          - {slug: one, name: 甲县, kind: district, host: gov.example.cn}
          - {slug: two, name: 乙县, kind: district, host: gov.example.cn}
     """, "域名“gov.example.cn”在文件中重复"),
    ("""
        tenants:
          - {slug: county, name: 某县, kind: district}
        users:
          - {username: 12345, password: 12345678}
     """, "缺少 username（文本）"),
])
def test_a_bad_file_is_refused_naming_the_entry_and_nothing_is_written(app, runner, tmp_path, body, message):
    path = _write(tmp_path, body)
    result = runner.invoke(args=["tenants", "sync", str(path)])
    assert result.exit_code == 1
    assert message in result.output
    assert "未写入任何内容" in result.output
    with app.app_context():
        assert _count(Tenant) == 0
        assert _count(User) == 0


def test_an_error_late_in_the_file_leaves_earlier_valid_entries_unwritten(demo, runner, tmp_path):
    path = _write(tmp_path, """
        tenants:
          - slug: baishui
            parent: qinglan
            name: 白水镇
            kind: town
            children:
              - {slug: goodvillage, name: 好村, kind: village}
          - {slug: badvillage, parent: qinglan, name: 坏村, kind: village}
    """)
    result = runner.invoke(args=["tenants", "sync", str(path)])
    assert result.exit_code == 1
    assert "坏村" in result.output
    with demo.app_context():
        assert tenant_by_slug("goodvillage") is None


def test_moving_an_existing_tenant_is_refused(demo, runner, tmp_path):
    path = _write(tmp_path, """
        tenants:
          - slug: liuhe
            parent: qinglan
            name: 柳河镇
            kind: town
            children:
              - {slug: dongpo, name: 东坡村, kind: village}
    """)
    result = runner.invoke(args=["tenants", "sync", str(path)])
    assert result.exit_code == 1
    assert "不支持移动单位" in result.output


def test_dry_run_writes_nothing(app, runner):
    result = runner.invoke(args=["tenants", "sync", "--dry-run", str(DEMO_FILE)])
    assert result.exit_code == 0
    assert "试运行" in result.output
    with app.app_context():
        assert _count(Tenant) == 0


@pytest.mark.builtin_plugins
def test_sync_runs_the_tenant_provisioned_hook_and_default_plugins(demo, ctx):
    town, village, district = tenant_by_slug("baishui"), tenant_by_slug("dongpo"), tenant_by_slug("qinglan")
    assert "gazette" in district.enabled_plugins and "gazette" not in town.enabled_plugins
    assert set(village.enabled_plugins) == {"catalog"}


def test_tenants_create_list_archive(demo, runner):
    result = runner.invoke(args=["tenants", "create", "xincun", "--name", "新村", "--kind", "village",
                                 "--parent", "liuhe", "--unit-code", "11451103C"])
    assert result.exit_code == 0, result.output
    assert "/qinglan/liuhe/xincun/" in result.output
    bad = runner.invoke(args=["tenants", "create", "wrong", "--name", "错村", "--kind", "village", "--parent", "qinglan"])
    assert bad.exit_code == 1 and "上级必须是乡镇（街道）" in bad.output
    listing = runner.invoke(args=["tenants", "list"])
    assert "    新村（xincun，村（社区））" in listing.output
    refused = runner.invoke(args=["tenants", "archive", "liuhe"])
    assert refused.exit_code == 1 and "还有 3 个在用的下级单位" in refused.output
    archived = runner.invoke(args=["tenants", "archive", "xincun"])
    assert archived.exit_code == 0 and "已撤并“新村”" in archived.output
    assert "新村" not in runner.invoke(args=["tenants", "list"]).output
    assert "新村（xincun，村（社区））  [已撤并]" in runner.invoke(args=["tenants", "list", "--all"]).output
    with demo.app_context():
        assert tenant_by_slug("xincun").status == "archived"  # archived, never deleted


def test_users_create_grant_revoke(demo, runner):
    created = runner.invoke(args=["users", "create", "sun", "--display-name", "孙干事", "--password", "ganshi-pass-77"])
    assert created.exit_code == 0, created.output
    dup = runner.invoke(args=["users", "create", "sun", "--password", "another-pass-1"])
    assert dup.exit_code == 1 and "已被使用" in dup.output
    weak = runner.invoke(args=["users", "create", "weak", "--password", "short"])
    assert weak.exit_code == 1 and "至少需要 8 个字符" in weak.output
    granted = runner.invoke(args=["users", "grant", "sun", "editor", "xihe"])
    assert "已授予 sun 在“西河村”的 editor 角色" in granted.output
    again = runner.invoke(args=["users", "grant", "sun", "editor", "xihe"])
    assert "已存在" in again.output
    with demo.app_context():
        assert _count(RoleGrant.__table__) >= 1
        assert db.session.scalar(select(func.count()).select_from(RoleGrant).join(User).where(User.username == "sun")) == 1
    revoked = runner.invoke(args=["users", "revoke", "sun", "editor", "xihe"])
    assert "已撤销" in revoked.output
    with demo.app_context():
        assert db.session.scalar(select(func.count()).select_from(RoleGrant).join(User).where(User.username == "sun")) == 0
    missing = runner.invoke(args=["users", "grant", "nobody", "editor", "xihe"])
    assert missing.exit_code == 1 and "用户“nobody”不存在" in missing.output


def test_a_parent_declared_later_in_the_file_is_created_first(app, runner, tmp_path):
    path = _write(tmp_path, """
        tenants:
          - {slug: town, parent: county, name: 某镇, kind: town}
          - {slug: county, name: 某县, kind: district}
    """)
    result = runner.invoke(args=["tenants", "sync", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert tenant_by_slug("town").parent.slug == "county"


def test_a_whole_subtree_can_be_archived_from_the_file(demo, runner, tmp_path):
    path = _write(tmp_path, """
        tenants:
          - slug: liuhe
            parent: qinglan
            name: 柳河镇
            kind: town
            status: archived
            children:
              - {slug: liuhecun, name: 柳河村, kind: village, status: archived}
              - {slug: shangzhuang, name: 上庄村, kind: village, status: archived}
    """)
    result = runner.invoke(args=["tenants", "sync", str(path)])
    assert result.exit_code == 0, result.output
    assert "更新 3 项" in result.output
    with demo.app_context():
        assert {tenant_by_slug(s).status for s in ("liuhe", "liuhecun", "shangzhuang")} == {"archived"}
    again = runner.invoke(args=["tenants", "sync", str(path)])
    assert "没有任何改动" in again.output


def test_archiving_a_town_whose_villages_stay_active_is_refused_up_front(demo, runner, tmp_path):
    path = _write(tmp_path, """
        tenants:
          - {slug: liuhe, parent: qinglan, name: 柳河镇, kind: town, status: archived}
    """)
    result = runner.invoke(args=["tenants", "sync", str(path)])
    assert result.exit_code == 1 and "下级单位 柳河村、上庄村 仍在使用" in result.output
