"""Shared fixtures: a real database (an SQLite file, or a fresh PostgreSQL database when
TEST_DATABASE_URL is set) migrated once per session with the real migrations, emptied after
every test; the app, its test client and CLI runner; the demo county; login helpers; the run's
clock (CMS_TEST_TODAY) and its own Redis keys (TEST_REDIS_URL)."""
from __future__ import annotations

import importlib.util
import multiprocessing
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import entry_points
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
CLOCK_SHIM = ROOT / "tests" / "clockshim"


def _test_clock():
    """The module that moves this process's clock (already loaded at start-up in a child process)."""
    loaded = sys.modules.get("sitecustomize")
    if loaded is not None and hasattr(loaded, "travel_from_environment"):
        return loaded
    spec = importlib.util.spec_from_file_location("cms_test_clock", CLOCK_SHIM / "sitecustomize.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# CMS_TEST_TODAY=2027-02-08 (or a moment: 2026-12-31T16:30Z) runs the whole suite as if it were
# that day in China; every process a test starts gets the same clock through PYTHONPATH.
TEST_CLOCK = _test_clock()
TEST_CLOCK.travel_from_environment()
if os.environ.get("CMS_TEST_TODAY"):
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CLOCK_SHIM), os.environ.get("PYTHONPATH")]))

os.environ.setdefault("CMS_INSTANCE_PATH", tempfile.mkdtemp(prefix="cms-test-instance-"))

from core import create_app  # noqa: E402
from tests.plugins_present import available_plugins, required_plugins  # noqa: E402
from core.config import normalise_database_url  # noqa: E402
from core.db import db  # noqa: E402

DEMO_FILE = ROOT / "tenants" / "demo.yaml"
DEMO_PASSWORD = "qinglan-demo-2026"


# TEST_RLS_ONLY=1 (with TEST_DATABASE_URL): the app connects as a role that owns no table, with the
# ORM's tenant filter switched off, so PostgreSQL's row-level security is the only wall left.
RLS_ONLY = bool(os.environ.get("TEST_RLS_ONLY")) and bool(os.environ.get("TEST_DATABASE_URL"))
# Everything this process creates outside its own files carries this run's name: PostgreSQL
# databases and roles (cluster-wide), Redis keys. Two runs on one machine never meet.
RUN_ID = uuid.uuid4().hex[:10]
RLS_TEST_ROLE = f"cms_rls_test_{RUN_ID}"
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
REDIS_PREFIX = f"cms-test-{RUN_ID}:"



# Tests follow the architecture: each plugin's tests live in tests/<plugin>/, and its factories,
# fixtures and access-matrix entries in tests/<plugin>/fixtures.py, a pytest plugin loaded only
# when the plugin is installed and not switched off (PLUGINS_OFF). A test package or file that
# needs plugins says so with REQUIRES_PLUGINS = (...) in its __init__.py or module; without them
# it is not collected (not skipped) and the report header names what was left out.
AVAILABLE_PLUGINS = available_plugins()
pytest_plugins = ["tests.access", *(f"tests.{name}.fixtures" for name in sorted(AVAILABLE_PLUGINS)
                                    if (ROOT / "tests" / name / "fixtures.py").is_file())]
BUILT_IN_PLUGINS = frozenset({"catalog", "opinions", "open_day", "gazette", "applications", "disclosure", "decisions"})
LEFT_OUT: set[str] = set()


def pytest_ignore_collect(collection_path, config):
    missing = set(required_plugins(Path(collection_path))) - AVAILABLE_PLUGINS
    if missing:
        LEFT_OUT.add(f"{Path(collection_path).relative_to(ROOT)} (needs {', '.join(sorted(missing))})")
        return True
    return None


