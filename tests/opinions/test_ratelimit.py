"""Rate limits on comment submission: per address and per consultation, and across two gunicorn
workers when REDIS_URL is set."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


from tests.opinions.fixtures import make_consultation


def _post(client, cid, address="10.0.0.1"):
    return client.post(f"/api/v1/tenants/baishui/opinions/consultations/{cid}/comments",
                       json={"content": "建议增加停车位，方便赶集。", "consent": True},
                       environ_base={"REMOTE_ADDR": address})


def test_limit_per_address(demo, client):
    demo.config["OPINIONS_LIMIT_PER_ADDRESS"] = "3 per minute"
    with demo.app_context():
        cid = make_consultation()
    codes = [_post(client, cid).status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    refused = _post(client, cid)
    assert refused.get_json() == {"error": "提交过于频繁，请稍后再试。"}
    assert _post(client, cid, address="10.0.0.2").status_code == 201  # another person is not affected


def test_the_form_and_the_api_share_one_budget(demo, client):
    from tests.conftest import csrf_from
    demo.config["OPINIONS_LIMIT_PER_ADDRESS"] = "3 per minute"
    with demo.app_context():
        cid = make_consultation()
    page = client.get(f"/qinglan/baishui/opinions/{cid}", environ_base={"REMOTE_ADDR": "10.0.2.1"})
    token = csrf_from(page.get_data(as_text=True))
    form = [client.post(f"/qinglan/baishui/opinions/{cid}/comments", environ_base={"REMOTE_ADDR": "10.0.2.1"},
                        data={"csrf_token": token, "content": "建议增加停车位，方便赶集。", "consent": "y"}).status_code
            for _ in range(2)]
    api = [_post(client, cid, address="10.0.2.1").status_code for _ in range(2)]
    assert form == [302, 302] and api == [201, 429]


def test_limit_per_consultation(demo, client):
    demo.config["OPINIONS_LIMIT_PER_CONSULTATION"] = "4 per hour"
    with demo.app_context():
        cid = make_consultation()
        other = make_consultation(title="另一项征集")
    codes = [_post(client, cid, address=f"10.0.1.{i}").status_code for i in range(6)]
    assert codes == [201, 201, 201, 201, 429, 429]
    assert _post(client, other, address="10.0.1.9").status_code == 201


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_limits_hold_across_two_gunicorn_workers_with_redis(demo, migrated, tmp_path, redis_url, redis_prefix):
    with demo.app_context():
        cid = make_consultation()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": migrated, "REDIS_URL": redis_url, "REDIS_KEY_PREFIX": redis_prefix,
           "SECRET_KEY": "test",
           "CMS_INSTANCE_PATH": str(tmp_path), "OPINIONS_LIMIT_PER_ADDRESS": "5 per minute"}
    log = tmp_path / "access.log"
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", "2", "--preload", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s %(U)s", "core:create_app()"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        booted = 0
        while booted < 2:  # both workers up before the first request
            line = server.stderr.readline()
            assert line, "gunicorn stopped"
            booted += "Booting worker" in line
        url = f"http://127.0.0.1:{port}/api/v1/tenants/baishui/opinions/consultations/{cid}/comments"
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/tenants", timeout=2)
                break
            except OSError:
                time.sleep(0.2)

        def post(_):
            body = json.dumps({"content": "建议增加停车位，方便赶集。", "consent": True}).encode()
            request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
            try:
                return urllib.request.urlopen(request, timeout=20).status
            except urllib.error.HTTPError as exc:
                return exc.code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = Counter(pool.map(post, range(40)))
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert statuses == {201: 5, 429: 35}
    pids = {line.split()[0] for line in log.read_text().splitlines() if "/comments" in line}
    assert len(pids) == 2, "both workers must have served comments for the test to mean anything"
    import redis
    # The counters are this test's own keys (REDIS_KEY_PREFIX), nothing else in the database was touched.
    assert list(redis.from_url(redis_url).scan_iter(match=redis_prefix + "limits:*"))
