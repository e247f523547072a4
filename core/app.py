"""The application, assembled here and nowhere else: configuration, database, the core features and
the plugins, each feature's views, API routes and commands, and what runs around every request.

Core features are packages shaped like plugins (models in `__init__`, then `views`, `api`, `forms`,
`cli`); `create_app` imports each one's views and commands the way the plugin manager loads a
plugin's hooks. Nothing imports this module but `core.create_app` and the `cms` entry point.
"""
from __future__ import annotations

import importlib
import os
from pathlib import Path

from flask import Flask
from flask.cli import FlaskGroup
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

# Core features in the order their models join the metadata (before the plugins add theirs).
FEATURES = ("tenants", "accounts", "attachments", "audit", "notify", "search", "workdays", "security", "backup")


def _feature_module(feature: str, part: str):
    try:
        return importlib.import_module(f"core.{feature}.{part}")
    except ModuleNotFoundError as exc:
        if exc.name != f"core.{feature}.{part}":
            raise
        return None


def create_app(config: dict | None = None) -> Flask:
    from core.accounts.sessions import login_manager, server_side_sessions, session_timeouts
    from core.config import load_config
    from core.db import db
    from core.errors import DomainError
    from core.masking import mask_contact, mask_name
    from core.migrations_cli import init_migrations
    from core.plugins import build_plugin_manager, collect
    from core.sanitize import plain_text, text_to_html, text_with_links
    from core.security import rls, security_headers
    from core.security.ratelimit import init_app as init_rate_limits
    from core import search
    from core.web import TenantPathConverter, csrf, localtime, tenant_url_defaults
    from core.web import hooks

    app = Flask("core", instance_path=os.environ.get("CMS_INSTANCE_PATH") or None,
                instance_relative_config=True)
    load_config(app, config)

    for feature in FEATURES:
        importlib.import_module(f"core.{feature}")
    importlib.import_module("core.accounts.second_factor")      # recovery codes
    db.init_app(app)
    with app.app_context():
        rls.install(db.engine)      # PostgreSQL: the tenant scope reaches row-level security
    registry = build_plugin_manager(off=app.config["PLUGINS_OFF"])
    app.extensions["cms"] = registry
    init_migrations(app, db, registry)
    search.init_app(app, registry)
    proxies = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if proxies > 0:
        # Behind nginx: the client's address (rate limits, audit), scheme (Secure cookies, HSTS)
        # and host (tenant hosts, absolute URLs) come from the headers the trusted proxies set.
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    app.url_map.converters["tenant"] = TenantPathConverter
    app.url_map.strict_slashes = True
    init_rate_limits(app)
    server_side_sessions(app)
    login_manager.init_app(app)
    login_manager.login_view = "admin.login"
    login_manager.login_message = "请先登录。"
    login_manager.session_protection = "strong"
    csrf.init_app(app)

    # Each feature's routes join the three shells (admin, portal, API) before they are registered.
    for feature in FEATURES:
        for part in ("views", "api"):
            _feature_module(feature, part)
    from core import api
    from core.web import admin, pagecache, portal
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # the API authenticates by bearer token, never by cookie
    app.register_blueprint(admin.bp)
    hooks.register_plugin_blueprints(app, registry)
    app.register_blueprint(portal.bp)  # last: its tenant-path routes are the most general

    app.url_value_preprocessor(hooks.resolve_tenant)
    app.url_defaults(tenant_url_defaults)
    app.before_request(hooks.bounded_json)
    app.before_request(hooks.refuse_nul_bytes)
    app.before_request(session_timeouts)
    app.before_request(hooks.check_tenant_access)
    app.teardown_request(hooks.leave_scope)
    app.after_request(security_headers)
    app.after_request(hooks.deliver_notifications)
    pagecache.init_app(app)   # after the tenant checks; its after_request runs before the headers above
    app.register_error_handler(HTTPException, hooks.http_error)
    app.register_error_handler(DomainError, hooks.domain_error)
    app.register_error_handler(CSRFError, hooks.csrf_error)
    app.register_error_handler(IntegrityError, hooks.integrity_error)
    app.context_processor(hooks.template_context)
    app.jinja_env.filters.update(localtime=localtime, mask_name=mask_name, mask_contact=mask_contact,
                                 paragraphs=text_to_html, plain=plain_text)
    # The rich-text editor's built files (`make editor`); without them every rich-text field is
    # the plain HTML textarea it is without JavaScript.
    editor_built = (Path(app.static_folder) / "editor" / "editor.js").is_file()
    app.jinja_env.globals.update(text_with_links=text_with_links, rich_text_editor=editor_built)

    for feature in FEATURES:
        cli = _feature_module(feature, "cli")
        for command in (cli.commands if cli else ()):
            app.cli.add_command(command)
    for command in collect(registry.hook.cli_commands):
        app.cli.add_command(command)
    if os.environ.get("PDF_WARM_ON_START") == "1":
        # `make run`'s single-process server: the Chinese PDF fonts are parsed in the background
        # while it starts, so the first PDF is as quick as the next (gunicorn does it in its master).
        import threading

        from core.pdf import warm_fonts
        threading.Thread(target=warm_fonts, args=(app,), name="warm-pdf-fonts", daemon=True).start()
    return app


main = FlaskGroup(create_app=create_app, help="县级政务公开平台命令行。")