# The longest tests (seconds each, where most take a fraction of one), started first and together
# on one worker under `--dist loadgroup`: otherwise a random order may leave one of them for last,
# with the other worker idle while it runs.
LONG_RUNNING = ("tests/core/test_api_fuzz.py", "tests/open_day/test_concurrency.py",
                "tests/catalog/test_index_concurrency.py", "tests/opinions/test_ratelimit.py",
                "tests/integration/test_crash.py", "tests/integration/test_query_counts.py", "tests/test_access_matrix.py")


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    # Tests of core together with the four built-in plugins (builtin_plugins), or with some plugins
    # (needs_plugins), go where one of those is absent, as a plugin's own tests do.
    def missing(item) -> set[str]:
        needed = set(BUILT_IN_PLUGINS) if item.get_closest_marker("builtin_plugins") else set()
        for mark in item.iter_markers("needs_plugins"):
            needed |= set(mark.args)
        return needed - AVAILABLE_PLUGINS

    deselected = [item for item in items if missing(item)]
    if deselected:
        LEFT_OUT.add(f"{len(deselected)} tests marked builtin_plugins or needs_plugins (needs "
                     f"{', '.join(sorted(set().union(*map(missing, deselected))))})")
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not missing(item)]
    for item in items:
        if item.nodeid.startswith(LONG_RUNNING) and not item.get_closest_marker("xdist_group"):
            item.add_marker(pytest.mark.xdist_group("long"))


def pytest_report_header(config):
    from core import clock
    where = 'PostgreSQL (' + os.environ['TEST_DATABASE_URL'] + ')' if os.environ.get('TEST_DATABASE_URL') else 'SQLite file'
    today = (f"{clock.china_now():%Y-%m-%d %H:%M} in China, CMS_TEST_TODAY={os.environ['CMS_TEST_TODAY']}"
             if os.environ.get("CMS_TEST_TODAY") else f"{clock.china_now():%Y-%m-%d %H:%M} in China (the real clock; "
             "CMS_TEST_TODAY=YYYY-MM-DD runs as another day)")
    return [f"database: {where}" + (f"; row-level security only (role {RLS_TEST_ROLE}, ORM tenant filter off)"
                                    if RLS_ONLY else ""),
            f"today: {today}", f"redis: {TEST_REDIS_URL}, keys under {REDIS_PREFIX}*",
            "plugins: " + ", ".join(sorted(AVAILABLE_PLUGINS))]


def pytest_terminal_summary(terminalreporter):
    if LEFT_OUT:
        terminalreporter.write_line("not collected, their plugins are not installed or are off: " + "; ".join(sorted(LEFT_OUT)))


# What the concurrency tests' worker processes run, the app and its plugins: imported once by the
# fork server.
WORKER_MODULES = ["tests.conftest", *(module for plugin, module in (("open_day", "tests.open_day.workers"),
                                                                   ("catalog", "tests.catalog.publishers"))
                                     if plugin in AVAILABLE_PLUGINS),
                  *sorted({entry.module for entry in entry_points(group="cms.plugins")})]


def worker_processes():
    """The multiprocessing context of the concurrency tests. Workers come from a fork server started
    once per test process: it is clean (never a fork of a process with threads, as an xdist worker
    is) and has imported the app and the worker code already, so a worker starts at once instead of
    importing everything again (about a second of CPU each on this machine)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_MODULES)
    return context


@contextmanager
def at_china(moment: date | datetime, hour: int = 10) -> Iterator[datetime]:
    """Freeze the clock inside the block: at a moment, or at `hour` o'clock of a date in China."""
    import time_machine

    from core.clock import china_moment
    if not isinstance(moment, datetime):
        moment = china_moment(moment, time(hour))
    with time_machine.travel(moment.astimezone(timezone.utc), tick=False):
        yield moment


@pytest.fixture(scope="session")
def redis_url():
    """The Redis database of TEST_REDIS_URL; this run's keys all start with REDIS_PREFIX and are
    deleted at the end (never FLUSHDB: the database may be someone else's too)."""
    import redis
    server = redis.from_url(TEST_REDIS_URL)
    try:
        server.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis does not answer at {TEST_REDIS_URL} ({error}); set TEST_REDIS_URL")
    yield TEST_REDIS_URL
    for key in server.scan_iter(match=REDIS_PREFIX + "*", count=1000):
        server.delete(key)
    server.close()


