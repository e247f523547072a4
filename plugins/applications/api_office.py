"""The office systems' endpoints (token): applications of the tenant, their handling and answer,
with the same rules and errors as the admin forms."""
from __future__ import annotations

from plugins.applications.api import bp  # noqa: F401
