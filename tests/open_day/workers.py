"""Worker processes for the concurrency tests: each has its own app and connections and sends
real requests through the API from several threads at once."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def _app(database_url: str, instance: str):
    from tests.conftest import make_app
    return make_app(database_url, Path(instance), OPEN_DAY_LIMIT_PER_ADDRESS="100000 per minute",
                    OPEN_DAY_LIMIT_CODE_LOOKUPS="100000 per minute")


def register_many(database_url: str, instance: str, event_id: int, phones: list[str], threads: int, start, results):
    app = _app(database_url, instance)

    def one(phone: str):
        client = app.test_client()
        response = client.post(f"/api/v1/tenants/baishui/open-day/events/{event_id}/registrations",
                               json={"name": "并发测试", "phone": phone, "consent": True},
                               environ_base={"REMOTE_ADDR": f"10.9.{phone[-4:-2]}.{phone[-2:]}"})
        body = response.get_json(silent=True) or {}
        return response.status_code, body.get("status") or body.get("error")

    start.wait()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results.put(list(pool.map(one, phones)))
    _dispose(app)


def cancel_many(database_url: str, instance: str, codes: list[str], threads: int, start, results):
    app = _app(database_url, instance)

    def one(code: str):
        response = app.test_client().post(f"/api/v1/tenants/baishui/open-day/registrations/{code}/cancel")
        return response.status_code, (response.get_json(silent=True) or {}).get("status")

    start.wait()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results.put(list(pool.map(one, codes)))
    _dispose(app)


def _dispose(app) -> None:
    from core.db import db
    with app.app_context():
        db.engine.dispose()
