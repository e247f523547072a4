"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py`.

Every value can be overridden by the environment (systemd's EnvironmentFile, see cms.service).
The app is stateless: sessions, rate limits and the page cache live in Redis (REDIS_URL) and the
data in PostgreSQL (DATABASE_URL), so more workers or more machines are just more of this."""
import multiprocessing
import os

wsgi_app = "core:create_app()"
bind = os.environ.get("BIND", "127.0.0.1:8000")
# Synchronous workers: 2 × CPU + 1 is gunicorn's rule of thumb for an app that waits on its
# database. WEB_CONCURRENCY overrides it (a container limited to fewer CPUs than it sees).
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS", 1))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak in a library never grows without bound.
max_requests = 5000
max_requests_jitter = 500
# Load the app once in the master: start-up checks (plugins, configuration) fail before any
# worker forks, and the workers share the loaded code's memory.
preload_app = True
# Only the local reverse proxy may set X-Forwarded-*; the app trusts TRUSTED_PROXY_COUNT of them.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")


def post_fork(server, worker):
    """Connections opened in the master (by start-up checks) must not be shared with a worker."""
    app = server.app.wsgi()
    if "sqlalchemy" not in getattr(app, "extensions", {}):
        return
    from core.db import db
    with app.app_context():
        db.engine.dispose(close=False)


def when_ready(server):
    """Parse the Chinese PDF fonts once in the master, before it forks the workers: every worker
    then shares the parse, and the first PDF of an installation is as fast as the next
    (core/pdf.py warm_fonts; docs/performance.md)."""
    if os.environ.get("PDF_WARM_FONTS", "1") == "0":
        return
    from core.pdf import warm_fonts
    seconds = warm_fonts(server.app.wsgi())
    if seconds is not None:
        server.log.info("PDF fonts parsed in %.1f s", seconds)
