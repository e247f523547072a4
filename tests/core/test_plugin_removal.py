"""A plugin removed from an installation (its package and entry point gone, its tables left):
`cms db upgrade` succeeds and says which plugin's tables it left alone, core keeps its place,
site search shows nothing of the plugin, and the plugin can come back to its data (issue 16)."""
from __future__ import annotations

import importlib
from contextlib import contextmanager
from pathlib import Path
import re
import sys

import pytest
from sqlalchemy import inspect, text

from core.db import db
from tests.conftest import DEMO_FILE, fresh_database, make_app
from tests.core.test_plugins import install_plugin, uninstall_plugin

# Core's latest revision, read from its scripts: the test plugin's migration depends on it.
CORE_HEAD = max(re.findall(r"^revision = '(\d{4}_core)'", "\n".join(
    path.read_text(encoding="utf-8") for path in (Path(__file__).resolve().parents[2] / "core" / "migrations" / "versions")
    .glob("*.py")), re.M))

BULLETIN = '''
"""A plugin with a table of its own and search entries."""
import os

from sqlalchemy import false, select

from core.plugin_api import PluginInfo, SearchDocument, SearchSource, Tenant, hookimpl


class Bulletin:
    """Stands for the plugin's model."""


def bulletin_document(item):
    return SearchDocument(plugin="bulletin", kind="bulletin", id=item.id, tenant_id=item.tenant_id,
                          title=item.title, body="", url="/bulletin")


@hookimpl
def plugin_info():
    return PluginInfo(name="bulletin", title="简报",
                      migrations=os.path.join(os.path.dirname(__file__), "bulletin_migrations"))


@hookimpl
def search_sources():
    return [SearchSource(plugin="bulletin", kind="bulletin", label="简报", model=Bulletin,
                         document=bulletin_document, watch=("title",),
                         candidates=lambda: select(Tenant).where(false()))]  # rebuilt: nothing
'''

# Depends on core's latest revision: in alembic_version this plugin's row then stands for core's too.
MIGRATION = '''
"""bulletin tables

Revision ID: 0001_bulletin
"""
from alembic import op
import sqlalchemy as sa

revision = "0001_bulletin"
down_revision = None
branch_labels = ("bulletin",)
depends_on = "CORE_HEAD"


def upgrade():
    op.create_table("bulletin_items", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("title", sa.String(100), nullable=False))


def downgrade():
    op.drop_table("bulletin_items")
'''


@pytest.fixture
def site(tmp_path):
    site = tmp_path / "site"
    install_plugin(site, "cms_bulletin", BULLETIN, "bulletin")
    (site / "bulletin_migrations").mkdir()
    (site / "bulletin_migrations" / "0001_bulletin.py").write_text(MIGRATION.replace("CORE_HEAD", CORE_HEAD), encoding="utf-8")
    yield site
    if str(site) in sys.path:
        uninstall_plugin(site, "cms_bulletin")


@contextmanager
def installation(tmp_path):
    """A database of its own, upgraded by `cms db upgrade`: its address and the app serving it."""
    with fresh_database(tmp_path, "cms_removal") as url:
        app = make_app(url, tmp_path / "one")
        upgrade(app)
        yield url, app


def upgrade(app) -> str:
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    return result.output


def versions(app) -> set[str]:
    with app.app_context():
        rows = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        db.session.remove()
    return set(rows)


def found(app, word: str) -> list[str]:
    html = app.test_client().get(f"/qinglan/baishui/search?q={word}").get_data(as_text=True)
    return [re.sub(r"</?mark>", "", t) for t in re.findall(r'<h2><a href="[^"]*">(.*?)</a></h2>', html)]


def seed(app) -> None:
    """The demo county, a row in the plugin's table and its search entry in 白水镇."""
    from core import search
    from core.plugins import SearchDocument
    from core.tenants.provisioning import sync_file
    from core.tenants import tenant_by_slug, tenant_scope
    with app.app_context():
        sync_file(DEMO_FILE)
        db.session.execute(text("INSERT INTO bulletin_items (id, title) VALUES (1, '白水镇停水简报')"))
        baishui = tenant_by_slug("baishui")
        with tenant_scope(baishui):
            search.index_document(SearchDocument(plugin="bulletin", kind="bulletin", id=1, tenant_id=baishui.id,
                                                 title="白水镇停水简报", body="", url="/bulletin"))
        db.session.commit()
        db.session.remove()


