"""The one way an admin view runs an action (core/actions.py): committed and told on success, rolled
back and shown on the form (or flashed, for a button) when the service refuses."""
from __future__ import annotations

import pytest
from flask import session
from flask_wtf import FlaskForm
from sqlalchemy import text
from werkzeug.exceptions import BadRequest
from wtforms import StringField

from core.actions import run_button, run_form
from core.db import db
from core.errors import DomainError


class TitleForm(FlaskForm):
    title = StringField("标题")


def flashed() -> list[tuple[str, str]]:
    """What was flashed since the last look (get_flashed_messages answers once per request)."""
    return [tuple(m) for m in session.pop("_flashes", [])]


def _years() -> list[int]:
    db.session.remove()
    return list(db.session.execute(text("SELECT year FROM calendar_years ORDER BY year")).scalars())


def _write(year: int) -> int:
    db.session.execute(text("INSERT INTO calendar_years (year, entered_at, entered_by, source) "
                            "VALUES (:y, CURRENT_TIMESTAMP, 'test', 'test')"), {"y": year})
    return year


def _refuse(year: int, field: str | None = None):
    _write(year)                       # half-done work that must not stay
    raise DomainError("标题不能与已有的重复。", field=field)


@pytest.fixture
def post(app):
    app.config["WTF_CSRF_ENABLED"] = False      # the app fixture restores the settings afterwards
    with app.test_request_context("/admin/x", method="POST", data={"title": "一"}):
        yield


def test_run_form_commits_tells_and_redirects_with_what_the_action_returned(post):
    answer = run_form(TitleForm(), lambda: _write(2031), message=lambda year: f"已录入 {year} 年。",
                      then=lambda year: f"/admin/calendar/{year}")
    assert answer.status_code == 302 and answer.location == "/admin/calendar/2031"
    assert flashed() == [("success", "已录入 2031 年。")]
    assert _years() == [2031]


def test_run_form_puts_a_refusal_on_its_field_and_keeps_nothing(post):
    form = TitleForm()
    assert run_form(form, lambda: _refuse(2032, field="title"), message="不会出现", then="/elsewhere") is None
    assert form.title.errors == ["标题不能与已有的重复。"] and flashed() == []
    assert _years() == []
    other = TitleForm()                               # a refusal about no field goes to the top
    assert run_form(other, lambda: _refuse(2033), then="/elsewhere") is None
    assert flashed() == [("error", "标题不能与已有的重复。")]


def test_run_button_goes_on_when_done_and_back_when_refused(post):
    done = run_button(lambda: f"已删除 {_write(2034)} 年。", form=TitleForm(), then="/admin/list", back="/admin/item")
    assert done.location == "/admin/list" and _years() == [2034]
    assert flashed() == [("success", "已删除 2034 年。")]
    refused = run_button(lambda: _refuse(2035), form=TitleForm(), then="/admin/list", back="/admin/item")
    assert refused.location == "/admin/item" and _years() == [2034]
    assert flashed() == [("error", "标题不能与已有的重复。")]


def test_run_button_without_its_token_is_a_bad_request(app):
    with app.test_request_context("/admin/x", method="POST", data={}):
        with pytest.raises(BadRequest):
            run_button(lambda: _write(2036), then="/admin/list")
        assert _years() == []
