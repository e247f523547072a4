"""法定主动公开内容 as a second standard, districts' custom domains, the records' document type

Revision ID: 0005_catalog
Revises: 0004_catalog
Create Date: 2026-12-07 23:50:00

- catalog_custom_domains: the domains a district adds (乡村振兴, 十四五规划, …), tenant-owned, under
  row-level security like the other catalog tables.
- catalog_records.doc_type: "" (其他), "rule" (规章), "normative" (行政规范性文件), for the annual
  report's section 二; existing records are 其他 until an editor says otherwise.
- The statutory domains of the shipped standard 2026.1 (条例 第二十条 F01-F15, 第二十一条 F21 for
  districts and F22 for towns, ZD 政府信息公开制度) are given to every district and town that already
  has a catalog and none of them yet, as `services.seed` gives them to new ones: a district gets
  every statutory item, a town those of 乡级, linked to the district's item (source_id). Nothing
  existing is changed; downgrading removes those items only while no record uses them.
"""
from alembic import op
import sqlalchemy as sa

from core.plugin_api import disable_rls_in_migration, enable_rls_in_migration, UTCDateTime


revision = '0005_catalog'
down_revision = '0004_catalog'
branch_labels = None
depends_on = None

STATUTORY_PREFIXES = ("F", "ZD")


