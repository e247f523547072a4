"""/api/v1/tenants/<slug>/applications: the public's application and status by code, and the
office systems' read and write endpoints (token)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("applications_api", __name__)

# The office systems' endpoints (token) hang from the same blueprint.
from plugins.applications import api_office  # noqa: E402,F401
