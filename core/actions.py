"""The one way an admin view runs an action: validate, call the service, commit on success, flash,
redirect; a refusal (`DomainError`) rolled back and shown on the form, or flashed for a button.

Views stay thin: what may be done, and how, is the service's business (it raises DomainError);
committing, telling the person and where to go next is done here, the same way everywhere.
"""
from __future__ import annotations

from typing import Callable, TypeVar

from flask import abort, flash, redirect

from core.db import db
from core.errors import DomainError

T = TypeVar("T")


def show_error(form, exc: DomainError) -> None:
    """Put a refusal next to the field it concerns, or at the top of the page."""
    db.session.rollback()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [exc.message]
    else:
        flash(exc.message, "error")


def _given(value, result):
    return value(result) if callable(value) else value


def run_form(form, act: Callable[[], T], *, then: str | Callable[[T], str],
             message: str | Callable[[T], str | None] | None = None):
    """A validated form's action: `act()` calls the service; on success the transaction is committed,
    `message` flashed and the answer is a redirect to `then` (either may depend on what `act`
    returned). A refusal is rolled back and shown next to its field, and the answer is None: the
    view renders the form again, with what was typed."""
    try:
        result = act()
    except DomainError as exc:
        show_error(form, exc)
        return None
    db.session.commit()
    if text := _given(message, result):
        flash(text, "success")
    return redirect(_given(then, result))


def run_button(act: Callable[[], str | None], *, then: str, back: str | None = None, form=None):
    """A POST from a button: its form (a bare ActionForm, for the CSRF token, unless given) must
    validate, else 400; `act()` calls the service and returns the message to show. Committed on
    success and on to `then`; a refusal is rolled back, flashed, and back to `back` (the same page
    unless said: after a deletion the object's page still exists only when it was refused)."""
    if form is None:
        from core.forms import ActionForm
        form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        text = act()
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(back or then)
    db.session.commit()
    if text:
        flash(text, "success")
    return redirect(then)
