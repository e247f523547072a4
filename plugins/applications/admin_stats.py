"""The office's statistics (the annual report's section 三, as a page and .xlsx), fees and appeals
(行政复议, 行政诉讼: the report's section 四)."""
from __future__ import annotations

from plugins.applications.admin import bp  # noqa: F401