@pytest.fixture
def redis_prefix(redis_url):
    """A key prefix of this test's own, under the run's."""
    return f"{REDIS_PREFIX}{uuid.uuid4().hex[:8]}:"


@contextmanager
def fresh_database(folder: Path, prefix: str = "cms_test") -> Iterator[str]:
    """A new, empty database: an SQLite file in `folder`, or on the PostgreSQL server of
    TEST_DATABASE_URL a database of its own, dropped afterwards."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{folder / (prefix + '.sqlite3')}"
        return
    base = make_url(normalise_database_url(server))
    name = f"{prefix}_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def run_role():
    """Creates PostgreSQL roles for this run (roles are cluster-wide: named after the run, never
    shared with another run) and drops them at its end, after the databases they had rights in."""
    created: list[str] = []
    admin = None

    def create(purpose: str) -> str:
        nonlocal admin
        name = f"cms_{purpose}_{RUN_ID}"
        admin = admin or create_engine(make_url(normalise_database_url(os.environ["TEST_DATABASE_URL"])),
                                       isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"CREATE ROLE {name} LOGIN"))
        created.append(name)
        return name

    yield create
    if admin is not None:
        with admin.connect() as conn:
            for name in created:
                conn.execute(text(f"DROP ROLE IF EXISTS {name}"))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(run_role, tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


def make_app(database_url, tmp_path, **extra):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": database_url,
        "ATTACHMENT_DIR": str(tmp_path / "attachments"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashing: tests log in often
        # Tenant ids are reused between tests: the page-cache tests switch a store on themselves.
        "PAGE_CACHE": "off",
        # Generous limits by default; the rate-limit tests set their own.
        "OPINIONS_LIMIT_PER_ADDRESS": "10000 per minute",
        "OPINIONS_LIMIT_PER_CONSULTATION": "10000 per minute",
    }
    if RLS_ONLY:
        config["TENANT_ORM_FILTER"] = False
    config.update(extra)
    return create_app(config)


@pytest.fixture(scope="session")
def migrated(database_url, run_role, tmp_path_factory):
    """Run the real migrations once: the schema under test is the one users get."""
    from flask_migrate import upgrade
    app = make_app(database_url, tmp_path_factory.mktemp("migrate"))
    with app.app_context():
        upgrade(revision="heads")
        if RLS_ONLY:
            from core.security.rls import grant_app_role_statements
            assert run_role("rls_test") == RLS_TEST_ROLE
            for statement in grant_app_role_statements(RLS_TEST_ROLE):
                db.session.execute(text(statement))
            # Only for the tests' own housekeeping: resetting sequences after restoring the demo,
            # emptying the audit log between tests.
            db.session.execute(text(f"GRANT UPDATE ON ALL SEQUENCES IN SCHEMA public TO {RLS_TEST_ROLE}"))
            db.session.execute(text(f"GRANT DELETE ON audit_log TO {RLS_TEST_ROLE}"))
            # and copies of the data sets on the server (_server_copy), in this run's database only.
            db.session.execute(text(f'GRANT CREATE ON DATABASE "{make_url(database_url).database}" TO {RLS_TEST_ROLE}'))
            db.session.commit()
        if db.engine.dialect.name == "sqlite":
            folder = tmp_path_factory.mktemp("migrated-image")
            _MIGRATED_IMAGES[db.engine.url.render_as_string(hide_password=False)] = _sqlite_image(folder / "image.sqlite3")
        db.engine.dispose()
    if RLS_ONLY:
        return make_url(database_url).set(username=RLS_TEST_ROLE, password=None).render_as_string(hide_password=False)
    return database_url


# SQLite databases as the migrations left them, by URL: emptying one is copying this back.
_MIGRATED_IMAGES: dict[str, Path] = {}


def _empty_all_tables() -> None:
    image = _MIGRATED_IMAGES.get(db.engine.url.render_as_string(hide_password=False))
    if image is not None:
        _sqlite_restore(image)
        return
    # DELETE beats TRUNCATE for the few hundred rows a test leaves (TRUNCATE has a cost per table).
    # The audit log refuses DELETE unless the chain head says a purge is running (migration 0008).
    from core.tenants import across_tenants
    with across_tenants(None, reason="tests: empty every table"):
        _delete_everything()


def _delete_everything() -> None:
    from core.audit import AuditChain, AuditEntry
    if db.session.execute(AuditChain.__table__.update().values(purging=True)).rowcount == 0:
        db.session.execute(AuditChain.__table__.insert().values(id=1, purging=True))
    db.session.execute(AuditEntry.__table__.delete())
    if db.engine.dialect.name == "postgresql":
        # One round trip (psycopg runs several statements when there are no parameters). As the
        # server's superuser, without the foreign keys' triggers (every table is emptied anyway):
        # the demo county's rows go in 3.7 ms instead of 12.6.
        fast = "" if RLS_ONLY else "SET LOCAL session_replication_role = replica; "
        db.session.execute(text(fast + "; ".join(f'DELETE FROM "{table.name}"' for table in reversed(db.metadata.sorted_tables))))
    else:
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.execute(text("DELETE FROM search_fts"))  # the search index is not an ORM table
    db.session.commit()


@pytest.fixture(scope="session")
def shared_app(migrated, tmp_path_factory):
    """One application for the session: building one compiles every URL rule (about 0.2 s)."""
    app = make_app(migrated, tmp_path_factory.mktemp("shared-app"))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def app(shared_app, tmp_path):
    """The application with an empty database, fresh settings, fresh rate limits and its own files."""
    from core.security.ratelimit import limiter
    saved = dict(shared_app.config)
    shared_app.config["ATTACHMENT_DIR"] = str(tmp_path / "attachments")
    limiter.init_app(shared_app)  # other tests may have built apps of their own since
    limiter.reset()
    yield shared_app
    with shared_app.app_context():
        db.session.remove()
        _empty_all_tables()
    shared_app.config.clear()
    shared_app.config.update(saved)
    limiter.reset()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@dataclass
class Snapshot:
    """Everything a builder wrote: the rows of every table, the search index storage the ORM does
    not map (SQLite's FTS5 rows, PostgreSQL's tsvectors) and the attachment files."""
    name: str
    tables: list
    search: list[dict]
    files: Path
    image: Path | None = None     # on SQLite, the whole database file, copied back page by page
    result: object = None         # what the builder returned (the demo's lines, as `cms demo` prints them)
    copy_schema: str | None = None   # on PostgreSQL, a schema holding a copy of each table's rows


def _sqlite_copy(source, target) -> None:
    """Copy one SQLite database (a connection or a file) over another with SQLite's backup API
    (a page copy: a few milliseconds where inserting the rows again took a fifth of a second)."""
    given = (source, target)
    connections = [sqlite3.connect(x) if isinstance(x, Path) else x for x in given]
    try:
        connections[0].backup(connections[1])
    finally:
        for connection, argument in zip(connections, given):
            if connection is not argument:
                connection.close()


def _sqlite_image(destination: Path) -> Path:
    """The current database (SQLite) saved to `destination`."""
    raw = db.engine.raw_connection()
    try:
        _sqlite_copy(raw.driver_connection, destination)
    finally:
        raw.close()
    return destination


def _sqlite_restore(image: Path) -> None:
    db.session.remove()
    raw = db.engine.raw_connection()
    try:
        _sqlite_copy(image, raw.driver_connection)
    finally:
        raw.close()


def _take_snapshot(name: str, files: Path, result: object = None) -> Snapshot:
    from core.search import FTS_TABLE
    from core.tenants import across_tenants
    with across_tenants(None, reason="tests: snapshot"):
        # In key order: PostgreSQL returns updated rows in a new physical order, and a village
        # inserted before its town would break the foreign key.
        tables = [(table, [dict(row._mapping) for row in db.session.execute(
                      table.select().order_by(*table.primary_key.columns))])
                  for table in db.metadata.sorted_tables]
        if db.engine.dialect.name == "postgresql":
            search = [dict(r._mapping) for r in db.session.execute(text(
                "SELECT id, vector::text AS vector FROM search_entries WHERE vector IS NOT NULL"))]
        else:
            search = [dict(r._mapping) for r in db.session.execute(text(f"SELECT rowid AS rowid, * FROM {FTS_TABLE}"))]
        copy_schema = _server_copy(name, tables) if db.engine.dialect.name == "postgresql" else None
    image = _sqlite_image(files.parent / "image.sqlite3") if db.engine.dialect.name == "sqlite" else None
    return Snapshot(name, tables, search, files, image, result, copy_schema)


def _server_copy(name: str, tables: list) -> str:
    """On PostgreSQL, a copy of every non-empty table's rows in a schema of the run's own database:
    restoring is then one round trip of INSERT … SELECT on the server (the demo content's 2,800 rows
    in a few milliseconds, where sending them from Python took a quarter of a second per test).
    With TEST_RLS_ONLY the app's role makes the copy (it may create schemas in the run's database),
    reading and writing every tenant's rows under the all-tenants scope, as the app would."""
    schema = f"test_snapshot_{re.sub(r'[^a-z0-9_]', '_', name.lower())}"
    statements = [f'DROP SCHEMA IF EXISTS "{schema}" CASCADE', f'CREATE SCHEMA "{schema}"']
    statements += [f'CREATE TABLE "{schema}"."{table.name}" AS SELECT * FROM "{table.name}"'
                   for table, rows in tables if rows]
    db.session.execute(text("; ".join(statements)))
    db.session.commit()
    return schema


