"""Gazette archive search latency over 50,000 articles.

    .venv/bin/python bench/gazette_bench.py                                           # SQLite file
    .venv/bin/python bench/gazette_bench.py --database-url postgresql://postgres@127.0.0.1/gazette_bench

Builds one county's gazette: 400 published monthly issues of 125 articles (titles, 文号, issuing bodies and
bodies of about 1,200 characters drawn from the vocabulary of real normative documents), inserted in
bulk and indexed with the same tokens and index rows `core.search.index_document` writes (the real
function is timed on a sample too). Then times archive searches through the WSGI app in process (one
worker, no network): the page a person sees (count, first 20 results, facets) and the API. Prints
p50/p95/max per query kind. Figures are recorded in docs/performance.md. The database given is
dropped and created again.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SECTIONS = ["政府令", "规范性文件", "政府文件", "政府办公室文件", "部门文件", "人事任免", "政策解读"]
ISSUERS = ["基准县人民政府", "基准县人民政府办公室", "基准县财政局", "基准县民政局", "基准县教育体育局", "基准县农业农村局",
           "基准县住房和城乡建设局", "基准县卫生健康局", "基准县自然资源局", "基准县交通运输局", "基准县医疗保障局",
           "基准县市场监督管理局", "基准县生态环境局", "基准县应急管理局", "基准县司法局", "基准县水利局"]
SUBJECTS = ["农村危房改造", "城乡居民医疗保险", "义务教育招生", "困难群众临时救助", "农村公路养护", "生活垃圾分类",
            "政府投资项目", "高龄老人补贴", "森林防火", "安全生产", "优化营商环境", "公共租赁住房", "农村饮水安全",
            "耕地保护", "河道管理", "食品安全", "就业创业", "养老服务", "残疾人两项补贴", "农民工工资支付",
            "城市停车管理", "政府购买服务", "行政规范性文件", "重大行政决策", "政务公开", "防汛抗旱", "中小学校舍安全",
            "集体经济组织", "土地征收补偿", "不动产登记"]
KINDS = ["管理办法", "实施办法", "实施细则", "暂行规定", "实施方案", "工作方案", "若干措施", "考核办法"]
SENTENCES = [
    "为进一步规范{s}工作，保障人民群众合法权益，根据有关法律法规和上级文件精神，结合本县实际，制定本办法。",
    "本办法适用于本县行政区域内的{s}及其监督管理活动。",
    "县{d}负责全县{s}的组织实施和监督管理，财政、审计等部门按照各自职责做好相关工作。",
    "各乡镇人民政府、街道办事处负责本辖区内{s}的具体工作，村（居）民委员会予以协助。",
    "符合条件的单位和个人可以向所在乡镇人民政府提出申请，也可以通过政务服务网在线办理。",
    "受理机关应当自受理之日起十个工作日内作出决定，情况复杂的可以延长五个工作日。",
    "办理结果应当在村务公开栏和县政府门户网站公示，公示期不少于七日。",
    "补助资金实行专账核算、专款专用，任何单位和个人不得截留、挤占、挪用。",
    "对违反本办法规定的，由有关部门责令改正；情节严重的，依法依规追究相关人员责任。",
    "有关部门应当畅通投诉举报渠道，主动接受社会监督，及时回应群众关切。",
    "本办法自印发之日起施行，有效期五年，由县{d}负责解释。",
    "各地各部门要提高思想认识，加强组织领导，确保各项任务落到实处。",
    "要建立工作台账，按月调度进展情况，每季度末向县政府办公室报送工作情况。",
    "加强宣传引导，运用政务新媒体等渠道做好政策解读，营造良好社会氛围。",
    "任命同志为县{d}局长，免去其原任职务，试用期一年。",
]


def article_rows(rng: random.Random, issue_id: int, tenant_id: int, year: int, n: int, seq: dict) -> list[dict]:
    rows = []
    for position in range(n):
        subject, kind = rng.choice(SUBJECTS), rng.choice(KINDS)
        issuer = rng.choice(ISSUERS)
        section = rng.choice(SECTIONS)
        prefix = rng.choice(["基政发", "基政办发", "基财发", "基民发", "基教体发", "基政任"])
        seq[(prefix, year)] = seq.get((prefix, year), 0) + 1
        department = issuer.removeprefix("基准县")
        paragraphs = []
        length = rng.randint(300, 2400)
        while sum(map(len, paragraphs)) < length:
            paragraphs.append(rng.choice(SENTENCES).format(s=subject, d=department))
        rows.append({
            "tenant_id": tenant_id, "issue_id": issue_id, "section": section,
            "section_position": SECTIONS.index(section), "position": position,
            "title": f"{issuer}关于印发《基准县{subject}{kind}》的通知", "doc_no": f"{prefix}〔{year}〕{seq[(prefix, year)]}号",
            "issuers": [issuer], "body": "".join(f"<p>{p}</p>" for p in paragraphs),
            "validity": "valid" if rng.random() > 0.08 else rng.choice(["expired", "repealed"]),
            "source_ref": "", "validity_note": ""})
    return rows


def build(app, issues: int, per_issue: int, seed: int = 5) -> None:
    from sqlalchemy import insert, select, text

    from core import search
    from core.accounts import SYSTEM
    from core.db import db
    from core.tenants.provisioning import create_tenant
    from core.sanitize import plain_text
    from core.tenants import tenant_scope
    from plugins.gazette import services
    from plugins.gazette.services import article_document
    from plugins.gazette.models import ArticleIssuer, GazetteArticle, GazetteIssue

    rng = random.Random(seed)
    with app.app_context():
        county = create_tenant(SYSTEM, slug="bench", name="基准县", kind="district", parent=None, unit_code="0000000X")
        db.session.commit()
        dialect = db.engine.dialect.name
        start = time.perf_counter()
        seq: dict = {}
        with tenant_scope(county):
            services.gazette_for(county)
            first_year = 2026 - issues // 12
            issue_rows = []
            for n in range(issues):
                year, month = first_year + n // 12, n % 12 + 1
                published = datetime(year, month, 15, 1, tzinfo=timezone.utc)
                issue_rows.append({"tenant_id": county.id, "year": year, "number": month, "total_number": n + 1,
                                   "published_on": date(year, month, 15), "status": "published",
                                   "published_at": published, "sections": SECTIONS, "editor_note": "",
                                   "gazette_name": "基准县人民政府公报", "editing_unit": "基准县人民政府办公室",
                                   "pdf_fingerprint": "", "pdf_file": ""})
            db.session.execute(insert(GazetteIssue), issue_rows)
            issue_ids = db.session.execute(select(GazetteIssue.id, GazetteIssue.year, GazetteIssue.published_at)
                                           .order_by(GazetteIssue.total_number)).all()
            entries, fts_rows = 0, []
            scope = search.scope_tokens(county.path)
            for issue_id, year, published_at in issue_ids:
                rows = article_rows(rng, issue_id, county.id, year, per_issue, seq)
                db.session.execute(insert(GazetteArticle), rows)
                articles = db.session.execute(select(GazetteArticle.id, GazetteArticle.title, GazetteArticle.doc_no,
                                                     GazetteArticle.section, GazetteArticle.issuers, GazetteArticle.body)
                                              .where(GazetteArticle.issue_id == issue_id)).all()
                db.session.execute(insert(ArticleIssuer), [
                    {"tenant_id": county.id, "article_id": a.id, "name": a.issuers[0], "position": 0} for a in articles])
                db.session.execute(insert(search.SearchEntry), [
                    {"tenant_id": county.id, "plugin": "gazette", "kind": "article", "ref_id": a.id, "title": a.title,
                     "url": f"/bench/gazette/articles/{a.id}", "summary": "", "published_at": published_at,
                     "year": year}
                    for a in articles])
                ids = dict(db.session.execute(select(search.SearchEntry.ref_id, search.SearchEntry.id).where(
                    search.SearchEntry.ref_id.in_([a.id for a in articles]))).all())
                for a in articles:
                    fields = {"title": a.title, "code": a.doc_no, "extra": " ".join([a.section, *a.issuers]),
                              "body": plain_text(a.body)}
                    if dialect == "postgresql":
                        fts_rows.append({"id": ids[a.id], "vector": search._tsvector(fields, scope)})
                    else:
                        fts_rows.append({"id": ids[a.id], "scope": " ".join(scope),
                                         **{k: " ".join(search.tokens(v)) for k, v in fields.items()}})
                entries += len(articles)
                if len(fts_rows) >= 2000:
                    _flush(db, dialect, fts_rows)
                    fts_rows = []
                    print(f"  {entries} articles indexed ({time.perf_counter() - start:.0f}s)", file=sys.stderr)
            _flush(db, dialect, fts_rows)
            db.session.commit()
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            if dialect == "sqlite":
                conn.exec_driver_sql("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            conn.commit()
        print(f"  {issues} issues, {issues * per_issue} articles built and indexed in "
              f"{time.perf_counter() - start:.0f}s", file=sys.stderr)
        # The real indexing function, on a sample: what publishing an issue costs per article.
        with tenant_scope(county):
            sample = db.session.scalars(select(GazetteArticle).limit(500)).all()
            t0 = time.perf_counter()
            for a in sample:
                search.index_document(article_document(a))
            db.session.commit()
            per = (time.perf_counter() - t0) * 1000 / len(sample)
        print(f"  index_document(): {per:.2f} ms per article (500 re-indexed)", file=sys.stderr)
        size = None
        if dialect == "postgresql":
            size = db.session.execute(text("SELECT pg_database_size(current_database())")).scalar()
        print(f"  database size: {size / 2**20:.0f} MiB" if size else "", file=sys.stderr)


def _flush(db, dialect: str, rows: list[dict]) -> None:
    from sqlalchemy import text
    if not rows:
        return
    if dialect == "postgresql":
        db.session.execute(text("UPDATE search_entries SET vector = CAST(:vector AS tsvector) WHERE id = :id"), rows)
    else:
        db.session.execute(text("INSERT INTO search_fts (rowid, title, code, extra, body, scope) "
                                "VALUES (:id, :title, :code, :extra, :body, :scope)"), rows)


QUERIES = {
    "2 characters, common (管理)": "q=管理",
    "2 characters, rare (招生)": "q=招生",
    "1 character (残)": "q=残",
    "phrase (农村公路养护)": "q=农村公路养护",
    "文号 with ASCII brackets": "q=基政发(2020)15号",
    "two terms (补助 资金)": "q=补助 资金",
    "term + section + year facets": "q=补助&section=规范性文件&year=2020",
    "browse by issuer, no text": "issuer=基准县民政局",
    "common term, by relevance, page 5": "q=管理&sort=relevance&page=5",
}


def measure(app, runs: int) -> list[tuple[str, str, list[float]]]:
    client = app.test_client()
    results = []
    for name, query in QUERIES.items():
        for kind, url in (("page", f"/bench/gazette/search?{query}"), ("API", f"/api/v1/tenants/bench/gazette/search?{query}")):
            url = quote(url, safe="/?=&")
            for _ in range(3):
                client.get(url)
            timings = []
            for _ in range(runs):
                t0 = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            total = response.get_json()["total"] if kind == "API" else None
            results.append((f"{name}" + (f" [{total} hits]" if total is not None else ""), kind, timings))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--issues", type=int, default=400)
    parser.add_argument("--per-issue", type=int, default=125)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--measure-only", action="store_true", help="reuse the PostgreSQL database of a previous run")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cms-gazette-bench-"))
    os.environ.setdefault("CMS_INSTANCE_PATH", str(workdir))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from benchdb import fresh_database
    url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if not args.measure_only:
        url = fresh_database(url, workdir, "bench.sqlite3")

    from flask_migrate import upgrade

    from core import create_app
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "ATTACHMENT_DIR": str(workdir / "files")})
    with app.app_context():
        upgrade(revision="heads")
    print(f"database: {url.split(':')[0]}; {args.issues} issues × {args.per_issue} articles", file=sys.stderr)
    if not args.measure_only:
        build(app, args.issues, args.per_issue)
    print(f"\n{'query':52} {'via':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, kind, timings in measure(app, args.runs):
        timings.sort()
        p95 = timings[max(int(len(timings) * 0.95) - 1, 0)]
        print(f"{name:52} {kind:>4} {statistics.median(timings):8.1f} {p95:8.1f} {timings[-1]:8.1f}")
    if url.startswith("sqlite:///"):
        print(f"\nSQLite file: {Path(url.removeprefix('sqlite:///')).stat().st_size / 2**20:.0f} MiB", file=sys.stderr)


if __name__ == "__main__":
    main()
