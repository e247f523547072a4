"""A worker process for the concurrency test: its own app, its own connections, real requests."""
from __future__ import annotations


def publish_many(database_url: str, attachment_dir: str, token: str, item_id: int, count: int, start, results) -> None:
    from tests.conftest import make_app
    from pathlib import Path
    app = make_app(database_url, Path(attachment_dir))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    start.wait()
    out = []
    for i in range(count):
        created = client.post("/api/v1/tenants/baishui/catalog/records", headers=headers,
                              json={"item_id": item_id, "title": f"并发发布 {i}"})
        if created.status_code != 201:
            out.append(("create", created.status_code, created.get_data(as_text=True)))
            continue
        published = client.post(f"/api/v1/tenants/baishui/catalog/records/{created.get_json()['id']}/publish",
                                headers=headers, json={"review_confirmed": True})
        out.append(("publish", published.status_code, published.get_json().get("index_no")))
    results.put(out)
    from core.db import db
    with app.app_context():
        db.engine.dispose()
