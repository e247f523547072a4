"""`cms backup` and `cms restore`: the whole installation into a new database, and one tenant in
place, each round trip without a difference; refusals that change nothing."""
from __future__ import annotations

import io
import json
import stat
import tarfile

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from core import audit, backup
from core.db import db
from core.tenants import across_tenants, tenant_by_slug, tenant_scope
from tests.conftest import Auth, fresh_database, make_app


@pytest.fixture
def county(demo_content, client):
    """The demo county with its demo content and an uploaded file."""
    Auth(client).login("li")
    page = client.get("/admin/baishui/attachments").get_data(as_text=True)
    from tests.conftest import csrf_from
    client.post("/admin/baishui/attachments", content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "file": (io.BytesIO(b"%PDF-1.4 backup test\n%%EOF\n"), "通知.pdf"), "public": "y"})
    return demo_content


def _search_count(client, query: str) -> str:
    import re
    html = client.get(f"/qinglan/search?q={query}&scope=all").get_data(as_text=True)
    return re.search(r"共找到 ([\d,]+) 条", html).group(1)


def test_the_whole_installation_round_trips_into_a_new_database(county, client, tmp_path):
    path = tmp_path / "all.tar.gz"
    from core.attachments import Attachment
    with county.app_context(), across_tenants(None, reason="test"):
        before = backup.dump()            # (the backup's own audit entry comes after the file is written)
        from core.attachments import storage_path
        files = {token: storage_path(token).read_bytes() for token in db.session.scalars(select(Attachment.token))}
    assert files and any(content.startswith(b"%PDF") for content in files.values())
    result = county.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600           # personal data and password hashes
    searched = _search_count(client, "补贴")

    with fresh_database(tmp_path, "cms_restore") as url:
        target = make_app(url, tmp_path / "target", ATTACHMENT_DIR=str(tmp_path / "target-files"))
        with target.app_context():
            upgrade(revision="heads")
        result = target.test_cli_runner().invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code == 0, result.output
        with target.app_context():
            after = backup.dump()
            # Everything is as it was, plus the restore's own audit entry at the end of the chain
            restored_log = after.pop("audit_log")
            assert restored_log[:-1] == before.pop("audit_log") and restored_log[-1]["action"] == "backup.restore"
            after.pop("audit_chain"), before.pop("audit_chain")
            assert after == before
            assert audit.verify_chain().ok
            for token, content in files.items():                       # every file, byte for byte
                assert storage_path(token).read_bytes() == content
            assert _search_count(target.test_client(), "补贴") == searched      # the index was rebuilt
            db.engine.dispose()


def test_a_whole_restore_needs_an_empty_database(county, tmp_path):
    path = tmp_path / "all.tar.gz"
    county.test_cli_runner().invoke(args=["backup", str(path)])
    with county.app_context():
        before = backup.dump()
    result = county.test_cli_runner().invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 1 and "目标数据库不是空的" in result.output
    with county.app_context():
        assert backup.dump() == before


@pytest.mark.builtin_plugins   # the catalog's records are the data restored
def test_one_tenant_is_restored_in_place_and_the_others_keep_their_changes(county, client, tmp_path):
    from plugins.catalog.models import Record
    path = tmp_path / "baishui.tar.gz"
    runner = county.test_cli_runner()
    assert runner.invoke(args=["backup", str(path), "--tenant", "baishui"]).exit_code == 0
    with county.app_context():
        baishui, liuhe = tenant_by_slug("baishui"), tenant_by_slug("liuhe")
        ids = [t.id for t in db.session.scalars(select(type(baishui)).where(type(baishui).path.startswith(baishui.path)))]
        before = _without_versions(backup.dump(ids))
        # An editor's mistakes in 白水镇 and its village, and ordinary work in 柳河镇
        with across_tenants(ids, reason="test"):
            records = db.session.scalars(select(Record).where(Record.tenant_id.in_(ids)).order_by(Record.id)).all()
            gone = records[0]
            kept_title = records[1].title
            records[1].title = "被误改的标题"
            db.session.delete(gone)
            db.session.commit()
        with tenant_scope(liuhe):
            liuhe_record = db.session.scalars(select(Record).order_by(Record.id)).first()
            liuhe_record.title = "柳河镇今天的修改"
            db.session.commit()
        gone_title = gone.title
    assert _search_count(client, "被误改的标题") == "1"

    result = runner.invoke(args=["restore", str(path), "--tenant", "baishui", "--yes"])
    assert result.exit_code == 0, result.output
    with county.app_context():
        assert _without_versions(backup.dump(ids)) == before
        with across_tenants(None, reason="test"):
            titles = set(db.session.scalars(select(Record.title)))
        assert gone_title in titles and kept_title in titles and "被误改的标题" not in titles
        assert "柳河镇今天的修改" in titles                                  # another town's work stays
        assert audit.verify_chain().ok
        assert db.session.scalars(select(audit.AuditEntry.action).order_by(audit.AuditEntry.seq.desc())).first() \
            == "backup.restore"
    assert _search_count(client, "被误改的标题") == "0"                      # the index follows


