"""Sessions: always server-side (Flask-Session), in Redis when REDIS_URL is set and otherwise in the
application's own database, so the cookie holds only a random id and ending a session on the server
ends it for every copy of the cookie; the user loader (active account, current session epoch), and
the idle and absolute timeouts."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from flask import Flask, current_app, flash, g, has_app_context, session
from flask_login import LoginManager, logout_user
from flask_session.base import ServerSideSessionInterface
from sqlalchemy import LargeBinary, String, delete, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from core import clock
from core.accounts import User
from core.db import UTCDateTime, db
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


class StoredSession(db.Model):
    """A session kept in the database: found by a hash of the cookie's id, gone at logout."""
    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(64), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    expiry: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class DatabaseSessionInterface(ServerSideSessionInterface):
    """Flask-Session's server-side sessions, stored in `sessions`.

    Read at the start of a request on a connection of its own (the request's transaction has not
    begun: on SQLite a request that writes must begin with BEGIN IMMEDIATE). Written when the
    response is saved, through the request's session once its work is over: what it left
    uncommitted is rolled back first, as the teardown would, so the write never waits for a lock
    the request itself holds. An id replaced during the request (login, logout) is deleted then too.
    """

    ttl = False

    def __init__(self, app: Flask):
        super().__init__(app, key_prefix="", use_signer=False, permanent=app.config["SESSION_PERMANENT"],
                         sid_length=32, serialization_format="msgpack", cleanup_n_requests=None)

    def _get_store_id(self, sid: str) -> str:
        # Only a hash of the cookie's value is stored: reading the table does not give sessions away.
        return hashlib.sha256(sid.encode()).hexdigest()

    def should_set_storage(self, app: Flask, session) -> bool:
        # Written when it changed, not on every request: a logged-in session changes at least
        # twice a minute while in use (the idle timer), and a visitor's only when a form is shown.
        return session.modified

    def regenerate(self, session) -> None:
        """A new id (login, logout); the old one is deleted when the response is saved."""
        if session:
            g.setdefault("ended_sessions", []).append(self._get_store_id(session.sid))
            session.sid = self._generate_sid(self.sid_length)
            session.modified = True

    def _retrieve_session_data(self, store_id: str) -> dict | None:
        with db.engine.connect() as connection:
            row = connection.execute(select(StoredSession.data, StoredSession.expiry)
                                     .where(StoredSession.session_id == store_id)).first()
        if row is None or row.expiry <= clock.utcnow():
            return None
        return self.serializer.decode(row.data)

    def _end_request_work(self) -> None:
        db.session.rollback()
        ended = g.pop("ended_sessions", []) if has_app_context() else []
        if ended:
            db.session.execute(delete(StoredSession).where(StoredSession.session_id.in_(ended)))

    def _delete_session(self, store_id: str) -> None:
        self._end_request_work()
        db.session.execute(delete(StoredSession).where(StoredSession.session_id == store_id))
        db.session.commit()

    def _upsert_session(self, session_lifetime: timedelta, session, store_id: str) -> None:
        data, expiry = self.serializer.encode(session), clock.utcnow() + session_lifetime
        self._end_request_work()
        updated = db.session.execute(update(StoredSession).where(StoredSession.session_id == store_id)
                                     .values(data=data, expiry=expiry)).rowcount
        if not updated:
            db.session.execute(insert(StoredSession).values(session_id=store_id, data=data, expiry=expiry))
        db.session.commit()

    def _delete_expired_sessions(self) -> None:
        delete_expired_sessions()


def delete_expired_sessions() -> int:
    """Rows of sessions past their end (run at each login, and by `cms session_cleanup`)."""
    removed = db.session.execute(delete(StoredSession).where(StoredSession.expiry <= clock.utcnow())).rowcount
    db.session.commit()
    return removed


def server_side_sessions(app: Flask) -> None:
    """Sessions on the server in every configuration: Redis (every worker and machine sees the same
    session) when REDIS_URL is set, the application's database otherwise. The cookie lives until
    the browser closes unless SESSION_PERMANENT says otherwise."""
    if app.config.get("REDIS_URL"):
        import redis
        from flask_session import Session
        app.config.update(SESSION_TYPE="redis", SESSION_REDIS=redis.from_url(app.config["REDIS_URL"]))
        app.config.setdefault("SESSION_KEY_PREFIX", app.config["REDIS_KEY_PREFIX"] + "session:")
        Session(app)
    else:
        app.session_interface = DatabaseSessionInterface(app)
