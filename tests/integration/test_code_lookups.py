"""Every lookup by a code handed to the public is rate limited per address (issue 17): a comment's
tracking code (page and API), a registration code (pages and API). Found from the URL map, so a
new lookup route without a limit fails here."""
from __future__ import annotations

import re

from tests.conftest import csrf_from
from tests.opinions.fixtures import comment, make_consultation

REQUIRES_PLUGINS = ("open_day", "opinions")

# Lookups whose code travels in the query string rather than in the path.
QUERY_LOOKUPS = {"opinions.track": "/qinglan/baishui/opinions/track?code=ABCD-EFGH-JKLM",
                 "open_day.find_registration": "/qinglan/baishui/open-day/registration?code=ABCDE-FGHJK"}


def lookup_routes(app) -> dict[str, tuple[str, str]]:
    found = {}
    for rule in app.url_map.iter_rules():
        if "code" in rule.arguments:
            url = rule.rule.replace("<tenant:tenant_path>", "qinglan/baishui").replace("<tenant_slug>", "baishui")
            url = re.sub(r"<[^>]*code>", "ABCDE-FGHJK", url)
            method = "GET" if "GET" in rule.methods else "POST"
            found[rule.endpoint + " " + method] = (method, url)
    found.update({endpoint + " GET": ("GET", url) for endpoint, url in QUERY_LOOKUPS.items()})
    return found


def test_every_code_lookup_answers_429_past_its_limit(demo, client):
    demo.config["CODE_LOOKUP_LIMIT"] = "3 per minute"
    with demo.app_context():
        make_consultation("baishui")
    routes = lookup_routes(demo)
    assert {"opinions.track GET", "opinions_api.track GET", "open_day.registration GET",
            "open_day_api.registration GET"} <= set(routes)
    token = csrf_from(client.get("/admin/login").get_data(as_text=True))      # a form's token, as anyone has
    unlimited = []
    for n, (name, (method, url)) in enumerate(sorted(routes.items())):
        address = {"REMOTE_ADDR": f"10.77.0.{n + 1}"}
        data = {"csrf_token": token} if method == "POST" and not url.startswith("/api/") else None
        for _ in range(3):
            assert client.open(url, method=method, data=data, environ_base=address).status_code != 429, name
        if client.open(url, method=method, data=data, environ_base=address).status_code != 429:
            unlimited.append(name)
    assert unlimited == []


def test_a_real_code_is_still_found_under_the_limit(demo, client):
    with demo.app_context():
        code = comment("baishui", make_consultation("baishui"))
    page = client.get(f"/qinglan/baishui/opinions/track?code={code}", environ_base={"REMOTE_ADDR": "10.78.0.1"})
    assert page.status_code == 200 and code in page.get_data(as_text=True)
    # Never cached: not by the page cache (which would serve it without counting), not by a proxy
    assert page.headers["Cache-Control"] == "no-store" and "X-Cache" not in page.headers


def test_with_the_page_cache_on_repeated_lookups_still_count(demo, client):
    demo.config.update(CODE_LOOKUP_LIMIT="3 per minute")
    from cachelib import SimpleCache
    previous = demo.extensions["cms_page_cache"]
    demo.extensions["cms_page_cache"] = SimpleCache()                 # the page cache on, as make run has it
    try:
        statuses = [client.get("/qinglan/baishui/opinions/track?code=AAAA-BBBB-CCCC",
                               environ_base={"REMOTE_ADDR": "10.79.0.1"}).status_code for _ in range(5)]
    finally:
        demo.extensions["cms_page_cache"] = previous
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