def upgrade():
    op.create_table('catalog_custom_domains',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('levels', sa.JSON(), nullable=False),
    sa.Column('lead', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_catalog_custom_domains_tenant_id_tenants'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_custom_domains')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_catalog_custom_domains_tenant_id_code')),
    sa.UniqueConstraint('tenant_id', 'name', name=op.f('uq_catalog_custom_domains_tenant_id_name'))
    )
    with op.batch_alter_table('catalog_custom_domains', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalog_custom_domains_tenant_id'), ['tenant_id'], unique=False)
    enable_rls_in_migration(op, ['catalog_custom_domains'])
    # A plain ADD COLUMN (no table rebuild on SQLite).
    op.add_column('catalog_records', sa.Column('doc_type', sa.String(length=16), nullable=False, server_default=''))
    _seed_statutory()


def downgrade():
    _unseed_statutory()
    op.drop_column('catalog_records', 'doc_type')
    disable_rls_in_migration(op, ['catalog_custom_domains'])
    with op.batch_alter_table('catalog_custom_domains', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalog_custom_domains_tenant_id'))
    op.drop_table('catalog_custom_domains')


# --- data: the statutory domains for the tenants that existed before -----------------------------

_tenants = sa.table('tenants', sa.column('id', sa.Integer), sa.column('kind', sa.String), sa.column('path', sa.String),
                    sa.column('enabled_plugins', sa.JSON))
_items = sa.table(
    'catalog_items', sa.column('id', sa.Integer), sa.column('tenant_id', sa.Integer), sa.column('domain_code', sa.String),
    sa.column('parent_id', sa.Integer), sa.column('position', sa.Integer), sa.column('name', sa.String),
    sa.column('content_elements', sa.JSON), sa.column('legal_basis', sa.JSON), sa.column('time_limit', sa.String),
    sa.column('rule', sa.JSON), sa.column('responsible_body', sa.String), sa.column('methods', sa.JSON),
    sa.column('channels', sa.JSON), sa.column('audience', sa.String), sa.column('audience_note', sa.String),
    sa.column('levels', sa.JSON), sa.column('source_id', sa.Integer), sa.column('not_applicable', sa.Boolean),
    sa.column('not_applicable_reason', sa.Text), sa.column('created_at', UTCDateTime),
    sa.column('updated_at', UTCDateTime))
_records = sa.table('catalog_records', sa.column('item_id', sa.Integer))
FIELDS = ("name", "content_elements", "legal_basis", "time_limit", "rule", "responsible_body", "methods", "channels",
          "audience", "audience_note", "levels")


def _statutory(codes) -> list[tuple[str, dict]]:
    from plugins.catalog import standard
    return [(code, item) for code, items in standard.standard_catalog()["domains"].items()
            if code.startswith(STATUTORY_PREFIXES) and code in codes for item in items]


def _seed_statutory():
    from core.plugin_api import utcnow
    from plugins.catalog import standard
    conn = op.get_bind()
    codes = {c for c, d in standard.domains().items() if d.kind == "statutory"}
    if not codes:
        return
    has_items = {tid for (tid,) in conn.execute(sa.select(_items.c.tenant_id).distinct())}
    has_statutory = {tid for (tid,) in conn.execute(sa.select(_items.c.tenant_id).where(
        _items.c.domain_code.in_(codes)).distinct())}
    tenants = [t for t in conn.execute(sa.select(_tenants.c.id, _tenants.c.kind, _tenants.c.path, _tenants.c.enabled_plugins))
               if t.kind in ("district", "town") and "catalog" in (t.enabled_plugins or [])
               and t.id in has_items and t.id not in has_statutory]
    if tenants:
        _sequence_past_max_id(conn)
    now = utcnow()
    sources: dict[tuple[int, str, str, str], int] = {}     # (district, code, parent name, name) → item id
    for tenant in sorted(tenants, key=lambda t: (t.kind != "district", t.path)):
        root = int(tenant.path.strip("/").split("/")[0])
        level = "县级" if tenant.kind == "district" else "乡级"
        positions: dict[str, int] = {}
        for code, item in _statutory(codes):
            kids = [c for c in item["children"] if tenant.kind == "district" or level in c["levels"]]
            if not kids and not (tenant.kind == "district" or level in item["levels"]):
                continue
            positions[code] = positions.get(code, 0) + 1
            parent_id = _insert(conn, now, tenant.id, code, item, positions[code], None,
                                sources.get((root, code, "", item["name"])) if tenant.kind == "town" else None)
            if tenant.kind == "district":
                sources[(tenant.id, code, "", item["name"])] = parent_id
            for number, child in enumerate(kids, start=1):
                child_id = _insert(conn, now, tenant.id, code, child, number, parent_id,
                                   sources.get((root, code, item["name"], child["name"])) if tenant.kind == "town" else None)
                if tenant.kind == "district":
                    sources[(tenant.id, code, item["name"], child["name"])] = child_id


def _sequence_past_max_id(conn) -> None:
    """PostgreSQL: rows written with explicit ids (a restore, a copy from another database) leave the
    id sequence behind; move it past the highest id before inserting (never back)."""
    if conn.dialect.name != "postgresql":
        return
    sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence('catalog_items', 'id')")).scalar()
    if not sequence:
        return
    last, called = conn.execute(sa.text(f"SELECT last_value, is_called FROM {sequence}")).one()   # nosec B608: catalog name
    highest = conn.execute(sa.select(sa.func.max(_items.c.id))).scalar() or 0
    next_value = last + 1 if called else last
    if next_value <= highest:
        conn.execute(sa.text("SELECT setval(:sequence, :value, true)"), {"sequence": sequence, "value": highest})


def _insert(conn, now, tenant_id: int, code: str, item: dict, position: int, parent_id, source_id) -> int:
    values = {k: item[k] for k in FIELDS} | {
        "tenant_id": tenant_id, "domain_code": code, "parent_id": parent_id, "position": position,
        "source_id": source_id, "not_applicable": False, "not_applicable_reason": "", "created_at": now,
        "updated_at": now}
    return conn.execute(sa.insert(_items).values(**values).returning(_items.c.id)).scalar_one()


def _unseed_statutory():
    from plugins.catalog import standard
    conn = op.get_bind()
    codes = [c for c, d in standard.domains().items() if d.kind == "statutory"]
    used = sa.select(_records.c.item_id)
    conn.execute(sa.delete(_items).where(_items.c.domain_code.in_(codes), _items.c.parent_id.is_not(None),
                                         _items.c.id.not_in(used)))
    parents = sa.select(_items.c.parent_id).where(_items.c.parent_id.is_not(None))
    conn.execute(sa.delete(_items).where(_items.c.domain_code.in_(codes), _items.c.parent_id.is_(None),
                                         _items.c.id.not_in(used), _items.c.id.not_in(parents)))
