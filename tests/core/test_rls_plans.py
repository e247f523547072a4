"""Row-level security at full speed (issue 17), on a few thousand rows: the policy reads the tenant
scope once per statement (an InitPlan), never a function per row, and site search under the
application's role takes its hits from the full-text index through cms_search_hits, where the
policy alone makes PostgreSQL scan the whole index first. The figures at 1,000,000 records:
bench/rls_bench.py and docs/performance.md."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from core.db import db
from core.security import rls
from core.tenants import tenant_by_slug
from tests.core.test_rls import needs_postgres, probe, probe_role  # noqa: F401 - fixtures

pytestmark = needs_postgres
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


def test_the_policy_reads_the_scope_once_per_statement(demo, probe, index_rows):
    baishui, _ = index_rows
    with probe.connect() as connection:
        shown = plan(connection, "SELECT id FROM search_entries WHERE tenant_id = :t ORDER BY published_at LIMIT 20",
                     str(baishui), t=baishui)
        assert "InitPlan" in shown and "($0 OR (tenant_id = ANY ($1)))" in shown and "cms_tenant_visible" not in shown
        assert "ix_search_entries" in shown                          # the listing still comes from an index


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


def test_the_application_role_never_compiles_statements(demo, probe):
    with probe.connect() as connection:
        assert connection.execute(text("SHOW jit")).scalar() == "off"
    assert any("jit = off" in s for s in rls.grant_app_role_statements("someone"))