def _restore_snapshot(app, snapshot: Snapshot) -> None:
    if app.config.get("TEST_SNAPSHOT"):
        raise RuntimeError(f"this test restored {app.config['TEST_SNAPSHOT']} already; a test restores one snapshot")
    app.config["TEST_SNAPSHOT"] = snapshot.name
    if snapshot.image is not None:
        with app.app_context():
            _sqlite_restore(snapshot.image)
    elif snapshot.copy_schema is not None:
        _copy_back(app, snapshot)
    else:
        _insert_snapshot(app, snapshot)
    if any(snapshot.files.iterdir()):
        shutil.copytree(snapshot.files, app.config["ATTACHMENT_DIR"], dirs_exist_ok=True, copy_function=_link_or_copy)


def _link_or_copy(source: str, target: str) -> None:
    """A snapshot's file in a test's attachment folder: a hard link (the demo's few hundred files in
    a few milliseconds instead of most of a tenth of a second per test). Safe because the product
    never writes into a stored file: new files get new tokens, and a file made again (the privacy
    purge's letters, a gazette PDF) is written beside it and renamed over it, which replaces the link."""
    try:
        os.link(source, target)
    except OSError:           # another filesystem
        shutil.copy2(source, target)


def _links_to_later_rows(table, rows: list[dict]) -> tuple[list[dict], dict[tuple, list[dict]]]:
    """Rows in key order may point at a later row of their own table (an article superseded by a
    newer one): those links are inserted empty and set afterwards, grouped by the columns set."""
    own = [(fk.parent.name, fk.column.name) for fk in table.foreign_keys if fk.column.table is table]
    if not own:
        return rows, {}
    seen: set[tuple[str, object]] = set()
    ready, later = [], {}
    for row in rows:
        late = tuple(c for c, target in own if row[c] is not None and (target, row[c]) not in seen)
        seen.update((target, row[target]) for _, target in own)
        if late:
            ready.append({**row, **dict.fromkeys(late)})
            later.setdefault(late, []).append({**{c: row[c] for c in late},
                                               **{f"pk_{c.name}": row[c.name] for c in table.primary_key.columns}})
        else:
            ready.append(row)
    return ready, later


