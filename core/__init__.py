"""The platform core. `create_app()` builds the whole application: `gunicorn 'core:create_app()'`.

Core is organised by feature (`core/<feature>/`: models, views, API, forms, CLI), like the plugins;
the application is assembled in `core.app`. Plugins use `core.plugin_api` only.
"""
from __future__ import annotations

__all__ = ["create_app"]


def create_app(config: dict | None = None):
    from core.app import create_app as build
    return build(config)
