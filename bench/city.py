"""Generate a city's worth of data, for the production-scale benchmarks.

    .venv/bin/python bench/city.py --database-url sqlite:////tmp/city.sqlite3
    .venv/bin/python bench/city.py --database-url postgresql://postgres@127.0.0.1/city --records 1000000

The default is the city of the scale issue: 10 districts × 20 towns × 10 villages (2,210 tenants,
provisioned through the real path, so each has its seeded catalog), 1,000,000 published records,
20,000 consultations with 500,000 comments, 5,000 open days, 120 gazette issues with 20,000
articles. Rows go in by bulk inserts, and every public document gets the same search-index rows
`core.search.index_document` writes (tokens computed by the real tokenizer). The database given is
dropped and created again. A progress bar per stage; the whole run takes minutes.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

CHUNK = 5000
SUBJECTS = ["农村危房改造", "城乡居民医疗保险", "义务教育招生", "困难群众临时救助", "农村公路养护", "生活垃圾分类",
            "高龄老人补贴", "森林防火", "安全生产", "公共租赁住房", "农村饮水安全", "耕地保护", "河道管理", "食品安全",
            "就业创业", "养老服务", "残疾人两项补贴", "农民工工资支付", "防汛抗旱", "集体经济", "土地征收补偿",
            "不动产登记", "低保", "五保供养", "退役军人优待", "计划生育奖励扶助", "村级财务", "惠农补贴"]
RECORD_KINDS = ["公示", "通知", "办事指南", "工作动态", "实施方案", "情况报告", "名单", "公告"]
SENTENCES = ["根据有关规定，现将{s}有关情况予以公示，公示期为七个工作日。",
             "对公示内容有异议的，请在公示期内向镇人民政府反映。",
             "{s}资金已按规定程序拨付到户，接受群众监督。",
             "办理地点：便民服务中心一号窗口，办理时限为十个工作日。",
             "联系人：党政办公室，联系电话见本页下方。"]


def _bar(length: int, label: str):
    return click.progressbar(length=length, label=f"{label:<22}", show_pos=True, show_eta=True, file=sys.stderr)


class Indexer:
    """Bulk search-index rows: the SearchEntry rows and, per backend, the FTS5 row or the tsvector."""

    def __init__(self, db):
        from core import search
        self.db, self.search = db, search
        self.dialect = db.engine.dialect.name
        self.paths: dict[int, str] = {}       # tenant id → materialised path, set once tenants exist

    def add(self, docs) -> None:
        from sqlalchemy import insert, text
        search, entries = self.search, self.search.SearchEntry.__table__
        if not docs:
            return
        rows = [{"tenant_id": d.tenant_id, "plugin": d.plugin, "kind": d.kind, "ref_id": d.id, "title": d.title[:300],
                 "url": d.url, "summary": d.body[:search.SUMMARY_CHARS], "published_at": d.published_at,
                 "year": d.published_at.astimezone(search.CHINA_TZ).year, "badge": d.badge, "code": d.code}
                for d in docs]
        ids = self.db.session.execute(insert(entries).returning(entries.c.id, sort_by_parameter_order=True),
                                      rows).scalars().all()
        fields = [{"title": d.title, "code": d.code, "extra": d.extra, "body": d.body} for d in docs]
        scopes = [search.scope_tokens(self.paths[d.tenant_id]) for d in docs]
        if self.dialect == "postgresql":
            self.db.session.execute(text("UPDATE search_entries SET vector = CAST(:vector AS tsvector) WHERE id = :id"),
                                    [{"id": i, "vector": search._tsvector(f, sc)} for i, f, sc in zip(ids, fields, scopes)])
        else:
            self.db.session.execute(text("INSERT INTO search_fts (rowid, title, code, extra, body, scope) "
                                         "VALUES (:id, :title, :code, :extra, :body, :scope)"),
                                    [{"id": i, "scope": " ".join(sc), **{k: " ".join(search.tokens(v)) for k, v in f.items()}}
                                     for i, f, sc in zip(ids, fields, scopes)])


def build(app, *, districts: int, towns: int, villages: int, records: int, consultations: int, comments: int,
          open_days: int, issues: int, articles: int, seed: int = 2026) -> dict:
    from sqlalchemy import insert, select

    from core.accounts import SYSTEM
    from core.db import db
    from core.plugins import SearchDocument
    from core.tenants.provisioning import create_tenant
    from core.tenants import Tenant, across_tenants
    from plugins.catalog.models import IndexSequence, Record
    from plugins.catalog.services import leaf_items
    from plugins.gazette.models import ArticleIssuer, GazetteArticle, GazetteIssue
    from plugins.gazette.services import gazette_for
    from plugins.open_day.models import OpenDay
    from plugins.opinions.models import Comment, Consultation

    rng = random.Random(seed)
    timings = {}
    base = datetime(2023, 1, 1, tzinfo=timezone.utc)
    span = int((datetime(2026, 11, 1, tzinfo=timezone.utc) - base).total_seconds() // 60)

    def moment() -> datetime:
        return base + timedelta(minutes=rng.randrange(span))

    with app.app_context():
        indexer = Indexer(db)
        # --- tenants, through the real provisioning path (each gets its catalog) ----------------
        start = time.perf_counter()
        total = districts * (1 + towns * (1 + villages))
        with _bar(total, "tenants") as bar:
            for d in range(districts):
                district = create_tenant(SYSTEM, slug=f"d{d}", name=f"第{d}区", kind="district", parent=None,
                                         unit_code=f"D{d:07d}X")
                bar.update(1)
                for t in range(towns):
                    town = create_tenant(SYSTEM, slug=f"d{d}t{t}", name=f"第{d}区第{t}镇", kind="town",
                                         parent=district, unit_code=f"T{d:03d}{t:04d}X")
                    bar.update(1)
                    for v in range(villages):
                        create_tenant(SYSTEM, slug=f"d{d}t{t}v{v}", name=f"第{d}区第{t}镇第{v}村", kind="village",
                                      parent=town, unit_code=f"V{d:02d}{t:02d}{v:02d}X")
                        bar.update(1)
                db.session.commit()
        timings["tenants"] = time.perf_counter() - start
        tenants = db.session.scalars(select(Tenant).order_by(Tenant.id)).all()
        by_id = {t.id: t for t in tenants}
        for t in tenants:
            t.__dict__["_ancestors"] = [by_id[i] for i in t.ancestor_ids]
        ids = [t.id for t in tenants]
        paths = {t.id: t.url_path for t in tenants}
        indexer.paths = {t.id: t.path for t in tenants}
        upper = [t.id for t in tenants if t.kind != "village"]

        with across_tenants(ids, reason="benchmark data: a city"):
            # --- records ---------------------------------------------------------------------
            start = time.perf_counter()
            leaves = {t.id: [i.id for i in leaf_items(t)] for t in tenants}
            units = {t.id: t.unit_code for t in tenants}
            seq: dict[tuple[int, int], int] = {}
            with _bar(records, "records") as bar:
                for first in range(0, records, CHUNK):
                    rows, meta = [], []
                    for n in range(first, min(first + CHUNK, records)):
                        tid = rng.choice(ids)
                        when = moment()
                        seq[(tid, when.year)] = s = seq.get((tid, when.year), 0) + 1
                        subject, kind = rng.choice(SUBJECTS), rng.choice(RECORD_KINDS)
                        body = "".join(rng.choice(SENTENCES).format(s=subject) for _ in range(3))
                        title = f"{by_id[tid].name}{subject}{kind}（{when.year}年第{n % 50 + 1}期）"
                        validity = "valid" if n % 10 else "expired"
                        rows.append({"tenant_id": tid, "item_id": rng.choice(leaves[tid]), "title": title, "summary": "",
                                     "body": f"<p>{body}</p>", "index_no": f"{units[tid]}/{when.year}-{s:05d}",
                                     "index_year": when.year, "index_seq": s, "doc_no": "", "issuing_body": "",
                                     "written_date": (when - timedelta(days=2)).date(), "published_at": when,
                                     "validity": validity, "disclosure": "proactive", "disclosure_reason": "",
                                     "status": "published", "review_confirmed": True, "return_note": "",
                                     "created_at": when, "updated_at": when})
                        meta.append((tid, title, body, when, validity, f"{units[tid]}/{when.year}-{s:05d}"))
                    made = db.session.execute(insert(Record).returning(Record.id, sort_by_parameter_order=True),
                                              rows).scalars().all()
                    indexer.add([SearchDocument(plugin="catalog", kind="record", id=rid, tenant_id=tid, title=title,
                                                body=body, url=f"/{paths[tid]}/catalog/records/{rid}", published_at=when,
                                                code=index_no, badge="已失效" if validity != "valid" else "")
                                 for rid, (tid, title, body, when, validity, index_no) in zip(made, meta)])
                    db.session.commit()
                    bar.update(len(rows))
            db.session.execute(insert(IndexSequence), [{"tenant_id": t, "year": y, "last_value": v}
                                                       for (t, y), v in seq.items()])
            db.session.commit()
            timings["records"] = time.perf_counter() - start

            # --- consultations and comments ---------------------------------------------------
            start = time.perf_counter()
            today = date(2026, 11, 23)
            with _bar(consultations + comments, "consultations") as bar:
                per = comments // max(consultations, 1)
                code = 0
                for first in range(0, consultations, 500):
                    rows, meta = [], []
                    for n in range(first, min(first + 500, consultations)):
                        tid = rng.choice(upper)
                        starts = today - timedelta(days=rng.randrange(0, 1200))
                        subject = rng.choice(SUBJECTS)
                        title = f"{by_id[tid].name}{subject}管理办法（征求意见稿）{n}"
                        draft = "".join(f"<p>第{i}条 {rng.choice(SENTENCES).format(s=subject)}</p>" for i in range(1, 6))
                        announced = datetime.combine(starts, datetime.min.time(), tzinfo=timezone.utc)
                        rows.append({"tenant_id": tid, "title": title, "summary": f"就{subject}公开征求意见。",
                                     "draft_html": draft, "explanation_html": "", "responsible_unit": by_id[tid].name,
                                     "offline_channels": "", "starts_on": starts, "ends_on": starts + timedelta(days=30),
                                     "short_period_reason": "", "extensions": [], "moderation": "review",
                                     "contact_required": False, "announced_at": announced, "feedback_intro": "",
                                     "created_at": announced, "updated_at": announced})
                        meta.append((tid, title, draft, announced))
                    made = db.session.execute(insert(Consultation).returning(Consultation.id,
                                                                             sort_by_parameter_order=True),
                                              rows).scalars().all()
                    indexer.add([SearchDocument(plugin="opinions", kind="consultation", id=cid, tenant_id=tid,
                                                title=title, body=draft, url=f"/{paths[tid]}/opinions/{cid}",
                                                published_at=announced, extra=by_id[tid].name)
                                 for cid, (tid, title, draft, announced) in zip(made, meta)])
                    comment_rows = []
                    for cid, (tid, _, _, announced) in zip(made, meta):
                        for _ in range(per):
                            code += 1
                            comment_rows.append({
                                "tenant_id": tid, "consultation_id": cid, "source": "online", "author_name": "",
                                "contact": "", "content": rng.choice(["建议增加公示时间。", "同意。", "希望简化办理材料。",
                                                                      "建议明确补助标准。"]),
                                "tracking_code": f"C{code:011d}", "status": "published", "moderation_note": "",
                                "reason": "", "created_at": announced, "updated_at": announced})
                    for i in range(0, len(comment_rows), CHUNK):
                        db.session.execute(insert(Comment), comment_rows[i:i + CHUNK])
                    db.session.commit()
                    bar.update(len(rows) + len(comment_rows))
            timings["consultations"] = time.perf_counter() - start

            # --- open days --------------------------------------------------------------------
            start = time.perf_counter()
            with _bar(open_days, "open days") as bar:
                for first in range(0, open_days, 1000):
                    rows, meta = [], []
                    for n in range(first, min(first + 1000, open_days)):
                        tid = rng.choice(upper)
                        when = moment()
                        title = f"走进{by_id[tid].name}{rng.choice(SUBJECTS)}开放日{n}"
                        rows.append({"tenant_id": tid, "title": title, "description_html": f"<p>{title}。</p>",
                                     "place": "便民服务中心", "starts_at": when + timedelta(days=14),
                                     "ends_at": when + timedelta(days=14, hours=2), "registration_opens_at": when,
                                     "registration_closes_at": when + timedelta(days=12),
                                     "cancel_deadline": when + timedelta(days=13), "places": 50, "taken": 0,
                                     "max_group_size": 1, "require_id_number": False, "waitlist_enabled": True,
                                     "notes": "", "published_at": when, "cancel_reason": "", "review_html": "",
                                     "created_at": when, "updated_at": when})
                        meta.append((tid, title, when))
                    made = db.session.execute(insert(OpenDay).returning(OpenDay.id, sort_by_parameter_order=True),
                                              rows).scalars().all()
                    indexer.add([SearchDocument(plugin="open_day", kind="open_day", id=eid, tenant_id=tid, title=title,
                                                body=title, url=f"/{paths[tid]}/open-day/{eid}", published_at=when,
                                                extra="便民服务中心")
                                 for eid, (tid, title, when) in zip(made, meta)])
                    db.session.commit()
                    bar.update(len(rows))
            timings["open days"] = time.perf_counter() - start

            # --- gazette ----------------------------------------------------------------------
            from gazette_bench import SECTIONS, article_rows
            start = time.perf_counter()
            district_ids = [t.id for t in tenants if t.kind == "district"]
            per_issue = articles // max(issues, 1)
            gseq: dict = {}
            with _bar(issues, "gazette issues") as bar:
                for n in range(issues):
                    tid = district_ids[n % len(district_ids)]
                    gazette = gazette_for(by_id[tid])
                    k = n // len(district_ids)
                    year, month = 2026 - k // 12, 12 - k % 12
                    published = datetime(year, month, 15, 1, tzinfo=timezone.utc)
                    issue_id = db.session.execute(insert(GazetteIssue).returning(GazetteIssue.id), [{
                        "tenant_id": tid, "year": year, "number": month, "total_number": 1000 - k,
                        "published_on": date(year, month, 15), "status": "published", "published_at": published,
                        "sections": SECTIONS, "editor_note": "", "gazette_name": gazette.name,
                        "editing_unit": gazette.editing_unit, "pdf_fingerprint": "", "pdf_file": ""}]).scalar_one()
                    rows = article_rows(rng, issue_id, tid, year, per_issue, gseq)
                    made = db.session.execute(insert(GazetteArticle).returning(GazetteArticle.id,
                                                                               sort_by_parameter_order=True),
                                              rows).scalars().all()
                    db.session.execute(insert(ArticleIssuer), [{"tenant_id": tid, "article_id": a, "name": r["issuers"][0],
                                                                "position": 0} for a, r in zip(made, rows)])
                    from core.sanitize import plain_text
                    indexer.add([SearchDocument(plugin="gazette", kind="article", id=a, tenant_id=tid, title=r["title"],
                                                body=plain_text(r["body"]), url=f"/{paths[tid]}/gazette/articles/{a}",
                                                published_at=published, code=r["doc_no"],
                                                extra=" ".join([r["section"], *r["issuers"]]))
                                 for a, r in zip(made, rows)])
                    db.session.commit()
                    bar.update(1)
            timings["gazette"] = time.perf_counter() - start
        start = time.perf_counter()
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            if db.engine.dialect.name == "sqlite":
                conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            conn.commit()
        timings["analyze"] = time.perf_counter() - start
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="dropped and created again (default: an SQLite file)")
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--towns", type=int, default=20, help="per district")
    parser.add_argument("--villages", type=int, default=10, help="per town")
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--consultations", type=int, default=20_000)
    parser.add_argument("--comments", type=int, default=500_000)
    parser.add_argument("--open-days", type=int, default=5_000)
    parser.add_argument("--issues", type=int, default=120)
    parser.add_argument("--articles", type=int, default=20_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cms-city-"))
    os.environ.setdefault("CMS_INSTANCE_PATH", str(workdir))
    from benchdb import fresh_database
    url = fresh_database(args.database_url, workdir, "city.sqlite3")
    from flask_migrate import upgrade

    from core import create_app
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "PAGE_CACHE": "off"})
    with app.app_context():
        upgrade(revision="heads")
    started = time.perf_counter()
    timings = build(app, districts=args.districts, towns=args.towns, villages=args.villages, records=args.records,
                    consultations=args.consultations, comments=args.comments, open_days=args.open_days,
                    issues=args.issues, articles=args.articles)
    print(f"\ndatabase: {url}", file=sys.stderr)
    for stage, seconds in timings.items():
        print(f"  {stage:<16} {seconds:7.1f} s", file=sys.stderr)
    print(f"  {'total':<16} {time.perf_counter() - started:7.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
