"""Catalog page latency with 100,000 records across 500 tenants.

    .venv/bin/python bench/catalog_bench.py                                  # SQLite file in a temp dir
    .venv/bin/python bench/catalog_bench.py --database-url postgresql://postgres@127.0.0.1/bench

Builds the data (tenants through the real provisioning path, records by bulk insert), then times
public pages through the WSGI app in-process (no network, one worker) and prints p50/p95/max and
the number of SQL statements per page. Figures are recorded in docs/performance.md.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def build(app, tenants: int, records: int, seed: int = 7) -> None:
    from sqlalchemy import insert, select

    from core.accounts import SYSTEM
    from core.db import db
    from core.tenants.provisioning import create_tenant
    from core.tenants import Tenant, across_tenants
    from plugins.catalog.models import CatalogItem, IndexSequence, Record
    from plugins.catalog.services import leaf_items

    rng = random.Random(seed)
    with app.app_context():
        start = time.perf_counter()
        district = create_tenant(SYSTEM, slug="bench", name="基准县", kind="district", parent=None, unit_code="00000000X")
        towns_n = max(tenants // 20, 1)
        made = [district]
        for t in range(towns_n):
            town = create_tenant(SYSTEM, slug=f"town{t}", name=f"第{t}镇", kind="town", parent=district,
                                 unit_code=f"T{t:07d}X")
            made.append(town)
        v = 0
        while len(made) < tenants:
            town = made[1 + v % towns_n]
            made.append(create_tenant(SYSTEM, slug=f"village{v}", name=f"第{v}村", kind="village", parent=town,
                                      unit_code=f"V{v:07d}X"))
            v += 1
        db.session.commit()
        print(f"  {len(made)} tenants with seeded catalogs in {time.perf_counter() - start:.1f}s", file=sys.stderr)

        start = time.perf_counter()
        ids = [t.id for t in made]
        with across_tenants(ids, reason="benchmark data"):
            leaves: dict[int, list[int]] = {}
            for t in db.session.scalars(select(Tenant).where(Tenant.id.in_(ids))):
                leaves[t.id] = [i.id for i in leaf_items(t)]
            units = dict(db.session.execute(select(Tenant.id, Tenant.unit_code).where(Tenant.id.in_(ids))).all())
            seq: dict[tuple[int, int], int] = {}
            batch = []
            base = datetime(2024, 1, 1, tzinfo=timezone.utc)
            for n in range(records):
                tid = rng.choice(ids)
                when = base + timedelta(minutes=rng.randrange(0, 3 * 365 * 24 * 60))
                key = (tid, when.year)
                seq[key] = seq.get(key, 0) + 1
                batch.append({
                    "tenant_id": tid, "item_id": rng.choice(leaves[tid]), "title": f"基准测试信息 {n} 关于第{n % 97}项工作的通知",
                    "summary": "", "body": "<p>" + "正文内容。" * 40 + "</p>", "index_no": f"{units[tid]}/{when.year}-{seq[key]:05d}",
                    "index_year": when.year, "index_seq": seq[key], "doc_no": f"基政发〔{when.year}〕{n % 300}号",
                    "issuing_body": "", "written_date": (when - timedelta(days=3)).date(), "published_at": when,
                    "validity": "valid" if n % 10 else "expired", "disclosure": "proactive" if n % 25 else "on_request",
                    "disclosure_reason": "" if n % 25 else "依申请", "status": "published", "review_confirmed": True,
                    "return_note": "", "created_at": when, "updated_at": when})
                if len(batch) == 5000:
                    db.session.execute(insert(Record), batch)
                    batch = []
            if batch:
                db.session.execute(insert(Record), batch)
            db.session.execute(insert(IndexSequence), [{"tenant_id": t, "year": y, "last_value": v}
                                                       for (t, y), v in seq.items()])
            db.session.commit()
        # Fresh statistics, as autovacuum (PostgreSQL) or a maintenance job (SQLite) would leave them.
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        print(f"  {records} records in {time.perf_counter() - start:.1f}s", file=sys.stderr)
        assert CatalogItem is not None


def measure(app, runs: int, seed: int = 11) -> list[tuple[str, list[float], int]]:
    from sqlalchemy import event, select

    from core.db import db
    from core.tenants import Tenant, across_tenants
    from plugins.catalog.models import Record

    rng = random.Random(seed)
    with app.app_context():
        tenants = list(db.session.scalars(select(Tenant)))
        paths = {t.id: t.url_path for t in tenants}
        with across_tenants(None, reason="benchmark: pick records"):
            sample = db.session.execute(select(Record.id, Record.tenant_id).where(
                Record.disclosure == "proactive").limit(5000)).all()
        engine = db.engine
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(1))
    client = app.test_client()
    pages = {
        "catalog index": lambda: f"/{paths[rng.choice(tenants).id]}/catalog/",
        "records listing, page 1": lambda: f"/{paths[rng.choice(tenants).id]}/catalog/records/",
        "records listing, year + page 3": lambda: f"/{paths[rng.choice(tenants).id]}/catalog/records/?year=2025&page=3",
        "record page": lambda: (lambda r: f"/{paths[r.tenant_id]}/catalog/records/{r.id}")(rng.choice(sample)),
    }
    results = []
    for name, make_url in pages.items():
        for _ in range(5):  # warm caches
            client.get(make_url())
        timings, counts = [], []
        for _ in range(runs):
            url = make_url()
            statements.clear()
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
            counts.append(len(statements))
            assert response.status_code == 200, (url, response.status_code)
        results.append((name, timings, max(counts)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--tenants", type=int, default=500)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cms-bench-"))
    os.environ.setdefault("CMS_INSTANCE_PATH", str(workdir))
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"

    from flask_migrate import upgrade

    from core import create_app
    from core.db import db
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "ATTACHMENT_DIR": str(workdir / "files")})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.drop_all()
            from sqlalchemy import text
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(revision="heads")
    print(f"database: {db.engine.dialect.name if False else url.split(':')[0]}; building {args.tenants} tenants, "
          f"{args.records} records", file=sys.stderr)
    build(app, args.tenants, args.records)
    print(f"\n{'page':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'SQL/page':>9}")
    for name, timings, statements in measure(app, args.runs):
        timings.sort()
        p95 = timings[int(len(timings) * 0.95) - 1]
        print(f"{name:34} {statistics.median(timings):8.1f} {p95:8.1f} {timings[-1]:8.1f} {statements:9d}")


if __name__ == "__main__":
    main()
