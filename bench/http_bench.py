"""Production-scale benchmarks over HTTP: gunicorn (deploy/gunicorn.conf.py) and nginx
(deploy/nginx.conf) in front of a city's database (bench/city.py), load from wrk and from Python
threads on the same machine. Prints every figure; docs/performance.md records them.

    .venv/bin/python bench/city.py --database-url sqlite:////tmp/city.sqlite3          # once
    .venv/bin/python bench/http_bench.py --database-url sqlite:////tmp/city.sqlite3

Needs wrk and nginx (Debian packages `wrk`, `nginx`) and Redis on 127.0.0.1:6379. Parts:
  startup     seconds from starting gunicorn to /healthz answering
  inprocess   p50/p95 of the main pages and of site search through the WSGI app in process
  uncached    wrk against gunicorn with the page cache off, and a bare Flask app rendering a
              template of the same bytes (the ceiling for a Flask app on this machine)
  memory      resident memory of each gunicorn worker after the load
  cached      wrk against gunicorn with the Redis page cache, through nginx's microcache, and
              nginx serving the same bytes as a static file
  burst       1,000 people register for an open day of 100 places within a minute of its opening
  comments    500 comments submitted to one consultation by 50 people at a time
"""
from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
APP_PORT, BARE_PORT, NGINX_PORT = 8101, 8102, 8180


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(int(len(values) * p / 100), len(values) - 1)]


def wait_for(url: str, timeout: float = 60) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        try:
            parsed = urllib.parse.urlsplit(url)
            conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=2)
            conn.request("GET", parsed.path)
            if conn.getresponse().status == 200:
                return time.perf_counter() - start
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


class Gunicorn:
    def __init__(self, env: dict, port: int, app: str | None = None, workers: int | None = None):
        self.env = {**os.environ, **env, "BIND": f"127.0.0.1:{port}"}
        if workers:
            self.env["WEB_CONCURRENCY"] = str(workers)
        self.port = port
        args = [str(VENV_BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--log-level", "warning",
                "--access-logfile", "/dev/null"]
        if app:
            args.append(app)
        start = time.perf_counter()
        self.process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL)
        wait_for(f"http://127.0.0.1:{port}/healthz")
        self.startup = time.perf_counter() - start

    def worker_rss_mib(self) -> list[float]:
        children = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout.split()
        out = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            out.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
        return out

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(30)


def wrk(url: str, seconds: int, connections: int, threads: int = 2) -> dict:
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout

    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50"), "p99": ms("99"),
            "non2xx": int(errors.group(1)) if errors else 0}


def pick_pages(app) -> dict[str, str]:
    from sqlalchemy import select

    from core.db import db
    from core.tenants import Tenant, across_tenants
    from plugins.catalog.models import Record
    with app.app_context(), across_tenants(None, reason="benchmark: page addresses"):
        towns = db.session.scalars(select(Tenant).where(Tenant.kind == "town").order_by(Tenant.id)).all()
        town = towns[min(5, len(towns) - 1)]
        record = db.session.scalar(select(Record).where(Record.tenant_id == town.id).order_by(Record.id.desc()))
        return {
            "district home": f"/{town.root.slug}/",
            "town records listing": f"/{town.url_path}/catalog/records/",
            # The same page with as many rows at 10,000 records as at 1,000,000 (a tenant has ~5 then).
            "town records listing, 4 per page": f"/{town.url_path}/catalog/records/?per_page=4",
            "record page": f"/{town.url_path}/catalog/records/{record.id}",
            "site search, town (低保)": f"/{town.url_path}/search?q=" + urllib.parse.quote("低保"),
        }


