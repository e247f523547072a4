"""Rate limits (Flask-Limiter). With REDIS_URL set the counters live in Redis, so a limit holds
across every worker and server; without it they live in each process's memory (one process only)."""
from __future__ import annotations

import os

from functools import wraps

from flask import Flask, current_app, make_response, request
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


LOOKUP_MESSAGE = "查询过于频繁，请稍后再试。"


def lookup_limit(scope: str, setting: str = "CODE_LOOKUP_LIMIT"):
    """The limit on looking something up by a code handed to the public (a comment's tracking code,
    a registration code, an application's code): it slows guessing. Counted per address and shared
    by a plugin's pages and API (one `scope`); `setting` (a config key or environment variable)
    may override CODE_LOOKUP_LIMIT, 60 a minute by default."""
    def limit() -> str:
        return (current_app.config.get(setting) or os.environ.get(setting) or current_app.config.get("CODE_LOOKUP_LIMIT")
                or os.environ.get("CODE_LOOKUP_LIMIT") or "60 per minute")
    limited = limiter.shared_limit(limit, scope=scope, key_func=client_address, error_message=LOOKUP_MESSAGE)

    def decorator(view):
        @wraps(view)
        def private(*args, **kwargs):
            # What a code opens is that person's: never kept by the page cache or a proxy (a cached
            # answer would also be served without counting against the limit).
            response = make_response(view(*args, **kwargs))
            response.headers["Cache-Control"] = "no-store"
            return response
        return limited(private)
    return decorator
