"""PostgreSQL row-level security: the database's own wall between tenants, behind the ORM filter.

Every table of a tenant-owned model gets a policy (migrations: core 0009 and each plugin's) that
shows and accepts only rows whose tenant_id is in the transaction's setting `cms.tenant_ids`.
That setting follows the tenant scope of core.tenants: before each statement, when the scope
differs from what the connection's transaction was told, `set_config(..., is_local => true)`
sets it for the rest of the transaction. No scope means no rows, as with the ORM filter.

The policies bind only a role that neither owns the tables nor is a superuser (owners and
superusers bypass RLS): the app connects as such a role (`cms db grant-app-role`, see
docs/security.md), and migrations run as the owner.
"""
from __future__ import annotations

import weakref

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

SETTING = "cms.tenant_ids"
ALL = "*"
POLICY = "tenant_isolation"

FUNCTION_SQL = f"""
CREATE OR REPLACE FUNCTION cms_tenant_visible(tid integer) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE coalesce(current_setting('{SETTING}', true), '')
    WHEN '{ALL}' THEN true
    WHEN '' THEN false
    ELSE tid = ANY (string_to_array(current_setting('{SETTING}', true), ',')::integer[])
  END
$$
"""

# The scope, read once per statement (core migration 0014): the policy calls these inside scalar
# subqueries, which PostgreSQL evaluates once (an InitPlan), not once per row.
SCOPE_SQL = [f"""
CREATE OR REPLACE FUNCTION cms_scope_all() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(current_setting('{SETTING}', true), '') = '{ALL}'
$$""", f"""
CREATE OR REPLACE FUNCTION cms_scope_ids() RETURNS integer[]
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN coalesce(current_setting('{SETTING}', true), '') IN ('', '{ALL}') THEN '{{}}'::integer[]
              ELSE string_to_array(current_setting('{SETTING}', true), ',')::integer[] END
$$"""]
POLICY_EXPRESSION = "(SELECT cms_scope_all()) OR tenant_id = ANY ((SELECT cms_scope_ids())::integer[])"

# Site search under row-level security (core migration 0014). `@@` is not LEAKPROOF, so on a table
# with a policy PostgreSQL applies the policy to every row before it may use the full-text index:
# a district's search read all 1,041,268 rows of the city's index. This function, owned by the
# tables' owner (SECURITY DEFINER, so the policy does not apply inside it), takes the hits from
# the GIN index and applies the same tenant scope itself, from the same setting. It returns only
# what the index of public documents holds; the caller's ORM filter narrows again.
SEARCH_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION cms_search_hits(q tsquery, want_rank boolean, only_plugin text, only_kind text,
                                           newest_first boolean, max_rows integer)
RETURNS TABLE (entry_id integer, rank real, plugin varchar, kind varchar, tenant_id integer, year integer,
               published_at timestamp)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  IF newest_first THEN
    RETURN QUERY SELECT e.id, CASE WHEN want_rank THEN ts_rank(e.vector, q) ELSE 0::real END, e.plugin, e.kind,
                        e.tenant_id, e.year, e.published_at
      FROM public.search_entries e
      WHERE e.vector @@ q AND ((SELECT public.cms_scope_all()) OR e.tenant_id = ANY ((SELECT public.cms_scope_ids())::integer[]))
        AND (only_plugin IS NULL OR e.plugin = only_plugin) AND (only_kind IS NULL OR e.kind = only_kind)
      ORDER BY e.id DESC LIMIT max_rows;
  ELSE
    RETURN QUERY SELECT e.id, CASE WHEN want_rank THEN ts_rank(e.vector, q) ELSE 0::real END, e.plugin, e.kind,
                        e.tenant_id, e.year, e.published_at
      FROM public.search_entries e
      WHERE e.vector @@ q AND ((SELECT public.cms_scope_all()) OR e.tenant_id = ANY ((SELECT public.cms_scope_ids())::integer[]))
        AND (only_plugin IS NULL OR e.plugin = only_plugin) AND (only_kind IS NULL OR e.kind = only_kind)
      LIMIT max_rows;
  END IF;