def _copy_back(app, snapshot: Snapshot) -> None:
    """PostgreSQL: every table's rows back from the snapshot's schema, parents first, and the
    sequences past them, in one round trip (foreign keys are checked at each statement's end, so a
    row may point at a later row of its own table)."""
    from core.tenants import across_tenants
    filled = [(table, rows) for table, rows in snapshot.tables if rows]
    statements = [f'INSERT INTO "{table.name}" SELECT * FROM "{snapshot.copy_schema}"."{table.name}"'
                  for table, _ in filled]
    sequences = [f"setval(pg_get_serial_sequence('{table.name}', 'id'), {max(r['id'] for r in rows)})"
                 for table, rows in filled if "id" in table.c]
    if sequences:
        statements.append(f"SELECT {', '.join(sequences)}")
    with app.app_context(), across_tenants(None, reason="tests: restore a snapshot"):
        db.session.execute(text("; ".join(statements)))
        db.session.commit()


def _insert_snapshot(app, snapshot: Snapshot) -> None:
    from core.search import FTS_TABLE
    from core.tenants import across_tenants
    with app.app_context(), across_tenants(None, reason="tests: restore a snapshot"):
        for table, rows in snapshot.tables:
            if not rows:
                continue
            rows, later = _links_to_later_rows(table, rows)
            db.session.execute(table.insert(), rows)
            for columns, links in later.items():
                db.session.execute(table.update().where(*(c == bindparam(f"pk_{c.name}") for c in table.primary_key.columns))
                                   .values({c: bindparam(c) for c in columns}), links)
        if db.engine.dialect.name == "postgresql":
            # One statement for every sequence: each round trip counts when every test restores.
            sequences = [f"setval(pg_get_serial_sequence('{table.name}', 'id'), {max(r['id'] for r in rows)})"
                         for table, rows in snapshot.tables if rows and "id" in table.c]
            db.session.execute(text(f"SELECT {', '.join(sequences)}"))
            if snapshot.search:
                db.session.execute(text("UPDATE search_entries SET vector = CAST(:vector AS tsvector) WHERE id = :id"),
                                   snapshot.search)
        elif snapshot.search:
            columns = list(snapshot.search[0])
            db.session.execute(text(f"INSERT INTO {FTS_TABLE} ({', '.join(columns)}) "
                                    f"VALUES ({', '.join(':' + c for c in columns)})"), snapshot.search)
        db.session.commit()


