"""XSS vectors from public lists through the comment form and the API: none comes back as markup."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path


from tests.conftest import csrf_from
from tests.opinions.fixtures import make_consultation

XSS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "xss"
VECTORS = [v for f in ("BRUTELOGIC-XSS-STRINGS.txt", "IntrudersXSS.txt", "XSS_Polyglots.txt")
           for v in (XSS_DIR / f).read_text(encoding="utf-8").split("\n") if len(v.strip()) >= 5 and "<" in v][:80]


class CommentMarkup(HTMLParser):
    """Every tag inside the comment blocks of a page."""

    def __init__(self):
        super().__init__()
        self.depth, self.tags = 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
            self.tags.append((tag, dict(attrs)))
        elif tag == "div" and ("class", "comment-text") in attrs:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1


def test_enough_vectors():
    assert len(VECTORS) >= 50


def test_vectors_through_the_form_and_the_api_never_come_back_as_markup(demo, client):
    with demo.app_context():
        cid = make_consultation()  # published immediately
    page = client.get(f"/qinglan/baishui/opinions/{cid}")
    token = csrf_from(page.get_data(as_text=True))
    for i, vector in enumerate(VECTORS):
        content = f"意见{i}：{vector}"
        if i % 2:
            response = client.post(f"/api/v1/tenants/baishui/opinions/consultations/{cid}/comments",
                                   json={"content": content[:2000], "author_name": vector[:50], "consent": True})
            assert response.status_code == 201, response.get_json()
            assert response.get_json()["status"] == "published"
        else:
            response = client.post(f"/qinglan/baishui/opinions/{cid}/comments", data={
                "csrf_token": token, "content": content[:2000], "author_name": vector[:50], "consent": "y"})
            assert response.status_code == 302, response.get_data(as_text=True)[:500]
    html = client.get(f"/qinglan/baishui/opinions/{cid}").get_data(as_text=True)
    parser = CommentMarkup()
    parser.feed(html)
    # Inside comments only paragraphs, line breaks and nofollow http(s) links may appear.
    for tag, attrs in parser.tags:
        assert tag in {"p", "br", "a"}, (tag, attrs)
        if tag == "a":
            assert set(attrs) <= {"href", "rel"} and re.match(r"^https?://", attrs["href"]), attrs
    assert "<script" not in html.split("已公开的意见")[1]
    for vector in VECTORS:
        assert f"：{vector}" not in html  # what was typed only ever appears escaped
    api = client.get(f"/api/v1/tenants/baishui/opinions/consultations/{cid}/comments?per_page=100").get_json()
    assert {c["content"] for c in api} >= {f"意见{i}：{v}"[:2000] for i, v in enumerate(VECTORS[:40])}


def test_the_tracking_page_escapes_what_was_typed(demo, client):
    from tests.opinions.fixtures import comment
    with demo.app_context():
        cid = make_consultation()
        code = comment("baishui", cid, content='<img src=x onerror=alert(1)>意见')
    html = client.get(f"/qinglan/baishui/opinions/track?code={code}").get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;意见" in html