END
$$
"""


def setting_for(scope) -> str:
    """The value of cms.tenant_ids for a scope of core.tenants: "" (none), "*" (all) or "1,4,17"."""
    if scope is None:
        return ""
    if scope.tenant_ids is None:
        return ALL
    return ",".join(str(i) for i in scope.tenant_ids)


_INSTALLED: "weakref.WeakSet[Engine]" = weakref.WeakSet()


def install(engine: Engine) -> None:
    """Keep each PostgreSQL transaction's cms.tenant_ids equal to the current tenant scope."""
    if engine.dialect.name != "postgresql" or engine in _INSTALLED:
        return
    _INSTALLED.add(engine)
    from core.tenants import current_scope

    @event.listens_for(engine, "connect")
    def _no_jit(dbapi_connection, connection_record):
        # The app's statements are short and indexed: compiling them (JIT) costs more than it saves,
        # and the planner's penalties on the policies switched it on (185–367 ms on a search). Set
        # per connection, so no privilege on the role is needed.
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        dbapi_connection.commit()

    @event.listens_for(engine, "before_cursor_execute")
    def _set_scope(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith(("ROLLBACK TO SAVEPOINT", "RELEASE SAVEPOINT")):
            # Transaction control reads no rows; after an error, ROLLBACK TO SAVEPOINT is the only
            # statement the failed transaction accepts, so no set_config may run before it. The
            # next statement sets the scope again (the rollback forgot it).
            return
        value = setting_for(current_scope())
        if conn.info.get("cms_rls_scope") != value:
            # A cursor of its own: the statement's may be a server-side one (yield_per), which
            # would only DECLARE this, never run it.
            with cursor.connection.cursor() as own:
                own.execute("SELECT set_config(%s, %s, true)", (SETTING, value))
            conn.info["cms_rls_scope"] = value

    def _forget(conn, *args):
        conn.info.pop("cms_rls_scope", None)      # transaction-local: gone with the transaction

    for name in ("commit", "rollback", "rollback_savepoint"):
        event.listen(engine, name, _forget)


def enable_statements(table: str) -> list[str]:
    """What a migration runs to put a tenant-owned table behind the policy (idempotent; the scope
    functions the policy reads are created first, whichever migration comes first)."""
    return [
        *SCOPE_SQL,
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'CREATE POLICY {POLICY} ON "{table}" USING ({POLICY_EXPRESSION}) WITH CHECK ({POLICY_EXPRESSION})',
    ]


def disable_statements(table: str) -> list[str]:
    return [f'DROP POLICY IF EXISTS {POLICY} ON "{table}"', f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY']


def enable_in_migration(op, tables: list[str]) -> None:
    """For a migration (core's or a plugin's): policies on these tables, on PostgreSQL only."""
    _run_in_migration(op, [s for t in tables for s in enable_statements(t)])


def disable_in_migration(op, tables: list[str]) -> None:
    _run_in_migration(op, [s for t in tables for s in disable_statements(t)])


def _run_in_migration(op, statements: list[str]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in statements:
            op.execute(statement)


def tenant_tables() -> list[str]:
    """Tables of every tenant-owned model the installation knows (core's and the plugins')."""
    from core.db import db
    from core.tenants import TenantScoped
    return sorted({mapper.local_table.name for mapper in db.Model.registry.mappers
                   if issubclass(mapper.class_, TenantScoped)})


def unprotected_tables(connection) -> list[str]:
    """Tenant-owned tables without row-level security or without the policy (security-check)."""
    rows = connection.execute(text(
        "SELECT c.relname, c.relrowsecurity, EXISTS (SELECT 1 FROM pg_policies p WHERE p.tablename = c.relname "
        "AND p.policyname = :policy) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind = 'r'"), {"policy": POLICY}).all()
    state = {name: bool(enabled and policy) for name, enabled, policy in rows}
    return [t for t in tenant_tables() if not state.get(t, False)]


def bypasses_rls(connection) -> str | None:
    """Why the connected role is not bound by the policies, or None when it is."""
    superuser, bypass = connection.execute(text(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")).one()
    if superuser or bypass:
        return "超级用户" if superuser else "具有 BYPASSRLS 属性的角色"
    owned = connection.execute(text(
        "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tableowner = current_user")).scalar()
    return "数据表的所有者" if owned else None


def grant_app_role_statements(role: str) -> list[str]:
    """Privileges of the app's role: data, not schema; the audit log can be added to, never changed
    or shortened (`cms audit purge` runs as the owner)."""
    quoted = '"' + role.replace('"', '""') + '"'
    return [
        f"GRANT USAGE ON SCHEMA public TO {quoted}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {quoted}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {quoted}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
    ]
