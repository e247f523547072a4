"""Configuration: defaults, overridden by environment variables, overridden by create_app(config)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs (SQLAlchemy would pick psycopg2)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_config(app: Flask, overrides: dict | None) -> None:
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    overrides = dict(overrides or {})

    app.config.update(
        SECRET_KEY=overrides.get("SECRET_KEY") or _secret_key(instance),
        SQLALCHEMY_DATABASE_URI=normalise_database_url(
            os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'cms.sqlite3'}")
        ),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        REDIS_URL=os.environ.get("REDIS_URL") or None,
        # Every key the installation writes to Redis starts with this (sessions, limits, page cache),
        # so several installations, or a test run, can share one Redis database.
        REDIS_KEY_PREFIX=os.environ.get("REDIS_KEY_PREFIX", "cms:"),
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (0: none).
        TRUSTED_PROXY_COUNT=int(os.environ.get("TRUSTED_PROXY_COUNT", 0)),
        # Anonymous public pages: "redis" (the default with REDIS_URL), "simple" (per process) or "off".
        PAGE_CACHE=os.environ.get("PAGE_CACHE") or None,
        PAGE_CACHE_SECONDS=int(os.environ.get("PAGE_CACHE_SECONDS", 60)),
        # Sessions: HttpOnly and SameSite always; Secure when served over HTTPS.
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=_env_bool("SESSION_COOKIE_SECURE", False),
        REMEMBER_COOKIE_DURATION=0,
        PERMANENT_SESSION_LIFETIME=int(os.environ.get("SESSION_LIFETIME_SECONDS", 8 * 3600)),
        # The session cookie ends with the browser; SESSION_PERMANENT=1 keeps it for the lifetime above.
        SESSION_PERMANENT=_env_bool("SESSION_PERMANENT", False),
        WTF_CSRF_TIME_LIMIT=None,  # token lives as long as the session
        # Uploads
        ATTACHMENT_DIR=os.environ.get("ATTACHMENT_DIR", str(instance / "attachments")),
        ATTACHMENT_MAX_BYTES=int(os.environ.get("ATTACHMENT_MAX_MB", 20)) * 1024 * 1024,
        MAX_CONTENT_LENGTH=(int(os.environ.get("ATTACHMENT_MAX_MB", 20)) + 1) * 1024 * 1024,
        JSON_MAX_BYTES=int(os.environ.get("JSON_MAX_KB", 2048)) * 1024,   # a JSON request body, parsed only within this
        JSON_MAX_DEPTH=32,                                                  # and this many nested arrays/objects
        # Installed plugins left unloaded, as if absent (comma-separated names): their tables stay,
        # `cms db upgrade` skips them and search hides their entries (docs/plugins.md).
        PLUGINS_OFF=[n.strip() for n in os.environ.get("PLUGINS_OFF", "").split(",") if n.strip()],
        # Site
        SITE_NAME=os.environ.get("SITE_NAME", "政务公开平台"),
        SITE_ID_CODE=os.environ.get("SITE_ID_CODE", ""),   # 网站标识码, from the government website registry
        API_TOKEN_PREFIX="cms_",
        PASSWORD_HASH_METHOD=os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    if "DATABASE_URL" in overrides:
        overrides["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(overrides.pop("DATABASE_URL"))
    if "SQLALCHEMY_DATABASE_URI" in overrides:
        overrides["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(overrides["SQLALCHEMY_DATABASE_URI"])
    app.config.update(overrides)
