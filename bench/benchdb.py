"""The benchmarks' database: the URL given, dropped and created again (PostgreSQL) or removed
(SQLite file), or a new SQLite file in the work folder."""
from __future__ import annotations

from pathlib import Path


def fresh_database(url: str | None, workdir: Path, filename: str) -> str:
    if not url:
        return f"sqlite:///{workdir / filename}"
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        from core.config import normalise_database_url
        target = make_url(normalise_database_url(url))
        admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
        admin.dispose()
    elif url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    return url
