"""PostgreSQL row-level security, the second wall between tenants (core.security.rls).

The first wall, the ORM filter, is tested everywhere else; `make test` also runs the isolation
tests with that filter off and the app connected as a role that owns no table (TEST_RLS_ONLY=1),
so only these policies stand between tenants there. Row-level security is a PostgreSQL feature:
on SQLite this module checks that nothing claims it.
"""
from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from core.attachments import Attachment
from core.db import db
from core.security import deploy_findings, rls
from core.tenants import Scope, across_tenants, tenant_by_slug, tenant_scope

POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))
# Not a skip to make a run green: SQLite has no row-level security to test. `make test` runs these
# in its PostgreSQL passes (and test_sqlite_claims_no_row_level_security covers the SQLite side).
needs_postgres = pytest.mark.skipif(not POSTGRES, reason="row-level security is PostgreSQL's; this run is on SQLite")


def test_the_setting_follows_the_scope():
    assert rls.setting_for(None) == ""
    assert rls.setting_for(Scope(tenant_ids=None, write_tenant_id=None, reason="all")) == "*"
    assert rls.setting_for(Scope(tenant_ids=(3, 17), write_tenant_id=3, reason="two")) == "3,17"


def test_sqlite_claims_no_row_level_security(app):
    codes = {f.code for f in deploy_findings(app)}
    if POSTGRES:       # the policies exist; whether they bind depends on the role (below)
        assert "S010" not in codes and "S013" not in codes
    else:              # "SQLite: … no row-level security", and no claim about policies
        assert "S010" in codes and not {"S012", "S013"} & codes


@pytest.fixture(scope="session")
def probe_role(run_role):
    return run_role("rls_probe")


@pytest.fixture
def probe(demo, probe_role):
    """A connection as a role that owns no table, granted what `cms db grant-app-role` grants."""
    from tests.conftest import RLS_ONLY
    if RLS_ONLY:       # the suite itself connects as such a role already
        engine = create_engine(make_url(demo.config["SQLALCHEMY_DATABASE_URI"]))
        yield engine
        engine.dispose()
        return
    with demo.app_context():
        for statement in rls.grant_app_role_statements(probe_role):
            db.session.execute(text(statement))
        db.session.commit()
        url = make_url(demo.config["SQLALCHEMY_DATABASE_URI"]).set(username=probe_role, password=None)
    engine = create_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def files(demo):
    """A file of 白水镇's and one of 柳河镇's: rows of a tenant-owned table of core's own."""
    import io

    from werkzeug.datastructures import FileStorage

    from core.accounts import SYSTEM
    from core.attachments import save_upload
    with demo.app_context():
        for slug in ("baishui", "liuhe"):
            with tenant_scope(tenant_by_slug(slug)):
                save_upload(FileStorage(io.BytesIO(b"%PDF-1.4 " + slug.encode()), filename=f"{slug}.pdf"), uploaded_by=SYSTEM)
        db.session.commit()


def _ids(connection, table="attachments") -> set[int]:
    return set(connection.execute(text(f"SELECT DISTINCT tenant_id FROM {table}")).scalars())


@needs_postgres
def test_every_tenant_table_has_the_policy(demo):
    with demo.app_context(), db.engine.connect() as connection:
        assert rls.unprotected_tables(connection) == []
    from core.db import db as core_db
    from core.tenants import TenantScoped
    scoped = {m.class_.__tablename__ for m in core_db.Model.registry.mappers if issubclass(m.class_, TenantScoped)}
    assert "attachments" in rls.tenant_tables() and scoped <= set(rls.tenant_tables())


@needs_postgres
def test_without_a_setting_the_app_role_sees_nothing(files, probe):
    with probe.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM attachments")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM search_entries")).scalar() == 0
        assert connection.execute(text("SELECT count(*) FROM tenants")).scalar() > 0      # not tenant-owned


@needs_postgres
def test_the_app_role_sees_and_writes_only_its_tenants_rows(demo, files, probe):
    with demo.app_context():
        baishui, liuhe = tenant_by_slug("baishui").id, tenant_by_slug("liuhe").id
    with probe.connect() as connection:
        connection.execute(text("SELECT set_config('cms.tenant_ids', :v, true)"), {"v": str(baishui)})
        assert _ids(connection) == {baishui}
        # Another tenant's rows can be neither changed nor written
        assert connection.execute(text("UPDATE attachments SET filename = filename WHERE tenant_id = :t"),
                                  {"t": liuhe}).rowcount == 0
        with pytest.raises(ProgrammingError, match="row-level security"):
            connection.execute(text("UPDATE attachments SET tenant_id = :t WHERE tenant_id = :b"),
                               {"t": liuhe, "b": baishui})
        connection.rollback()
        connection.execute(text("SELECT set_config('cms.tenant_ids', :v, true)"), {"v": f"{baishui},{liuhe}"})
        assert _ids(connection) == {baishui, liuhe}


