"""The public's pages: the application form (in the national 政府信息公开申请表 layout), the receipt
with its 查询码, and the status page by code."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("applications", __name__, template_folder="templates")