def inprocess(app, pages: dict[str, str], runs: int) -> None:
    from core.db import db
    from core.tenants import Tenant
    from sqlalchemy import select
    client = app.test_client()
    with app.app_context():
        districts = [t.slug for t in db.session.scalars(select(Tenant).where(Tenant.parent_id.is_(None)))]
    rng = random.Random(3)
    searches = {
        "search, county, 2 chars (低保)": "低保", "search, county, rare phrase (退役军人优待)": "退役军人优待",
        "search, county, 索引号": None, "search, county, common (公示)": "公示",
        "search, county, two terms (补贴 名单)": "补贴 名单",
    }
    print(f"\n{'in process (one worker, no network)':48} {'p50 ms':>8} {'p95 ms':>8}")
    for name, path in pages.items():
        timings = []
        for i in range(runs + 3):
            t0 = time.perf_counter()
            assert client.get(path).status_code == 200
            if i >= 3:
                timings.append((time.perf_counter() - t0) * 1000)
        print(f"{name:48} {statistics.median(timings):8.1f} {percentile(timings, 95):8.1f}")
    index_no = re.search(r"([A-Z]\d{7}X/\d{4}-\d{5})", client.get(pages["record page"]).get_data(as_text=True))
    for name, q in searches.items():
        q = q or (index_no.group(1) if index_no else "公示")
        timings = []
        for i in range(runs + 3):
            # an identifier is looked for where its document is; words in any district
            home = pages["district home"] if name.endswith("索引号") else f"/{rng.choice(districts)}/"
            path = f"{home}search?q=" + urllib.parse.quote(q)
            t0 = time.perf_counter()
            response = client.get(path)
            assert response.status_code == 200
            if i >= 3:
                timings.append((time.perf_counter() - t0) * 1000)
        hits = re.search(r"共找到 (超过 )?([\d,]+) 条", response.get_data(as_text=True))
        count = ((">" if hits.group(1) else "") + hits.group(2)) if hits else "0"
        print(f"{name + f' [{count} hits]':48} {statistics.median(timings):8.1f} "
              f"{percentile(timings, 95):8.1f}")


BARE_APP = '''
from flask import Flask, render_template
app = Flask(__name__, template_folder={folder!r})

@app.get("/healthz")
def healthz():
    return "ok"

@app.get("/page")
def page():
    return render_template("page.html")
'''


def bare_app(html: str, workdir: Path) -> str:
    """A bare Flask app rendering a template of the given bytes; returns its gunicorn app path."""
    (workdir / "templates").mkdir(exist_ok=True)
    (workdir / "templates" / "page.html").write_text("{% raw %}" + html + "{% endraw %}", encoding="utf-8")
    (workdir / "bare_app.py").write_text(BARE_APP.format(folder=str(workdir / "templates")), encoding="utf-8")
    return "bare_app:app"


def nginx(workdir: Path, html: str) -> subprocess.Popen:
    """nginx with deploy/nginx.conf (upstream and paths moved into the work folder), plus a static copy."""
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    conf = conf.replace("/var/cache/nginx/cms", str(workdir / "nginx-cache"))
    conf = conf.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{APP_PORT};")
    conf = conf.replace("listen 80;", f"listen {NGINX_PORT};").replace("listen [::]:80;", "")
    conf = conf.replace("alias /srv/cms/app/core/static/;", f"alias {ROOT / 'core' / 'static'}/;")
    conf = conf.replace("    location = /healthz {", f"    location = /static-copy.html {{\n        root {workdir};\n"
                        "        access_log off;\n    }\n\n    location = /healthz {")
    (workdir / "static-copy.html").write_text(html, encoding="utf-8")
    (workdir / "cms.conf").write_text(conf)
    (workdir / "nginx.conf").write_text(textwrap.dedent(f"""\
        worker_processes 2;
        pid {workdir}/nginx.pid;
        error_log {workdir}/nginx-error.log;
        events {{ worker_connections 4096; }}
        http {{
          include /etc/nginx/mime.types;
          access_log off;
          client_body_temp_path {workdir}/body; proxy_temp_path {workdir}/proxy;
          fastcgi_temp_path {workdir}/fcgi; uwsgi_temp_path {workdir}/uwsgi; scgi_temp_path {workdir}/scgi;
          include {workdir}/cms.conf;
        }}
        """))
    process = subprocess.Popen(["nginx", "-c", str(workdir / "nginx.conf"), "-g", "daemon off;"])
    wait_for(f"http://127.0.0.1:{NGINX_PORT}/static-copy.html")
    return process


