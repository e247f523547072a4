"""Schemathesis against the API's own OpenAPI document: requests generated from the schema
(valid and invalid ones, with and without an editor's token) never get a server error.

Sanitizing is idempotent for any input, not only the public vector lists (a hypothesis property)."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from core.accounts import issue_token, user_by_username
from core.db import db
from core.sanitize import clean_html


@pytest.fixture
def editor_token(demo):
    with demo.app_context():
        _, plain = issue_token(user_by_username("li"), "fuzz")
        db.session.commit()
    return plain


@pytest.mark.builtin_plugins
def test_no_request_the_schema_allows_or_forbids_makes_a_server_error(demo, editor_token):
    """Each operation: generated requests, anonymous and with a town editor's token."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    auth = {"Authorization": f"Bearer {editor_token}"}
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def run(case):
            case.call_and_validate(checks=[not_a_server_error])
            case.call_and_validate(headers=auth, checks=[not_a_server_error])
        run()


# --- sanitizing is idempotent --------------------------------------------------------------------

TAGS = ["p", "a", "b", "script", "img", "svg", "table", "tr", "td", "style", "iframe", "math", "br", "ol", "li",
        "h2", "span", "div", "noscript", "template", "textarea", "title", "object", "select", "option"]
ATTRS = ["href", "src", "onerror", "onload", "style", "class", "id", "title", "xlink:href", "formaction", "srcdoc"]
VALUES = st.one_of(st.text(max_size=20), st.sampled_from([
    "javascript:alert(1)", "jav&#x09;ascript:alert(1)", " data:text/html,<script>alert(1)</script>", "x\" onerror=\"alert(1)",
    "/qinglan/files/0123456789abcdef0123456789abcdef", "https://example.org/?a=1&b=2", "&lt;script&gt;"]))


@st.composite
def markup(draw, depth=0):
    """HTML-ish text: tags (closed or not), attributes with tricky values, entities, comments, text."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["text", "tag", "entity", "comment", "raw"]))
        if kind == "text":
            parts.append(draw(st.text(max_size=15)))
        elif kind == "entity":
            parts.append(draw(st.sampled_from(["&amp;", "&lt;", "&#60;", "&#x3C;", "&nbsp;", "&", "&#0;", "&quot;"])))
        elif kind == "comment":
            parts.append(f"<!--{draw(st.text(max_size=10))}-->")
        elif kind == "raw":
            parts.append(draw(st.sampled_from(["<", ">", "</", "/>", "<![CDATA[", "]]>", "\"", "'", "`"])))
        else:
            tag = draw(st.sampled_from(TAGS))
            attrs = "".join(f' {draw(st.sampled_from(ATTRS))}="{draw(VALUES)}"' for _ in range(draw(st.integers(0, 2))))
            inner = draw(markup(depth + 1)) if depth < 2 else draw(st.text(max_size=10))
            close = draw(st.booleans())
            parts.append(f"<{tag}{attrs}>{inner}" + (f"</{tag}>" if close else ""))
    return "".join(parts)


@given(markup())
@settings(max_examples=400, deadline=None)
def test_sanitizing_is_idempotent(html):
    once = clean_html(html)
    assert clean_html(once) == once


@given(st.text(max_size=200))
@settings(max_examples=200, deadline=None)
def test_sanitizing_any_text_is_idempotent(text):
    once = clean_html(text)
    assert clean_html(once) == once
