"""The office's pages: open applications on the statutory clock, registration, handling, the
answer and its letter, delivery."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("applications_admin", __name__, template_folder="templates")

# The statistics, fees and appeals pages hang from the same blueprint.
from plugins.applications import admin_stats  # noqa: E402,F401