class Browser:
    """One person's connection: cookies kept, a distinct address behind the trusted proxy."""

    def __init__(self, port: int, address: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.address = address

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        headers = {"X-Forwarded-For": self.address, "User-Agent": "bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text, dict(response.headers)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def burst(app, people: int, places: int, window: float) -> None:
    """`people` arrive at random moments within `window` seconds of registration opening (an open
    loop: nobody waits for anyone else), each loading the page and then registering."""
    from core.accounts import SYSTEM
    from core.clock import utcnow
    from core.db import db
    from core.tenants import Tenant, tenant_scope
    from plugins.open_day import services
    from sqlalchemy import select
    from datetime import timedelta
    with app.app_context():
        town = db.session.scalar(select(Tenant).where(Tenant.kind == "town").order_by(Tenant.id))
        with tenant_scope(town):
            now = utcnow()
            event = services.create_event(SYSTEM, town, {
                "title": "压力测试开放日", "place": "便民服务中心", "starts_at": now + timedelta(days=5),
                "ends_at": now + timedelta(days=5, hours=2), "registration_opens_at": now - timedelta(minutes=1),
                "registration_closes_at": now + timedelta(days=3), "places": places, "max_group_size": 1,
                "waitlist_enabled": True})
            event.published_at = now
            db.session.commit()
            path, event_id = f"/{town.url_path}/open-day/{event.id}", event.id

    rng = random.Random(9)
    arrivals = sorted(rng.uniform(0, window) for _ in range(people))
    opened = time.perf_counter() + 0.5

    def one(n: int):
        time.sleep(max(opened + arrivals[n] - time.perf_counter(), 0))
        browser = Browser(APP_PORT, f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
        status, html, _ = browser.request("GET", path)
        token = csrf(html)
        t0 = time.perf_counter()
        status, _, headers = browser.request("POST", path + "/register", {
            "csrf_token": token, "name": f"报名人{n}", "phone": f"139{n:08d}", "consent": "y"})
        return status, (time.perf_counter() - t0) * 1000, headers.get("Location", "")

    with concurrent.futures.ThreadPoolExecutor(people) as pool:
        results = list(pool.map(one, range(people)))
    elapsed = time.perf_counter() - opened
    with app.app_context():
        from plugins.open_day.models import OpenDay, Registration
        from core.tenants import across_tenants
        with across_tenants(None, reason="benchmark: count"):
            rows = db.session.scalars(select(Registration.status).where(Registration.open_day_id == event_id)).all()
            taken = db.session.scalar(select(OpenDay.taken).where(OpenDay.id == event_id))
    latencies = [r[1] for r in results]
    errors = sum(1 for r in results if r[0] != 302)
    print(f"\nburst: {people} people register for {places} places, arriving within {window:.0f} s; "
          f"all answered after {elapsed:.1f} s")
    print(f"  confirmed {rows.count('confirmed')}, waitlisted {rows.count('waitlisted')}, places taken {taken}, "
          f"errors {errors}")
    print(f"  POST latency p50 {statistics.median(latencies):.0f} ms, p99 {percentile(latencies, 99):.0f} ms, "
          f"max {max(latencies):.0f} ms")


def comments(app, count: int, concurrency: int) -> None:
    from core.accounts import SYSTEM
    from core.db import db
    from core.tenants import Tenant, tenant_scope
    from core.clock import china_today
    from plugins.opinions import services
    from sqlalchemy import select
    from datetime import timedelta
    with app.app_context():
        town = db.session.scalar(select(Tenant).where(Tenant.kind == "town").order_by(Tenant.id).offset(1))
        with tenant_scope(town):
            c = services.create_consultation(SYSTEM, town, {
                "title": "压力测试征求意见稿", "draft_html": "<p>第一条 测试。</p>", "starts_on": china_today() - timedelta(days=1),
                "ends_on": china_today() + timedelta(days=29), "moderation": "review"})
            services.announce(SYSTEM, c)
            db.session.commit()
            path = f"/{town.url_path}/opinions/{c.id}"

    def one(n: int):
        browser = Browser(APP_PORT, f"10.200.{n // 256 % 256}.{n % 256}")
        _, html, _ = browser.request("GET", path)
        t0 = time.perf_counter()
        status, _, _ = browser.request("POST", path + "/comments", {
            "csrf_token": csrf(html), "content": f"第{n}条意见：建议延长公示时间。", "consent": "y"})
        return status, (time.perf_counter() - t0) * 1000

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(count)))
    elapsed = time.perf_counter() - start
    latencies = [r[1] for r in results]
    print(f"\ncomments: {count} submitted, {concurrency} at a time, in {elapsed:.1f} s "
          f"({count / elapsed:.0f}/s with the page fetch); errors {sum(1 for r in results if r[0] != 302)}")
    print(f"  POST latency p50 {statistics.median(latencies):.0f} ms, p99 {percentile(latencies, 99):.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15",
                        help="a Redis database of the benchmark's own: it is emptied first (sessions, "
                             "rate-limit counters and cached pages of earlier runs)")
    parser.add_argument("--seconds", type=int, default=10, help="per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--runs", type=int, default=40, help="in-process runs per page")
    parser.add_argument("--burst-window", type=float, default=60.0,
                        help="seconds over which the 1,000 registrations arrive")
    parser.add_argument("--only", nargs="*", default=["startup", "inprocess", "uncached", "memory", "cached", "burst",
                                                       "comments"])
    args = parser.parse_args()
    import redis
    redis.from_url(args.redis_url).flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="cms-http-bench-"))
    workdir.chmod(0o755)                     # nginx's workers (nobody) read the static copy
    instance = workdir / "instance"
    instance.mkdir()
    env = {"DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "SECRET_KEY": "bench-secret",
           "CMS_INSTANCE_PATH": str(instance), "TRUSTED_PROXY_COUNT": "1", "PAGE_CACHE": "off",
           "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    os.environ.update({k: v for k, v in env.items() if k in ("CMS_INSTANCE_PATH",)})
    from core import create_app
    t0 = time.perf_counter()
    app = create_app({"DATABASE_URL": args.database_url, "SECRET_KEY": "bench-secret", "PAGE_CACHE": "off"})
    print(f"create_app(): {(time.perf_counter() - t0) * 1000:.0f} ms in this process")
    pages = pick_pages(app)
    import multiprocessing
    workers = multiprocessing.cpu_count() * 2 + 1
    print(f"machine: {multiprocessing.cpu_count()} CPUs; gunicorn {workers} sync workers; wrk {args.connections} "
          f"connections × {args.seconds} s on the same machine")

    if "inprocess" in args.only:
        inprocess(app, pages, args.runs)
    server = Gunicorn(env, APP_PORT)
    print(f"\nstart-up: gunicorn to /healthz answering in {server.startup:.2f} s")
    record_html = None
    try:
        if "uncached" in args.only:
            print(f"\n{'uncached, through gunicorn':40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
            for name, path in pages.items():
                if "per page" in name:
                    continue
                r = wrk(f"http://127.0.0.1:{APP_PORT}{path}", args.seconds, args.connections)
                print(f"{name:40} {r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f}" + (f"  non-2xx {r['non2xx']}" if r["non2xx"] else ""))
            conn = http.client.HTTPConnection("127.0.0.1", APP_PORT)
            conn.request("GET", pages["record page"])
            record_html = conn.getresponse().read().decode()
            sys.path.insert(0, str(workdir))
            bare = Gunicorn({"PYTHONPATH": str(workdir)}, BARE_PORT, app=bare_app(record_html, workdir))
            try:
                r_bare = wrk(f"http://127.0.0.1:{BARE_PORT}/page", args.seconds, args.connections)
            finally:
                bare.stop()
            r_app = wrk(f"http://127.0.0.1:{APP_PORT}{pages['record page']}", args.seconds, args.connections)
            print(f"{'bare Flask, same bytes (' + str(len(record_html.encode())) + ' B)':40} {r_bare['rps']:8.0f} "
                  f"{r_bare['p50']:8.1f} {r_bare['p99']:8.1f}")
            print(f"record page / bare Flask: {r_app['rps'] / r_bare['rps']:.2f} (target ≥ 0.5)")
        if "memory" in args.only:
            rss = server.worker_rss_mib()
            print(f"\nmemory: {len(rss)} workers, RSS {min(rss):.0f}–{max(rss):.0f} MiB each (median "
                  f"{statistics.median(rss):.0f} MiB)")
        if "burst" in args.only:
            burst(app, 1000, 100, args.burst_window)
        if "comments" in args.only:
            comments(app, 500, 50)
    finally:
        server.stop()

    if "cached" in args.only:
        server = Gunicorn({**env, "PAGE_CACHE": "redis", "PAGE_CACHE_PREFIX": f"bench-{os.getpid()}:"}, APP_PORT)
        proxy = None
        try:
            if record_html is None:
                conn = http.client.HTTPConnection("127.0.0.1", APP_PORT)
                conn.request("GET", pages["record page"])
                record_html = conn.getresponse().read().decode()
            proxy = nginx(workdir, record_html)
            print(f"\n{'cached':40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
            rows = [("record page, app's Redis page cache", f"http://127.0.0.1:{APP_PORT}{pages['record page']}"),
                    ("district home, app's Redis page cache", f"http://127.0.0.1:{APP_PORT}{pages['district home']}"),
                    ("record page, nginx microcache", f"http://127.0.0.1:{NGINX_PORT}{pages['record page']}"),
                    ("district home, nginx microcache", f"http://127.0.0.1:{NGINX_PORT}{pages['district home']}"),
                    ("nginx static file, same bytes", f"http://127.0.0.1:{NGINX_PORT}/static-copy.html")]
            results = {}
            for name, url in rows:
                results[name] = r = wrk(url, args.seconds, args.connections)
                print(f"{name:40} {r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f}")
            static = results["nginx static file, same bytes"]["rps"]
            print(f"nginx microcache / static: {results['record page, nginx microcache']['rps'] / static:.2f}; "
                  f"app cache / static: {results['record page, app' + chr(39) + 's Redis page cache']['rps'] / static:.2f}"
                  " (target ≥ 0.5)")
        finally:
            if proxy is not None:
                proxy.send_signal(signal.SIGQUIT)
                proxy.wait(10)
            server.stop()


if __name__ == "__main__":
    main()