@pytest.fixture(scope="session")
def snapshots(migrated, tmp_path_factory):
    """Data sets built once per session by the real code and restored for each test that asks:
    restoring rows is much faster than syncing the demo file or loading demo content every time."""
    built: dict[str, Snapshot] = {}

    def get(name: str, build) -> Snapshot:
        if name not in built:
            folder = tmp_path_factory.mktemp(f"snapshot-{name}")
            app = make_app(migrated, folder, ATTACHMENT_DIR=str(folder / "attachments"))
            (folder / "attachments").mkdir()
            with app.app_context():
                result = build(app)
                db.session.commit()
                built[name] = _take_snapshot(name, folder / "attachments", result)
                _empty_all_tables()
                db.engine.dispose()
        return built[name]
    return get


def _sync_demo(app) -> None:
    from core.tenants.provisioning import sync_file
    sync_file(DEMO_FILE)


def _demo_and_content(app) -> list[str]:
    """What `make run` loads: the demo county, then every plugin's demo content (`cms demo`);
    returns the lines `cms demo` prints."""
    from core.plugins import collect
    _sync_demo(app)
    return collect(app.extensions["cms"].hook.demo_content)


@pytest.fixture
def demo(app, snapshots):
    """The demo county of tenants/demo.yaml: 1 district, 3 towns, 6 villages, 5 users, seeded catalogs."""
    _restore_snapshot(app, snapshots("demo", _sync_demo))
    return app


