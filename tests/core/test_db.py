"""Per-connection SQLite settings: every connection the app opens gets them, whatever the database."""
from __future__ import annotations

from sqlalchemy import create_engine, text

from core import db as core_db


def test_every_sqlite_connection_gets_wal_foreign_keys_and_a_memory_map(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    try:
        with engine.connect() as conn:
            assert conn.scalar(text("PRAGMA journal_mode")) == "wal"
            assert conn.scalar(text("PRAGMA foreign_keys")) == 1
            assert conn.scalar(text("PRAGMA busy_timeout")) == 10000
            assert core_db.SQLITE_MMAP_BYTES == 1024 * 1024 * 1024
            assert conn.scalar(text("PRAGMA mmap_size")) == core_db.SQLITE_MMAP_BYTES
    finally:
        engine.dispose()


def test_the_memory_map_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.setattr(core_db, "SQLITE_MMAP_BYTES", 0)
    engine = create_engine(f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    try:
        with engine.connect() as conn:
            assert conn.scalar(text("PRAGMA mmap_size")) == 0
    finally:
        engine.dispose()