def _without_versions(dump: dict) -> dict:
    """The page-cache version of a restored tenant moves on (its cached pages are stale)."""
    for row in dump["tenants"]:
        row.pop("content_version"), row.pop("content_changed_at")
    return dump


def test_a_tenant_backup_is_only_restored_as_that_tenant(county, tmp_path):
    path = tmp_path / "baishui.tar.gz"
    runner = county.test_cli_runner()
    runner.invoke(args=["backup", str(path), "--tenant", "baishui"])
    wrong = runner.invoke(args=["restore", str(path), "--tenant", "liuhe", "--yes"])
    assert wrong.exit_code == 1 and "不是单位“liuhe”的备份" in wrong.output
    whole = runner.invoke(args=["restore", str(path), "--yes"])
    assert whole.exit_code == 1 and "--tenant baishui" in whole.output


def test_a_backup_of_another_schema_version_is_refused(county, tmp_path):
    path = tmp_path / "all.tar.gz"
    county.test_cli_runner().invoke(args=["backup", str(path), "--tenant", "baishui"])
    # the same backup, as if made before a migration
    tampered = tmp_path / "old.tar.gz"
    with tarfile.open(path, "r:gz") as source, tarfile.open(tampered, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["heads"] = ["0001_core"]
                data = json.dumps(manifest).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    result = county.test_cli_runner().invoke(args=["restore", str(tampered), "--tenant", "baishui", "--yes"])
    assert result.exit_code == 1 and "备份与当前数据库的版本不同" in result.output


def test_a_file_that_is_not_a_backup_is_refused(county, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a backup")
    result = county.test_cli_runner().invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code == 1 and "无法读取备份文件" in result.output


def _rewrite(path, target, change) -> None:
    """A copy of the backup with `change(name, data) -> data` applied to each member."""
    with tarfile.open(path, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


def test_a_tenant_restore_accepts_only_the_subtrees_own_rows(county, tmp_path):
    """A doctored file cannot reach another town: rows of another tenant are refused, nothing changes."""
    path, forged = tmp_path / "baishui.tar.gz", tmp_path / "forged.tar.gz"
    runner = county.test_cli_runner()
    runner.invoke(args=["backup", str(path), "--tenant", "baishui"])
    with county.app_context():
        liuhe = tenant_by_slug("liuhe").id
        before = backup.dump()

    def move_a_row(name, data):
        if name != "tables/attachments.jsonl":
            return data
        rows = [json.loads(line) for line in data.splitlines()]
        rows[0]["tenant_id"] = liuhe
        return b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in rows)
    _rewrite(path, forged, move_a_row)
    result = runner.invoke(args=["restore", str(forged), "--tenant", "baishui", "--yes"])
    assert result.exit_code == 1 and "不属于该单位的记录" in result.output
    with county.app_context():
        assert backup.dump() == before


def test_a_tenant_restore_does_not_give_back_revoked_access(county, tmp_path):
    from core.accounts import RoleGrant, SYSTEM, revoke_role, user_by_username
    path = tmp_path / "baishui.tar.gz"
    runner = county.test_cli_runner()
    runner.invoke(args=["backup", str(path), "--tenant", "baishui"])
    with county.app_context():
        revoke_role(SYSTEM, user_by_username("li"), tenant_by_slug("baishui"), "editor")
        db.session.commit()
    assert runner.invoke(args=["restore", str(path), "--tenant", "baishui", "--yes"]).exit_code == 0
    with county.app_context():
        li = user_by_username("li")
        assert db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == li.id)).all() == []


def test_restoring_a_backup_bomb_is_refused_before_anything_is_read(county, tmp_path):
    """Issue 17: a small archive that inflates past BACKUP_MAX_RATIO times its size stops early."""
    from tests.core.test_bounded import _tar
    bomb = _tar(tmp_path / "bomb.tar.gz", {"manifest.json": b"{}", "tables/users.jsonl": b"\0" * 50_000_000})
    with county.app_context():
        before = backup.dump()
    result = county.test_cli_runner().invoke(args=["restore", str(bomb), "--yes"])
    assert result.exit_code == 1 and "压缩炸弹" in result.output
    with county.app_context():
        assert backup.dump() == before