@needs_postgres
@pytest.mark.parametrize("statement", ["UPDATE audit_log SET summary = 'x'", "DELETE FROM audit_log"])
def test_the_app_role_cannot_alter_the_audit_log(demo, probe, statement):
    from tests.conftest import RLS_ONLY
    if RLS_ONLY and statement.startswith("DELETE"):
        return    # the suite's own role may empty the log between tests (tests/conftest.py)
    with probe.connect() as connection, pytest.raises(ProgrammingError, match="permission denied"):
        connection.execute(text(statement))


@needs_postgres
def test_each_statement_runs_under_the_scope_of_its_moment(demo):
    """Scopes change inside one transaction (a town page reading its district's settings, say):
    the setting follows before every statement, and is gone with the transaction."""
    with demo.app_context():
        baishui, liuhe = tenant_by_slug("baishui"), tenant_by_slug("liuhe")

        def setting():
            return db.session.execute(text("SELECT current_setting('cms.tenant_ids', true)")).scalar()

        with tenant_scope(baishui):
            assert setting() == str(baishui.id)
            with across_tenants([baishui.id, liuhe.id], reason="test"):
                assert setting() == ",".join(sorted((str(baishui.id), str(liuhe.id)), key=int))
            assert setting() == str(baishui.id)
            db.session.commit()
            db.session.execute(select(Attachment.id).limit(1)).all()
            assert setting() == str(baishui.id)                          # set again in the new transaction
        assert setting() == ""


@needs_postgres
def test_a_savepoint_rolled_back_after_an_error_leaves_the_transaction_usable(demo):
    """After an error inside begin_nested, ROLLBACK TO SAVEPOINT is the one statement PostgreSQL
    accepts: the scope may not be set before it, and must be set again after it."""
    from sqlalchemy.exc import IntegrityError

    from core.search import SearchEntry
    with demo.app_context():
        baishui = tenant_by_slug("baishui")
        with tenant_scope(baishui):
            def setting():
                return db.session.execute(text("SELECT current_setting('cms.tenant_ids', true)")).scalar()
            assert setting() == str(baishui.id)
            with pytest.raises(IntegrityError):
                with db.session.begin_nested():
                    with across_tenants([baishui.id], reason="test: a scope set inside the savepoint"):
                        db.session.execute(text("INSERT INTO search_entries (id, tenant_id) VALUES (NULL, :t)"),
                                           {"t": baishui.id})
            assert setting() == str(baishui.id)
            db.session.execute(select(SearchEntry.id).limit(1)).all()
            db.session.rollback()


@needs_postgres
def test_security_check_says_whether_the_policies_bind(demo, probe):
    connected_as = make_url(demo.config["SQLALCHEMY_DATABASE_URI"]).username
    codes = {f.code for f in deploy_findings(demo)}
    # The suite connects as the server's superuser, or (TEST_RLS_ONLY) as a role that owns nothing.
    assert ("S012" in codes) == (connected_as == "postgres")
    assert "S013" not in codes
    with probe.connect() as connection:
        assert rls.bypasses_rls(connection) is None


@needs_postgres
@pytest.mark.owner
def test_security_check_finds_a_table_without_its_policy(demo):
    with demo.app_context(), db.engine.connect() as connection:
        connection.execute(text("ALTER TABLE attachments DISABLE ROW LEVEL SECURITY"))
        assert rls.unprotected_tables(connection) == ["attachments"]
        connection.rollback()
        assert rls.unprotected_tables(connection) == []

# --- row-level security at full speed (issue 17) ------------------------------------------------
# On a few thousand rows: the policy reads the tenant scope once per statement (an InitPlan), never
# a function per row, and site search under the application's role takes its hits from the
# full-text index through cms_search_hits, where the policy alone makes PostgreSQL scan the whole
# index first. The figures at 1,000,000 records: bench/rls_bench.py and docs/performance.md.

ROWS = 3_000


