"""Pagination of a select statement, shared by every list page and API endpoint."""
from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import request
from sqlalchemy import Select, func, select

from core.db import db

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 100_000


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_args(default_per_page: int = DEFAULT_PER_PAGE) -> tuple[int, int]:
    """page and per_page from the query string, clamped to sane values."""
    page = request.args.get("page", 1, type=int) or 1
    per_page = request.args.get("per_page", default_per_page, type=int) or default_per_page
    return min(max(page, 1), MAX_PAGE), min(max(per_page, 1), MAX_PER_PAGE)


def paginate(stmt: Select, page: int, per_page: int, *, scalars: bool = True) -> Page:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
    items = list(result.scalars() if scalars else result)
    return Page(items=items, page=page, per_page=per_page, total=total)
