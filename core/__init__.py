"""The platform core. `create_app()` builds the whole application: `gunicorn 'core:create_app()'`."""
from __future__ import annotations

import os

from flask import Flask

__all__ = ["create_app"]


def create_app(config: dict | None = None) -> Flask:
    from core import web
    from core.config import load_config
    from core.db import db
    from core.migrations_cli import init_migrations
    from core.plugins import build_plugin_manager

    app = Flask("core", instance_path=os.environ.get("CMS_INSTANCE_PATH") or None,
                instance_relative_config=True)
    load_config(app, config)

    # Importing the core models registers them on the metadata before plugins add theirs.
    import core.accounts  # noqa: F401
    import core.attachments  # noqa: F401
    import core.audit  # noqa: F401
    import core.notify  # noqa: F401
    import core.search  # noqa: F401
    import core.workdays  # noqa: F401

    db.init_app(app)
    from core import rls
    with app.app_context():
        rls.install(db.engine)      # PostgreSQL: the tenant scope reaches row-level security
    registry = build_plugin_manager(off=app.config["PLUGINS_OFF"])
    app.extensions["cms"] = registry
    init_migrations(app, db, registry)
    core.search.init_app(app, registry)
    proxies = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if proxies > 0:
        # Behind nginx: the client's address (rate limits, audit), scheme (Secure cookies, HSTS)
        # and host (tenant hosts, absolute URLs) come from the headers the trusted proxies set.
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    web.init_app(app, registry)
    return app