@pytest.mark.builtin_plugins
def test_an_installation_upgrades_and_searches_without_a_removed_plugin_and_takes_it_back(site, tmp_path):
    with installation(tmp_path) as (url, installed):
        assert {"0001_bulletin"} <= versions(installed) and CORE_HEAD not in versions(installed)
        seed(installed)
        assert found(installed, "停水简报") == ["白水镇停水简报"]
        with installed.app_context():
            db.engine.dispose()

        uninstall_plugin(site, "cms_bulletin")
        absent = make_app(url, tmp_path / "two")
        said = upgrade(absent)
        assert "插件“bulletin”不在本安装中：其数据表和数据保留未动" in said
        # Core's place came back as a row of its own; nothing of core ran twice.
        assert versions(absent) == {CORE_HEAD, "0003_opinions", "0002_open_day", "0002_gazette", "0006_catalog", "0001_applications", "0001_disclosure", "0001_decisions"}
        assert "插件“bulletin”不在本安装中" in upgrade(absent)          # said again on every upgrade
        with absent.app_context():
            assert inspect(db.engine).has_table("bulletin_items")
            assert db.session.execute(text("SELECT title FROM bulletin_items")).scalars().all() == ["白水镇停水简报"]
            db.session.remove()
        assert found(absent, "停水简报") == []
        with absent.app_context():
            db.engine.dispose()

        sys.path.insert(0, str(site))                                          # installed again
        importlib.invalidate_caches()
        back = make_app(url, tmp_path / "three")
        said = upgrade(back)
        assert "插件“bulletin”已恢复" in said and "不在本安装中" not in said
        assert "0001_bulletin" in versions(back) and CORE_HEAD not in versions(back)
        assert found(back, "停水简报") == ["白水镇停水简报"]
        with back.app_context():
            db.engine.dispose()


def test_a_revision_nobody_recorded_is_refused_with_a_way_out(tmp_path):
    with installation(tmp_path) as (url, app):
        with app.app_context():
            db.session.execute(text("INSERT INTO alembic_version (version_num) VALUES ('0003_gone')"))
            db.session.commit()
            db.session.remove()
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code != 0
        assert "0003_gone" in result.output and "请先重新安装该插件并运行 cms db upgrade" in result.output
        assert "Traceback" not in result.output
        assert "0003_gone" in versions(app)                                   # nothing changed
        with app.app_context():
            db.engine.dispose()


@pytest.mark.builtin_plugins
def test_remove_tells_what_it_keeps_and_purge_asks_then_drops_the_tables_and_entries(site, tmp_path):
    with installation(tmp_path) as (url, app):
        runner = app.test_cli_runner()
        seed(app)
        assert "bulletin\t简报\t已安装\t0001_bulletin" in runner.invoke(args=["plugins", "list"]).output

        kept = runner.invoke(args=["plugins", "remove", "bulletin"])
        assert kept.exit_code == 0 and "数据将保留" in kept.output and "站内搜索索引 1 条" in kept.output
        said_no = runner.invoke(args=["plugins", "remove", "bulletin", "--purge"], input="n\n")
        assert "将永久删除" in said_no.output and "已取消，未作任何改动" in said_no.output
        assert found(app, "停水简报") == ["白水镇停水简报"] and "0001_bulletin" in versions(app)

        purged = runner.invoke(args=["plugins", "remove", "bulletin", "--purge"], input="y\n")
        assert purged.exit_code == 0, purged.output
        assert "已删除插件“bulletin”的数据表和 1 条搜索索引" in purged.output
        assert versions(app) == {CORE_HEAD, "0003_opinions", "0002_open_day", "0002_gazette", "0006_catalog", "0001_applications", "0001_disclosure", "0001_decisions"}
        with app.app_context():
            assert not inspect(db.engine).has_table("bulletin_items")
            assert db.session.scalar(text("SELECT count(*) FROM search_entries WHERE plugin = 'bulletin'")) == 0
            assert db.session.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'plugin.purge'")) == 1
            db.session.remove()
            db.engine.dispose()

        uninstall_plugin(site, "cms_bulletin")
        gone = make_app(url, tmp_path / "two")
        said = upgrade(gone)
        assert "bulletin" not in said                      # purged: nothing left to tell about
        refused = gone.test_cli_runner().invoke(args=["plugins", "remove", "bulletin", "--purge", "--yes"])
        assert refused.exit_code != 0 and "没有名为“bulletin”的插件" in refused.output
        with gone.app_context():
            db.engine.dispose()


@pytest.mark.builtin_plugins
def test_a_branch_taken_down_by_hand_is_upgraded_again_not_taken_for_applied(tmp_path):
    """The record follows `cms db downgrade` too: a revision undone by hand runs again on the next
    upgrade instead of being put back as if it were applied."""
    with installation(tmp_path) as (url, app):
        runner = app.test_cli_runner()
        down = runner.invoke(args=["db", "downgrade", "catalog@-4"])
        assert down.exit_code == 0, down.output
        with app.app_context():
            columns = {c["name"] for c in inspect(db.engine).get_columns("catalog_records")}
            recorded = db.session.execute(text("SELECT revision FROM migration_branches WHERE branch = 'catalog'")).scalar()
            db.session.remove()
        assert "last_edited_by_id" not in columns and recorded == "0002_catalog"
        upgrade(app)
        with app.app_context():
            assert "last_edited_by_id" in {c["name"] for c in inspect(db.engine).get_columns("catalog_records")}
            db.engine.dispose()
        assert "0006_catalog" in versions(app)