@pytest.fixture
def demo_content(app, snapshots):
    """The demo county with every plugin's demo content, as `make run` shows it (records,
    consultations, open days, gazette issues), loaded as of the run's today."""
    _restore_snapshot(app, snapshots("demo_content", _demo_and_content))
    return app


@pytest.fixture
def demo_output(demo_content, snapshots) -> str:
    """What `cms demo` printed, one line per plugin, when the demo_content data set was built."""
    return "\n".join(snapshots("demo_content", _demo_and_content).result)


CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


_LAST_STEP: dict[str, int] = {}


def totp_code(secret: str, username: str = "") -> str:
    """The code an authenticator app shows now; the next step's when this one was used already
    (the server never takes a code twice, and tests may log in twice within 30 seconds)."""
    import time

    import pyotp
    totp = pyotp.TOTP(secret)
    step = int(time.time()) // totp.interval
    if _LAST_STEP.get(secret + username, -1) >= step:
        step = _LAST_STEP[secret + username] + 1
    _LAST_STEP[secret + username] = step
    return totp.at(step * totp.interval)


def enrolment_code_for(app, username: str) -> str | None:
    """As the security admin would: a one-time enrolment code for someone who must set up
    two-factor login and has not yet (issued before the password is typed: it ends sessions)."""
    from core.accounts import SYSTEM, user_by_username
    from core.accounts.second_factor import issue_enrolment_code
    from core.db import immediate_writes
    with app.app_context(), immediate_writes():     # a served site may write between a read and a write
        user = user_by_username(username)
        if user is None or user.totp_secret or not user.needs_second_factor:
            return None
        code = issue_enrolment_code(SYSTEM, user)
        db.session.commit()
        return code


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, username: str, password: str = DEMO_PASSWORD, *, next_url: str = ""):
        """Log in as a person would, with the second step when the account needs it: a code from
        the key shown at set-up (first login) or from the key the account keeps."""
        enrol_code = enrolment_code_for(self.client.application, username)
        page = self.client.get("/admin/login")
        response = self.client.post("/admin/login" + (f"?next={next_url}" if next_url else ""),
                                    data={"username": username, "password": password,
                                          "csrf_token": csrf_from(page.get_data(as_text=True))})
        location = response.headers.get("Location", "")
        if response.status_code == 302 and location.endswith("/admin/login/totp/setup"):
            page = self.client.get(location).get_data(as_text=True)
            secret = re.search(r'id="totp-secret"[^>]*>([A-Z2-7]+)<', page).group(1)
            done = self.client.post(location, data={"enrol_code": enrol_code, "code": totp_code(secret, username),
                                                    "csrf_token": csrf_from(page)})
            if done.status_code == 200 and "保存恢复码" in done.get_data(as_text=True):   # shown once, then on
                return self.client.get(re.search(r'href="([^"]+)">我已保存', done.get_data(as_text=True)).group(1))
            return done
        if response.status_code == 302 and location.endswith("/admin/login/totp"):
            page = self.client.get(location).get_data(as_text=True)
            with self.client.application.app_context():
                from core.accounts import user_by_username
                secret = user_by_username(username).totp_secret
            return self.client.post(location, data={"code": totp_code(secret, username),
                                                    "csrf_token": csrf_from(page)})
        return response

    def logout(self):
        page = self.client.get("/admin/account")
        return self.client.post("/admin/logout", data={"csrf_token": csrf_from(page.get_data(as_text=True))})


@pytest.fixture
def auth(client):
    return Auth(client)


def post_form(client, page_url: str, data: dict, url: str | None = None, **kwargs):
    """GET a page, take its CSRF token, POST the form as a browser would."""
    page = client.get(page_url)
    assert page.status_code == 200, page.status_code
    return client.post(url or page_url, data={**data, "csrf_token": csrf_from(page.get_data(as_text=True))}, **kwargs)


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside the `with` block."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counter():
        statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)
    return counter
