"""Rate limits (Flask-Limiter). With REDIS_URL set the counters live in Redis, so a limit holds
across every worker and server; without it they live in each process's memory (one process only)."""
from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, key_prefix="cms")


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://", "redis+")):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"key_prefix": app.config["REDIS_KEY_PREFIX"] + "limits"})
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)


def client_address() -> str:
    """The address limits are counted for (the proxy-aware address once ProxyFix is configured)."""
    return request.remote_addr or "unknown"