@pytest.fixture
def index_rows(demo):
    """3,000 search entries of two towns (even numbers 白水镇's), 1 in 30 with the word looked for:
    all of them 白水镇's."""
    with demo.app_context():
        baishui, liuhe = tenant_by_slug("baishui").id, tenant_by_slug("liuhe").id
        db.session.execute(text(
            "INSERT INTO search_entries (tenant_id, plugin, kind, ref_id, title, url, summary, badge, code, vector) "
            "SELECT CASE WHEN n % 2 = 0 THEN :a ELSE :b END, 'bench', 'doc', n, 't', '/', '', '', '', "
            "to_tsvector('simple', CASE WHEN n % 30 = 0 THEN '低保 公示' ELSE '工作 动态 ' || n END) "
            "FROM generate_series(1, :rows) AS n"), {"a": baishui, "b": liuhe, "rows": ROWS})
        db.session.commit()
        db.session.execute(text("ANALYZE search_entries"))
        db.session.commit()
    return baishui, liuhe


def plan(connection, statement: str, scope: str, **params) -> str:
    """The plan PostgreSQL makes, with sequential scans made as costly as it allows: on a few thousand
    rows a scan would win on cost alone, and the question is whether the index can be used at all."""
    connection.execute(text("SET LOCAL enable_seqscan = off"))
    connection.execute(text("SELECT set_config('cms.tenant_ids', :v, true)"), {"v": scope})
    rows = connection.execute(text("EXPLAIN (FORMAT JSON) " + statement), params).scalar()
    return json.dumps(rows if isinstance(rows, list) else json.loads(rows), ensure_ascii=False)


@needs_postgres
@pytest.mark.owner       # writes the index rows and reads the owner's plan
def test_the_policy_reads_the_scope_once_per_statement(demo, probe, index_rows):
    baishui, _ = index_rows
    with probe.connect() as connection:
        shown = plan(connection, "SELECT id FROM search_entries WHERE tenant_id = :t ORDER BY published_at LIMIT 20",
                     str(baishui), t=baishui)
        assert "InitPlan" in shown and "($0 OR (tenant_id = ANY ($1)))" in shown and "cms_tenant_visible" not in shown
        assert "ix_search_entries" in shown                          # the listing still comes from an index


@needs_postgres
@pytest.mark.owner       # writes the index rows and reads the owner's plan
def test_search_under_the_application_role_reads_the_full_text_index(demo, probe, index_rows):
    baishui, liuhe = index_rows
    query = "SELECT entry_id FROM cms_search_hits(CAST(:q AS tsquery), true, NULL, NULL, false, NULL)"
    with probe.connect() as connection:
        # Why the function: the bare query under the policy cannot use the index (`@@` is not
        # LEAKPROOF, so the policy runs first, on every row).
        bare = plan(connection, "SELECT id FROM search_entries WHERE vector @@ CAST(:q AS tsquery)", str(baishui), q="'低保'")
        assert "ix_search_entries_vector" not in bare
        # The function applies the scope itself: the application's role sees its tenant's hits only.
        connection.execute(text("SELECT set_config('cms.tenant_ids', :v, true)"), {"v": str(baishui)})
        ids = connection.execute(text(query), {"q": "'低保'"}).scalars().all()
        tenants = set(connection.execute(text(
            "SELECT DISTINCT tenant_id FROM search_entries WHERE id = ANY(:ids)"), {"ids": ids}).scalars())
        assert len(ids) == ROWS // 30 and tenants == {baishui}
        connection.execute(text("SELECT set_config('cms.tenant_ids', :v, true)"), {"v": str(liuhe)})
        assert connection.execute(text(query), {"q": "'低保'"}).scalars().all() == []      # not 柳河镇's
        connection.execute(text("SELECT set_config('cms.tenant_ids', '', true)"))
        assert connection.execute(text(query), {"q": "'低保'"}).scalars().all() == []      # no scope, nothing
    # Inside, the function runs as the tables' owner, whom the policy does not bind: the same query
    # as the owner shows the plan it gets, from the GIN index.
    with demo.app_context(), db.engine.connect() as owner:
        inside = plan(owner, "SELECT e.id FROM search_entries e WHERE e.vector @@ CAST(:q AS tsquery) AND "
                             "((SELECT cms_scope_all()) OR e.tenant_id = ANY ((SELECT cms_scope_ids())::integer[]))",
                      f"{baishui},{liuhe}", q="'低保'")
        assert "ix_search_entries_vector" in inside


@needs_postgres
def test_the_application_never_compiles_statements(demo):
    """JIT off on every connection of the app, whatever its role (no privilege on the role needed)."""
    with demo.app_context():
        assert db.session.execute(text("SHOW jit")).scalar() == "off"
