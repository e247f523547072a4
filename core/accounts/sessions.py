"""Logged-in sessions: the user loader (active account, current session epoch), the idle and absolute
timeouts, and server-side sessions in Redis when REDIS_URL is set."""
from __future__ import annotations

from flask import Flask, current_app, flash, session
from flask_login import LoginManager, logout_user

from core import clock
from core.accounts import User
from core.db import db
from core.web import is_api_request


login_manager = LoginManager()


@login_manager.user_loader
def load_user(user_id: str):
    """The session's user, only while the account is active and the session's epoch is current."""
    ident, _, epoch = (user_id or "").partition(":")
    if not ident.isdigit() or not epoch.isdigit():
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return user


def session_timeouts() -> None:
    """A logged-in session ends after ADMIN_IDLE_MINUTES without a request (15) and, whatever the
    activity, SESSION_ABSOLUTE_HOURS after the login (8)."""
    if "_user_id" not in session or is_api_request():
        return
    now = clock.timestamp()
    idle = float(current_app.config.get("ADMIN_IDLE_MINUTES", 15)) * 60
    absolute = float(current_app.config.get("SESSION_ABSOLUTE_HOURS", 8)) * 3600
    seen, login_at = float(session.get("seen_at", 0)), float(session.get("login_at", 0))
    if now - seen > idle or now - login_at > absolute:
        logout_user()
        session.clear()
        flash("长时间未操作，为了安全已自动退出，请重新登录。" if now - login_at <= absolute
              else "登录时间已超过上限，为了安全已自动退出，请重新登录。", "error")
        return
    if now - seen > 30:       # refresh at most twice a minute: not a session write per request
        session["seen_at"] = now


def server_side_sessions(app: Flask) -> None:
    """With REDIS_URL, sessions live in Redis (Flask-Session) and the cookie holds only a random
    id: every worker and machine sees the same session, and deleting it ends it. Without Redis,
    Flask's signed cookie (one machine, development)."""
    if not app.config.get("REDIS_URL") or app.config.get("SESSION_TYPE") == "cookie":
        return
    import redis
    from flask_session import Session
    app.config.update(SESSION_TYPE="redis", SESSION_REDIS=redis.from_url(app.config["REDIS_URL"]))
    app.config.setdefault("SESSION_KEY_PREFIX", app.config["REDIS_KEY_PREFIX"] + "session:")
    Session(app)
