"""`cms search reindex`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from core.cli import fail, tenant_or_exit
from core.db import db


search_group = AppGroup("search", help="站内搜索索引。")


@search_group.command("reindex")
@click.option("--tenant", "slug", help="只重建该单位及其下属单位的索引（默认全部）")
@click.option("--only", "key", help="只重建一类内容，例如 catalog.record")
def search_reindex(slug: str | None, key: str | None) -> None:
    """重建站内搜索索引。平时发布、失效、撤回和删除会即时更新索引，无需运行；
    在批量导入绕过了正常流程、或索引损坏时使用。"""
    from core import search
    from core.tenants import subtree_ids
    known = [s.key for s in search.sources().all]
    if key and key not in known:
        fail(f"没有这一类内容：“{key}”。可选：{'、'.join(known)}")
    tenant_ids = subtree_ids(tenant_or_exit(slug)) if slug else None
    total = search.candidate_count(tenant_ids, only=key)
    with click.progressbar(length=total, label="重建索引", show_pos=True) as bar:
        count = search.reindex(tenant_ids, only=key, progress=bar.update)
    db.session.commit()
    click.echo(f"已建立 {count} 条索引。")


commands = [search_group]
