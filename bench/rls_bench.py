"""Row-level security at full speed (issue 17): every page and search of the city, measured in
process with the owner's connection (whom the policies do not bind) and with the role that
`cms db grant-app-role` makes (the documented production set-up, bound by them), interleaved
round by round on the same database; prints each pair's median and their ratio.

    .venv/bin/python bench/city.py --database-url postgresql://postgres@127.0.0.1/city_rls
    .venv/bin/python bench/rls_bench.py --database-url postgresql://postgres@127.0.0.1/city_rls

The database is upgraded first (`cms db upgrade`); the application role is made for the run and
dropped at its end.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def make(url: str):
    from core import create_app
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-" * 8, "PAGE_CACHE": "off", "TESTING": True,
                       "RATELIMIT_ENABLED": False})


def pages(app) -> dict[str, str]:
    from http_bench import pick_pages
    from sqlalchemy import select

    from core.db import db
    from core.tenants import Tenant
    found = pick_pages(app)
    with app.app_context():
        district = db.session.scalar(select(Tenant).where(Tenant.parent_id.is_(None)).order_by(Tenant.id))
    town_search = found.pop("site search, town (低保)")
    q = urllib.parse.quote
    found.update({
        "search, town (低保)": town_search,
        "search, district (低保)": f"/{district.slug}/search?q=" + q("低保"),
        "search, district, two terms (低保 公示)": f"/{district.slug}/search?q=" + q("低保 公示"),
        "search, district, common (公示)": f"/{district.slug}/search?q=" + q("公示"),
        "search, district, rare phrase (退役军人优待)": f"/{district.slug}/search?q=" + q("退役军人优待"),
    })
    return found


def timed(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (path, response.status_code)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from core.security import rls
    owner_url = make_url(args.database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    owner = make(owner_url.render_as_string(hide_password=False))
    with owner.app_context():
        upgrade(revision="heads")
    role = f"cms_bench_app_{uuid.uuid4().hex[:8]}"
    engine = create_engine(owner_url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        for statement in rls.grant_app_role_statements(role):
            connection.execute(text(statement))
    try:
        app = make(owner_url.set(username=role, password=None).render_as_string(hide_password=False))
        paths = pages(owner)
        clients = {"owner": owner.test_client(), "app role": app.test_client()}
        for client in clients.values():              # warm: connections, caches, first plans
            for path in paths.values():
                timed(client, path)
        times = {(name, who): [] for name in paths for who in clients}
        for n in range(args.rounds):
            order = list(clients) if n % 2 == 0 else list(reversed(clients))
            for name, path in paths.items():
                for who in order:
                    times[(name, who)].append(timed(clients[who], path))
        print(f"{'page':44} {'owner ms':>9} {'app role ms':>12} {'ratio':>6}")
        worst = 0.0
        for name in paths:
            a, b = (statistics.median(times[(name, w)]) for w in ("owner", "app role"))
            worst = max(worst, b / a)
            print(f"{name:44} {a:>9.1f} {b:>12.1f} {b / a:>6.2f}")
        print(f"medians of {args.rounds} interleaved rounds; the largest ratio: {worst:.2f}")
    finally:
        for built in (locals().get("app"), owner):
            if built is not None:
                with built.app_context():
                    from core.db import db
                    db.engine.dispose()
        engine.dispose()
        with create_engine(owner_url).begin() as connection:
            connection.execute(text(f'DROP OWNED BY "{role}"'))
            connection.execute(text(f'DROP ROLE "{role}"'))


if __name__ == "__main__":
    main()
