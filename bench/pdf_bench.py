"""Gazette PDF render time, with the per-process font cache and without it (in the same run).

    .venv/bin/python bench/pdf_bench.py                   # 6 issues of 8 articles, SQLite file
    .venv/bin/python bench/pdf_bench.py --issues 10 --articles 20

Builds one county's gazette with a few draft issues, each of articles drawn from the same
vocabulary as bench/gazette_bench.py (titles, 文号, bodies of 300–2,400 characters, different
in every issue), then renders every issue's PDF with `plugins.gazette.pdf.render` twice over:

- reference: fonts added with fpdf2's own `add_font()`, which parses the font file every time;
- cached: `core.fontcache`, emptied first, so its first render pays the one parse of each face
  in this process, as the first render of a worker did before the fonts were warmed at start-up;
- warmed: the cache emptied, then `core.pdf.warm_fonts` (what gunicorn's master runs before it
  forks the workers, deploy/gunicorn.conf.py), timed on its own, then every issue rendered again:
  the first render of an installation, after start-up.

Each issue is rendered by both in turn, so other load on the machine falls on both alike. Prints
each render's wall and CPU time, pages and size, then first / median of the rest / total per
mode. The PDFs are the same either way (tests/gazette/test_pdf.py checks it byte for byte).
Figures are recorded in docs/performance.md.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gazette_bench import ISSUERS, KINDS, SECTIONS, SENTENCES, SUBJECTS  # noqa: E402


def build(app, issues: int, articles: int, seed: int = 7) -> list[int]:
    from core.accounts import SYSTEM
    from core.db import db
    from core.tenants.provisioning import create_tenant
    from core.tenants import tenant_scope
    from plugins.gazette import services

    rng = random.Random(seed)
    with app.app_context():
        county = create_tenant(SYSTEM, slug="bench", name="基准县", kind="district", parent=None, unit_code="0000000X")
        db.session.commit()
        ids = []
        with tenant_scope(county):
            services.gazette_for(county)
            for n in range(issues):
                issue = services.create_issue(SYSTEM, county, {"year": 2026, "number": n + 1, "total_number": n + 1,
                                                              "published_on": date(2026, n % 12 + 1, 15)})
                for k in range(articles):
                    subject, issuer = rng.choice(SUBJECTS), rng.choice(ISSUERS)
                    paragraphs: list[str] = []
                    length = rng.randint(300, 2400)
                    while sum(map(len, paragraphs)) < length:
                        paragraphs.append(rng.choice(SENTENCES).format(s=subject, d=issuer.removeprefix("基准县")))
                    services.add_article(SYSTEM, issue, {
                        "section": rng.choice(SECTIONS[:4]), "issuers": [issuer],
                        "title": f"{issuer}关于印发《基准县{subject}{rng.choice(KINDS)}》的通知",
                        "doc_no": f"基政发〔2026〕{n * articles + k + 1}号",
                        "body": "".join(f"<p>{p}</p>" for p in paragraphs)})
                ids.append(issue.id)
            db.session.commit()
    return ids


def measure(app, ids: list[int]) -> dict[str, list[tuple[float, float, int, int]]]:
    """Each issue rendered by both modes in turn (reference, then cached), so that other load on
    the machine falls on both alike. Per render: wall seconds, CPU seconds, pages, bytes."""
    from core.db import db
    from core.tenants import tenant_by_slug, tenant_scope
    from core import fontcache
    from plugins.gazette import pdf
    from plugins.gazette.models import GazetteIssue

    cached_add_font = fontcache.add_font

    def reference(document, family, style, path, index=0):   # fpdf2 alone: parse the file every time
        document.add_font(family, style, path, collection_font_number=index)

    results: dict[str, list[tuple[float, float, int, int]]] = {"reference": [], "cached": []}
    fontcache.clear()
    try:
        with app.app_context(), tenant_scope(tenant_by_slug("bench")):
            for issue_id in ids:
                issue = db.session.get(GazetteIssue, issue_id)
                for mode, add_font in (("reference", reference), ("cached", cached_add_font)):
                    fontcache.add_font = add_font
                    wall, cpu = time.perf_counter(), time.process_time()
                    data, pages, _ = pdf.render(issue)
                    results[mode].append((time.perf_counter() - wall, time.process_time() - cpu, pages, len(data)))
    finally:
        fontcache.add_font = cached_add_font
    return results


def measure_warmed(app, ids: list[int]) -> tuple[float, list[tuple[float, float, int, int]]]:
    """The start-up warm-up's seconds, then each issue's render after it, then the first issue
    once more (the same issue's first and later render side by side)."""
    from core import fontcache
    from core.db import db
    from core.pdf import warm_fonts
    from core.tenants import tenant_by_slug, tenant_scope
    from plugins.gazette import pdf
    from plugins.gazette.models import GazetteIssue

    fontcache.clear()
    warm = warm_fonts(app)
    rows = []
    with app.app_context(), tenant_scope(tenant_by_slug("bench")):
        for issue_id in ids + ids[:1]:
            issue = db.session.get(GazetteIssue, issue_id)
            wall, cpu = time.perf_counter(), time.process_time()
            data, pages, _ = pdf.render(issue)
            rows.append((time.perf_counter() - wall, time.process_time() - cpu, pages, len(data)))
    return warm, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=6, help="issues, each rendered once per mode")
    parser.add_argument("--articles", type=int, default=8, help="articles per issue")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="cms-pdf-bench-"))
    os.environ.setdefault("CMS_INSTANCE_PATH", str(workdir))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}"

    from flask_migrate import upgrade

    from core import create_app
    from plugins.gazette import pdf
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "ATTACHMENT_DIR": str(workdir / "files")})
    with app.app_context():
        upgrade(revision="heads")
        regular, bold = pdf.fonts()
    print(f"fonts: {regular.path} (face {regular.index}), bold {bold.path} (face {bold.index})", file=sys.stderr)
    ids = build(app, args.issues, args.articles)
    results = measure(app, ids)
    print(f"\n{'issue':>5} {'pages':>5} {'reference ms':>13} {'cached ms':>12} {'KiB':>9}"
          "   (wall, CPU in brackets; size reference/cached)")
    for n, (before, after) in enumerate(zip(results["reference"], results["cached"]), 1):
        assert before[2] == after[2], "the two modes laid the issue out differently"
        sizes = f"{before[3] / 1024:4.0f}/{after[3] / 1024:<4.0f}"
        print(f"{n:5} {after[2]:5} {_ms(before[:2]):>13} {_ms(after[:2]):>12} {sizes}"
              + ("   <- parses the faces" if n == 1 else ""))
    print(f"\n{'mode':10} {'first ms':>13} {'median of the rest ms':>22} {'total s':>8}")
    medians = {}
    for mode, rows in results.items():
        rest = rows[1:] or rows
        medians[mode] = (statistics.median(r[0] for r in rest), statistics.median(r[1] for r in rest))
        print(f"{mode:10} {_ms(rows[0][:2]):>13} {_ms(medians[mode]):>22} {sum(r[0] for r in rows):8.1f}")
    (wall, cpu), (cached_wall, cached_cpu) = medians["reference"], medians["cached"]
    print(f"\nafter the first render: {wall / cached_wall:.1f}x faster (wall), {cpu / cached_cpu:.1f}x (CPU)")
    warm, rows = measure_warmed(app, ids)
    rest = rows[1:-1] or rows
    print(f"\nwarmed at start-up: warm-up {warm * 1000:.0f} ms; first render {_ms(rows[0][:2])} ms, "
          f"the same issue again {_ms(rows[-1][:2])} ms, "
          f"median of the others {_ms((statistics.median(r[0] for r in rest), statistics.median(r[1] for r in rest)))} ms")


def _ms(seconds: tuple[float, float]) -> str:
    """Wall and CPU seconds as `wall (CPU)` milliseconds."""
    return f"{seconds[0] * 1000:.0f} ({seconds[1] * 1000:.0f})"


if __name__ == "__main__":
    main()
